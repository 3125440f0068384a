// An in-memory Repository with the same outcomes as DynamoRepository (benchmarks, unit tests, the gateway without a database).
//
// It keeps the storage rules, not the storage: a reading is identified by customer + meter + ms,
// a repeat with the same value is a duplicate and with another value a conflict, a reading for
// an unknown customer or meter is rejected, and hour/day/month roll-ups are summed in Decimal.
// Nothing survives the process.
import { Decimal } from '../decimal';
import { CustomerAlreadyExists, CustomerNotFound, InvalidInput, MeterNotFound, ReadingConflict } from '../errors';
import type {
  ActiveAlarm,
  AlarmAcknowledger,
  AlarmEvent,
  BucketLevel,
  Customer,
  GatewayFigures,
  InvoiceRecord,
  Meter,
  MeterCredentials,
  Reading,
  ReadingPage,
  StoreOptions,
  StoreOutcome,
  StoredToken,
} from '../model';
import type { Repository } from '../repository';
import { bucketsOf } from '../periods';
import { bucketKey, decodeCursor, encodeCursor, isLate, meterMonthBucket, readingKeyRange, readingSortKey } from './keys';

interface CustomerRecord {
  customer: Customer;
  meterCount: number;
  meters: Set<number>;
  meterDetails: Map<number, Meter>;
  /** Meter id → its secret and highest stored seq. */
  credentials: Map<number, MeterCredentials>;
  invoices: Map<string, InvoiceRecord>;
  activeAlarms: Map<string, ActiveAlarm>;
  alarmEvents: AlarmEvent[];
  /** Reading sort key → reading, plus the keys kept sorted for range queries. */
  readings: Map<string, Reading>;
  sortedKeys: string[];
  /** `H#…`, `D#…`, `M#…` bucket → kWh. */
  rollups: Map<string, Decimal>;
  /** Readings above the excess threshold, by month. */
  excess: Map<string, Reading[]>;
}


/** Index of the first key not less than `key` (or, with `after`, greater than it): binary search. */
function lowerBound(sorted: string[], key: string, after = false): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < key || (after && sorted[middle] === key)) low = middle + 1;
    else high = middle;
  }
  return low;
}

export class MemoryRepository implements Repository {
  private readonly customers = new Map<string, CustomerRecord>();
  private readonly gatewayFigures = new Map<string, GatewayFigures>();
  private readonly tokens = new Map<string, StoredToken>();
  private readonly currentToken = new Map<string, string>();

  async createCustomer(customer: Customer, token: StoredToken): Promise<void> {
    if (this.customers.has(customer.id)) throw new CustomerAlreadyExists(customer.id);
    this.tokens.set(token.hash, { ...token });
    this.currentToken.set(customer.id, token.hash);
    this.customers.set(customer.id, {
      customer: { ...customer },
      meterCount: 0,
      meters: new Set(),
      meterDetails: new Map(),
      credentials: new Map(),
      invoices: new Map(),
      activeAlarms: new Map(),
      alarmEvents: [],
      readings: new Map(),
      sortedKeys: [],
      rollups: new Map(),
      excess: new Map(),
    });
  }

  async replaceToken(token: StoredToken): Promise<void> {
    if (!this.customers.has(token.customerId)) throw new CustomerNotFound(token.customerId);
    const previous = this.currentToken.get(token.customerId);
    const old = previous === undefined ? undefined : this.tokens.get(previous);
    if (old) old.revokedAt = token.createdAt;
    this.tokens.set(token.hash, { ...token });
    this.currentToken.set(token.customerId, token.hash);
  }

  async findToken(hash: string): Promise<StoredToken | undefined> {
    const token = this.tokens.get(hash);
    return token ? { ...token } : undefined;
  }

  async getCustomer(customerId: string): Promise<Customer | undefined> {
    const record = this.customers.get(customerId);
    return record ? { ligacao: 'monofasico', ...record.customer } : undefined;
  }

  async registerMeter(customerId: string, createdAt: string, secret: string): Promise<number> {
    const record = this.customers.get(customerId);
    if (!record) throw new CustomerNotFound(customerId);
    record.meterCount += 1;
    record.meters.add(record.meterCount);
    record.meterDetails.set(record.meterCount, { meterId: record.meterCount, createdAt });
    record.credentials.set(record.meterCount, { secret });
    return record.meterCount;
  }

  async replaceMeterSecret(customerId: string, meterId: number, secret: string): Promise<void> {
    const record = this.customers.get(customerId);
    if (!record) throw new CustomerNotFound(customerId);
    if (!record.meters.has(meterId)) throw new MeterNotFound(customerId, meterId);
    record.credentials.set(meterId, { secret });
  }

  async meterCredentials(customerId: string, meterId: number): Promise<MeterCredentials | undefined> {
    const record = this.customers.get(customerId);
    if (!record?.meters.has(meterId)) return undefined;
    return { ...record.credentials.get(meterId) };
  }

  async findReading(customerId: string, meterId: number, timestampMs: number): Promise<Reading | undefined> {
    const reading = this.customers.get(customerId)?.readings.get(readingSortKey(timestampMs, meterId));
    return reading ? { ...reading } : undefined;
  }

