// `npm run chaos`: many simulated meters → a UDP fault hop → the gateway → a sick-database proxy →
// DynamoDB Local (file-backed), plus serverless offline, under a seeded schedule of faults (network,
// SIGKILL of every process, stalls, slowness, resets, throttling, 3 × overload); then the independent
// checker compares what the meters had acknowledged with what is stored. Exit 0 only when it is exact.
import { Command as Program, InvalidArgumentError } from 'commander';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDynamo, type RunningDynamo } from '../dev/dynamo';
import { startGateway, type RunningGateway } from '../dev/gateway';
import { startOffline, type RunningOffline } from '../dev/offline';
import { freePortBelowEphemeral } from '../dev/ports';
import { ensureTables } from '../dev/tables';
import { ensureFleet } from '../meter/fleet';
import { MeterSimulator } from '../meter/simulator';
import { check, type AckedReading, type Verdict } from './checker';
import { dbProxy, type DbProxy } from './dbProxy';
import { CLEAN_NETWORK, faultHop } from './network';
import { buildSchedule, seededRandom, WHAT, type Fault } from './schedule';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

interface Mode {
  name: 'quick' | 'full' | 'soak';
  trafficMs: number;
  meters: number;
  /** Readings per second the meters send outside the overload (the "sustainable" rate here). */
  rate: number;
  /** Fault windows × this (the blackout stays 10 s). */
  scale: number;
  drainMs: number;
}

function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text);
  if (!match) throw new InvalidArgumentError('a duration like 600, 90s, 10m or 1h');
  const unit: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };
  return Number(match[1]) * unit[match[2] ?? 's'];
}

function parseArguments(argv: string[]) {
  const program = new Program('npm run chaos --')
    .description('Fault campaign against the real processes; prints the checker\'s verdict (exit 0: nothing acknowledged lost or counted twice).')
    .option('--seed <n>', 'seed of the fault schedule and the readings', (text) => Number.parseInt(text, 10), 1)
    .option('--quick', 'a short campaign (≤ 2 minutes; npm test runs it)', false)
    .option('--soak <duration>', 'a long run at 1,000 meters, sampling the gateway\'s memory and descriptors every 10 s (e.g. 10m)', parseDuration)
    .option('--meters <n>', 'simulated meters', (text) => Number.parseInt(text, 10))
    .option('--rate <n>', 'readings per second outside the overload', (text) => Number(text))
    .option('--keep', 'keep the data folder (DynamoDB files, meters\' outbox, logs) after the run', false)
    .option('--json <file>', 'write the result as JSON here too');
  program.parse(argv, { from: 'user' });
  const options = program.opts<{ seed: number; quick: boolean; soak?: number; meters?: number; rate?: number; keep: boolean; json?: string }>();
  let mode: Mode;
  if (options.soak !== undefined) mode = { name: 'soak', trafficMs: options.soak, meters: 1000, rate: 60, scale: 1, drainMs: 180_000 };
  // One round of every fault, windows at 15 % (the blackout stays 10 s): ≈ 1.5–2 min in all on a loaded 2-core machine.
  else if (options.quick) mode = { name: 'quick', trafficMs: 40_000, meters: 40, rate: 25, scale: 0.15, drainMs: 60_000 };
  else mode = { name: 'full', trafficMs: 420_000, meters: 300, rate: 50, scale: 1, drainMs: 120_000 };
  if (options.meters) mode.meters = options.meters;
  if (options.rate) mode.rate = options.rate;
  return { ...options, mode };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const exited = (child: { exitCode: number | null; signalCode: string | null; once(event: 'exit', fn: () => void): unknown }) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((done) => child.once('exit', () => done()));

/** RSS (KB) and open descriptors of a process, from /proc. */
function sampleProcess(pid: number): { rssKb: number; fds: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0), fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined;
  }
}

interface FaultRecord extends Fault {
  what: string;
  observed: Record<string, number>;
  startedAt?: number;
  endedAt?: number;
  recoveredAt?: number;
}

