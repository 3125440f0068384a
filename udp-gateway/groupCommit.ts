// Group commit: readings that arrive within a few ms share one recordReadings call (one transaction
// per ≤ 100 items), in a fixed number of lanes, with a hard bound on what is accepted and unanswered.
//
// - A customer's readings always go to the same lane (hash of the CPF), so two batches never race
//   on the same roll-up items, and a customer's readings are committed in arrival order.
// - A lane commits when it holds `batchSize` readings or when its oldest has waited `batchWaitMs`;
//   what arrives during a commit goes out as soon as that commit ends.
// - A reading identical to one already in flight (a meter's resend) waits for that one's outcome
//   instead of costing the database a second write.
// - A resend of a reading this process has already seen stored is answered from a bounded memory
//   of recent readings, without a database round trip: over a lossy network most resends are of
//   readings whose acknowledgement was lost, and each would otherwise cancel a whole transaction.
//   It only ever says what storage already confirmed; anything it does not remember goes to storage.
// - `submit` refuses work past `maxInFlight`: the caller answers "overloaded" and the meter retries.
import type { Context } from '../core/context';
import { ReadingConflict } from '../core/errors';
import type { Reading, StoreOutcome } from '../core/model';
import { recordReadings } from '../core/readings';
import { StorageUnavailable } from './protocol';

export interface GroupCommitOptions {
  batchSize: number;
  batchWaitMs: number;
  lanes: number;
  maxInFlight: number;
  /** Stored readings remembered for answering resends (0: none). */
  recentReadings?: number;
}

/** Default memory of stored readings: about 10 MB, minutes of resends at this machine's write rate. */
export const RECENT_READINGS = 100_000;

/** Receives a reading's outcome and the correlation id of the commit that stored it (if one did); must not throw. */
export type Settle = (outcome: StoreOutcome, commitId?: string) => void;

interface Entry {
  key: string;
  reading: Reading;
  settle: Settle;
  /** Identical readings that arrived while this one was in flight. */
  followers: Settle[];
}

interface Lane {
  queue: Entry[];
  busy: boolean;
  timer?: NodeJS.Timeout;
}

export interface GroupCommitHooks {
  /** After each commit: how many readings, how long it took, its correlation id. */
  onBatch?(size: number, ms: number, commitId: string): void;
  /** When storage failed a whole batch (its readings are answered "unavailable"). */
  onStoreError?(error: unknown, size: number, commitId: string): void;
}

/** Correlation ids of commits: unique per process start (a random prefix), ordered within it. */
const PROCESS_TAG = Math.random().toString(36).slice(2, 8);

function laneOf(customerId: string, lanes: number): number {
  let hash = 0;
  for (let i = 0; i < customerId.length; i++) hash = (hash * 31 + customerId.charCodeAt(i)) >>> 0;
  return hash % lanes;
}

const keyOf = (reading: Reading) => `${reading.customerId}#${reading.meterId}#${reading.timestampMs}`;

