// History independence: getFatura and getConsumoHist (M and Y) for a customer with many stored readings
// against the same customer shape with 100, through the real handlers in-process over DynamoDB Local.
// Readings are loaded through the repository's group commit (100-item transactions), not HTTP.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Context } from '../core/context';
import type { Reading } from '../core/model';
import { monthKeyOf, toLocal } from '../core/periods';
import { recordReadings } from '../core/readings';
import { startOfMonth } from '../meter/simulator';
import { registerFleet } from './fleet';
import { callScope, round, summarize, type Call } from './measure';
import { writeCost, type WriteCost } from './writeCost';

type Handler = (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;

const METERS = 10;
/** Readings per repository call; the repository splits them into 100-item transactions. */
const LOAD_CHUNK = 300;

/** `count` readings of one customer's 10 meters, spread evenly over the month that starts at `monthStartMs`. */
function monthOfReadings(customerId: string, meterIds: number[], count: number, monthStartMs: number, monthMs: number): Reading[] {
  const rounds = Math.ceil(count / meterIds.length);
  const step = Math.floor(monthMs / rounds);
  const readings: Reading[] = [];
  for (let i = 0; i < count; i++) {
    const round = Math.floor(i / meterIds.length);
    readings.push({ customerId, meterId: meterIds[i % meterIds.length], valor: 0.125, timestampMs: monthStartMs + round * step + (i % meterIds.length) * 1000 });
  }
  return readings;
}

export interface HistoryQueryResult {
  id: string;
  query: string;
  big: { p50: number; p99: number };
  small: { p50: number; p99: number };
  ratio: number;
}

export interface HistoryResult {
  bigReadings: number;
  smallReadings: number;
  loadPerSecond: number;
  loadSeconds: number;
  queries: HistoryQueryResult[];
  worst: HistoryQueryResult;
  /** Write cost when one customer's readings share transactions (the load's first transactions). */
  loadWriteCost: WriteCost;
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
  const monthMs = thisMonth - lastMonth;
  const mes = monthKeyOf(lastMonth, timeZone);
  const yearsBack = toLocal(now, timeZone).year - toLocal(lastMonth, timeZone).year;

  const customers: Record<'big' | 'small', string> = { big: '', small: '' };
  let loadSeconds = 0;
  const costSample: Call[] = [];
  let costStored = 0;
  for (const [name, count] of [['small', options.smallReadings], ['big', options.bigReadings]] as const) {
    const { fleet } = await registerFleet(context, 1, { metersPerCustomer: METERS, concurrency: 1 });
    customers[name] = fleet[0].id;
    const readings = monthOfReadings(fleet[0].id, fleet.map((meter) => meter.m), count, lastMonth, monthMs);
    const t0 = performance.now();
    // One customer's readings share roll-up items, so they go one transaction after another.
    for (let i = 0; i < readings.length; i += LOAD_CHUNK) {
      const chunk = readings.slice(i, i + LOAD_CHUNK);
      // The first chunks of the big load are the write-cost sample of a customer whose readings share transactions.
      const sampled = name === 'big' && i < 10 * LOAD_CHUNK;
      const outcomes = sampled ? await callScope.run(costSample, () => recordReadings(context, chunk)) : await recordReadings(context, chunk);
      if (sampled) costStored += chunk.length;
      const notStored = outcomes.filter((outcome) => outcome.status !== 'stored').length;
      if (notStored > 0) throw new Error(`loading the history: ${notStored} readings not stored`);
    }
    if (name === 'big') loadSeconds = (performance.now() - t0) / 1000;
  }

  const queries: { id: string; label: string; route: 'getFatura' | 'getConsumoHist'; input: Record<string, string> }[] = [
    { id: 'getFatura', label: `getFatura mes=${mes}`, route: 'getFatura', input: { mes } },
    // limit=100: both customers get a page of the same size, so only the history behind it differs.
    { id: 'getConsumoHist-M', label: 'getConsumoHist kind=M (last month)', route: 'getConsumoHist', input: { kind: 'M', periodo: '1', limit: '100' } },
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
    });
  }
  return {
    bigReadings: options.bigReadings,
    smallReadings: options.smallReadings,
    loadPerSecond: Math.round(options.bigReadings / loadSeconds),
    loadSeconds: round(loadSeconds),
    queries: results,
    worst: results.reduce((worst, next) => (next.ratio > worst.ratio ? next : worst)),
    loadWriteCost: writeCost(costSample, costStored),
  };
}