  async storeReadings(
    readings: Reading[],
    options: StoreOptions,
  ): Promise<StoreOutcome[]> {
    // Each reading is settled in order, so a repeat inside the batch meets the first one stored.
    return readings.map((reading) => this.storeOne(reading, options));
  }

  private storeOne(reading: Reading, options: StoreOptions): StoreOutcome {
    const record = this.customers.get(reading.customerId);
    if (!record) return { status: 'rejected', error: new CustomerNotFound(reading.customerId) };
    if (!record.meters.has(reading.meterId)) {
      return { status: 'rejected', error: new MeterNotFound(reading.customerId, reading.meterId) };
    }
    const sortKey = readingSortKey(reading.timestampMs, reading.meterId);
    const stored = record.readings.get(sortKey);
    if (stored) {
      return stored.valor === reading.valor
        ? { status: 'duplicate' }
        : { status: 'rejected', error: new ReadingConflict(stored.valor, reading.valor) };
    }
    const { seq, ...kept } = reading;
    record.readings.set(sortKey, kept);
    if (seq !== undefined) {
      const credentials = record.credentials.get(reading.meterId) ?? {};
      if (credentials.highestSeq === undefined || seq > credentials.highestSeq) credentials.highestSeq = seq;
      record.credentials.set(reading.meterId, credentials);
    }
    record.sortedKeys.splice(lowerBound(record.sortedKeys, sortKey), 0, sortKey);
    const buckets = bucketsOf(reading.timestampMs, options.timeZone);
    const meterMonth = meterMonthBucket(buckets.month, reading.meterId);
    for (const key of [bucketKey('hour', buckets.hour), bucketKey('day', buckets.day), bucketKey('month', buckets.month), meterMonth]) {
      record.rollups.set(key, (record.rollups.get(key) ?? new Decimal(0)).plus(reading.valor));
    }
    const meter = record.meterDetails.get(reading.meterId);
    if (meter && !isLate(reading.timestampMs, options.nowMs) && !(meter.lastReadingMs !== undefined && meter.lastReadingMs > reading.timestampMs)) {
      meter.lastReadingMs = reading.timestampMs;
    }
    if (reading.valor > options.excessOverKwh) {
      record.excess.set(buckets.month, [...(record.excess.get(buckets.month) ?? []), kept]);
    }
    return { status: 'stored' };
  }

  async consolidate(_customerId: string, _options: { timeZone: string; nowMs: number }): Promise<void> {
    // Nothing to fold in this layout yet.
  }

  async sumBuckets(
    customerId: string,
    level: BucketLevel,
    firstKey: string,
    lastKey: string,
  ): Promise<Map<string, Decimal>> {
    const prefix = bucketKey(level, '');
    const sums = new Map<string, Decimal>();
    const record = this.customers.get(customerId);
    if (!record) return sums;
    const keys = [...record.rollups.keys()]
      .filter((key) => key.startsWith(prefix))
      .map((key) => key.slice(prefix.length))
      .filter((key) => key >= firstKey && key <= lastKey)
      .sort();
    for (const key of keys) sums.set(key, record.rollups.get(prefix + key)!);
    return sums;
  }

