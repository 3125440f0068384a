// Load models: reproducible from the seed, the original distribution's shape, a daily curve with an evening peak.
import { readingKwh, type ReadingDraw } from './loadModel';
import { triangular, uniform } from './random';

const draw = (overrides: Partial<ReadingDraw> = {}): ReadingDraw => ({
  seed: 42,
  meter: 7,
  reading: 0,
  timestampMs: Date.parse('2026-11-10T12:00:00Z'),
  intervalSeconds: 300,
  rate: 1,
  timeZone: 'America/Bahia',
  ...overrides,
});

describe('random numbers and load models', () => {
  it('the same seed, meter and reading number give the same value; another seed gives another', () => {
    expect(uniform(1, 2, 3)).toBe(uniform(1, 2, 3));
    expect(uniform(1, 2, 3)).not.toBe(uniform(2, 2, 3));
    expect(readingKwh('original', draw())).toBe(readingKwh('original', draw()));
  });

  it('uniform draws spread evenly over [0, 1)', () => {
    const deciles = Array(10).fill(0);
    for (let i = 0; i < 20_000; i++) deciles[Math.floor(uniform(9, i, 0) * 10)] += 1;
    for (const count of deciles) expect(count).toBeGreaterThan(1800);
    for (const count of deciles) expect(count).toBeLessThan(2200);
  });

  it('triangular(0, 300, mode 10): bounds, mode and mean (310/3) of the original meters', () => {
    expect(triangular(0, 0, 300, 10)).toBe(0);
    expect(triangular(10 / 300, 0, 300, 10)).toBeCloseTo(10, 10);
    const values = Array.from({ length: 20_000 }, (_, i) => readingKwh('original', draw({ reading: i })));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(300);
    const sum = values.reduce((total, kwh) => total + kwh, 0);
    expect(sum / 20_000).toBeGreaterThan(100);
    expect(sum / 20_000).toBeLessThan(106.7);
  });

  it('daily curve: whole watt-hours, about 160 kWh a month on average, more at 20 h than at 3 h (Bahia time)', () => {
    let month = 0;
    let evening = 0;
    let night = 0;
    const meters = 20;
    for (let meter = 0; meter < meters; meter++) {
      for (let hour = 0; hour < 30 * 24; hour++) {
        const kwh = readingKwh('daily', draw({ meter, reading: hour, intervalSeconds: 3600, timestampMs: Date.parse('2026-11-01T03:00:00Z') + (hour + 1) * 3_600_000 }));
        if (Math.abs(Math.round(kwh * 1000) - kwh * 1000) > 1e-6) throw new Error(`${kwh} is not whole watt-hours`);
        month += kwh;
        if (hour % 24 === 20) evening += kwh; // 20:00–21:00 local
        if (hour % 24 === 3) night += kwh;
      }
    }
    expect(month / meters).toBeGreaterThan(120);
    expect(month / meters).toBeLessThan(220);
    expect(evening).toBeGreaterThan(2 * night);
  });
});
