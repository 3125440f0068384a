// Cold start: every function bundled as `serverless package` bundles it (the esbuild settings and plugins
// of serverless.yml), its size, and import + first invoke in a fresh Node process, beside an empty
// handler bundled and started the same way.
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { Context } from '../core/context';
import { registerCustomer, registerMeter } from '../core/customers';
import { recordReadings } from '../core/readings';
import { closeInvoice } from '../core/billing';
import { monthKeyOf } from '../core/periods';
import { newCpfs } from './fleet';
import { median, round } from './measure';
import { profileOptions, summarizeProfiles, type ProfileSummary } from './profile';

interface EsbuildSection {
  bundle?: boolean;
  minify?: boolean;
  sourcemap?: boolean;
  target?: string;
  platform?: 'node';
  format?: 'esm' | 'cjs';
  outputFileExtension?: string;
  exclude?: string[];
  external?: string[];
  banner?: Record<string, string>;
  plugins?: string;
}

function serverlessDocument(file: string): { custom: { esbuild: EsbuildSection }; functions: Record<string, { handler: string }> } {
  return parse(readFileSync(file, 'utf8'), {
    logLevel: 'silent',
    customTags: [
      { tag: '!GetAtt', resolve: (value: string) => value },
      { tag: '!Ref', resolve: (value: string) => value },
    ],
  });
}

/** The esbuild options serverless-esbuild derives from custom.esbuild (its own keys removed, `exclude` made external). */
export function esbuildOptions(file = resolve('serverless.yml')): BuildOptions & { outputFileExtension: string } {
  const section = serverlessDocument(file).custom.esbuild;
  const plugins: Plugin[] = section.plugins ? createRequire(import.meta.url)(resolve(section.plugins)) : [];
  return {
    bundle: section.bundle ?? true,
    minify: section.minify ?? false,
    sourcemap: section.sourcemap ?? false,
    target: section.target,
    platform: section.platform ?? 'node',
    format: section.format,
    external: [...(section.external ?? []), ...(section.exclude ?? [])],
    banner: section.banner,
    plugins,
    logLevel: 'silent',
    outputFileExtension: section.outputFileExtension ?? '.js',
  };
}

/** Function name → handler source file, from serverless.yml. */
export function functionEntries(file = resolve('serverless.yml')): { name: string; entry: string }[] {
  return Object.entries(serverlessDocument(file).functions).map(([name, { handler }]) => ({
    name,
    entry: `${handler.slice(0, handler.lastIndexOf('.'))}.ts`,
  }));
}

export interface Bundle {
  name: string;
  file: string;
  bytes: number;
}

/**
 * What a handler cannot avoid paying on AWS's runtime: importing the SDK (left to the runtime, as
 * serverless.yml does), building a client and making one first request. A floor under every function.
 */
const SDK_FLOOR_SOURCE = `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
export const handler = async (event) => {
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint: process.env.DYNAMODB_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const db = DynamoDBDocumentClient.from(client);
  await db.send(new GetCommand({ TableName: event.table, Key: event.key }));
  return { statusCode: 200, body: '{}' };
};
`;

/** What Powertools' Logger and Metrics cost a function on their own: import, one log line, one EMF document. */
const POWERTOOLS_FLOOR_SOURCE = `
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
const logger = new Logger({ serviceName: 'luz' });
const metrics = new Metrics({ namespace: 'Luz', serviceName: 'luz' });
export const handler = async (event, context) => {
  logger.addContext(context);
  logger.info('answered', { status: 200 });
  metrics.addMetric('readingsStored', MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  return { statusCode: 200, body: '{}' };
};
`;