async function main(): Promise<void> {
  const { seed, mode, keep, json } = parseArguments(process.argv.slice(2));
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'luz-chaos-'));
  const logFile = join(dir, 'chaos.log');
  const elapsed = () => ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  const log = (line: string) => {
    const text = `[chaos ${elapsed()} s] ${line}`;
    console.log(text);
    appendFileSync(logFile, `${new Date().toISOString()} ${text}\n`);
  };
  const random = seededRandom(seed);
  const staffKey = `luz_staff_chaos_${randomBytes(12).toString('hex')}`;
  process.env.LUZ_STAFF_KEY = staffKey; // the fleet registers through the API as staff
  const prefix = 'chaos-';
  const tariffFile = resolve('tariffs/b1-example.json');
  const timeZone = process.env.LUZ_TZ ?? 'America/Bahia';
  const [dynamoPort, httpPort, lambdaPort] = [await freePortBelowEphemeral(), await freePortBelowEphemeral(), await freePortBelowEphemeral()];
  const dataDir = join(dir, 'dynamodb');
  const endpoint = `http://127.0.0.1:${dynamoPort}`;
  log(`mode ${mode.name}, seed ${seed}, ${mode.meters} meters at ${mode.rate} readings/s, ${mode.trafficMs / 1000} s of traffic; data in ${dir}`);

  const cleanups: (() => Promise<void>)[] = [];
  let dynamo: RunningDynamo | undefined;
  let offline: RunningOffline | undefined;
  let gateway: RunningGateway | undefined;
  let interrupted = false;
  let proxy: DbProxy | undefined;
  const stopEverything = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    await gateway?.stop().catch(() => undefined);
    // After the gateway: what it still writes on its way out reaches the database, not a closed port.
    await proxy?.close().catch(() => undefined);
    proxy = undefined;
    await offline?.stop().catch(() => undefined);
    await dynamo?.stop().catch(() => undefined);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      log(`${signal}: stopping every process this run started`);
      void stopEverything().then(() => process.exit(130));
    });
  }

  // ---- the processes, as npm start runs them (the gateway's DynamoDB is the sick-database proxy)
  const startDb = () => startDynamo({ port: dynamoPort, dataDir });
  const sickDb = await dbProxy(dynamoPort, random);
  proxy = sickDb;
  const offlineEnv = { DYNAMODB_ENDPOINT: endpoint, LUZ_TABLE_PREFIX: prefix, STAFF_KEY: staffKey, TARIFF_FILE: tariffFile, LUZ_TZ: timeZone };
  const startApi = () => startOffline({ httpPort, lambdaPort, env: offlineEnv });
  // Each with its wall time (ms): the soak's figures compare windows and tell faults' lines from others.
  const errorLines: { time: number; line: string }[] = [];
  // Not the gateway's JSON: the SDK's own warnings on stderr (socket pool full), or a crash's trace.
  const otherLines: { time: number; line: string }[] = [];
  const p99s: { time: number; ms: number }[] = [];
  const onGatewayLine = (line: string) => {
    try {
      const event = JSON.parse(line) as { level?: string; message?: string; p99Ms?: number | null; _aws?: unknown };
      if (event.level === 'ERROR' || event.level === 'CRITICAL') errorLines.push({ time: Date.now(), line });
      if (event.message === 'stats' && typeof event.p99Ms === 'number') p99s.push({ time: Date.now(), ms: event.p99Ms });
    } catch {
      otherLines.push({ time: Date.now(), line });
    }
  };
  let udpPort = 0;
  const startUdp = () =>
    startGateway({
      env: {
        DYNAMODB_ENDPOINT: `http://127.0.0.1:${sickDb.port}`,
        LUZ_TABLE_PREFIX: prefix,
        TARIFF_FILE: tariffFile,
        LUZ_TZ: timeZone,
        UDP_PORT: String(udpPort),
        LUZ_WRITE_GROUPING: 'transaction',
        GATEWAY_BATCH_SIZE: '100',
        LUZ_ACCEPT_V1: '0',
        LUZ_LOG_LEVEL: 'info', // the stats line (p99 per 10 s) is info
        GATEWAY_STATS_SECONDS: '10',
      },
      stdio: 'pipe',
      onLine: onGatewayLine,
    });
  // The three starts need nothing of each other (the API and the gateway touch the tables only when
  // called): side by side, they cost the slowest (a JVM, or serverless offline building the handlers).
  const starts = await Promise.allSettled([startDb(), startApi(), startUdp()] as const);
  const [db, api, udp] = starts;
  if (db.status === 'fulfilled') dynamo = db.value;
  if (api.status === 'fulfilled') offline = api.value;
  if (udp.status === 'fulfilled') gateway = udp.value;
  const failed = starts.find((result) => result.status === 'rejected');
  if (failed) {
    await stopEverything();
    throw failed.reason;
  }
  await ensureTables(endpoint, prefix);
  const apiUrl = offline!.url;
  udpPort = gateway!.port!;
  const hop = await faultHop(udpPort, random);
  cleanups.push(() => hop.close());
  log(`DynamoDB Local :${dynamoPort} (proxy :${sickDb.port}), API ${apiUrl}, gateway :${udpPort} (hop :${hop.port})`);

  // ---- the meters, with their own record of what was acknowledged
  const stateDir = join(dir, 'meters');
  const fleet = await ensureFleet({ stateDir, count: mode.meters, metersPerCustomer: 3, apiUrl, register: true, concurrency: 4 });
  log(`registered ${fleet.length} meters of ${new Set(fleet.map((meter) => meter.id)).size} customers through the API`);
  const intervalSeconds = 300;
  const speed = (mode.rate * intervalSeconds) / mode.meters;
  const trafficStart = Date.now();
  const ackFile = join(dir, 'acked.jsonl');
  const acked: AckedReading[] = [];
  const retries = new Map<string, number>();
  const rejected: string[] = [];
  const simulator = await MeterSimulator.open({
    fleet,
    gateway: { host: '127.0.0.1', port: hop.port },
    stateDir,
    seed,
    intervalSeconds,
    speed,
    // The simulated clock reaches the wall clock as the traffic ends: no reading from the future, few late ones.
    startMs: Date.now() - (mode.trafficMs / 1000) * speed * 1000 - 60_000,
    model: 'original',
    rate: 1,
    protocol: 'v2',
    sockets: 16,
    window: 256,
    maxPending: 50_000,
    ackTimeoutMs: 1000,
    maxBackoffMs: 8000,
    timeZone,
    onAcknowledged: (entry, meter) => {
      const reading = { id: meter.id, m: meter.m, ts: entry.timestampMs, valor: entry.valor, at: Date.now() - trafficStart };
      acked.push(reading);
      appendFileSync(ackFile, `${JSON.stringify(reading)}\n`);
    },
    onRejected: (entry, meter, code, message) => rejected.push(`${meter.id}/${meter.m} seq ${entry.seq}: ${code} ${message}`),
    onRetry: (code) => retries.set(code, (retries.get(code) ?? 0) + 1),
  });
  cleanups.push(() => simulator.close());

  // ---- samples: the meters' backlog (recovery), the gateway's memory and descriptors, the API
  const backlog: { at: number; pending: number }[] = [];
  const resources: { at: number; rssKb: number; fds: number }[] = [];
  // Time the API did not answer (or answered 5xx), summed over the probes a second apart.
  let apiDownMs = 0;
  const backlogTimer = setInterval(() => backlog.push({ at: Date.now() - trafficStart, pending: simulator.status().pending }), 250);
  const resourceTimer = setInterval(() => {
    const sample = gateway?.child?.pid ? sampleProcess(gateway.child.pid) : undefined;
    if (sample) resources.push({ at: Date.now() - trafficStart, ...sample });
  }, 10_000);
  let probing = true;
  const probe = (async () => {
    let last = Date.now();
    while (probing) {
      try {
        const response = await fetch(`${apiUrl}/getFatura?id=${fleet[0].id}`, { headers: { authorization: `Bearer ${staffKey}` }, signal: AbortSignal.timeout(5000) });
        if (response.status >= 500) throw new Error(String(response.status));
        await response.body?.cancel();
      } catch {
        apiDownMs += Date.now() - last;
      }
      last = Date.now();
      await sleep(1000);
    }
  })();

  const counters = () => ({
    dropped: hop.counts.dropped,
    duplicated: hop.counts.duplicated,
    throttled: sickDb.counts.throttled,
    resets: sickDb.counts.resets,
    errorLines: errorLines.length,
    resends: simulator.status().retries,
    apiDownMs: apiDownMs,
    ...Object.fromEntries([...retries].map(([code, count]) => [`retry:${code}`, count])),
  });

  // ---- the faults
  const schedule = buildSchedule(seed, mode.trafficMs, mode.scale).filter((fault) => !(mode.name === 'soak' && fault.kind === 'kill-gateway'));
  const records: FaultRecord[] = schedule.map((fault) => ({ ...fault, what: WHAT[fault.kind], observed: {} }));
  const gatewayRestarts: number[] = [];
  const killAndRestart = async (which: 'gateway' | 'dynamodb' | 'offline', downMs: number) => {
    if (which === 'gateway') {
      const child = gateway!.child!;
      process.kill(-child.pid!, 'SIGKILL');
      await exited(child);
      await sleep(downMs);
      gateway = await startUdp();
      gatewayRestarts.push(Date.now() - trafficStart);
    } else if (which === 'dynamodb') {
      const child = dynamo!.child;
      child.kill('SIGKILL');
      await exited(child);
      await sleep(downMs);
      dynamo = await startDb();
    } else {
      const child = offline!.child;
      process.kill(-child.pid!, 'SIGKILL');
      await exited(child);
      await sleep(downMs);
      offline = await startApi();
    }
  };
  const apply = async (record: FaultRecord) => {
    const before = counters();
    record.startedAt = Date.now() - trafficStart;
    log(`fault ${record.kind} starts (${record.what}; ${(record.durationMs / 1000).toFixed(1)} s)`);
    switch (record.kind) {
      case 'network':
        Object.assign(hop.faults, { loss: 0.3, duplicate: 0.1, baseDelayMs: 5, jitterMs: 60 });
        await sleep(record.durationMs);
        Object.assign(hop.faults, CLEAN_NETWORK);
        break;
      case 'blackout':
        hop.faults.blackout = true;
        await sleep(record.durationMs);
        hop.faults.blackout = false;
        break;
      case 'kill-gateway':
        await killAndRestart('gateway', record.durationMs);
        break;
      case 'kill-dynamodb':
        await killAndRestart('dynamodb', record.durationMs);
        break;
      case 'kill-offline':
        await killAndRestart('offline', record.durationMs);
        break;
      case 'db-stall':
        sickDb.faults.stalled = true;
        await sleep(record.durationMs);
        sickDb.faults.stalled = false;
        break;
      case 'db-slow':
        sickDb.faults.delayMs = 150;
        await sleep(record.durationMs);
        sickDb.faults.delayMs = 0;
        break;
      case 'db-reset': {
        const until = Date.now() + record.durationMs;
        while (Date.now() < until) {
          sickDb.resetAll();
          await sleep(1500 + random() * 1000);
        }
        break;
      }
      case 'db-throttle':
        sickDb.faults.throttleRate = 0.3;
        await sleep(record.durationMs);
        sickDb.faults.throttleRate = 0;
        break;
      case 'overload':
        simulator.setInterval(intervalSeconds / 3);
        await sleep(record.durationMs);
        simulator.setInterval(intervalSeconds);
        break;
    }
    record.endedAt = Date.now() - trafficStart;
    const after = counters();
    record.observed = Object.fromEntries(
      Object.entries(after)
        .map(([name, value]) => [name, value - ((before as Record<string, number>)[name] ?? 0)] as const)
        .filter(([, value]) => value > 0),
    );
    log(`fault ${record.kind} ends: ${JSON.stringify(record.observed)}`);
  };

  simulator.start();
  log(`traffic starts: ${records.length} faults scheduled`);
  let failure: unknown;
  try {
    for (const record of records) {
      const wait = record.atMs - (Date.now() - trafficStart);
      if (wait > 0) await sleep(wait);
      await apply(record);
    }
    const rest = mode.trafficMs - (Date.now() - trafficStart);
    if (rest > 0) await sleep(rest);
    simulator.stopGenerating();
    log(`traffic ends; draining the meters' outboxes (up to ${mode.drainMs / 1000} s)`);
    const drained = await simulator.drain(mode.drainMs);
    log(drained ? 'outboxes empty' : `outboxes NOT empty: ${simulator.status().pending} readings unanswered`);
  } catch (error) {
    failure = error;
  }
  probing = false;
  await probe;
  clearInterval(backlogTimer);
  clearInterval(resourceTimer);
  const status = simulator.status();

  // Recovery: from the end of a fault until the backlog is back where it stood before the fault.
  for (const record of records) {
    if (record.startedAt === undefined || record.endedAt === undefined) continue;
    const baseline = backlog.filter((sample) => sample.at <= record.startedAt!).at(-1)?.pending ?? 0;
    const after = backlog.find((sample) => sample.at >= record.endedAt! && sample.pending <= baseline + 50);
    // The API is back when its restart answered (the fault ends there); the backlog may have drained by then.
    record.recoveredAt = after?.at ?? (backlog.at(-1)!.at <= record.endedAt ? record.endedAt : undefined);
  }

  let verdict: Verdict | undefined;
  if (!failure) {
    log(`checking ${acked.length} acknowledged readings against the tables and the API…`);
    try {
      verdict = await check({ acked, dynamoEndpoint: endpoint, tablePrefix: prefix, apiUrl, staffKey, tariffFile, timeZone });
    } catch (error) {
      failure = error;
    }
  }
  await stopEverything();

  const steadiness = steadyFigures({ mode, trafficStart, resources, p99s, errorLines, otherLines, records });
  const result = {
    mode: mode.name,
    seed,
    meters: mode.meters,
    ratePerSecond: mode.rate,
    trafficSeconds: mode.trafficMs / 1000,
    wallSeconds: Math.round((Date.now() - started) / 1000),
    load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    meterStatus: { sent: status.sent, acked: status.acked, retries: status.retries, rejected: status.rejected, pending: status.pending },
    rejected: rejected.slice(0, 10),
    retriesByCode: Object.fromEntries(retries),
    hop: hop.counts,
    proxy: sickDb.counts,
    gatewayErrorLines: errorLines.length,
    gatewayErrorSamples: errorLines.slice(0, 5).map((entry) => entry.line),
    gatewayP99Ms: p99s.map((entry) => ({ at: entry.time - trafficStart, ms: entry.ms })),
    gatewayResources: resources,
    steadiness,
    faults: records,
    verdict,
    failure: failure ? String((failure as Error)?.stack ?? failure) : undefined,
  };
  writeFileSync(join(dir, 'chaos-result.json'), JSON.stringify(result, null, 2));
  if (json) {
    mkdirSync(resolve(json, '..'), { recursive: true });
    writeFileSync(json, JSON.stringify(result, null, 2));
  }
  printReport(result, records, verdict);
  const clean =
    !failure && verdict !== undefined && status.pending === 0 && status.rejected === 0 &&
    verdict.lost === 0 && verdict.doubleCounted === 0 && verdict.phantom === 0 && verdict.wrongValue === 0 && verdict.invoiceMismatches === 0;
  if (failure) console.error(`[chaos] the run failed: ${result.failure}`);
  if (!keep && clean) rmSync(dir, { recursive: true, force: true });
  else console.log(`[chaos] data, logs and result kept in ${dir}`);
  console.log(clean ? 'VEREDITO: OK — 0 leituras confirmadas perdidas, 0 contadas duas vezes' : 'VEREDITO: FALHA');
  process.exit(clean ? 0 : 1);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

