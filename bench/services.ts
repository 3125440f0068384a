// The bench's own services (DynamoDB Local, serverless offline, gateways, helper processes) on free
// ports, each stopped by PID when its phase ends — and all of them on any exit, so nothing outlives a run.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startDynamo, type RunningDynamo } from '../dev/dynamo';
import { stopGroup } from '../dev/offline';
import { freePort } from '../dev/ports';
import { ensureTables } from '../dev/tables';

export interface Stoppable {
  stop(): Promise<void>;
}

const running = new Set<Stoppable>();
const scratch = new Set<string>();

/** Tracks a service until it is stopped; `stopEverything` stops what is still tracked. */
export function track<T extends Stoppable>(service: T): T {
  const stop = service.stop.bind(service);
  let stopped: Promise<void> | undefined;
  service.stop = () => {
    running.delete(service);
    return (stopped ??= stop());
  };
  running.add(service);
  return service;
}

export async function stopEverything(): Promise<void> {
  for (const service of [...running].reverse()) await service.stop().catch(() => undefined);
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  scratch.clear();
}

/** A temporary folder removed by `stopEverything`. */
export function scratchDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `luz-bench-${label}-`));
  scratch.add(dir);
  return dir;
}


export const TABLE_PREFIX = 'bench-';

/** DynamoDB Local with Luz's tables: file-backed (`durable`, as `npm start` runs it) or in memory. */
export async function startDatabase(mode: 'file' | 'memory'): Promise<RunningDynamo> {
  const dataDir = mode === 'file' ? scratchDir('dynamodb') : null;
  const dynamo = track(await startDynamo({ port: await freePort(), dataDir }));
  await ensureTables(dynamo.endpoint, TABLE_PREFIX);
  return dynamo;
}

export interface Child extends Stoppable {
  child: ChildProcess;
  pid: number;
  /** Output lines so far (the last 200), for error messages. */
  recent(): string;
}

/**
 * A helper process — TypeScript (`node --import tsx <script>`), or Python for a `.py` script — that
 * prints one JSON line with `ready: true` once it serves; resolves with that line. `onLine` sees every stdout line.
 */
export async function startHelper(
  script: string,
  args: string[],
  options: { env?: Record<string, string>; onLine?: (line: string) => void; timeoutMs?: number; execArgv?: string[] } = {},
): Promise<{ helper: Child; ready: Record<string, unknown> }> {
  const [command, argv] = script.endsWith('.py')
    ? ['python3', [script, ...args]]
    : [process.execPath, [...(options.execArgv ?? []), '--import', 'tsx', script, ...args]];
  const child = spawn(command, argv, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  const remember = (line: string) => {
    lines.push(line);
    if (lines.length > 200) lines.shift();
  };
  const helper: Child = track({
    child,
    pid: child.pid!,
    recent: () => lines.join('\n'),
    stop: () => stopGroup(child, 20_000),
  });
  createInterface({ input: child.stderr! }).on('line', remember);
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${script} was not ready in time`)), options.timeoutMs ?? 120_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      void helper.stop().then(() => reject(new Error(`${error.message}\n${helper.recent()}`)));
    };
    child.once('exit', (code) => fail(new Error(`${script} exited (code ${code}) before it was ready`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      remember(line);
      options.onLine?.(line);
      try {
        const event = JSON.parse(line) as Record<string, unknown>;
        if (event.ready === true) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          resolve(event);
        }
      } catch {
        /* not a JSON line */
      }
    });
  });
  return { helper, ready };
}

/** Resident set size of a process now, MB (Linux /proc). */
export function rssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; reports the peak and the last sample. */
export function sampleRss(pid: number, everyMs = 250): { stop(): { peakMb: number; lastMb: number } } {
  let peak = 0;
  let last = 0;
  const take = () => {
    const now = rssMb(pid);
    if (now === undefined) return;
    last = now;
    peak = Math.max(peak, now);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop: () => {
      take();
      clearInterval(timer);
      return { peakMb: peak, lastMb: last };
    },
  };
}

/** CPU seconds (user + system) a process has used so far (Linux /proc), or undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the command name.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = 100;

/** CPU use of each process between `start` and `stop`, as a share of one core (1.0 = one core busy). */
export function sampleCpu(pids: Record<string, number>): { stop(): Record<string, number> } {
  const begin = performance.now();
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid) ?? 0]));
  return {
    stop: () => {
      const seconds = (performance.now() - begin) / 1000;
      return Object.fromEntries(
        Object.entries(pids).map(([name, pid]) => [name, Math.round((((cpuSeconds(pid) ?? before[name]) - before[name]) / seconds) * 100) / 100]),
      );
    },
  };
}
