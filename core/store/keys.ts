// Every key format of the store, and the few numbers the layout rests on; both repositories use them.
//
// The layout (core/store/dynamoRepository.ts has the tables and access paths):
// - a reading lives in its meter's **block**: one item per meter per 6 local hours, the reading as a
//   slot attribute named after its timestamp (`r…` stored on time, `l…` stored late), so storing one
//   is one conditional single-item update whose condition ("this slot is absent") makes a repeat a no-op;
// - each block also keeps the kWh of its on-time readings (`kwh`, `n`), so a day, month or year total
//   is a sum of blocks and **month items** (one per meter per month), into which settled blocks are
//   folded once (consolidate) so reads stay O(buckets);
// - a late reading (older than LATE_READING_MS by the writer's clock) goes into its block and, in the
//   same transaction, straight into its month item: its block may already be folded.
import { InvalidInput } from '../errors';
import { bucketsOf } from '../periods';

/** A reading older than this (by the writer's clock) is late: written to its block and its month item together. */
export const LATE_READING_MS = 24 * 3_600_000;
/**
 * Blocks are folded once every reading in them is older than LATE_READING_MS + this margin, so no
 * on-time write can still be in flight into a block being folded (a request lives seconds, not an hour).
 */
export const FOLD_MARGIN_MS = 3_600_000;
/** Local hours per block: 6 → 24 readings at 15-minute intervals, ≈ 0.4 KB, one write unit each. */
export const BLOCK_HOURS = 6;
/** The highest stored seq of a signed meter is written down at most every this many seqs. */
export const SEQ_CHECKPOINT = 64;

/** Zero-padded meter id: text order is numeric order. */
export const meterPart = (meterId: number) => String(meterId).padStart(10, '0');

/** Time, then meter, zero-padded so text order is numeric order: TTTTTTTTTTTTTT#MMMMMMMMMM (the paging cursor). */
export function readingSortKey(timestampMs: number, meterId: number): string {
  return `${String(timestampMs).padStart(14, '0')}#${meterPart(meterId)}`;
}

/** First and last sort key of the readings in [startMs, endMs). */
export function readingKeyRange(range: { startMs: number; endMs: number }): { first: string; last: string } {
  return { first: readingSortKey(range.startMs, 0), last: readingSortKey(range.endMs - 1, 9_999_999_999) };
}

export function encodeCursor(sortKey: string): string {
  return Buffer.from(sortKey, 'utf8').toString('base64url');
}

/** The sort key a cursor stands for; InvalidInput when it is not one of this query's. */
export function decodeCursor(cursor: string, range: { first: string; last: string }): string {
  const sortKey = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{14}#\d{10}$/.test(sortKey) || sortKey < range.first || sortKey > range.last) {
    throw new InvalidInput('cursor: does not belong to this query; start again without it', 'cursor');
  }
  return sortKey;
}

/** The block window of an instant: local date + first hour of its 6-hour window, YYYY-MM-DDTHH. */
export function windowOf(timestampMs: number, timeZone: string): string {
  return windowOfBuckets(bucketsOf(timestampMs, timeZone));
}

export function windowOfBuckets(buckets: { hour: string; day: string }): string {
  const hour = Number(buckets.hour.slice(11, 13));
  return `${buckets.day}T${String(hour - (hour % BLOCK_HOURS)).padStart(2, '0')}`;
}

/** A block's sort key: window, then meter — a time range of a customer's blocks is one key range. */
export const blockKey = (window: string, meterId: number) => `${window}#${meterPart(meterId)}`;

export function parseBlockKey(sortKey: string): { window: string; day: string; month: string; meterId: number } {
  const [window, meter] = sortKey.split('#');
  return { window, day: window.slice(0, 10), month: window.slice(0, 7), meterId: Number(meter) };
}

/** Block keys of the windows from `firstWindow` to `lastWindow`, inclusive, every meter. */
export const blockKeyRange = (firstWindow: string, lastWindow: string) => ({
  first: `${firstWindow}#`,
  last: `${lastWindow}#~`,
});

/** A month item's sort key: month, then meter. */
export const monthItemKey = (month: string, meterId: number) => `${month}#${meterPart(meterId)}`;

export function parseMonthItemKey(sortKey: string): { month: string; meterId: number } {
  const [month, meter] = sortKey.split('#');
  return { month, meterId: Number(meter) };
}

/** Attribute of a month item holding one local day's kWh: d01…d31. */
export const dayAttribute = (day: string) => `d${day.slice(8, 10)}`;

/** A slot attribute: r (stored on time) or l (stored late) + the timestamp in base 36. */
export const slotName = (timestampMs: number, late: boolean) => `${late ? 'l' : 'r'}${timestampMs.toString(36)}`;

/** The timestamp and kind of a slot attribute, or undefined for any other attribute. */
export function parseSlot(name: string): { timestampMs: number; late: boolean } | undefined {
  if (!/^[rl][0-9a-z]{1,11}$/.test(name)) return undefined;
  return { timestampMs: parseInt(name.slice(1), 36), late: name[0] === 'l' };
}

/** An entry of a block's or month item's set of readings above the excess threshold: ms:valor. */
export const excessEntry = (timestampMs: number, valor: number) => `${timestampMs}:${valor}`;

export function parseExcessEntry(entry: string): { timestampMs: number; valor: number } {
  const [ms, valor] = entry.split(':');
  return { timestampMs: Number(ms), valor: Number(valor) };
}

/** The window blocks are folded up to (exclusive) at `nowMs`: every reading before it is settled. */
export const foldTarget = (nowMs: number, timeZone: string) => windowOf(nowMs - LATE_READING_MS - FOLD_MARGIN_MS, timeZone);

/**
 * How far back unfolded blocks almost always reach: the fold runs once per local day up to
 * foldTarget (≈ 25 h back), so blocks not folded yet are at most ≈ 2 days old while it keeps up.
 * Reads fetch this recent part at once, beside the read that says where folding really stopped,
 * and pay a second round trip only for a fold that fell behind (see ReadingStore.blocksSince).
 */
export const RECENT_BLOCKS_MS = 3 * 86_400_000;

/** Is a reading late for a writer whose clock reads `nowMs`? */
export const isLate = (timestampMs: number, nowMs: number) => timestampMs < nowMs - LATE_READING_MS;

/** The in-memory repository's sums: one per level and bucket, and per meter and month. */
export const bucketKey = (level: 'hour' | 'day' | 'month', bucket: string) => `${level[0].toUpperCase()}#${bucket}`;
export const meterMonthBucket = (month: string, meterId: number) => `MD#${month}#${meterPart(meterId)}`;

/** Alarm items: one per active condition, one per event. */
export const activeAlarmKey = (conditionKey: string) => `ATIVO#${conditionKey}`;
export const alarmEventKey = (firedMs: number, conditionKey: string) => `EVENTO#${String(firedMs).padStart(14, '0')}#${conditionKey}`;
