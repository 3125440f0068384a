// API latency: each of the six contract routes over HTTP through `serverless offline` (authorizer
// included), at concurrency 1 and 16, against the route's own DynamoDB calls — recorded from the same
// handler invoked in-process with an instrumented client, so they are exactly the calls the route makes.
// The in-process invoke minus its DynamoDB time is the handler's own logic.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { Agent, request } from 'node:http';
import type { Context } from '../core/context';
import { registerCustomer, registerMeter } from '../core/customers';
import { recordReadings } from '../core/readings';
import { createDocumentClient } from '../core/store/client';
import { DynamoRepository } from '../core/store/dynamoRepository';
import { startOfMonth } from '../meter/simulator';
import { newCpfs } from './fleet';
import { startHelper } from './services';
import { busyMs, callScope, roundTrips, instrument, round, runLoad, summarize, type Call, type LoadResult } from './measure';
import { bracket, type ProfileSummary } from './profile';

export const ROUTES = ['cadCliente', 'cadMedidor', 'postConsumo', 'getAlarme', 'getConsumoHist', 'getFatura'] as const;
export type Route = (typeof ROUTES)[number];

interface RouteSpec {
  method: 'GET' | 'POST';
  status: number;
  input: (worker: number) => Record<string, unknown>;
}

/** Customers the read routes ask about and postConsumo writes to: one per concurrent worker. */
const API_CUSTOMERS = 16;

export interface ApiFixture {
  specs: Record<Route, RouteSpec>;
  /** The read routes' customers and each one's own token (the portal's credential). */
  readers: { id: string; token: string }[];
}

/**
 * Customers with a meter and 100 readings this month each (below the alarm limit, so postConsumo
 * takes its everyday path), and the inputs of every route. Fresh CPFs for cadCliente, separate
 * customers for cadMedidor (meters it adds never grow the read routes' customers).
 */
export async function apiFixture(context: Context, requests: number): Promise<ApiFixture> {
  const [readers, meterOwners, fresh] = [newCpfs(API_CUSTOMERS), newCpfs(API_CUSTOMERS), newCpfs(requests)];
  const now = Date.now();
  const lastSeeded = now - 2 * 3_600_000;
  const first = Math.min(startOfMonth(now, context.settings.timeZone), lastSeeded - 100_000);
  const step = Math.floor((lastSeeded - first) / 100);
  const tokens = new Map<string, string>();
  for (const id of [...readers, ...meterOwners]) {
    tokens.set(id, (await registerCustomer(context, { id, name: 'Bench API' })).token);
    await registerMeter(context, { id });
  }
  for (const id of readers) {
    await recordReadings(
      context,
      Array.from({ length: 100 }, (_, i) => ({ customerId: id, meterId: 1, valor: 1.5, timestampMs: first + i * step })),
    );
  }
  // The hourly sweep folds every customer once a day: the read routes meet customers in that steady state.
  for (const id of readers) await context.repository.consolidate(id, { timeZone: context.settings.timeZone, nowMs: now });
  let readingTime = Math.floor((now - 3_600_000) / 1000); // after the seeded readings, before now
  let freshIndex = 0;
  const specs: Record<Route, RouteSpec> = {
    cadCliente: { method: 'POST', status: 201, input: () => ({ id: fresh[freshIndex++ % fresh.length], name: 'Bench API' }) },
    cadMedidor: { method: 'POST', status: 201, input: (worker) => ({ id: meterOwners[worker % API_CUSTOMERS] }) },
    postConsumo: {
      method: 'POST',
      status: 201,
      input: (worker) => ({ id: readers[worker % API_CUSTOMERS], id_medidor: 1, valor: 0.25, timestamp: readingTime++ }),
    },
    getAlarme: { method: 'GET', status: 200, input: (worker) => ({ id: readers[worker % API_CUSTOMERS] }) },
    getConsumoHist: { method: 'GET', status: 200, input: (worker) => ({ id: readers[worker % API_CUSTOMERS], kind: 'M', periodo: '0' }) },
    getFatura: { method: 'GET', status: 200, input: (worker) => ({ id: readers[worker % API_CUSTOMERS] }) },
  };
  return { specs, readers: readers.map((id) => ({ id, token: tokens.get(id)! })) };
}

