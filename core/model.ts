// Plain data shared by the domain, the repository and the transports.
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

export interface InvoiceLine {
  descricao: string;
  quantidade: number;
  unidade: string;
  precoUnitario: number;
  valor: number;
}

export interface Invoice {
  id: string;
  mes: string;
  /** `aberta`: a preview that follows the readings; `fechada`: frozen by fechaFatura. */
  situacao: 'aberta' | 'fechada';
  numero?: string;
  /** Issue instant and due date, for a closed invoice. */
  emissao?: string;
  vencimento?: string;
  tarifa: string;
  periodo: { inicio: string; fim: string };
  /** kWh measured in the month (all meters). */
  kwh: number;
  medidores: { id_medidor: number; kwh: number }[];
  itens: InvoiceLine[];
  valor: number;
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

/** Who acknowledged an alarm event: staff, or the customer it belongs to — never which credential. */
export type AlarmAcknowledger = 'staff' | 'cliente';

/** One firing of a condition: when it fired, when it cleared, and when and by whom it was acknowledged. */
export interface AlarmEvent {
  key: string;
  regra: string;
  meterId?: number;
  firedMs: number;
  clearedMs?: number;
  acknowledgedMs?: number;
  acknowledgedBy?: AlarmAcknowledger;
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
