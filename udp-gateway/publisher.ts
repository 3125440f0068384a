// Publishes this gateway instance's figures to the gateway table every few seconds, so the HTTP API
// (GET /gatewayStatus, the staff console) sees live figures of every instance, locally and in the cloud.
import type { Context } from '../core/context';
import { publishGatewayFigures } from '../core/gatewayStatus';
import type { Logger } from './log';
import type { StatsSnapshot } from './stats';

export interface PublisherOptions {
  instanceId: string;
  intervalMs: number;
  /** The counters now, closing the publisher's own latency/rate window. */
  snapshot: () => StatsSnapshot;
}

/** An instance that missed this many publishings in a row (dead, or cut off from storage) drops out. */
const INTERVALS_TO_LIVE = 3;

export class FiguresPublisher {
  private readonly startedMs = Date.now();
  private readonly timer: NodeJS.Timeout;
  private publishing: Promise<void> | undefined;
  private failing = false;

  constructor(
    private readonly context: Context,
    private readonly options: PublisherOptions,
    private readonly logger: Logger,
  ) {
    void this.publish();
    this.timer = setInterval(() => void this.publish(), options.intervalMs);
    this.timer.unref();
  }

  /** Stops publishing and says the instance is gone (its figures expire now), within `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    clearInterval(this.timer);
    const last = (async () => {
      await this.publishing;
      await this.put(Date.now());
    })();
    await Promise.race([last, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }

  private publish(): Promise<void> {
    // At most one Put at a time: a slow database must not gather a queue of stale figures behind it
    // (the skipped interval's answers are still counted; only its window is longer).
    if (this.publishing) return this.publishing;
    this.publishing = this.put(Date.now() + INTERVALS_TO_LIVE * this.options.intervalMs).finally(() => (this.publishing = undefined));
    return this.publishing;
  }

  private async put(expiresMs: number): Promise<void> {
    const { received, stored, duplicates, rejected, inFlight, perSecond, p50Ms, p99Ms } = this.options.snapshot();
    try {
      await publishGatewayFigures(this.context, {
        instanceId: this.options.instanceId,
        startedMs: this.startedMs,
        publishedMs: Date.now(),
        expiresMs,
        received,
        stored,
        duplicates,
        rejected,
        inFlight,
        perSecond,
        p50Ms,
        p99Ms,
      });
      if (this.failing) this.logger.info('figures published again', { instance: this.options.instanceId });
      this.failing = false;
    } catch (error) {
      // Said once per outage, not every interval: the storage probe (/health) reports the outage itself.
      if (!this.failing) this.logger.warn('figures not published', { instance: this.options.instanceId, error: String((error as Error)?.message ?? error) });
      this.failing = true;
    }
  }
}