/** Requests that wrote (getAlarme storing a transition) are left out of the read routes' round trips. */
const WRITES = /Put|Update|Delete|TransactWrite|BatchWrite/;

function tripsOf(calls: Call[][]): { roundTrips: number; maxRoundTrips: number } {
  const reads = calls.filter((list) => !list.some((call) => WRITES.test(call.name)));
  const trips = (reads.length > 0 ? reads : calls).map(roundTrips);
  return { roundTrips: round(trips.reduce((a, b) => a + b, 0) / Math.max(1, trips.length), 2), maxRoundTrips: Math.max(0, ...trips) };
}

const agent = new Agent({ keepAlive: true, maxSockets: 32 });

/** One request; resolves with the status, rejects on a network error. */
function send(url: string, route: string, spec: RouteSpec, input: Record<string, unknown>, credential: string): Promise<number> {
  const target = new URL(`${url}/${route}`);
  let body: string | undefined;
  if (spec.method === 'GET') for (const [key, value] of Object.entries(input)) target.searchParams.set(key, String(value));
  else body = JSON.stringify(input);
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: spec.method,
        agent,
        headers: { authorization: `Bearer ${credential}`, ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

type Handler = (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;

function event(route: string, spec: RouteSpec, input: Record<string, unknown>): APIGatewayProxyEvent {
  return {
    resource: `/${route}`,
    path: `/${route}`,
    httpMethod: spec.method,
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: spec.method === 'GET' ? Object.fromEntries(Object.entries(input).map(([k, v]) => [k, String(v)])) : null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: spec.method === 'POST' ? JSON.stringify(input) : null,
    isBase64Encoded: false,
    requestContext: { authorizer: { principalId: 'staff', role: 'staff' } } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

const LAMBDA_CONTEXT = { getRemainingTimeInMillis: () => 10_000, functionName: 'bench', awsRequestId: 'bench' };

export interface LevelResult {
  concurrency: number;
  http: { p50: number; p99: number; perSecond: number; errors: number };
  /** calls and round trips: mean per request; maxRoundTrips: the most one request took. */
  dynamodb: { p50: number; p99: number; calls: number; roundTrips: number; maxRoundTrips: number };
  inProcess: { p50: number; p99: number; errors: number };
  /** HTTP p50 minus the DynamoDB calls' p50, ms. */
  overheadMs: number;
}

export interface RouteResult {
  route: Route;
  coldFirstRequestMs: number;
  /** In-process invoke minus its DynamoDB time, p50 at concurrency 1 (the handler's own logic). */
  handlerLogicP50Ms: number;
  levels: LevelResult[];
  /** With --profile: the serverless offline process during this route's HTTP run at concurrency 16. */
  offlineProfile?: ProfileSummary;
}

const checkedLoad = async (label: string, load: Promise<LoadResult>): Promise<LoadResult> => {
  const result = await load;
  if (result.latencies.length === 0) throw new Error(`${label}: no request succeeded (${String(result.firstError)})`);
  return result;
};

/**
 * Measures every route: HTTP (first request cold, then warmed), then in-process with the instrumented
 * repository swapped into the handlers' context. `requests[c]` and `maxMs` bound each level.
 */
export async function measureApi(options: {
  url: string;
  staffKey: string;
  endpoint: string;
  tablePrefix: string;
  fixture: ApiFixture;
  /** The handlers' own process-wide context (functions/runtime.ts), built from the environment. */
  handlerContext: () => Context;
  levels: { concurrency: number; requests: number }[];
  warmup: number;
  maxMs: number;
  /** Profile the offline process (started with probeEnvironment) during these routes' concurrency-16 HTTP runs. */
  profile?: { pid: number; dir: string; routes: Route[] };
}): Promise<RouteResult[]> {
  const { specs } = options.fixture;
  // The handlers read config once; the instrumented repository then replaces theirs.
  options.handlerContext().repository = new DynamoRepository(
    instrument(createDocumentClient({ endpoint: options.endpoint, region: 'us-east-1' })),
    options.tablePrefix,
    { timeZone: 'America/Bahia', writeGrouping: 'item' },
  );
  const results: RouteResult[] = [];
  for (const route of ROUTES) {
    const spec = specs[route];
    const http = (worker: number) =>
      send(options.url, route, spec, spec.input(worker), options.staffKey).then((status) => {
        if (status !== spec.status) throw new Error(`${route} answered ${status}, expected ${spec.status}`);
      });
    const t0 = performance.now();
    await http(0);
    const coldFirstRequestMs = round(performance.now() - t0);
    for (let i = 0; i < options.warmup; i++) await http(0);

    const { handler } = (await import(`../functions/${route}/handler`)) as { handler: Handler };
    const invoke = async (worker: number, calls: Call[][]) => {
      const mine: Call[] = [];
      const result = await callScope.run(mine, () => handler(event(route, spec, spec.input(worker)), LAMBDA_CONTEXT));
      if (result.statusCode !== spec.status) throw new Error(`${route} in-process answered ${result.statusCode}: ${result.body}`);
      calls.push(mine);
    };
    for (let i = 0; i < options.warmup; i++) await invoke(0, []);

    const levels: LevelResult[] = [];
    let handlerLogicP50Ms = NaN;
    let offlineProfile: ProfileSummary | undefined;
    for (const { concurrency, requests } of options.levels) {
      const httpLoad = () => checkedLoad(`${route} HTTP`, runLoad({ concurrency, maxCount: requests, maxMs: options.maxMs, operation: (_, worker) => http(worker) }));
      const viaHttp = await httpLoad();
      if (options.profile && concurrency === 16 && options.profile.routes.includes(route)) {
        // A second run under the profiler, so the measured one carries no profiling cost.
        offlineProfile = (await bracket(options.profile.pid, options.profile.dir, httpLoad)).profile;
      }
      const calls: Call[][] = [];
      const inProcess = await checkedLoad(
        `${route} in-process`,
        runLoad({ concurrency, maxCount: requests, maxMs: options.maxMs, operation: (_, worker) => invoke(worker, calls) }),
      );
      const dynamo = summarize(calls.map(busyMs));
      const httpSummary = summarize(viaHttp.latencies);
      const invokeSummary = summarize(inProcess.latencies);
      if (concurrency === 1) {
        // Pairs of (invoke, its DynamoDB time) are in completion order on both lists at concurrency 1.
        handlerLogicP50Ms = round(summarize(inProcess.latencies.map((ms, i) => ms - busyMs(calls[i] ?? []))).p50, 2);
      }
      levels.push({
        concurrency,
        http: { p50: round(httpSummary.p50), p99: round(httpSummary.p99), perSecond: Math.round(viaHttp.perSecond), errors: viaHttp.errors },
        dynamodb: { p50: round(dynamo.p50), p99: round(dynamo.p99), calls: round(calls.reduce((n, list) => n + list.length, 0) / Math.max(1, calls.length)), ...tripsOf(calls) },
        inProcess: { p50: round(invokeSummary.p50), p99: round(invokeSummary.p99), errors: inProcess.errors },
        overheadMs: round(httpSummary.p50 - dynamo.p50),
      });
    }
    results.push({ route, coldFirstRequestMs, handlerLogicP50Ms, levels, ...(offlineProfile ? { offlineProfile } : {}) });
  }
  return results;
}

export interface PlainLevel {
  concurrency: number;
  p50: number;
  p99: number;
  perSecond: number;
}

const GET_FATURA: RouteSpec = { method: 'GET', status: 200, input: () => ({}) };

/** getFatura over HTTP at each level, `input(worker)` asked with `credential(worker)`. */
async function faturaLevels(
  url: string,
  levels: { concurrency: number; requests: number }[],
  maxMs: number,
  input: (worker: number) => Record<string, unknown>,
  credential: (worker: number) => string,
): Promise<PlainLevel[]> {
  const once = (worker: number) =>
    send(url, 'getFatura', GET_FATURA, input(worker), credential(worker)).then((status) => {
      if (status !== 200) throw new Error(`getFatura answered ${status}`);
    });
  for (let i = 0; i < 3; i++) await once(0);
  const out: PlainLevel[] = [];
  for (const { concurrency, requests } of levels) {
    const load = await checkedLoad('getFatura', runLoad({ concurrency, maxCount: requests, maxMs, operation: (_, worker) => once(worker) }));
    const { p50, p99 } = summarize(load.latencies);
    out.push({ concurrency, p50: round(p50), p99: round(p99), perSecond: Math.round(load.perSecond) });
  }
  return out;
}

export type PortalKind = 'customer' | 'staff' | 'floor';
const PORTAL_KINDS: PortalKind[] = ['staff', 'customer', 'floor'];

/**
 * getFatura three ways, interleaved so all meet the same machine: with the staff key; with each
 * customer's own token (the portal's path); and refused with 400 after the authorizer (a bad `mes`,
 * staff key): the same HTTP stack, authorizer invocation and handler chain without DynamoDB, i.e. the
 * emulator's own per-request floor. At c1 request n takes kind n mod 3; at c16, worker w kind w mod 3.
 */
export async function measurePortal(
  url: string,
  fixture: ApiFixture,
  levels: { concurrency: number; requests: number }[],
  maxMs: number,
  staffKey: string,
): Promise<Record<PortalKind, PlainLevel[]>> {
  const reader = (worker: number) => fixture.readers[worker % fixture.readers.length];
  const ask = (worker: number, kind: PortalKind) => {
    const input = kind === 'floor' ? { id: reader(worker).id, mes: 'x' } : { id: reader(worker).id };
    return send(url, 'getFatura', GET_FATURA, input, kind === 'customer' ? reader(worker).token : staffKey).then((status) => {
      if (status !== (kind === 'floor' ? 400 : 200)) throw new Error(`getFatura (${kind}) answered ${status}`);
    });
  };
  for (let worker = 0; worker < fixture.readers.length; worker++) await ask(worker, 'customer'); // every token's first decision
  const out: Record<PortalKind, PlainLevel[]> = { customer: [], staff: [], floor: [] };
  for (const { concurrency, requests } of levels) {
    const latencies: Record<PortalKind, number[]> = { customer: [], staff: [], floor: [] };
    const load = await checkedLoad(
      'getFatura portal',
      runLoad({
        concurrency,
        maxCount: requests,
        maxMs,
        operation: async (n, worker) => {
          const kind = PORTAL_KINDS[(concurrency === 1 ? n : worker) % PORTAL_KINDS.length];
          const t0 = performance.now();
          await ask(worker, kind);
          latencies[kind].push(performance.now() - t0);
        },
      }),
    );
    for (const kind of PORTAL_KINDS) {
      const { p50, p99 } = summarize(latencies[kind]);
      out[kind].push({ concurrency, p50: round(p50), p99: round(p99), perSecond: Math.round((latencies[kind].length / load.elapsedMs) * 1000) });
    }
  }
  return out;
}

/**
 * The system Luz replaces, in the same run: bench/servers/original.py (in memory, a thread per
 * request, an invoice by scanning every reading), seeded with 100 readings of one customer, as the
 * issue's side-by-side harness did; then getFatura at the same levels as Luz.
 */
export async function measureOriginal(levels: { concurrency: number; requests: number }[], maxMs: number): Promise<PlainLevel[]> {
  const { helper, ready } = await startHelper('bench/servers/original.py', []);
  try {
    const url = `http://127.0.0.1:${ready.port as number}`;
    const cpf = newCpfs(1)[0];
    const post: RouteSpec = { method: 'POST', status: 201, input: () => ({}) };
    const start = Math.floor(Date.now() / 1000) - 100 * 900;
    for (let i = 0; i < 100; i++) {
      const status = await send(url, 'postConsumo', post, { id: cpf, id_medidor: 1, valor: 1.5, timestamp: start + i * 900 }, 'none');
      if (status !== 201) throw new Error(`the original stand-in answered ${status} to postConsumo`);
    }
    return await faturaLevels(url, levels, maxMs, () => ({ id: cpf }), () => 'none');
  } finally {
    await helper.stop();
  }
}