  async listReadings(
    customerId: string,
    range: { startMs: number; endMs: number },
    page: { limit: number; cursor?: string },
  ): Promise<ReadingPage> {
    const { first, last } = readingKeyRange(range);
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, { first, last });
    const record = this.customers.get(customerId);
    if (!record) return { readings: [], cursor: null };
    const keys = record.sortedKeys;
    const start = Math.max(lowerBound(keys, first), after === undefined ? 0 : lowerBound(keys, after, true));
    const selected: string[] = [];
    for (let i = start; i < keys.length && keys[i] <= last && selected.length < page.limit; i++) selected.push(keys[i]);
    // As DynamoDB does with Limit: a full page carries a cursor even when nothing follows it.
    const cursor =
      selected.length === page.limit && selected.length > 0
        ? encodeCursor(selected[selected.length - 1])
        : null;
    return { readings: selected.map((key) => ({ ...record.readings.get(key)! })), cursor };
  }

  async excessReadings(customerId: string, month: string): Promise<Reading[]> {
    const readings = this.customers.get(customerId)?.excess.get(month) ?? [];
    return [...readings]
      .sort((a, b) => a.timestampMs - b.timestampMs || a.meterId - b.meterId)
      .map((reading) => ({ ...reading }));
  }

  async listMeters(customerId: string): Promise<Meter[]> {
    return [...(this.customers.get(customerId)?.meterDetails.values() ?? [])].map((meter) => ({ ...meter }));
  }

  async meterMonthKwh(customerId: string, month: string): Promise<Map<number, Decimal>> {
    const prefix = meterMonthBucket(month, 0).slice(0, -10);
    const sums = new Map<number, Decimal>();
    for (const [key, kwh] of this.customers.get(customerId)?.rollups ?? []) {
      if (key.startsWith(prefix)) sums.set(Number(key.slice(prefix.length)), kwh);
    }
    return sums;
  }

  async getInvoiceRecord(customerId: string, month: string): Promise<InvoiceRecord | undefined> {
    const record = this.customers.get(customerId)?.invoices.get(month);
    return record ? structuredClone(record) : undefined;
  }

  async listInvoiceRecords(customerId: string): Promise<InvoiceRecord[]> {
    const invoices = [...(this.customers.get(customerId)?.invoices.values() ?? [])];
    return invoices.sort((a, b) => a.month.localeCompare(b.month)).map((record) => structuredClone(record));
  }

  async saveInvoice(
    record: InvoiceRecord,
    settles: { month: string; fromKwh: string; toKwh: string }[],
  ): Promise<'saved' | 'exists' | 'stale'> {
    const customer = this.customers.get(record.customerId);
    if (!customer) throw new CustomerNotFound(record.customerId);
    if (customer.invoices.has(record.month)) return 'exists';
    if (settles.some((settle) => customer.invoices.get(settle.month)?.accountedKwh !== settle.fromKwh)) return 'stale';
    for (const settle of settles) customer.invoices.get(settle.month)!.accountedKwh = settle.toKwh;
    customer.invoices.set(record.month, structuredClone(record));
    return 'saved';
  }

  async activeAlarms(customerId: string): Promise<ActiveAlarm[]> {
    return [...(this.customers.get(customerId)?.activeAlarms.values() ?? [])].map((alarm) => ({ ...alarm }));
  }

  async fireAlarm(alarm: ActiveAlarm): Promise<boolean> {
    const customer = this.customers.get(alarm.customerId);
    if (!customer || customer.activeAlarms.has(alarm.key)) return false;
    customer.activeAlarms.set(alarm.key, { ...alarm });
    const { customerId: _customerId, ...event } = alarm;
    customer.alarmEvents.push(event);
    return true;
  }

  async clearAlarm(alarm: ActiveAlarm, clearedMs: number): Promise<boolean> {
    const customer = this.customers.get(alarm.customerId);
    const active = customer?.activeAlarms.get(alarm.key);
    if (!customer || !active || active.firedMs !== alarm.firedMs) return false;
    customer.activeAlarms.delete(alarm.key);
    const event = customer.alarmEvents.find((candidate) => candidate.key === alarm.key && candidate.firedMs === alarm.firedMs);
    if (event) event.clearedMs = clearedMs;
    return true;
  }

  async acknowledgeAlarm(
    customerId: string,
    which: Pick<AlarmEvent, 'key' | 'firedMs'>,
    acknowledgement: { atMs: number; by: AlarmAcknowledger },
  ): Promise<AlarmEvent | undefined> {
    const event = this.customers.get(customerId)?.alarmEvents.find((candidate) => candidate.key === which.key && candidate.firedMs === which.firedMs);
    if (!event) return undefined;
    if (event.acknowledgedMs === undefined) Object.assign(event, { acknowledgedMs: acknowledgement.atMs, acknowledgedBy: acknowledgement.by });
    return { ...event };
  }

  async alarmEvents(customerId: string, limit: number): Promise<AlarmEvent[]> {
    const events = [...(this.customers.get(customerId)?.alarmEvents ?? [])];
    return events
      .sort((a, b) => b.firedMs - a.firedMs || b.key.localeCompare(a.key))
      .slice(0, limit)
      .map((event) => ({ ...event }));
  }

  async listActiveAlarms(page: { limit: number; cursor?: string }): Promise<{ alarms: ActiveAlarm[]; cursor: string | null }> {
    const all = [...this.customers.values()]
      .flatMap((customer) => [...customer.activeAlarms.values()])
      .sort((a, b) => a.customerId.localeCompare(b.customerId) || a.key.localeCompare(b.key));
    const start = page.cursor === undefined ? 0 : Number(page.cursor);
    if (!Number.isInteger(start) || start < 0) {
      throw new InvalidInput('cursor: does not belong to this query; start again without it', 'cursor');
    }
    const alarms = all.slice(start, start + page.limit).map((alarm) => ({ ...alarm }));
    return { alarms, cursor: start + page.limit < all.length ? String(start + page.limit) : null };
  }

  async listCustomerIds(page: { limit: number; cursor?: string }): Promise<{ ids: string[]; cursor: string | null }> {
    const all = [...this.customers.keys()].sort();
    const start = page.cursor === undefined ? 0 : all.findIndex((id) => id > page.cursor!);
    const ids = start < 0 ? [] : all.slice(start, start + page.limit);
    return { ids, cursor: start >= 0 && start + page.limit < all.length ? ids[ids.length - 1] : null };
  }

  async publishGatewayFigures(figures: GatewayFigures): Promise<void> {
    // Whole seconds, rounded down, as the DynamoDB store keeps the expiry (its TTL attribute).
    const expiresMs = Math.floor(figures.expiresMs / 1000) * 1000;
    this.gatewayFigures.set(figures.instanceId, structuredClone({ ...figures, expiresMs }));
  }

  async listGatewayFigures(): Promise<GatewayFigures[]> {
    return [...this.gatewayFigures.values()].map((figures) => structuredClone(figures));
  }
}
