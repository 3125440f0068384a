// Starts the UDP gateway as a child process — the bundle `npm run build` makes (dev/build.ts), under plain
// node, built first if missing or stale — waits for it to listen, stops it cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ensureGatewayBundle, GATEWAY_NODE_ARGS } from './build';
import { stopGroup, stopOnAbort } from './offline';

export interface RunningGateway {
  child?: ChildProcess;
  /** The UDP port it listens on (from its `listening` log line). */
  port?: number;
  /** TCP port of its `GET /health` (from its `health` log line). */
  healthPort?: number;
  /** From spawning the process to its `listening` line, ms (the bench's start-to-listening row). */
  listeningAfterMs?: number;
  stop(): Promise<void>;
}

/** Time the gateway gets to answer what is in flight after SIGTERM before it is killed. */
const STOP_GRACE_MS = 20_000;

/**
 * `env` is added to this process's environment (UDP_PORT 0 picks a free port). Log lines go to this
 * process's stdout (`stdio: 'inherit'`) or only to `onLine` (`'pipe'`).
 */
export async function startGateway(options: {
  env: Record<string, string>;
  stdio?: 'inherit' | 'pipe';
  onLine?: (line: string) => void;
  timeoutMs?: number;
  /** Resolve once it listens on UDP (default), or as soon as its health port answers (the UDP port may be taken). */
  waitFor?: 'listening' | 'health';
  /** Aborting it while starting stops the child and rejects. */
  signal?: AbortSignal;
}): Promise<RunningGateway> {
  options.signal?.throwIfAborted();
  const bundle = await ensureGatewayBundle();
  options.signal?.throwIfAborted();
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...GATEWAY_NODE_ARGS, bundle], {
    // A free health port unless one is asked for: parallel runs never collide on 8081.
    env: { ...process.env, HEALTH_PORT: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const stop = () => stopGroup(child, STOP_GRACE_MS);
  let recent = '';
  let listeningAt = 0;
  let healthPort: number | undefined;
  const unlisten = stopOnAbort(options.signal, stop);
  const listening = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('the UDP gateway did not report listening in time')), options.timeoutMs ?? 60_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`${error.message}\n${recent}`)));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(new Error(`the UDP gateway exited (code ${code}, signal ${signal}) before listening`));
    child.once('exit', onExit);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        recent = (recent + line + '\n').slice(-4000);
        options.onLine?.(line);
        if (options.stdio !== 'pipe') (stream === child.stdout ? process.stdout : process.stderr).write(`${line}\n`);
        if (stream !== child.stdout) return;
        try {
          const event = JSON.parse(line) as { message?: string; port?: number };
          if (event.message === 'health' && typeof event.port === 'number') healthPort = event.port;
          const ready = options.waitFor === 'health' ? event.message === 'health' : event.message === 'listening';
          if (ready && typeof event.port === 'number') {
            listeningAt = performance.now();
            clearTimeout(timer);
            // Only this listener: a stop under way (an abort) waits on its own.
            child.off('exit', onExit);
            resolve(event.port);
          }
        } catch {
          /* not a log line */
        }
      });
    }
  });
  let port: number;
  try {
    port = await listening;
  } catch (error) {
    options.signal?.throwIfAborted();
    throw error;
  } finally {
    unlisten();
  }
  return { child, port: options.waitFor === 'health' ? undefined : port, healthPort, listeningAfterMs: listeningAt - spawnedAt, stop };
}
