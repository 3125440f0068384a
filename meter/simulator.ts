// The simulation engine: a fleet of meters on a simulated clock, each reading written to the outbox,
// sent, and resent with exponential backoff and jitter until the gateway answers it.
//
// - The simulated clock runs `speed` times faster than the wall clock and never ahead of it (a
//   reading from the future would be refused). It holds still while the outbox has `maxPending`
//   readings, so a fast simulation runs at the pace the gateway can store, instead of piling up.
// - At most `window` readings are awaiting an answer at once; the rest wait in the outbox.
// - v2: no reading is sent for the first time `replayWindow` or more seqs ahead of the oldest
//   unanswered one, so no reading the meters still owe ever falls behind the gateway's anti-replay
//   window (all meters share the outbox's seq counter, so a meter's seqs have gaps).
// - Readings (values and times) follow from the seed alone, unless rate or interval are changed live.
import { fromLocal, toLocal } from '../core/periods';
import { MinHeap } from './heap';
import { readingKwh, type LoadModelName } from './loadModel';
import { Outbox, type OutboxEntry, type Totals } from './outbox';
import { uniform } from './random';
import { REPLAY_WINDOW } from '../udp-gateway/protocol';
import { assertSigned, V1Transport, V2Transport, type FleetMeter, type Reply, type Transport } from './transport';

export interface SimulatorOptions {
  fleet: FleetMeter[];
  gateway: { host: string; port: number };
  stateDir: string;
  seed: number;
  /** Simulated seconds between a meter's readings. */
  intervalSeconds: number;
  speed: number;
  /** Where the simulated clock starts when the state folder has none (Unix ms). */
  startMs: number;
  model: LoadModelName;
  rate: number;
  protocol: 'v1' | 'v2';
  sockets: number;
  window: number;
  /** The gateway's anti-replay window (GATEWAY_REPLAY_WINDOW; default REPLAY_WINDOW). */
  replayWindow?: number;
  maxPending: number;
  /** First wait for an answer before resending (ms); doubles per attempt up to maxBackoffMs. */
  ackTimeoutMs: number;
  maxBackoffMs: number;
  /** Scheduled readings per meter, then the meter stops (undefined: no limit). */
  readingsPerMeter?: number;
  timeZone: string;
  tickMs?: number;
  /** A reading the gateway finally refused (it leaves the outbox). */
  onRejected?: (entry: OutboxEntry, meter: FleetMeter, code: string, message: string) => void;
  /** A reading the gateway acknowledged (written to the outbox first): the meters' own record. */
  onAcknowledged?: (entry: OutboxEntry, meter: FleetMeter) => void;
  /** A retryable refusal (busy, rate limited, storage down): the reading waits a backoff. */
  onRetry?: (code: string) => void;
}

export interface SimulatorStatus {
  /** Readings sent at least once, resends, answered, finally refused, in the outbox. */
  sent: number;
  retries: number;
  acked: number;
  rejected: number;
  pending: number;
  /** Sent and not yet answered. */
  inFlight: number;
  /** Answers per second over the last few seconds. */
  perSecond: number;
  clockMs: number;
  /** Simulated seconds per real second over the last few seconds. */
  effectiveSpeed: number;
  paused: boolean;
  /** The clock holds because the outbox is full. */
  holding: boolean;
  generating: boolean;
  intervalSeconds: number;
  rate: number;
}

interface Tracked {
  entry: OutboxEntry;
  attempts: number;
  deadline: number;
}

/** Start of the month containing `instantMs` in the zone. */
export function startOfMonth(instantMs: number, timeZone: string): number {
  const local = toLocal(instantMs, timeZone);
  return fromLocal(local.year, local.month, 1, 0, timeZone);
}

export class MeterSimulator {
  private readonly outbox: Outbox;
  private readonly transport: Transport;
  private readonly dueMeters = new MinHeap<number>();
  private readonly tracked = new Map<number, Tracked>();
  private readonly fresh: number[] = [];
  private freshHead = 0;
  private readonly timers = new MinHeap<number>();
  private timer?: NodeJS.Timeout;
  private lastRealMs = Date.now();
  private inFlight = 0;
  private counters = { sent: 0, retries: 0, acked: 0, rejected: 0 };
  private samples: { realMs: number; answered: number; clockMs: number }[] = [];
  private paused = false;
  private generating = true;
  private intervalSeconds: number;
  private rate: number;
  private idleWaiters: (() => void)[] = [];

