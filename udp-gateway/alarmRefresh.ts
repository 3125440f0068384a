// Alarms move on the UDP path too: customers whose readings the gateway stored are evaluated again
// (core/alarms.ts refreshAlarm, as postConsumo does after each reading), at most once per interval.
//
// - A stored reading marks its customer; every `intervalMs` the marked customers are evaluated, two
//   at a time, so a burst of readings for one customer costs one evaluation, and a fired or cleared
//   alarm is stored within one interval (plus the evaluations queued before it) of the reading's ack.
//   Two at a time bounds what alarms take from storage (an evaluation is ≈ 7 reads): when more
//   customers are marked than a pass evaluates in an interval, the interval stretches, ingest does not.
// - The set of marked customers is bounded (`maxPending`): past it a mark is dropped and counted, and
//   the scheduled sweep evaluates that customer later; ingest never waits for alarms.
// - An evaluation that fails is logged and the customer marked again for the next interval.
import type { Context } from '../core/context';
import { maskCpf } from '../core/cpf';
import { refreshAlarm } from '../core/alarms';
import type { Logger } from './log';

export interface AlarmRefreshOptions {
  intervalMs: number;
  /** Customers evaluated at once. */
  concurrency?: number;
  maxPending?: number;
}

export class AlarmRefresh {
  private pending = new Set<string>();
  private readonly timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Evaluations done, failed, and marks dropped because the set was full. */
  readonly counts = { evaluated: 0, failed: 0, dropped: 0 };

  constructor(
    private readonly context: Context,
    private readonly options: AlarmRefreshOptions,
    private readonly logger: Logger,
  ) {
    this.timer = options.intervalMs > 0 ? setInterval(() => void this.run(), options.intervalMs) : undefined;
    this.timer?.unref();
  }

  /** A reading of this customer was stored. */
  mark(customerId: string): void {
    if (this.options.intervalMs <= 0 || this.pending.has(customerId)) return;
    if (this.pending.size >= (this.options.maxPending ?? 100_000)) {
      this.counts.dropped += 1;
      return;
    }
    this.pending.add(customerId);
  }

  /** Evaluates every marked customer now (one pass at a time). */
  run(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the timer after one last pass over what is marked. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.run();
  }

  private async pass(): Promise<void> {
    const customers = [...this.pending];
    this.pending = new Set();
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < customers.length; index = next++) {
        const customerId = customers[index];
        try {
          await refreshAlarm(this.context, customerId);
          this.counts.evaluated += 1;
        } catch (error) {
          this.counts.failed += 1;
          this.pending.add(customerId);
          this.logger.error('alarm evaluation failed; tried again next interval', { cpf: maskCpf(customerId), error: String((error as Error)?.message ?? error) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 2, customers.length) }, worker));
  }
}
