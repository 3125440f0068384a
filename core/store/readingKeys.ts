// A reading's sort key and the paging cursor over it, shared by both repositories so they page alike.
import { InvalidInput } from '../errors';

/** Time, then meter, zero-padded so text order is numeric order: TTTTTTTTTTTTTT#MMMMMMMMMM. */
export function readingSortKey(timestampMs: number, meterId: number): string {
  return `${String(timestampMs).padStart(14, '0')}#${String(meterId).padStart(10, '0')}`;
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
