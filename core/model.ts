// Plain data shared by the domain, the repository and the transports.
import type { Decimal } from './decimal';
import type { LuzError } from './errors';

export interface Customer {
  id: string; // CPF, 11 digits
  name: string;
  createdAt: string; // ISO-8601 UTC
}

export interface Reading {
  customerId: string;
  meterId: number;
  /** kWh consumed since this meter's previous reading. */
  valor: number;
  /** Reading time, Unix ms (sub-millisecond digits are dropped). */
  timestampMs: number;
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

/** The repository: the domain's only door to storage. */
export interface Repository {
  createCustomer(customer: Customer): Promise<void>;
  getCustomer(customerId: string): Promise<Customer | undefined>;
  /** Allocates the customer's next meter id atomically and stores the meter. */
  registerMeter(customerId: string, createdAt: string): Promise<number>;
  /**
   * Stores readings with their roll-up increments; each reading is stored at most once.
   * `excessOverKwh`: readings above this are also indexed for the single-reading alarm.
   */
  storeReadings(readings: Reading[], options: { timeZone: string; excessOverKwh: number }): Promise<StoreOutcome[]>;
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
}
