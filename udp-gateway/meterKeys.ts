// The gateway's memory of meter secrets and highest stored seqs: read from storage once per meter,
// trusted for a while, bounded in size.
//
// - A secret is trusted for `ttlMs`: a secret rotated out (POST /segredoMedidor) stops working within
//   that time. A MAC that does not verify makes the gateway read the meter again (at most once per
//   `recheckMs` per meter), so a rotated-in secret works at once and a meter registered after a miss
//   is found; a flood of forged MACs costs storage at most one read per meter per `recheckMs`.
// - Unknown meters are remembered too (as "no secret"), so random CPFs do not each cost a read.
// - The highest seq is raised here as signed readings are stored; storage raises its own copy in the
//   same transaction as the reading (medidores.seqMaximo), so a restarted gateway reads it back.
import type { Context } from '../core/context';
import { meterCredentials } from '../core/customers';
import type { MeterCredentials } from '../core/model';

export interface MeterKeyOptions {
  ttlMs: number;
  recheckMs: number;
  maxEntries: number;
  /** Monotonic ms; tests drive it. */
  now?: () => number;
}

export interface MeterKey {
  /** undefined: no such meter (or one registered before meters had secrets). */
  secret?: string;
  highestSeq?: number;
}

interface Entry {
  key: MeterKey;
  fetchedAt: number;
}

export class MeterKeys {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();
  private readonly now: () => number;

  constructor(
    private readonly context: Context,
    private readonly options: MeterKeyOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  /** The meter's key, from memory while it is fresh. */
  async get(customerId: string, meterId: number): Promise<MeterKey> {
    const entry = this.entries.get(keyOf(customerId, meterId));
    if (entry && this.now() - entry.fetchedAt < this.options.ttlMs) return entry.key;
    return (await this.load(customerId, meterId)).key;
  }

  /** After a MAC that did not verify: the meter read again, or undefined if it was read very recently. */
  async recheck(customerId: string, meterId: number): Promise<MeterKey | undefined> {
    const entry = this.entries.get(keyOf(customerId, meterId));
    if (entry && this.now() - entry.fetchedAt < this.options.recheckMs) return undefined;
    return (await this.load(customerId, meterId)).key;
  }

  /** A signed reading of the meter was stored. */
  stored(customerId: string, meterId: number, seq: number): void {
    const entry = this.entries.get(keyOf(customerId, meterId));
    if (entry && !(entry.key.highestSeq !== undefined && entry.key.highestSeq >= seq)) entry.key.highestSeq = seq;
  }

  get size(): number {
    return this.entries.size;
  }

  private load(customerId: string, meterId: number): Promise<Entry> {
    const key = keyOf(customerId, meterId);
    // Datagrams of one meter that arrive together share one read.
    let loading = this.loading.get(key);
    if (!loading) {
      loading = meterCredentials(this.context, customerId, meterId)
        .then((credentials) => this.remember(key, credentials))
        .finally(() => this.loading.delete(key));
      this.loading.set(key, loading);
    }
    return loading;
  }

  private remember(key: string, credentials: MeterCredentials | undefined): Entry {
    const previous = this.entries.get(key)?.key;
    const fresh: MeterKey = { ...credentials };
    // Readings stored since storage answered may have raised the seq; a new secret starts a new sequence.
    if (previous?.secret === fresh.secret && previous?.highestSeq !== undefined) {
      fresh.highestSeq = Math.max(previous.highestSeq, fresh.highestSeq ?? previous.highestSeq);
    }
    const entry: Entry = { key: fresh, fetchedAt: this.now() };
    this.entries.delete(key);
    this.entries.set(key, entry);
    // Oldest read first out (a Map keeps insertion order).
    if (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }
}

const keyOf = (customerId: string, meterId: number) => `${customerId}#${meterId}`;
