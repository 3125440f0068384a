// Simulator memory: `npm run meter` with 10,000 and 100,000 meters (its own process, as users run it)
// against a gateway over the in-memory repository, which answers as fast as the simulator sends.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stopGroup } from '../dev/offline';
import { round } from './measure';
import { probeEnvironment } from './profile';
import { sampleRss, scratchDir, startHelper, track } from './services';
import { UNTHROTTLED } from './udpPath';

export interface SimulatorMemory {
  meters: number;
  peakRssMb: number;
  /** Peak V8 heap in use, MB (from bench/probe.mjs inside the process). */
  peakHeapMb: number;
  acked: number;
  speed: number;
}

/** Peak heapUsed, MB, seen in probe lines; and the live heap after a full collection, if one was asked for. */
export function heapTracker(): { line(text: string): void; peakMb(): number; liveMb(): number | null } {
  let peak = 0;
  let live: number | null = null;
  return {
    line: (text) => {
      if (!text.startsWith('{"benchMemory"')) return;
      try {
        const { benchMemory } = JSON.parse(text) as { benchMemory: { heapUsedMb: number; afterGc?: boolean } };
        if (benchMemory.afterGc) live = benchMemory.heapUsedMb;
        else peak = Math.max(peak, benchMemory.heapUsedMb);
      } catch {
        /* a partial line */
      }
    },
    peakMb: () => round(peak),
    liveMb: () => live,
  };
}

export async function measureSimulatorMemory(options: { meters: number; durationSeconds: number; readingsPerSecond: number }): Promise<SimulatorMemory> {
  const stateDir = scratchDir('sim');
  const { helper: gateway, ready } = await startHelper('bench/servers/memoryGateway.ts', [String(options.meters), join(stateDir, 'fleet.json')], {
    env: { ...UNTHROTTLED, LUZ_LOG_LEVEL: 'error' },
    timeoutMs: 300_000,
  });
  try {
    const speed = Math.max(1, Math.round((options.readingsPerSecond * 300) / options.meters));
    const simulator = spawn(
      process.execPath,
      [
        '--import', 'tsx', 'meter/main.ts',
        '--meters', String(options.meters),
        '--state', stateDir,
        '--no-register',
        '--verify', '0',
        '--gateway', `127.0.0.1:${ready.port}`,
        '--speed', String(speed),
        '--start', new Date(Date.now() - 86_400_000).toISOString(),
        '--duration', String(options.durationSeconds),
        '--drain-timeout', '30',
      ],
      { env: { ...process.env, ...probeEnvironment(undefined) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    track({ stop: () => stopGroup(simulator, 5000) });
    const heap = heapTracker();
    const output: string[] = [];
    createInterface({ input: simulator.stdout! }).on('line', (line) => output.push(line));
    createInterface({ input: simulator.stderr! }).on('line', (line) => {
      heap.line(line);
      if (!line.startsWith('{"benchMemory"')) output.push(line);
    });
    const rss = sampleRss(simulator.pid!);
    const code = await Promise.race([
      new Promise<number | null>((resolve) => simulator.once('exit', (exit) => resolve(exit))),
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), (options.durationSeconds + 90) * 1000)),
    ]);
    const peak = rss.stop().peakMb;
    if (code !== 0) throw new Error(`the simulator with ${options.meters} meters ended with ${code}:\n${output.slice(-20).join('\n')}`);
    const acked = Number((/acknowledged ([\d,]+)/.exec(output.join('\n'))?.[1] ?? 'NaN').replace(/,/g, ''));
    return { meters: options.meters, peakRssMb: round(peak), peakHeapMb: heap.peakMb(), acked, speed };
  } finally {
    await gateway.stop();
  }
}
