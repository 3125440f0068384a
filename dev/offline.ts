// `serverless offline`: the six handlers over HTTP, started as one child process we can stop by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';

export interface RunningOffline {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Stops a child and everything in its process group, then waits for it to exit. */
export function stopGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, name);
      } catch {
        child.kill(name);
      }
    };
    child.once('exit', () => done());
    signal('SIGTERM');
    setTimeout(() => signal('SIGKILL'), graceMs).unref();
  });
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
}): Promise<RunningOffline> {
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
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (!(await answers(`${url}/getAlarme`))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`serverless offline did not start on ${url}\n${output}`);
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  return { url, child, stop };
}