  private constructor(private readonly options: SimulatorOptions) {
    this.intervalSeconds = options.intervalSeconds;
    this.rate = options.rate;
    this.outbox = Outbox.open(options.stateDir, options.timeZone);
    const onReply = (seq: number, reply: Reply) => this.answer(seq, reply);
    this.transport =
      options.protocol === 'v1'
        ? new V1Transport(options.gateway, onReply)
        : new V2Transport(options.gateway, options.sockets, onReply);
  }

  static async open(options: SimulatorOptions): Promise<MeterSimulator> {
    if (options.protocol === 'v2') assertSigned(options.fleet, 'the fleet');
    const simulator = new MeterSimulator(options);
    try {
      await simulator.transport.open();
    } catch (error) {
      simulator.outbox.close();
      throw error;
    }
    simulator.prepare();
    return simulator;
  }

  private prepare(): void {
    const { outbox, options } = this;
    // Whole seconds: timestamps stay exact in the datagrams' Unix seconds.
    outbox.clockMs ??= Math.floor(Math.min(options.startMs, Date.now()) / 1000) * 1000;
    for (const [index] of options.fleet.entries()) {
      const schedule = outbox.schedule(index);
      if (schedule.nextDueMs === null) {
        // Meters are spread over the interval, as real ones are, not all at the same second.
        const phaseSeconds = Math.floor(uniform(options.seed, index, -2) * this.intervalSeconds) + 1;
        schedule.nextDueMs = outbox.clockMs + phaseSeconds * 1000;
      }
      if (!this.meterDone(index)) this.dueMeters.push(schedule.nextDueMs, index);
    }
    // Readings left from an earlier run go out first, oldest first.
    for (const entry of [...outbox.pending.values()].sort((a, b) => a.seq - b.seq)) this.track(entry);
    this.samples.push({ realMs: Date.now(), answered: 0, clockMs: outbox.clockMs });
  }

  start(): void {
    this.lastRealMs = Date.now();
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? 20);
    this.tick();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** New readings are spaced `seconds` apart from each meter's next reading on. */
  setInterval(seconds: number): void {
    this.intervalSeconds = seconds;
  }

  setRate(rate: number): void {
    this.rate = rate;
  }

  /** A reading with a chosen value and date from one meter (fleet index), sent like any other. */
  manual(meter: number, valor: number, timestampMs: number): number {
    if (!this.options.fleet[meter]) throw new RangeError(`no meter ${meter + 1}: the fleet has ${this.options.fleet.length}`);
    const entry = { seq: this.outbox.seq + 1, meter, valor, timestampMs };
    this.outbox.add(entry);
    this.track(entry);
    return entry.seq;
  }

  /** No new scheduled readings; what is in the outbox is still sent. */
  stopGenerating(): void {
    this.generating = false;
  }

  /** Resolves true when the outbox is empty, false if `timeoutMs` passes first. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.tracked.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timeout = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timeout);
        resolve(true);
      });
    });
  }

  /** Stops the clock and sending; the outbox keeps what is unanswered for the next run. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.transport.close();
    this.outbox.close();
  }

  status(): SimulatorStatus {
    const now = Date.now();
    const answered = this.counters.acked + this.counters.rejected;
    const clockMs = this.outbox.clockMs!;
    this.samples.push({ realMs: now, answered, clockMs });
    while (this.samples.length > 2 && now - this.samples[1].realMs >= 5000) this.samples.shift();
    const oldest = this.samples[0];
    const seconds = Math.max(0.001, (now - oldest.realMs) / 1000);
    return {
      ...this.counters,
      pending: this.tracked.size,
      inFlight: this.inFlight,
      perSecond: Math.round((answered - oldest.answered) / seconds),
      clockMs,
      effectiveSpeed: Math.round((clockMs - oldest.clockMs) / 1000 / seconds),
      paused: this.paused,
      holding: this.tracked.size >= this.options.maxPending,
      generating: this.generating,
      intervalSeconds: this.intervalSeconds,
      rate: this.rate,
    };
  }

  /** Acknowledged readings: meter (fleet index) → month → totals, over every run of this state folder. */
  totals(): Map<number, Map<string, Totals>> {
    return this.outbox.acked;
  }

  rejectedByCode(): Map<string, number> {
    return this.outbox.rejected;
  }

  private tick(): void {
    const now = Date.now();
    this.advanceClock(now);
    if (this.generating) this.generate();
    // On disk before on the wire.
    this.outbox.flush();
    this.sendDue(now);
  }

  private advanceClock(now: number): void {
    const elapsed = now - this.lastRealMs;
    this.lastRealMs = now;
    if (this.paused || !this.generating || this.tracked.size >= this.options.maxPending) return;
    const clock = this.outbox.clockMs!;
    // Never ahead of the wall clock: once caught up, the simulation runs in real time.
    this.outbox.setClock(Math.max(clock, Math.min(clock + elapsed * this.options.speed, now)));
  }