export class GroupCommit {
  private readonly lanes: Lane[];
  private readonly inFlightByKey = new Map<string, Entry>();
  /**
   * Key → stored kWh of readings storage confirmed, in two generations: when the newer one holds half
   * the limit it becomes the older one and the old older one is dropped. That keeps between half and
   * all of the limit, at O(1) per reading; evicting one key at a time from a full Map (keys().next())
   * walks over V8's deleted slots and cost 8–68 µs per reading (docs/PERFORMANCE.md).
   */
  private recent = new Map<string, number>();
  private older = new Map<string, number>();
  private count = 0;
  private commits = 0;
  private flushing = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly context: Context,
    private readonly options: GroupCommitOptions,
    private readonly hooks: GroupCommitHooks = {},
  ) {
    this.lanes = Array.from({ length: options.lanes }, () => ({ queue: [], busy: false }));
  }

  /** Readings accepted and not yet answered (followers included). */
  get inFlight(): number {
    return this.count;
  }

  /** The kWh of this reading's identity if this process saw it stored recently (else undefined). */
  recentValue(reading: Reading): number | undefined {
    return this.remembered(keyOf(reading));
  }

  private remembered(key: string): number | undefined {
    return this.recent.get(key) ?? this.older.get(key);
  }

  /** Queues a checked reading; `settle` is called once with its outcome. False when full. */
  submit(reading: Reading, settle: Settle): boolean {
    const key = keyOf(reading);
    const storedValue = this.remembered(key);
    if (storedValue !== undefined) {
      settle(
        storedValue === reading.valor
          ? { status: 'duplicate' }
          : { status: 'rejected', error: new ReadingConflict(storedValue, reading.valor) },
      );
      return true;
    }
    if (this.count >= this.options.maxInFlight) return false;
    const twin = this.inFlightByKey.get(key);
    this.count += 1;
    if (twin && twin.reading.valor === reading.valor) {
      twin.followers.push(settle);
      return true;
    }
    const entry: Entry = { key, reading, settle, followers: [] };
    // A different value under the same key goes through storage and meets its conflict there.
    if (!twin) this.inFlightByKey.set(key, entry);
    const lane = this.lanes[laneOf(reading.customerId, this.lanes.length)];
    lane.queue.push(entry);
    this.schedule(lane);
    return true;
  }

  /** Commits everything queued now, without waiting for company, and resolves when nothing is in flight. */
  async flush(): Promise<void> {
    this.flushing = true;
    for (const lane of this.lanes) this.schedule(lane);
    if (this.count > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.flushing = false;
  }

  private schedule(lane: Lane): void {
    if (lane.busy || lane.queue.length === 0) return;
    if (lane.queue.length >= this.options.batchSize || this.flushing || this.options.batchWaitMs === 0) {
      void this.commit(lane);
    } else if (!lane.timer) {
      lane.timer = setTimeout(() => void this.commit(lane), this.options.batchWaitMs);
    }
  }

  private async commit(lane: Lane): Promise<void> {
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = undefined;
    if (lane.busy || lane.queue.length === 0) return;
    lane.busy = true;
    const batch = lane.queue.splice(0, this.options.batchSize);
    const commitId = `commit-${PROCESS_TAG}-${++this.commits}`;
    const started = performance.now();
    let outcomes: StoreOutcome[];
    try {
      outcomes = await recordReadings(this.context, batch.map((entry) => entry.reading));
    } catch (error) {
      // Nothing in this batch is known to be durable: the meters send it again, and storage dedupes.
      this.hooks.onStoreError?.(error, batch.length, commitId);
      const unavailable: StoreOutcome = { status: 'rejected', error: new StorageUnavailable() };
      outcomes = batch.map(() => unavailable);
    }
    this.hooks.onBatch?.(batch.length, performance.now() - started, commitId);
    for (const [index, entry] of batch.entries()) this.settle(entry, outcomes[index], commitId);
    lane.busy = false;
    // What arrived during the commit has already waited long enough.
    if (lane.queue.length > 0) void this.commit(lane);
    if (this.count === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private settle(entry: Entry, outcome: StoreOutcome, commitId: string): void {
    if (this.inFlightByKey.get(entry.key) === entry) this.inFlightByKey.delete(entry.key);
    if (outcome.status !== 'rejected') this.remember(entry.key, entry.reading.valor);
    const followerOutcome: StoreOutcome = outcome.status === 'stored' ? { status: 'duplicate' } : outcome;
    this.count -= 1 + entry.followers.length;
    entry.settle(outcome, commitId);
    for (const settle of entry.followers) settle(followerOutcome, commitId);
  }

  private remember(key: string, valor: number): void {
    const limit = this.options.recentReadings ?? RECENT_READINGS;
    if (limit === 0) return;
    this.recent.set(key, valor);
    if (this.recent.size >= Math.max(1, Math.ceil(limit / 2))) {
      this.older = this.recent;
      this.recent = new Map();
    }
  }
}
