// The local stand-in for avaliaAlarmes' schedule (serverless offline runs no schedules): the same
// sweep, in the npm start process — folds settled readings, catches silent meters.
import { sweepAlarms } from '../core/alarms';
import type { Config } from '../core/config';
import { createContext } from '../core/wiring';

export interface RunningSweep {
  stop(): Promise<void>;
}

/** Runs the sweep `firstAfterMs` after start, then every `everyMs`; a failed sweep is logged and tried next time. */
export function startSweep(config: Config, log: (message: string) => void, options: { everyMs: number; firstAfterMs: number }): RunningSweep {
  const context = createContext(config);
  let running: Promise<void> | undefined;
  const sweep = () => {
    running ??= sweepAlarms(context)
      .then((count) => log(`varredura: ${count} clientes consolidados e avaliados`))
      .catch((error: unknown) => log(`a varredura falhou (a próxima em ${options.everyMs / 60_000} min): ${(error as Error).message}`))
      .finally(() => (running = undefined));
  };
  const first = setTimeout(sweep, options.firstAfterMs);
  const timer = setInterval(sweep, options.everyMs);
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
