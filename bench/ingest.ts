// Durable ingest: simulated v2 meters → UDP gateway → DynamoDB Local, against the ceiling of the same
// transactions issued straight to DynamoDB Local by a tight loop at its best concurrency and batch size.
// The ceiling's transactions are also the write-cost sample (bench/writeCost.ts).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Context } from '../core/context';
import type { Reading } from '../core/model';
import type { WriteGrouping } from '../core/store/readingStore';
import { recordReadings } from '../core/readings';
import { startGateway } from '../dev/gateway';
import { stopGroup } from '../dev/offline';
import type { FleetMeter } from '../meter/transport';
import { readingStream, take, writeFleetFile } from './fleet';
import { askCapacity, callScope, median, round, runLoad, type Call } from './measure';
import { rssMb, sampleCpu, sampleRss, scratchDir, track } from './services';
import { heapTracker } from './memory';
import { bracket, probeEnvironment, type ProfileSummary } from './profile';
import { UNTHROTTLED } from './udpPath';

export interface CeilingRun {
  concurrency: number;
  batch: number;
  /** How the repository grouped the writes (core/store/readingStore.ts). */
  grouping: WriteGrouping;
  perSecond: number;
  cpu: Record<string, number>;
}

export interface CeilingResult {
  best: CeilingRun;
  runs: CeilingRun[];
  /** Transactions of the best run's configuration, as sent (the write-cost sample). */
  sample: Call[];
  sampleStored: number;
}

/** One ceiling configuration for `runMs`: readings stored per second and the CPU each process used. */
export async function ceilingRun(
  context: Context,
  stream: Iterator<Reading>,
  config: { concurrency: number; batch: number; grouping: WriteGrouping },
  runMs: number,
  pids: Record<string, number>,
): Promise<CeilingRun> {
  let stored = 0;
  const cpu = sampleCpu(pids);
  const result = await runLoad({
    concurrency: config.concurrency,
    maxCount: Number.MAX_SAFE_INTEGER,
    maxMs: runMs,
    operation: async () => {
      const outcomes = await recordReadings(context, take(stream, config.batch));
      stored += outcomes.filter((outcome) => outcome.status === 'stored').length;
    },
  });
  if (result.errors > 0) throw new Error(`ceiling run failed: ${String(result.firstError)}`);
  return { ...config, perSecond: Math.round((stored / result.elapsedMs) * 1000), cpu: cpu.stop() };
}

/**
 * The ceiling: `recordReadings` — the repository's group commit, the very transaction the gateway
 * sends — called in a tight loop, for each (concurrency, batch) pair, `runMs` each.
 * Readings are older than anything the simulator sends afterwards, so no meter's marks go backwards.
 */
export async function measureCeiling(options: {
  /** A context per write grouping: the ceiling is the best of both. */
  contexts: Record<WriteGrouping, Context>;
  fleet: FleetMeter[];
  configs: { concurrency: number; batch: number; grouping: WriteGrouping }[];
  runMs: number;
  startMs: number;
  pids: Record<string, number>;
}): Promise<CeilingResult> {
  // seq 0 is below any seq the simulator sends, so the simulator's readings raise seqMaximo normally.
  const stream = readingStream(options.fleet, options.startMs, { seq: 0 });
  const runs: CeilingRun[] = [];
  for (const config of options.configs) runs.push(await ceilingRun(options.contexts[config.grouping], stream, config, options.runMs, options.pids));
  const best = runs.reduce((winner, run) => (run.perSecond > winner.perSecond ? run : winner));
  // A short sample of the best configuration with every call recorded (and capacity asked for).
  const sample: Call[] = [];
  let sampleStored = 0;
  askCapacity.on = true;
  await runLoad({
    concurrency: best.concurrency,
    maxCount: Math.max(8, best.concurrency * 2),
    maxMs: 30_000,
    operation: () =>
      callScope.run(sample, async () => {
        const outcomes = await recordReadings(options.contexts[best.grouping], take(stream, best.batch));
        sampleStored += outcomes.filter((outcome) => outcome.status === 'stored').length;
      }),
  }).finally(() => (askCapacity.on = false));
  return { best, runs, sample, sampleStored };
}

