// AWS capacity units of the DynamoDB requests actually sent, by AWS's published rules (DynamoDB
// Local's ConsumedCapacity is not billing, see /work/shared/FACTS.md; it is kept as a cross-check).
//
// Rules (DynamoDB Developer Guide, "Read/write capacity mode", "Managing capacity for transactions"):
// - a write costs 1 unit per started 1 KB of the item — for an update, the larger of the item before
//   and after; a write whose condition fails still costs (the item as it stands);
// - inside TransactWriteItems every item costs twice; a cancelled transaction is counted as if it
//   had completed (an upper bound);
// - a read costs 1 unit per started 4 KB (GetItem: the item; Query: the sum of the items, rounded once,
//   at least 1), half for an eventually consistent read.
// Item sizes: Σ attribute name bytes + value bytes (string: UTF-8; number: ≈ 1 byte per two significant
// digits + 1; set: its elements), from a model of every item built from the requests themselves (each
// write applied to the item it names), so an update's "before" and "after" are known without asking
// the database. Reads use the items they returned.
import type { Call } from './measure';

function valueBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'number' || isNumberValue(value)) {
    const digits = String(isNumberValue(value) ? value.value : value).replace(/[-.]/g, '').replace(/^0+|0+$/g, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (value instanceof Set) return [...value].reduce((total: number, item) => total + valueBytes(item), 0);
  if (Array.isArray(value)) return 3 + value.reduce((total: number, item) => total + 1 + valueBytes(item), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value as Record<string, unknown>).reduce((total, [name, item]) => total + 1 + Buffer.byteLength(name) + valueBytes(item), 0);
  }
  return 8;
}

function isNumberValue(value: unknown): value is { value: string } {
  return typeof value === 'object' && value !== null && 'value' in value && Object.keys(value).length === 1;
}

const numeric = (value: unknown) => Number(isNumberValue(value) ? value.value : value);

export const itemBytes = (item: Record<string, unknown>) =>
  Object.entries(item).reduce((total, [name, value]) => total + Buffer.byteLength(name) + valueBytes(value), 0);

/** What an item is for, from its table and sort key (for the per-kind breakdown). */
function kindOf(operation: string, table: string, key: Record<string, unknown>): string {
  if (table === 'blocos') return `${operation} blocos (the reading's block)`;
  if (table === 'totais') return `${operation} totais (month item)`;
  if (table === 'medidores') return `${operation} medidores (fold: ultimaLeitura; every 64 seqs: seqMaximo)`;
  if (table === 'clientes') return `${operation} clientes (fold horizon)`;
  if (table === 'alarmes') return `${operation} alarmes (${String(key.sk ?? '').split('#')[0]})`;
  return `${operation} ${table}`;
}

interface Update {
  TableName: string;
  Key: Record<string, unknown>;
  UpdateExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** Applies an update expression (SET a = :v, ADD b :v, REMOVE c) to a modelled item. */
function applyUpdate(item: Record<string, unknown>, update: Update): void {
  const names = update.ExpressionAttributeNames ?? {};
  const values = update.ExpressionAttributeValues ?? {};
  const name = (token: string) => names[token] ?? token;
  for (const clause of update.UpdateExpression.split(/\b(?=SET |ADD |REMOVE |DELETE )/)) {
    const [keyword, ...rest] = clause.trim().split(/\s+/);
    const body = rest.join(' ');
    for (const part of body.split(',').map((text) => text.trim()).filter(Boolean)) {
      if (keyword === 'SET') {
        const [path, value] = part.split('=').map((text) => text.trim());
        item[name(path)] = values[value];
      } else if (keyword === 'ADD') {
        const [path, value] = part.split(/\s+/);
        const current = item[name(path)];
        const added = values[value];
        if (added instanceof Set) item[name(path)] = new Set([...(current instanceof Set ? current : []), ...added]);
        else item[name(path)] = (current === undefined ? 0 : numeric(current)) + numeric(added);
      } else if (keyword === 'REMOVE') delete item[name(part)];
    }
  }
}

export interface CapacityCost {
  /** AWS write units of every write request. */
  writeUnits: number;
  /** AWS read units of every read request. */
  readUnits: number;
  writeRequests: number;
  readRequests: number;
  /** Write units by what the item is for. */
  byKind: Record<string, number>;
  largestItemBytes: number;
  /** DynamoDB Local's own figure (not billing), when it was asked for. */
  localWriteUnits: number | null;
}

/** A model of the table items, fed by the writes it sees; one per measured phase. */
export class CapacityModel {
  private readonly items = new Map<string, Record<string, unknown>>();
  private cost: CapacityCost = { writeUnits: 0, readUnits: 0, writeRequests: 0, readRequests: 0, byKind: {}, largestItemBytes: 0, localWriteUnits: null };