interface Window {
  first: number;
  last: number;
  growth: number | null;
}

/** Median of the first third of `values` against the median of the last third (null with fewer than 3). */
function firstAndLast(values: number[]): Window | null {
  const third = Math.floor(values.length / 3);
  if (third === 0) return null;
  const [first, last] = [median(values.slice(0, third)), median(values.slice(-third))];
  return { first, last, growth: first ? (last - first) / first : null };
}

type Steadiness = ReturnType<typeof steadyFigures>;

/**
 * The soak's figures, after the warm-up (the first fifth of the traffic): the gateway's RSS, open
 * descriptors and per-window p99, first third against last third — medians, so the descriptors' dip
 * while DynamoDB Local restarts, or one slow window, is not taken for growth. An error line is outside
 * the faults when no fault was under way and none had ended less than 30 s before.
 */
function steadyFigures(input: {
  mode: Mode;
  trafficStart: number;
  resources: { at: number; rssKb: number; fds: number }[];
  p99s: { time: number; ms: number }[];
  errorLines: { time: number; line: string }[];
  otherLines: { time: number; line: string }[];
  records: FaultRecord[];
}) {
  const warm = input.mode.trafficMs / 5;
  const resources = input.resources.filter((sample) => sample.at >= warm);
  const p99 = input.p99s.filter((entry) => entry.time - input.trafficStart >= warm).map((entry) => entry.ms);
  const windows = input.records.filter((record) => record.startedAt !== undefined).map((record) => [record.startedAt!, (record.endedAt ?? Infinity) + 30_000]);
  const calm = ({ time }: { time: number }) => !windows.some(([from, to]) => time - input.trafficStart >= from && time - input.trafficStart <= to);
  const outside = input.errorLines.filter(calm);
  const othersOutside = input.otherLines.filter(calm);
  return {
    rssKb: firstAndLast(resources.map((sample) => sample.rssKb)),
    fds: firstAndLast(resources.map((sample) => sample.fds)),
    p99Ms: firstAndLast(p99),
    p99MaxMs: p99.length ? Math.max(...p99) : null,
    /** Only the 10 s windows with no fault under way or ended < 30 s before. */
    p99CalmMs: firstAndLast(input.p99s.filter((entry) => entry.time - input.trafficStart >= warm && calm(entry)).map((entry) => entry.ms)),
    errorLines: input.errorLines.length,
    errorLinesOutsideFaults: outside.length,
    errorSamplesOutsideFaults: outside.slice(0, 5).map((entry) => entry.line),
    otherLines: input.otherLines.length,
    otherLinesOutsideFaults: othersOutside.length,
    otherSamplesOutsideFaults: othersOutside.slice(0, 3).map((entry) => entry.line),
  };
}

