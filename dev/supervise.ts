// Keeps one child part of `npm start` running: a part that dies is started again after a capped,
// doubling delay, with a log line; after too many fast failures in a row it gives up, loudly.
import type { ChildProcess } from 'node:child_process';

export interface StartedPart {
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface SuperviseOptions<Part extends StartedPart> {
  /** The part as a person reads it in the log (pt-BR): "o gateway UDP". */
  name: string;
  /** Starts the part; must stop what it spawned and reject when `signal` aborts (npm start is stopping). */
  start(signal: AbortSignal): Promise<Part>;
  signal: AbortSignal;
  log(message: string): void;
  /** Called once, when the part failed `maxFastFailures` times in a row. */
  onGiveUp(message: string): void;
  onRestarted?(part: Part): void;
  /** Delay before the first restart of a streak; doubled on each fast failure, up to maxDelayMs. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** A part that dies within this long of being ready, or does not start, failed "fast". */
  fastFailureMs?: number;
  maxFastFailures?: number;
}

export interface Supervised<Part extends StartedPart> {
  /** The running part (undefined while it is being restarted). */
  readonly current: Part | undefined;
  /** Stops the part; a restart in progress or pending is cancelled (through `signal`) first. */
  stop(): Promise<void>;
}

const duration = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toLocaleString('pt-BR', { maximumFractionDigits: 1 })} s`);

/** Starts the part once (a failure here rejects: npm start cannot come up), then keeps it running. */
export async function supervise<Part extends StartedPart>(options: SuperviseOptions<Part>): Promise<Supervised<Part>> {
  const { name, signal, log } = options;
  const firstDelayMs = options.firstDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const fastFailureMs = options.fastFailureMs ?? 30_000;
  const maxFastFailures = options.maxFastFailures ?? 5;
  let current: Part | undefined;
  let stopped = false;
  let streak = 0;
  let timer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> | undefined;

  /** `ranMs`: how long the part had been ready when it died (0 when it did not start). */
  const failed = (ranMs: number, how: string) => {
    // A part that ran a while before dying starts a new streak: its next restart waits the first delay again.
    streak = ranMs < fastFailureMs ? streak + 1 : 1;
    if (streak >= maxFastFailures) {
      const message = `${name} falhou ${streak} vezes seguidas, cada uma a menos de ${duration(fastFailureMs)} do início (${how}); desisto de reiniciá-lo — veja as mensagens acima`;
      log(message);
      options.onGiveUp(message);
      return;
    }
    const delay = Math.min(firstDelayMs * 2 ** (streak - 1), maxDelayMs);
    const streakNote = streak > 1 ? ` (${streak}ª falha rápida seguida; na ${maxFastFailures}ª desisto)` : '';
    log(`${name} parou (${how}); reinício em ${duration(delay)}${streakNote}`);
    timer = setTimeout(() => {
      timer = undefined;
      restarting = restart().finally(() => (restarting = undefined));
    }, delay);
  };

  const watch = (part: Part) => {
    const readyAt = Date.now();
    part.child.once('exit', (code, signalName) => {
      if (stopped || signal.aborted || current !== part) return;
      current = undefined;
      failed(Date.now() - readyAt, code === null ? `sinal ${signalName}` : `código de saída ${code}`);
    });
  };

  const restart = async () => {
    try {
      const part = await options.start(signal);
      if (stopped || signal.aborted) return void (await part.stop());
      current = part;
      watch(part);
      log(`${name} foi reiniciado`);
      options.onRestarted?.(part);
    } catch (error) {
      if (stopped || signal.aborted) return;
      failed(0, `não voltou: ${(error as Error).message.split('\n')[0]}`);
    }
  };

  const first = await options.start(signal);
  current = first;
  watch(first);
  return {
    get current() {
      return current;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      // The caller aborted `signal` first, so a start in progress is already stopping its child.
      await restarting;
      await current?.stop();
      current = undefined;
    },
  };
}
