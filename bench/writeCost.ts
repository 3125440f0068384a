// Write cost of a stored reading in DynamoDB write units, from AWS's published rules applied to the
// transactions the repository actually sent (DynamoDB Local's ConsumedCapacity is not AWS billing,
// see /work/shared/FACTS.md; it is reported beside as a cross-check only).
//
// Rules used (DynamoDB Developer Guide, "Read/write capacity mode" and "Managing capacity for transactions"):
// - a standard write costs 1 unit per started 1 KB of the item (for an update, the larger of the item
//   before and after);
// - inside TransactWriteItems every item costs twice (prepare + commit), and a ConditionCheck item is
//   billed as a write too;
// - item size = Σ attribute name bytes + value bytes (string: UTF-8 bytes; number: ≈ 1 byte per two
//   significant digits + 1).
import type { Call } from './measure';

/** What an item in a reading's transaction is for, from its table and key. */
function itemKind(operation: string, body: Record<string, unknown>): string {
  // Table names are LUZ_TABLE_PREFIX + a lowercase name.
  const table = /[a-z]+$/.exec(String(body.TableName ?? ''))?.[0] ?? '?';
  const key = (body.Key ?? body.Item ?? {}) as Record<string, unknown>;
  if (table === 'consumo') {
    const sk = String(key.sk ?? '');
    const prefix = /^[A-Z]+#/.exec(sk)?.[0] ?? '?';
    const label: Record<string, string> = { 'H#': 'hour roll-up', 'D#': 'day roll-up', 'M#': 'month roll-up', 'MD#': 'meter-month roll-up', 'X#': 'excess index' };
    return `${operation} consumo ${label[prefix] ?? prefix}`;
  }
  if (table === 'leituras') return `${operation} leituras (the reading)`;
  if (table === 'medidores') return `${operation} medidores (meter exists; ultimaLeitura, seqMaximo)`;
  return `${operation} ${table}`;
}

function valueBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'number' || (typeof value === 'object' && value !== null && 'value' in value && Object.keys(value).length === 1)) {
    const digits = String(typeof value === 'number' ? value : (value as { value: string }).value).replace(/[-.]/g, '').replace(/^0+|0+$/g, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (Array.isArray(value)) return 3 + value.reduce((total: number, item) => total + 1 + valueBytes(item), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value as Record<string, unknown>).reduce((total, [name, item]) => total + 1 + Buffer.byteLength(name) + valueBytes(item), 0);
  }
  return 8;
}

const attributesBytes = (attributes: Record<string, unknown>) =>
  Object.entries(attributes).reduce((total, [name, value]) => total + Buffer.byteLength(name) + valueBytes(value), 0);

/**
 * An upper estimate of an item's size: a Put's item; for an Update or ConditionCheck, the key, every
 * value the expression carries, and `UNSEEN_ATTRIBUTES_BYTES` for attributes the request does not show.
 */
const UNSEEN_ATTRIBUTES_BYTES = 200;
function itemBytes(operation: string, body: Record<string, unknown>): number {
  if (operation === 'Put') return attributesBytes(body.Item as Record<string, unknown>);
  const values = (body.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  return attributesBytes(body.Key as Record<string, unknown>) + attributesBytes(values) + UNSEEN_ATTRIBUTES_BYTES;
}

export interface WriteCost {
  /** AWS write units per stored reading, by the rules above. */
  unitsPerReading: number;
  /** DynamoDB Local's ConsumedCapacity per stored reading (not AWS billing; a cross-check). */
  localUnitsPerReading: number | null;
  itemsPerReading: number;
  readingsPerTransaction: number;
  transactions: number;
  storedReadings: number;
  largestItemBytes: number;
  /** Units per stored reading by what the item is for. */
  byKind: Record<string, number>;
}

/** The cost of the recorded transactions, per reading they stored. */
export function writeCost(calls: Call[], storedReadings: number): WriteCost {
  const transactions = calls.filter((call) => call.name === 'TransactWrite' && call.output);
  const byKind: Record<string, number> = {};
  let units = 0;
  let items = 0;
  let largest = 0;
  let local = 0;
  let localSeen = false;
  for (const call of transactions) {
    for (const entry of call.input.TransactItems as Record<string, Record<string, unknown>>[]) {
      const [operation, body] = Object.entries(entry)[0];
      const bytes = itemBytes(operation, body);
      largest = Math.max(largest, bytes);
      const itemUnits = 2 * Math.max(1, Math.ceil(bytes / 1024));
      units += itemUnits;
      items += 1;
      const kind = itemKind(operation, body);
      byKind[kind] = (byKind[kind] ?? 0) + itemUnits;
    }
    const consumed = call.output?.ConsumedCapacity as { CapacityUnits?: number }[] | undefined;
    if (consumed) {
      localSeen = true;
      local += consumed.reduce((total, entry) => total + (entry.CapacityUnits ?? 0), 0);
    }
  }
  const per = (value: number) => Math.round((value / Math.max(1, storedReadings)) * 100) / 100;
  return {
    unitsPerReading: per(units),
    localUnitsPerReading: localSeen ? per(local) : null,
    itemsPerReading: per(items),
    readingsPerTransaction: Math.round((storedReadings / Math.max(1, transactions.length)) * 10) / 10,
    transactions: transactions.length,
    storedReadings,
    largestItemBytes: largest,
    byKind: Object.fromEntries(Object.entries(byKind).map(([kind, value]) => [kind, per(value)]).sort((a, b) => Number(b[1]) - Number(a[1]))),
  };
}