  private generate(): void {
    const { outbox, options } = this;
    const clock = outbox.clockMs!;
    while ((this.dueMeters.peekKey() ?? Infinity) <= clock && this.tracked.size < options.maxPending) {
      const meter = this.dueMeters.pop()!;
      const schedule = outbox.schedule(meter);
      if (this.meterDone(meter)) continue;
      const timestampMs = schedule.nextDueMs!;
      const valor = readingKwh(options.model, {
        seed: options.seed,
        meter,
        reading: schedule.readings,
        timestampMs,
        intervalSeconds: this.intervalSeconds,
        rate: this.rate,
        timeZone: options.timeZone,
      });
      const entry = { seq: outbox.seq + 1, meter, valor, timestampMs };
      const next = { nextDueMs: timestampMs + this.intervalSeconds * 1000, readings: schedule.readings + 1 };
      outbox.add(entry, next);
      this.track(entry);
      if (!this.meterDone(meter)) this.dueMeters.push(next.nextDueMs, meter);
    }
  }

  private meterDone(meter: number): boolean {
    const limit = this.options.readingsPerMeter;
    return limit !== undefined && this.outbox.schedule(meter).readings >= limit;
  }

  /** Every meter has sent its `readingsPerMeter` readings and each was answered. */
  finished(): boolean {
    return this.options.readingsPerMeter !== undefined && this.dueMeters.size === 0 && this.tracked.size === 0;
  }

  private track(entry: OutboxEntry): void {
    this.tracked.set(entry.seq, { entry, attempts: 0, deadline: 0 });
    this.fresh.push(entry.seq);
  }

  private backoff(attempts: number): number {
    const base = Math.min(this.options.maxBackoffMs, this.options.ackTimeoutMs * 2 ** (attempts - 1));
    // Jitter spreads resends so meters that lost the same burst do not all come back together.
    return base * (0.5 + Math.random());
  }

  private sendDue(now: number): void {
    // Resends first: they hold window slots already.
    while ((this.timers.peekKey() ?? Infinity) <= now) {
      const key = this.timers.peekKey()!;
      const tracked = this.tracked.get(this.timers.pop()!);
      if (!tracked || tracked.deadline !== key) continue; // answered, or rescheduled since
      this.send(tracked, now);
    }
    // Readings are tracked in seq order, so the first one tracked is the oldest unanswered.
    const oldest: number | undefined = this.tracked.keys().next().value;
    const replayWindow = this.options.replayWindow ?? REPLAY_WINDOW;
    while (this.inFlight < this.options.window && this.freshHead < this.fresh.length) {
      const seq = this.fresh[this.freshHead];
      if (this.options.protocol === 'v2' && oldest !== undefined && seq - oldest >= replayWindow) break;
      this.freshHead += 1;
      const tracked = this.tracked.get(seq);
      if (tracked && tracked.attempts === 0) this.send(tracked, now);
    }
    if (this.freshHead > 10_000) {
      this.fresh.splice(0, this.freshHead);
      this.freshHead = 0;
    }
  }

  private send(tracked: Tracked, now: number): void {
    tracked.attempts += 1;
    if (tracked.attempts === 1) {
      this.counters.sent += 1;
      this.inFlight += 1;
    } else this.counters.retries += 1;
    this.schedule(tracked, now);
    this.transport.send(tracked.entry, this.options.fleet[tracked.entry.meter]);
  }

  private schedule(tracked: Tracked, now: number): void {
    tracked.deadline = now + this.backoff(tracked.attempts);
    this.timers.push(tracked.deadline, tracked.entry.seq);
  }

  private answer(seq: number, reply: Reply): void {
    const tracked = this.tracked.get(seq);
    if (!tracked || tracked.attempts === 0) return; // a late answer to something settled
    if (reply.kind === 'retry') {
      // The gateway is busy or storage is down: wait out a backoff, then send again.
      this.schedule(tracked, Date.now());
      this.options.onRetry?.(reply.code);
      return;
    }
    this.tracked.delete(seq);
    this.inFlight -= 1;
    this.transport.release(seq);
    if (reply.kind === 'ack') {
      this.outbox.acknowledge(seq);
      this.counters.acked += 1;
      this.options.onAcknowledged?.(tracked.entry, this.options.fleet[tracked.entry.meter]);
    } else {
      this.outbox.reject(seq, reply.code);
      this.counters.rejected += 1;
      this.options.onRejected?.(tracked.entry, this.options.fleet[tracked.entry.meter], reply.code, reply.message);
    }
    if (this.tracked.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