  /** Adds the units of these calls (in the order they were sent). */
  add(calls: Call[]): this {
    for (const call of [...calls].sort((a, b) => a.startMs - b.startMs)) this.addCall(call);
    return this;
  }

  result(): CapacityCost {
    return { ...this.cost, byKind: { ...this.cost.byKind } };
  }

  private write(operation: string, body: Record<string, unknown>, inTransaction: boolean, failed: boolean): void {
    const table = /[a-z]+$/.exec(String(body.TableName ?? ''))?.[0] ?? '?';
    const key = (body.Key ?? pickKey(body.Item as Record<string, unknown>, table)) as Record<string, unknown>;
    const id = `${table}|${JSON.stringify(key)}`;
    const before = this.items.get(id);
    const beforeBytes = before ? itemBytes(before) : 0;
    let afterBytes = beforeBytes;
    if (!failed) {
      if (operation === 'Put') this.items.set(id, { ...(body.Item as Record<string, unknown>) });
      else if (operation === 'Delete') this.items.delete(id);
      else if (operation === 'Update') {
        const item = before ?? { ...key };
        applyUpdate(item, body as unknown as Update);
        this.items.set(id, item);
      }
      const after = this.items.get(id);
      afterBytes = after ? itemBytes(after) : 0;
    }
    const bytes = Math.max(beforeBytes, afterBytes);
    this.cost.largestItemBytes = Math.max(this.cost.largestItemBytes, bytes);
    const units = Math.max(1, Math.ceil(bytes / 1024)) * (inTransaction ? 2 : 1);
    this.cost.writeUnits += units;
    const kind = kindOf(inTransaction ? `${operation} in a transaction` : operation, table, key);
    this.cost.byKind[kind] = (this.cost.byKind[kind] ?? 0) + units;
  }

  private read(items: Record<string, unknown>[], consistent: boolean): void {
    const bytes = items.reduce((total, item) => total + itemBytes(item), 0);
    this.cost.readUnits += Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
    this.cost.readRequests += 1;
  }

  private addCall(call: Call): void {
    const input = call.input;
    switch (call.name) {
      case 'Put':
      case 'Update':
      case 'Delete':
        this.cost.writeRequests += 1;
        this.write(call.name, input, false, call.failed === true);
        break;
      case 'TransactWrite': {
        this.cost.writeRequests += 1;
        for (const entry of input.TransactItems as Record<string, Record<string, unknown>>[]) {
          const [operation, body] = Object.entries(entry)[0];
          // A cancelled transaction writes nothing; its items are still counted (see the header).
          this.write(operation === 'ConditionCheck' ? 'ConditionCheck' : operation, body, true, call.failed === true || operation === 'ConditionCheck');
        }
        const consumed = call.output?.ConsumedCapacity as { CapacityUnits?: number }[] | undefined;
        if (consumed) this.cost.localWriteUnits = (this.cost.localWriteUnits ?? 0) + consumed.reduce((total, entry) => total + (entry.CapacityUnits ?? 0), 0);
        break;
      }
      case 'Get':
        this.read(call.output?.Item ? [call.output.Item as Record<string, unknown>] : [], input.ConsistentRead === true);
        break;
      case 'Query':
      case 'Scan':
        this.read((call.output?.Items as Record<string, unknown>[] | undefined) ?? [], input.ConsistentRead === true);
        break;
      default:
        break;
    }
  }
}

/** Key attributes of a put item: every table keys on id (+ sk / id_medidor / mes), tokens on tokenHash. */
function pickKey(item: Record<string, unknown>, table: string): Record<string, unknown> {
  if (table === 'tokens') return { tokenHash: item.tokenHash };
  const range = ['sk', 'id_medidor', 'mes'].find((name) => name in item);
  return { id: item.id, ...(range ? { [range]: item[range] } : {}) };
}

/** Units per reading of a phase's calls. */
export function perReading(cost: CapacityCost, readings: number) {
  const per = (value: number) => Math.round((value / Math.max(1, readings)) * 1000) / 1000;
  return {
    writeUnits: per(cost.writeUnits),
    readUnits: per(cost.readUnits),
    byKind: Object.fromEntries(Object.entries(cost.byKind).map(([kind, units]) => [kind, per(units)]).sort((a, b) => Number(b[1]) - Number(a[1]))),
  };
}