interface StatsLine {
  atMs: number;
  stored: number;
  duplicates: number;
  rejected: Record<string, number>;
  p50Ms: number | null;
  p99Ms: number | null;
  perSecond: number;
  meanBatch: number;
  final?: boolean;
}

export interface IngestResult {
  meters: number;
  perSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
  windowSeconds: number;
  gateway: { lanes: number; batch: number; meanBatch: number; idleRssMb: number; peakRssMb: number; peakHeapMb: number; duplicates: number; rejected: Record<string, number> };
  simulator: { peakRssMb: number; sent: number; acked: number; retries: number; rejected: number; speed: number; window: number };
  cpu: Record<string, number>;
  /** With --profile: where the gateway's time went during the window, and its live heap after a full GC. */
  profile?: ProfileSummary;
  liveHeapMb?: number | null;
}

/**
 * Runs the gateway (as `npm run gateway` runs it, with the ceiling's lanes and batch size and no
 * per-source rate limit) and the simulator (`npm run meter`) with `fleet`, for `warmupMs` + `windowMs`;
 * the rate is the readings stored during the window, from the gateway's own stats lines.
 */
export async function measureIngest(options: {
  endpoint: string;
  tablePrefix: string;
  fleet: FleetMeter[];
  lanes: number;
  batch: number;
  grouping: WriteGrouping;
  ceilingPerSecond: number;
  warmupMs: number;
  windowMs: number;
  statsSeconds: number;
  startMs: number;
  dynamoPid: number;
  profileDir?: string;
}): Promise<IngestResult> {
  const lines: StatsLine[] = [];
  const heap = heapTracker();
  const gateway = track(
    await startGateway({
      env: {
        ...UNTHROTTLED,
        DYNAMODB_ENDPOINT: options.endpoint,
        LUZ_TABLE_PREFIX: options.tablePrefix,
        UDP_HOST: '127.0.0.1',
        UDP_PORT: '0',
        GATEWAY_LANES: String(options.lanes),
        GATEWAY_BATCH_SIZE: String(options.batch),
        LUZ_WRITE_GROUPING: options.grouping,
        GATEWAY_STATS_SECONDS: String(options.statsSeconds),
        LUZ_LOG_LEVEL: 'info',
        // BENCH_GATEWAY_NODE_OPTIONS: V8 settings to try on the gateway (docs/PERFORMANCE.md, memory).
        ...probeEnvironment(options.profileDir, `${process.env.NODE_OPTIONS ?? ''} ${process.env.BENCH_GATEWAY_NODE_OPTIONS ?? ''}`.trim()),
      },
      stdio: 'pipe',
      onLine: (line) => {
        heap.line(line);
        try {
          const event = JSON.parse(line) as StatsLine & { message?: string };
          if (event.message === 'stats') lines.push({ ...event, atMs: performance.now() });
        } catch {
          /* not a log line */
        }
      },
    }),
  );
  const gatewayPid = gateway.child!.pid!;
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const idleRssMb = rssMb(gatewayPid) ?? NaN;

    const stateDir = scratchDir('meter');
    writeFleetFile(stateDir, options.fleet);
    // Fast enough to offer about four times the ceiling; the outbox holds the clock when the gateway lags.
    const speed = Math.ceil((4 * options.ceilingPerSecond * 300) / options.fleet.length);
    // Enough in flight to keep every lane's batch full, and an ack timeout well above the queueing
    // time that many readings in flight imply, so the run measures storage, not resends.
    const inFlight = Math.max(256, Math.round(1.5 * options.lanes * options.batch));
    const durationSeconds = Math.ceil((options.warmupMs + options.windowMs) / 1000) + 1;
    const simulator = spawn(
      process.execPath,
      [
        '--import', 'tsx', 'meter/main.ts',
        '--meters', String(options.fleet.length),
        '--state', stateDir,
        '--no-register',
        '--verify', '0',
        '--gateway', `127.0.0.1:${gateway.port}`,
        '--speed', String(speed),
        '--start', new Date(options.startMs).toISOString(),
        '--duration', String(durationSeconds),
        '--drain-timeout', '180',
        // A short outbox: what is still pending when the window ends must drain at the gateway's rate.
        '--max-pending', String(Math.max(2 * inFlight, 2000)),
        '--window', String(inFlight),
        '--ack-timeout', '10000',
      ],
      { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    track({ stop: () => stopGroup(simulator, 5000) });
    const output: string[] = [];
    for (const stream of [simulator.stdout!, simulator.stderr!]) createInterface({ input: stream }).on('line', (line) => output.push(line));
    const exited = new Promise<number | null>((resolve) => simulator.once('exit', (code) => resolve(code)));

    const begin = performance.now();
    const gatewayRss = sampleRss(gatewayPid);
    const simulatorRss = sampleRss(simulator.pid!);
    await new Promise((resolve) => setTimeout(resolve, options.warmupMs));
    const cpu = sampleCpu({ dynamodb: options.dynamoPid, gateway: gatewayPid, simulator: simulator.pid!, bench: process.pid });
    const window = () => new Promise((resolve) => setTimeout(resolve, options.windowMs));
    const profile = options.profileDir ? (await bracket(gatewayPid, options.profileDir, window)).profile : (await window(), undefined);
    const cpuShares = cpu.stop();
    const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 120_000))]);
    const gatewayPeak = gatewayRss.stop().peakMb;
    const simulatorPeak = simulatorRss.stop().peakMb;
    if (code !== 0) throw new Error(`the simulator ended with ${code}:\n${output.slice(-20).join('\n')}`);

    // The window: stats lines from the first after the warm-up to the last inside the window.
    const windowStart = begin + options.warmupMs;
    const windowEnd = windowStart + options.windowMs + 500;
    const inside = lines.filter((line) => line.atMs >= windowStart && line.atMs <= windowEnd && !line.final);
    if (inside.length < 2) throw new Error(`too few gateway stats lines in the window (${inside.length})`);
    const first = inside[0];
    const last = inside[inside.length - 1];
    const perSecond = ((last.stored - first.stored) / (last.atMs - first.atMs)) * 1000;
    const measured = inside.slice(1);
    const p50s = measured.flatMap((line) => (line.p50Ms === null ? [] : [line.p50Ms]));
    const p99s = measured.flatMap((line) => (line.p99Ms === null ? [] : [line.p99Ms]));

    await gateway.stop();
    const final = lines.find((line) => line.final) ?? lines[lines.length - 1];
    const summary = /this run: sent ([\d,]+), acknowledged ([\d,]+), rejected ([\d,]+), retries ([\d,]+)/.exec(output.join('\n'));
    const count = (index: number) => Number((summary?.[index] ?? 'NaN').replace(/,/g, ''));
    return {
      meters: options.fleet.length,
      perSecond: Math.round(perSecond),
      // Per-interval percentiles cannot be merged exactly: the median interval's p50, the worst interval's p99.
      p50Ms: p50s.length ? round(median(p50s)) : null,
      p99Ms: p99s.length ? round(Math.max(...p99s)) : null,
      windowSeconds: round((last.atMs - first.atMs) / 1000),
      gateway: {
        lanes: options.lanes,
        batch: options.batch,
        meanBatch: final?.meanBatch ?? NaN,
        idleRssMb: round(idleRssMb),
        peakRssMb: round(gatewayPeak),
        peakHeapMb: heap.peakMb(),
        duplicates: final?.duplicates ?? NaN,
        rejected: final?.rejected ?? {},
      },
      simulator: { peakRssMb: round(simulatorPeak), sent: count(1), acked: count(2), rejected: count(3), retries: count(4), speed, window: inFlight },
      cpu: cpuShares,
      ...(options.profileDir ? { profile, liveHeapMb: heap.liveMb() } : {}),
    };
  } finally {
    await gateway.stop();
  }
}
