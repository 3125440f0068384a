// History independence: getFatura and getConsumoHist (M and Y) for a customer with many stored readings
// against the same customer shape with 100, through the real handlers in-process over DynamoDB Local.
// Readings are loaded through the repository (late readings: blocks with their month items), not HTTP,
// then folded as the scheduled sweep folds them; each query's read units are counted by AWS rules.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Context } from '../core/context';
import type { Reading } from '../core/model';
import { monthKeyOf, toLocal } from '../core/periods';
import { recordReadings } from '../core/readings';
import { startOfMonth } from '../meter/simulator';
import { registerFleet } from './fleet';
import { callScope, round, summarize, type Call } from './measure';
import { CapacityModel } from './writeCost';

type Handler = (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;

/** Three meters: the bound is ≤ 25 read units per request for a customer with three. */
const METERS = 3;
/** Readings per repository call. */
const LOAD_CHUNK = 300;
/** What the big customer's readings span, three meters every 15 minutes (100,000: ≈ 11 months). */
const spanOf = (bigReadings: number) => Math.ceil(bigReadings / METERS) * 15 * 60_000;

/**
 * `count` readings of one customer's meters spread evenly over `spanMs` before `endMs`, so both customers
 * have the same buckets and differ only in how many readings are behind them.
 */
function readingsBefore(customerId: string, meterIds: number[], count: number, endMs: number, spanMs: number): Reading[] {
  const rounds = Math.ceil(count / meterIds.length);
  const step = Math.floor(spanMs / rounds);
  const readings: Reading[] = [];
  for (let i = 0; i < count; i++) {
    const round = Math.floor(i / meterIds.length);
    readings.push({ customerId, meterId: meterIds[i % meterIds.length], valor: 0.125, timestampMs: endMs - (rounds - round) * step + (i % meterIds.length) * 1000 });
  }
  return readings;
}

export interface HistoryQueryResult {
  id: string;
  query: string;
  big: { p50: number; p99: number };
  small: { p50: number; p99: number };
  ratio: number;
  /** AWS read units of one request (big customer, small customer). */
  readUnits: { big: number; small: number };
  /** DynamoDB requests of one request. */
  requests: { big: number; small: number };
}

export interface HistoryResult {
  bigReadings: number;
  smallReadings: number;
  loadPerSecond: number;
  loadSeconds: number;
  queries: HistoryQueryResult[];
  worst: HistoryQueryResult;
}

/**
 * Loads the two customers into `context` (whose repository the handlers use), then runs each query
 * `repetitions` times per customer, alternating, and compares p50s.
 */
export async function measureHistory(options: { context: Context; bigReadings: number; smallReadings: number; repetitions: number }): Promise<HistoryResult> {
  const { context } = options;
  const timeZone = context.settings.timeZone;
  // The previous calendar month: complete, and entirely in the past.
  const now = Date.now();
  const thisMonth = startOfMonth(now, timeZone);
  const lastMonth = startOfMonth(thisMonth - 86_400_000, timeZone);
  const mes = monthKeyOf(lastMonth, timeZone);
  const yearsBack = toLocal(now, timeZone).year - toLocal(lastMonth, timeZone).year;

  const customers: Record<'big' | 'small', string> = { big: '', small: '' };
  let loadSeconds = 0;
  for (const [name, count] of [['small', options.smallReadings], ['big', options.bigReadings]] as const) {
    const { fleet } = await registerFleet(context, 1, { metersPerCustomer: METERS, concurrency: 1 });
    customers[name] = fleet[0].id;
    // Both end with the last month and start as far back as the big one's 15-minute readings reach.
    const readings = readingsBefore(fleet[0].id, fleet.map((meter) => meter.m), count, thisMonth, spanOf(options.bigReadings));
    const t0 = performance.now();
    for (let i = 0; i < readings.length; i += LOAD_CHUNK) {
      const chunk = readings.slice(i, i + LOAD_CHUNK);
      const outcomes = await recordReadings(context, chunk);
      const notStored = outcomes.filter((outcome) => outcome.status !== 'stored').length;
      if (notStored > 0) throw new Error(`loading the history: ${notStored} readings not stored`);
    }
    if (name === 'big') loadSeconds = (performance.now() - t0) / 1000;
    // What the scheduled sweep does once a day: fold the settled blocks into month items.
    await context.repository.consolidate(fleet[0].id, { timeZone, nowMs: now });
  }

  const queries: { id: string; label: string; route: 'getFatura' | 'getConsumoHist' | 'getAlarme'; input: Record<string, string> }[] = [
    { id: 'getFatura', label: `getFatura mes=${mes}`, route: 'getFatura', input: { mes } },
    // limit=100: both customers get a page of the same size, so only the history behind it differs.
    { id: 'getConsumoHist-M', label: 'getConsumoHist kind=M (last month)', route: 'getConsumoHist', input: { kind: 'M', periodo: '1', limit: '100' } },
    { id: 'getAlarme', label: 'getAlarme (this month; evaluates every rule)', route: 'getAlarme', input: {} },
    { id: 'getConsumoHist-Y', label: `getConsumoHist kind=Y (${yearsBack === 0 ? 'this' : 'last'} year)`, route: 'getConsumoHist', input: { kind: 'Y', periodo: String(yearsBack), limit: '100' } },
  ];
  const results: HistoryQueryResult[] = [];
  for (const query of queries) {
    const { handler } = (await import(`../functions/${query.route}/handler`)) as { handler: Handler };
    const call = async (id: string) => {
      const t0 = performance.now();
      const result = await handler(
        {
          httpMethod: 'GET',
          path: `/${query.route}`,
          headers: {},
          queryStringParameters: { id, ...query.input },
          body: null,
          isBase64Encoded: false,
          requestContext: { authorizer: { principalId: 'staff', role: 'staff' } },
        } as unknown as APIGatewayProxyEvent,
        { getRemainingTimeInMillis: () => 10_000 },
      );
      if (result.statusCode !== 200) throw new Error(`${query.label} answered ${result.statusCode}: ${result.body}`);
      return performance.now() - t0;
    };
    for (let i = 0; i < 5; i++) await call(customers.big).then(() => call(customers.small));
    const unitsOf = async (id: string) => {
      const calls: Call[] = [];
      await callScope.run(calls, () => call(id));
      return { units: new CapacityModel().add(calls).result().readUnits, requests: calls.length };
    };
    const [bigUnits, smallUnits] = [await unitsOf(customers.big), await unitsOf(customers.small)];
    const samples = { big: [] as number[], small: [] as number[] };
    for (let i = 0; i < options.repetitions; i++) {
      // Alternating, so drift in the machine's load falls on both equally.
      samples.big.push(await call(customers.big));
      samples.small.push(await call(customers.small));
    }
    const big = summarize(samples.big);
    const small = summarize(samples.small);
    results.push({
      id: query.id,
      query: query.label,
      big: { p50: round(big.p50, 2), p99: round(big.p99, 2) },
      small: { p50: round(small.p50, 2), p99: round(small.p99, 2) },
      ratio: round(big.p50 / small.p50, 2),
      readUnits: { big: bigUnits.units, small: smallUnits.units },
      requests: { big: bigUnits.requests, small: smallUnits.requests },
    });
  }
  return {
    bigReadings: options.bigReadings,
    smallReadings: options.smallReadings,
    loadPerSecond: Math.round(options.bigReadings / loadSeconds),
    loadSeconds: round(loadSeconds),
    queries: results,
    worst: results.reduce((worst, next) => (next.ratio > worst.ratio ? next : worst)),
  };
}
