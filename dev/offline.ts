// `serverless offline`: the six handlers over HTTP, started as one child process we can stop by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';

export interface RunningOffline {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Stops a child started with `detached: true` and everything in its process group, then waits for it to
 * exit. Whatever of the group outlives its leader (a worker slow to die) is killed then: nothing is left.
 */
export function stopGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      if (child.exitCode === null && child.signalCode === null) child.kill(name);
    }
  };
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      if (child.pid !== undefined) signal('SIGKILL');
      return done();
    }
    const timer = setTimeout(() => signal('SIGKILL'), graceMs);
    timer.unref();
    child.once('exit', () => {
      clearTimeout(timer);
      signal('SIGKILL');
      done();
    });
    signal('SIGTERM');
  });
}

/**
 * While a child is starting: `signal` aborting (npm start stopping) stops it at once, so the wait for
 * its readiness ends with its exit instead of outliving the caller. Returns the un-listen.
 */
export function stopOnAbort(signal: AbortSignal | undefined, stop: () => Promise<void>): () => void {
  if (!signal) return () => undefined;
  const onAbort = () => void stop();
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

async function answers(url: string): Promise<boolean> {
  try {
    // Any HTTP answer (even an error status) means the server is listening.
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/** Starts `serverless offline` with `env` (config reaches handlers via provider.environment). */
export async function startOffline(options: {
  httpPort: number;
  lambdaPort: number;
  env: Record<string, string>;
  stdio?: 'inherit' | 'pipe';
  timeoutMs?: number;
  /** Aborting it while starting stops the child and rejects. */
  signal?: AbortSignal;
}): Promise<RunningOffline> {
  options.signal?.throwIfAborted();
  const binary = resolve('node_modules/serverless/bin/serverless.js');
  const buildDir = `.esbuild/offline-${options.httpPort}`;
  const child = spawn(process.execPath, [binary, 'offline', 'start', '--stage', 'dev'], {
    env: {
      ...process.env,
      ...options.env,
      HTTP_PORT: String(options.httpPort),
      LUZ_LAMBDA_PORT: String(options.lambdaPort),
      LUZ_BUILD_DIR: buildDir,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
    },
    stdio: options.stdio === 'inherit' ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output = (output + chunk).slice(-8000)));
  child.stderr?.on('data', (chunk) => (output = (output + chunk).slice(-8000)));
  const url = `http://127.0.0.1:${options.httpPort}`;
  const stop = async () => {
    await stopGroup(child);
    rmSync(resolve(buildDir), { recursive: true, force: true });
  };
  const unlisten = stopOnAbort(options.signal, stop);
  try {
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    while (!(await answers(`${url}/getAlarme`))) {
      if (child.exitCode !== null || child.signalCode !== null || options.signal?.aborted || Date.now() > deadline) {
        await stop();
        options.signal?.throwIfAborted();
        throw new Error(`serverless offline did not start on ${url}\n${output}`);
      }
      await new Promise((done) => setTimeout(done, 250));
    }
  } finally {
    unlisten();
  }
  return { url, child, stop };
}