/** Bundles every function, an empty handler (the ceiling), the SDK floor and the Powertools floor into `outDir`. */
export async function bundleFunctions(outDir: string): Promise<{ bundles: Bundle[]; empty: Bundle; sdkFloor: Bundle; powertoolsFloor: Bundle }> {
  const { outputFileExtension, ...options } = esbuildOptions();
  const one = async (name: string, entry: string): Promise<Bundle> => {
    const file = join(outDir, name, `handler${outputFileExtension}`);
    await build({ ...options, entryPoints: [entry], outfile: file });
    return { name, file, bytes: statSync(file).size };
  };
  mkdirSync(join(outDir, 'empty'), { recursive: true });
  const emptySource = join(outDir, 'empty', 'source.ts');
  writeFileSync(emptySource, "export const handler = async () => ({ statusCode: 200, body: '{}' });\n");
  const empty = await one('(empty handler)', emptySource);
  mkdirSync(join(outDir, 'sdk'), { recursive: true });
  const sdkSource = join(outDir, 'sdk', 'source.mjs');
  writeFileSync(sdkSource, SDK_FLOOR_SOURCE);
  const sdkFloor = await one('(AWS SDK import + client + first GetItem)', sdkSource);
  mkdirSync(join(outDir, 'powertools'), { recursive: true });
  const powertoolsSource = join(outDir, 'powertools', 'source.mjs');
  writeFileSync(powertoolsSource, POWERTOOLS_FLOOR_SOURCE);
  const powertoolsFloor = await one('(Powertools Logger + Metrics: import, a line, an EMF document)', powertoolsSource);
  const bundles: Bundle[] = [];
  for (const { name, entry } of functionEntries()) bundles.push(await one(name, entry));
  return { bundles, empty, sdkFloor, powertoolsFloor };
}

export interface ColdSample {
  importMs: number;
  invokeMs: number;
  totalMs: number;
  /** CPU time (user + system) of import + invoke: what the code costs, whatever the machine's load. */
  cpuMs: number;
  status: string;
}

/** One fresh process: import the bundle, invoke it once. */
function probe(file: string, event: unknown, env: Record<string, string>, execArgv: string[] = []): Promise<ColdSample> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...execArgv, 'bench/coldStartRunner.mjs', file, JSON.stringify(event)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err = (err + chunk).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(timer);
      try {
        const line = JSON.parse(out.trim().split('\n').pop() ?? '') as { importMs: number; invokeMs: number; cpuMs: number; status: unknown };
        resolvePromise({ importMs: line.importMs, invokeMs: line.invokeMs, totalMs: line.importMs + line.invokeMs, cpuMs: line.cpuMs, status: String(line.status) });
      } catch {
        reject(new Error(`cold-start probe of ${file} printed no result\n${out}\n${err}`));
      }
    });
  });
}

const HTTP_METHOD = /method:\s*'(GET|POST)'/;

/** An API Gateway event as the authorizer lets it through (staff), for a route's handler. */
function routeEvent(name: string, method: string, input: Record<string, unknown>) {
  return {
    resource: `/${name}`,
    path: `/${name}`,
    httpMethod: method,
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: method === 'GET' ? input : null,
    body: method === 'POST' ? JSON.stringify(input) : null,
    isBase64Encoded: false,
    requestContext: { authorizer: { principalId: 'staff', role: 'staff' } },
  };
}

export interface ColdStartResult {
  functions: (Bundle & ColdSample & { samples: number })[];
  empty: Bundle & ColdSample;
  /** Import of the AWS SDK, a client and one GetItem: what every function pays before its own code. */
  sdkFloor: Bundle & ColdSample;
  /** Powertools Logger + Metrics alone: import, one log line, one EMF document. */
  powertoolsFloor: Bundle & ColdSample;
  /** Ratio of the slowest function's import + first invoke to the empty handler's. */
  worst: { name: string; totalMs: number; bytes: number; largest: string };
  /** With --profile: one more fresh start of the slowest function, profiled from process start. */
  profile?: ProfileSummary;
}

/**
 * Bundles, then starts each function `repetitions` times in fresh processes against DynamoDB Local
 * (`context` must point at tables named `tablePrefix`; one customer is seeded there so every first
 * invoke does its real work). Medians are reported.
 */
