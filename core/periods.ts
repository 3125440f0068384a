// Calendar periods and roll-up buckets in the configured time zone (LUZ_TZ).
import { InvalidInput } from './errors';

export type PeriodKind = 'D' | 'M' | 'Y';

/** Local calendar fields of an instant in a time zone. */
export interface LocalTime {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws when the runtime does not know the zone, so bad config fails at start-up. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

export function toLocal(instantMs: number, timeZone: string): LocalTime {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year,
    month: fields.month,
    day: fields.day,
    hour: fields.hour,
    minute: fields.minute,
    second: fields.second,
  };
}

/** Offset of the zone from UTC at an instant, in ms (America/Bahia: −3 h). */
function offsetAt(instantMs: number, timeZone: string): number {
  const local = toLocal(instantMs, timeZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The instant at which a local wall-clock time happens. Across a DST change it is the first
 * occurrence; a time skipped by a spring-forward (São Paulo, 2018-11-04 00:00) becomes the
 * first instant after the gap (01:00 that day).
 */
export function fromLocal(
  year: number,
  month: number,
  day: number,
  hour: number,
  timeZone: string,
): number {
  const wall = Date.UTC(year, month - 1, day, hour);
  const first = wall - offsetAt(wall, timeZone);
  const candidates = [first, wall - offsetAt(first, timeZone)].sort((a, b) => a - b);
  const wallOf = (instant: number) => {
    const t = toLocal(instant, timeZone);
    return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  };
  return candidates.find((instant) => wallOf(instant) === wall) ?? candidates.find((instant) => wallOf(instant) > wall)!;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Roll-up bucket keys of an instant: hour, day and month in the zone. */
export function bucketsOf(instantMs: number, timeZone: string): { hour: string; day: string; month: string } {
  const t = toLocal(instantMs, timeZone);
  const month = `${t.year}-${pad(t.month)}`;
  const day = `${month}-${pad(t.day)}`;
  return { hour: `${day}T${pad(t.hour)}`, day, month };
}

/** ISO-8601 with the zone's offset, e.g. 2026-11-25T00:00:00-03:00. */
export function isoInZone(instantMs: number, timeZone: string): string {
  const t = toLocal(instantMs, timeZone);
  const offsetMinutes = Math.round(offsetAt(instantMs, timeZone) / 60000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${t.year}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

export interface Period {
  kind: PeriodKind;
  /** Inclusive start instant (ms). */
  startMs: number;
  /** Exclusive end instant (ms). */
  endMs: number;
  /** Bucket keys of the finer roll-up that make up this period, in order. */
  bucketKeys: string[];
  /** Which roll-up level the bucket keys belong to. */
  bucketLevel: 'hour' | 'day' | 'month';
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The calendar period `periodsBack` periods before the one containing `nowMs`:
 * a day (24 hourly buckets), a month (its days) or a year (its 12 months).
 */
export function periodOf(kind: PeriodKind, periodsBack: number, nowMs: number, timeZone: string): Period {
  const now = toLocal(nowMs, timeZone);
  if (kind === 'D') {
    const day = new Date(Date.UTC(now.year, now.month - 1, now.day - periodsBack));
    const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    const next = new Date(Date.UTC(y, m - 1, d + 1));
    const startMs = fromLocal(y, m, d, 0, timeZone);
    const endMs = fromLocal(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0, timeZone);
    const bucketKeys: string[] = [];
    for (let hourStart = startMs; hourStart < endMs; hourStart += 3_600_000) {
      const key = bucketsOf(hourStart, timeZone).hour;
      if (bucketKeys[bucketKeys.length - 1] !== key) bucketKeys.push(key);
    }
    return { kind, startMs, endMs, bucketKeys, bucketLevel: 'hour' };
  }
  if (kind === 'M') {
    const monthIndex = now.year * 12 + (now.month - 1) - periodsBack;
    const [y, m] = [Math.floor(monthIndex / 12), (monthIndex % 12) + 1];
    const [ny, nm] = [Math.floor((monthIndex + 1) / 12), ((monthIndex + 1) % 12) + 1];
    const bucketKeys = Array.from({ length: daysInMonth(y, m) }, (_, i) => `${y}-${pad(m)}-${pad(i + 1)}`);
    return {
      kind,
      startMs: fromLocal(y, m, 1, 0, timeZone),
      endMs: fromLocal(ny, nm, 1, 0, timeZone),
      bucketKeys,
      bucketLevel: 'day',
    };
  }
  const y = now.year - periodsBack;
  return {
    kind,
    startMs: fromLocal(y, 1, 1, 0, timeZone),
    endMs: fromLocal(y + 1, 1, 1, 0, timeZone),
    bucketKeys: Array.from({ length: 12 }, (_, i) => `${y}-${pad(i + 1)}`),
    bucketLevel: 'month',
  };
}

/** A month, `YYYY-MM` (01–12): the one shape of `mes` in requests, tariff files and stored keys. */
export const MONTH_KEY = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The month `YYYY-MM` as a period; throws InvalidInput for anything else. */
export function monthPeriod(month: string, timeZone: string): Period {
  if (!MONTH_KEY.test(month)) throw new InvalidInput('mes: must be YYYY-MM', 'mes');
  const [y, m] = month.split('-').map(Number);
  // Month arithmetic relative to a mid-month instant of the same month avoids zone edge cases.
  const anchor = fromLocal(y, m, 15, 12, timeZone);
  return periodOf('M', 0, anchor, timeZone);
}

/** `YYYY-MM` of the month containing an instant. */
export function monthKeyOf(instantMs: number, timeZone: string): string {
  return bucketsOf(instantMs, timeZone).month;
}
