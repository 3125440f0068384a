// The repository: the domain's only door to storage (core/store/ implements it for DynamoDB,
// memoryRepository.ts in memory). Domain functions reach it through Context.
import type { Decimal } from './decimal';
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
} from './model';

export interface Repository {
  /** Stores the customer and its first token together, or neither. */
  createCustomer(customer: Customer, token: StoredToken): Promise<void>;
  /** Replaces the customer's token: the new one is stored and the previous one revoked, atomically. */
  replaceToken(token: StoredToken): Promise<void>;
  findToken(hash: string): Promise<StoredToken | undefined>;
  getCustomer(customerId: string): Promise<Customer | undefined>;
  /** Allocates the customer's next meter id atomically and stores the meter with its secret, together. */
  registerMeter(customerId: string, createdAt: string, secret: string): Promise<number>;
  /** Replaces a meter's secret and restarts its seq window (a new key, a new sequence). */
  replaceMeterSecret(customerId: string, meterId: number, secret: string, createdAt: string): Promise<void>;
  /** The meter's secret and highest accepted seq; undefined for an unknown customer or meter. */
  meterCredentials(customerId: string, meterId: number): Promise<MeterCredentials | undefined>;
  /** The stored reading with this identity (customer, meter, ms), if any. */
  findReading(customerId: string, meterId: number, timestampMs: number): Promise<Reading | undefined>;
  /** Stores readings with their totals; each reading is stored at most once. */
  storeReadings(readings: Reading[], options: StoreOptions): Promise<StoreOutcome[]>;
  /**
   * Folds the customer's settled readings into coarser totals (the scheduled sweep runs it), so
   * reads stay O(buckets). It changes no answer: every read gives the same result before and after.
   */
  consolidate(customerId: string, options: { timeZone: string; nowMs: number }): Promise<void>;
  /** kWh per roll-up bucket (absent buckets are omitted). */
  sumBuckets(customerId: string, level: BucketLevel, firstKey: string, lastKey: string): Promise<Map<string, Decimal>>;
  /** Readings in [startMs, endMs), oldest first, one page at a time. */
  listReadings(
    customerId: string,
    range: { startMs: number; endMs: number },
    page: { limit: number; cursor?: string },
  ): Promise<ReadingPage>;
  /** Readings of a month that were above the excess threshold when stored. */
  excessReadings(customerId: string, month: string): Promise<Reading[]>;

  /** The customer's meters with their newest reading time. */
  listMeters(customerId: string): Promise<Meter[]>;
  /** kWh per meter in a month (meters without readings are omitted). */
  meterMonthKwh(customerId: string, month: string): Promise<Map<number, Decimal>>;

  getInvoiceRecord(customerId: string, month: string): Promise<InvoiceRecord | undefined>;
  /** Closed invoices, oldest month first. */
  listInvoiceRecords(customerId: string): Promise<InvoiceRecord[]>;
  /**
   * Stores a closed invoice if its month is not closed yet, and moves each settled month's
   * accounted kWh from → to, all or nothing. `exists`: the month was already closed;
   * `stale`: a settled month changed meanwhile (recompute and try again).
   */
  saveInvoice(
    record: InvoiceRecord,
    settles: { month: string; fromKwh: string; toKwh: string }[],
  ): Promise<'saved' | 'exists' | 'stale'>;

  activeAlarms(customerId: string): Promise<ActiveAlarm[]>;
  /** Records that an alarm fired (and its event); false if it was already active. */
  fireAlarm(alarm: ActiveAlarm): Promise<boolean>;
  /** Records that an active alarm cleared; false if it was no longer active. */
  clearAlarm(alarm: ActiveAlarm, clearedMs: number): Promise<boolean>;
  /**
   * Marks the event of this firing (key + firedMs) acknowledged, once: the first acknowledgement is
   * kept and a repeat changes nothing. The event as stored afterwards; undefined if there is no such event.
   */
  acknowledgeAlarm(
    customerId: string,
    event: Pick<AlarmEvent, 'key' | 'firedMs'>,
    acknowledgement: { atMs: number; by: AlarmAcknowledger },
  ): Promise<AlarmEvent | undefined>;
  /** Newest events first. */
  alarmEvents(customerId: string, limit: number): Promise<AlarmEvent[]>;
  /** Active alarms of every customer, one page at a time, ordered by customer. */
  listActiveAlarms(page: { limit: number; cursor?: string }): Promise<{ alarms: ActiveAlarm[]; cursor: string | null }>;
  /** Every customer id, one page at a time (the scheduled alarm sweep). */
  listCustomerIds(page: { limit: number; cursor?: string }): Promise<{ ids: string[]; cursor: string | null }>;

  /** Replaces the instance's published figures (the gateway, every few seconds). */
  publishGatewayFigures(figures: GatewayFigures): Promise<void>;
  /** Every instance's last figures, expired ones included (storage drops them only eventually). */
  listGatewayFigures(): Promise<GatewayFigures[]>;
}