export async function measureColdStarts(options: {
  context: Context;
  endpoint: string;
  tablePrefix: string;
  staffKey: string;
  repetitions: number;
  buildDir: string;
  profileDir?: string;
}): Promise<ColdStartResult> {
  const { context } = options;
  rmSync(options.buildDir, { recursive: true, force: true });
  const { bundles, empty, sdkFloor, powertoolsFloor } = await bundleFunctions(options.buildDir);

  const [customer, ...newCustomers] = newCpfs(2 + options.repetitions);
  await registerCustomer(context, { id: customer, name: 'Cold start' });
  await registerMeter(context, { id: customer });
  const now = Date.now();
  await recordReadings(
    context,
    Array.from({ length: 48 }, (_, i) => ({ customerId: customer, meterId: 1, valor: 0.75, timestampMs: now - 3 * 86_400_000 + i * 3_600_000 })),
  );
  const lastMonth = monthKeyOf(now - 32 * 86_400_000, 'America/Bahia');
  // faturaPdf renders a closed invoice: one is closed, a month fechaFatura never closes.
  const pdfMonth = monthKeyOf(now - 64 * 86_400_000, 'America/Bahia');
  await closeInvoice(context, customer, pdfMonth);
  const inputs: Record<string, (rep: number) => Record<string, unknown>> = {
    cadCliente: (rep) => ({ id: newCustomers[rep], name: 'Cold start' }),
    postConsumo: (rep) => ({ id: customer, id_medidor: 1, valor: 0.5, timestamp: Math.floor(now / 1000) - 3600 + rep }),
    getConsumoHist: () => ({ id: customer, kind: 'M', periodo: '0' }),
    fechaFatura: () => ({ id: customer, mes: lastMonth }),
    faturaPdf: () => ({ id: customer, mes: pdfMonth }),
    alarmes: () => ({}),
  };
  const eventFor = (name: string, entry: string, rep: number): unknown => {
    if (name === 'authorizer') {
      return { type: 'TOKEN', authorizationToken: `Bearer ${options.staffKey}`, methodArn: 'arn:aws:execute-api:us-east-1:123456789012:bench/dev/GET/getFatura' };
    }
    const source = readFileSync(entry, 'utf8');
    const method = HTTP_METHOD.exec(source)?.[1];
    // Not an HTTP route (the scheduled alarm sweep): an EventBridge scheduled event.
    if (!method) return { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
    return routeEvent(name, method, inputs[name]?.(rep) ?? { id: customer, id_medidor: 1 });
  };
  const env = { DYNAMODB_ENDPOINT: options.endpoint, LUZ_TABLE_PREFIX: options.tablePrefix, STAFF_KEY: options.staffKey };
  const entries = new Map(functionEntries().map(({ name, entry }) => [name, entry]));

  const samples = new Map<string, ColdSample[]>();
  const emptySamples: ColdSample[] = [];
  const sdkSamples: ColdSample[] = [];
  const powertoolsSamples: ColdSample[] = [];
  const sdkEvent = { table: `${options.tablePrefix}clientes`, key: { id: customer } };
  // Functions interleaved per repetition, so a burst of load elsewhere does not land on one of them.
  for (let rep = 0; rep < options.repetitions; rep++) {
    emptySamples.push(await probe(empty.file, {}, env));
    sdkSamples.push(await probe(sdkFloor.file, sdkEvent, env));
    powertoolsSamples.push(await probe(powertoolsFloor.file, {}, env));
    for (const bundle of bundles) {
      const sample = await probe(bundle.file, eventFor(bundle.name, entries.get(bundle.name)!, rep), env);
      samples.set(bundle.name, [...(samples.get(bundle.name) ?? []), sample]);
    }
  }
  const summary = (list: ColdSample[]): ColdSample => ({
    importMs: round(median(list.map((sample) => sample.importMs))),
    invokeMs: round(median(list.map((sample) => sample.invokeMs))),
    totalMs: round(median(list.map((sample) => sample.totalMs))),
    cpuMs: round(median(list.map((sample) => sample.cpuMs))),
    status: [...new Set(list.map((sample) => sample.status))].join('/'),
  });
  const functions = bundles.map((bundle) => ({ ...bundle, ...summary(samples.get(bundle.name)!), samples: options.repetitions }));
  const slowest = functions.reduce((worst, next) => (next.totalMs > worst.totalMs ? next : worst));
  const largest = functions.reduce((worst, next) => (next.bytes > worst.bytes ? next : worst));
  let profile: ProfileSummary | undefined;
  if (options.profileDir) {
    const dir = join(options.profileDir, `cold-${slowest.name}`);
    await probe(slowest.file, eventFor(slowest.name, entries.get(slowest.name)!, options.repetitions), env, [...profileOptions(dir), '--cpu-prof-interval', '100']);
    profile = summarizeProfiles(dir)[0];
  }
  rmSync(options.buildDir, { recursive: true, force: true });
  return {
    ...(profile ? { profile } : {}),
    functions,
    empty: { ...empty, ...summary(emptySamples) },
    sdkFloor: { ...sdkFloor, ...summary(sdkSamples) },
    powertoolsFloor: { ...powertoolsFloor, ...summary(powertoolsSamples) },
    worst: { name: slowest.name, totalMs: slowest.totalMs, bytes: largest.bytes, largest: largest.name },
  };
}