function printReport(result: { meterStatus: Record<string, number>; gatewayP99Ms: { ms: number }[]; steadiness: Steadiness }, records: FaultRecord[], verdict: Verdict | undefined) {
  const seconds = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
  console.log('\n| falha | início | duração | o que se observou | perdidas | duplicadas | recuperou em (kill: desde o SIGKILL) |');
  console.log('|---|---:|---:|---|---:|---:|---:|');
  for (const record of records) {
    const did = Object.entries(record.observed).map(([name, value]) => `${name} ${value}`).join(', ') || '—';
    // A kill is counted from the SIGKILL (the restart is part of the recovery); other faults from their end.
    const from = record.kind.startsWith('kill-') ? record.startedAt : record.endedAt;
    const recover = record.recoveredAt === undefined || from === undefined ? 'não' : seconds(record.recoveredAt - from);
    console.log(`| ${record.what} | ${seconds(record.startedAt)} | ${seconds(record.durationMs)} | ${did} | ${verdict?.lost ?? '?'} | ${verdict?.doubleCounted ?? '?'} | ${recover} |`);
  }
  console.log(`\nmedidores: ${JSON.stringify(result.meterStatus)}`);
  if (verdict) {
    const { problems, ...numbers } = verdict;
    console.log(`verificador: ${JSON.stringify(numbers)}`);
    for (const problem of problems) console.log(`  ${problem}`);
  }
  const p99 = result.gatewayP99Ms.map((entry) => entry.ms);
  if (p99.length) console.log(`gateway p99 (por janela de 10 s): mín ${Math.min(...p99)} ms, máx ${Math.max(...p99)} ms`);
  const { rssKb, fds, p99Ms, p99CalmMs, errorLines, errorLinesOutsideFaults, errorSamplesOutsideFaults, otherLines, otherLinesOutsideFaults, otherSamplesOutsideFaults } = result.steadiness;
  const window = (figure: Window | null, unit: string, scale = 1) =>
    figure === null ? 'amostras insuficientes' : `${(figure.first / scale).toFixed(1)} → ${(figure.last / scale).toFixed(1)} ${unit} (${figure.growth === null ? '—' : `${(figure.growth * 100).toFixed(1)} %`})`;
  console.log('após o aquecimento (mediana do primeiro terço → do último terço):');
  console.log(`  RSS do gateway ${window(rssKb, 'MB', 1024)}; descritores abertos ${window(fds, '')}`);
  console.log(`  p99 por janela ${window(p99Ms, 'ms')}; só janelas sem falha ${window(p99CalmMs, 'ms')}`);
  console.log(`linhas de erro do gateway: ${errorLines}, fora das falhas injetadas: ${errorLinesOutsideFaults}`);
  for (const line of errorSamplesOutsideFaults) console.log(`  ${line.slice(0, 300)}`);
  console.log(`outras linhas (fora do JSON do gateway: avisos do SDK, rastros): ${otherLines}, fora das falhas: ${otherLinesOutsideFaults}`);
  for (const line of otherSamplesOutsideFaults) console.log(`  ${line.slice(0, 300)}`);
}

void main().catch((error) => {
  console.error(`[chaos] ${(error as Error)?.stack ?? error}`);
  process.exit(1);
});
