// Gateway counters and store latency: what the periodic stats line and the published figures report.

export interface StatsSnapshot {
  /** Datagrams received since start. */
  received: number;
  /** Readings written for the first time. */
  stored: number;
  /** Readings that were already stored (a resend, a repeat): acknowledged, not counted again. */
  duplicates: number;
  /** Datagrams answered with an error, by code. */
  rejected: Record<string, number>;
  /** Readings accepted and not yet answered. */
  inFlight: number;
  /** Group commits since start, and their mean size. */
  batches: number;
  meanBatch: number;
  /** Receive-to-answer time of readings that went to storage, over the window (ms). */
  p50Ms: number | null;
  p99Ms: number | null;
  /** Datagrams answered per second over the window. */
  perSecond: number;
}

/** Samples kept per window; beyond it, a uniform reservoir keeps the percentiles honest. */
const MAX_SAMPLES = 20_000;

/**
 * One reader's window of latencies and answers: the stats log line and the publisher each keep their
 * own, so one reader closing its window never cuts the other's short.
 */
class StatsWindow {
  private samples: number[] = [];
  private seen = 0;
  private startedAt = performance.now();
  private answeredAtStart: number;

  constructor(answered: number) {
    this.answeredAtStart = answered;
  }

  add(ms: number): void {
    this.seen += 1;
    if (this.samples.length < MAX_SAMPLES) this.samples.push(ms);
    else {
      const slot = Math.floor(Math.random() * this.seen);
      if (slot < MAX_SAMPLES) this.samples[slot] = ms;
    }
  }

  figures(answered: number, end: boolean): Pick<StatsSnapshot, 'p50Ms' | 'p99Ms' | 'perSecond'> {
    const sorted = [...this.samples].sort((a, b) => a - b);
    const percentile = (p: number) =>
      sorted.length === 0 ? null : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 10) / 10;
    const elapsedSeconds = Math.max(0.001, (performance.now() - this.startedAt) / 1000);
    const figures = { p50Ms: percentile(0.5), p99Ms: percentile(0.99), perSecond: Math.round((answered - this.answeredAtStart) / elapsedSeconds) };
    if (end) {
      this.samples = [];
      this.seen = 0;
      this.startedAt = performance.now();
      this.answeredAtStart = answered;
    }
    return figures;
  }
}

export type StatsReader = 'log' | 'publish';

export class GatewayStats {
  received = 0;
  stored = 0;
  duplicates = 0;
  readonly rejected: Record<string, number> = {};
  batches = 0;
  batchedReadings = 0;
  private readonly windows: Record<StatsReader, StatsWindow> = { log: new StatsWindow(0), publish: new StatsWindow(0) };

  reject(code: string): void {
    this.rejected[code] = (this.rejected[code] ?? 0) + 1;
  }

  batch(size: number): void {
    this.batches += 1;
    this.batchedReadings += size;
  }

  latency(ms: number): void {
    for (const window of Object.values(this.windows)) window.add(ms);
  }

  private answered(): number {
    return this.stored + this.duplicates + Object.values(this.rejected).reduce((sum, n) => sum + n, 0);
  }

  /** The counters now, with `reader`'s window; `endInterval` starts a new window for that reader. */
  snapshot(inFlight: number, endInterval = false, reader: StatsReader = 'log'): StatsSnapshot {
    return {
      received: this.received,
      stored: this.stored,
      duplicates: this.duplicates,
      rejected: { ...this.rejected },
      inFlight,
      batches: this.batches,
      meanBatch: this.batches === 0 ? 0 : Math.round((this.batchedReadings / this.batches) * 10) / 10,
      ...this.windows[reader].figures(this.answered(), endInterval),
    };
  }
}
