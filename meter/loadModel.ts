// How much a simulated meter consumes per reading: the original lab model, or a daily load curve.
import { toLocal } from '../core/periods';
import { triangular, uniform } from './random';

export type LoadModelName = 'original' | 'daily';

/**
 * Mean household demand (kW) for each local hour: low at night, a morning rise, the evening peak
 * (electric showers, lighting, TV) around 19–21 h. Scaled so a typical meter uses about 160 kWh a
 * month, the order of magnitude of Brazil's average residential consumption.
 */
const HOURLY_SHAPE = [
  0.16, 0.14, 0.13, 0.13, 0.14, 0.18, 0.26, 0.3, 0.24, 0.21, 0.21, 0.23, 0.25, 0.23, 0.21, 0.21, 0.23, 0.28, 0.4, 0.46, 0.42,
  0.36, 0.28, 0.21,
];
const MONTHLY_KWH = 160;
const SHAPE_MEAN = HOURLY_SHAPE.reduce((sum, kw) => sum + kw, 0) / HOURLY_SHAPE.length;
const HOURLY_KW = HOURLY_SHAPE.map((kw) => (kw * MONTHLY_KWH) / (730 * SHAPE_MEAN));

export interface ReadingDraw {
  seed: number;
  meter: number;
  /** The meter's reading number (0, 1, 2…): with seed and meter, it fixes the random draws. */
  reading: number;
  /** End of the interval the reading covers (Unix ms) and its length (s). */
  timestampMs: number;
  intervalSeconds: number;
  /** Live multiplier of consumption (1 = the model as is). */
  rate: number;
  timeZone: string;
}

// Intl is slow (tens of µs a call) and a zone's offset changes at most a few times a year: cache it per UTC hour.
const offsets = new Map<string, number>();

function localHourOfDay(instantMs: number, timeZone: string): number {
  const key = `${timeZone}#${Math.floor(instantMs / 3_600_000)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const local = toLocal(instantMs, timeZone);
    offset = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second) - Math.floor(instantMs / 1000) * 1000;
    if (offsets.size > 50_000) offsets.clear();
    offsets.set(key, offset);
  }
  const hours = (instantMs + offset) / 3_600_000;
  return ((hours % 24) + 24) % 24;
}

/** Demand of a household at an instant, interpolated between hourly values (kW). */
function demandKw(instantMs: number, timeZone: string): number {
  const hour = localHourOfDay(instantMs, timeZone);
  const from = Math.floor(hour) % 24;
  const to = (from + 1) % 24;
  const weight = hour - Math.floor(hour);
  return HOURLY_KW[from] * (1 - weight) + HOURLY_KW[to] * weight;
}

/** kWh of one reading. `original`: triangular(0, 300, mode 10) per reading, as the lab's meters drew it. */
export function readingKwh(model: LoadModelName, draw: ReadingDraw): number {
  const u = uniform(draw.seed, draw.meter, draw.reading);
  if (model === 'original') return triangular(u, 0, 300, 10) * draw.rate;
  // Households differ: a per-meter size between 0.5× and 2× (median 1×), fixed by the seed.
  const size = 0.5 * 4 ** uniform(draw.seed, draw.meter, -1);
  // Integrate the curve over the interval in steps of at most 15 minutes.
  const steps = Math.max(1, Math.ceil(draw.intervalSeconds / 900));
  const stepMs = (draw.intervalSeconds * 1000) / steps;
  let kwh = 0;
  for (let i = 0; i < steps; i++) {
    kwh += demandKw(draw.timestampMs - draw.intervalSeconds * 1000 + (i + 0.5) * stepMs, draw.timeZone) * (stepMs / 3_600_000);
  }
  const noise = triangular(u, 0.5, 1.6, 0.9); // mean 1: appliances switch on and off
  // Real meters count whole watt-hours.
  return Math.round(kwh * size * noise * draw.rate * 1000) / 1000;
}
