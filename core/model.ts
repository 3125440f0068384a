// Plain data shared by the domain, the repository and the transports.
import type { Invoice } from './billing';
import type { Decimal } from './decimal';
import type { LuzError } from './errors';
import type { ConnectionType } from './tariff';

export interface Customer {
  id: string; // CPF, 11 digits
  name: string;
  createdAt: string; // ISO-8601 UTC
  /** Connection type (sets the minimum billed kWh); customers stored before it existed read as monofasico. */
  ligacao?: ConnectionType;
}

export interface Meter {
  meterId: number;
  createdAt: string; // ISO-8601 UTC
  /** Newest reading time stored for the meter (Unix ms), if any; late readings (StoreOptions) do not move it. */
  lastReadingMs?: number;
}

/** A closed month's invoice as stored: the frozen document plus what later adjustments need. */
export interface InvoiceRecord {
  customerId: string;
  month: string;
  invoice: Invoice;
  /** Minimum billed kWh that applied (custo de disponibilidade). */
  minimumKwh: number;
  /** R$/kWh without taxes that applied (energy + bandeira), as a decimal string. */
  perKwh: string;
  /** kWh of the month billed so far (at close, then raised by each adjustment), decimal string. */
  accountedKwh: string;
  dueDays: number;
}

/** An alarm condition that holds now, stored from when it fired until it clears. */
export interface ActiveAlarm {
  customerId: string;
  /** Rule, or rule#meter for per-meter rules: at most one active alarm per key. */
  key: string;
  regra: string;
  meterId?: number;
  firedMs: number;
  mensagem: string;
}

export interface AlarmEvent {
  key: string;
  regra: string;
  meterId?: number;
  firedMs: number;
  clearedMs?: number;
  mensagem: string;
}

export interface Reading {
  customerId: string;
  meterId: number;
  /** kWh consumed since this meter's previous reading. */
  valor: number;
  /** Reading time, Unix ms (sub-millisecond digits are dropped). */
  timestampMs: number;
  /**
   * The meter's sequence number, for readings from signed (v2) datagrams: storing the reading also
   * raises the meter's highest accepted seq, the anchor of the gateway's anti-replay window.
   */
  seq?: number;
}

/** What the gateway needs to authenticate a meter's datagrams. */
export interface MeterCredentials {
  /** HMAC-SHA256 key of the meter's v2 datagrams; undefined for a meter registered before meters had secrets. */
  secret?: string;
  /**
   * A lower bound of the highest seq among the meter's stored readings since its secret was last
   * issued: storage keeps a checkpoint every SEQ_CHECKPOINT seqs (core/store/keys.ts), not every seq.
   */
  highestSeq?: number;
}

/** A customer token as stored: only its hash, never the token. */
export interface StoredToken {
  hash: string;
  customerId: string;
  createdAt: string;
  /** Unix ms. */
  expiresAt: number;
  revokedAt?: string;
}

export type StoreOutcome =
  | { status: 'stored' }
  | { status: 'duplicate' }
  | { status: 'rejected'; error: LuzError };

export interface ReadingPage {
  readings: Reading[];
  /** Opaque position after the last reading of the page, or null at the end. */
  cursor: string | null;
}

export type BucketLevel = 'hour' | 'day' | 'month';

/** What storing readings needs to know besides the readings. */
export interface StoreOptions {
  timeZone: string;
  /** Readings above this are also indexed for the single-reading alarm. */
  excessOverKwh: number;
  /**
   * The writer's clock, Unix ms: a reading older than LATE_READING_MS (core/store/keys.ts) by it is
   * "late" — stored as exactly once as any other, by a costlier path, and it does not move the
   * meter's newest reading time (the silent-meter rule's anchor).
   */
  nowMs: number;
}

/** One gateway instance's figures as it published them (udp-gateway/publisher.ts), counted since it started. */
export interface GatewayFigures {
  /** Names the process (GATEWAY_INSTANCE_ID, or host:pid): one item per instance. */
  instanceId: string;
  startedMs: number;
  publishedMs: number;
  /** After this (Unix ms) the instance counts as gone: it stopped, or died without a word. */
  expiresMs: number;
  received: number;
  stored: number;
  duplicates: number;
  /** Datagrams answered with an error, by code. */
  rejected: Record<string, number>;
  inFlight: number;
  /** Datagrams answered per second over the last publishing interval. */
  perSecond: number;
  /** Receive-to-answer time of stored readings over the last interval (ms); null when none went to storage. */
  p50Ms: number | null;
  p99Ms: number | null;
}

/** The repository: the domain's only door to storage. */
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
