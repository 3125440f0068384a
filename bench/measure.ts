// Measurement helpers: percentiles, bounded load loops (count and time), and an instrumented DynamoDB client.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Summary {
  count: number;
  p50: number;
  p99: number;
  mean: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((total, value) => total + value, 0) / Math.max(1, sorted.length);
  return { count: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), mean };
}

export const median = (values: number[]): number => percentile([...values].sort((a, b) => a - b), 0.5);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface LoadResult {
  /** Latency of each completed operation, ms. */
  latencies: number[];
  /** Operations that threw. */
  errors: number;
  firstError?: unknown;
  elapsedMs: number;
  perSecond: number;
}

/**
 * Runs `operation(n)` from `concurrency` workers until `maxCount` operations have started or
 * `maxMs` has passed, whichever comes first. Always stops by itself.
 */
export async function runLoad(options: {
  concurrency: number;
  maxCount: number;
  maxMs: number;
  operation: (n: number, worker: number) => Promise<unknown>;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: unknown;
  let started = 0;
  const begin = performance.now();
  const deadline = begin + options.maxMs;
  const worker = async (id: number) => {
    while (started < options.maxCount && performance.now() < deadline) {
      const n = started++;
      const t0 = performance.now();
      try {
        await options.operation(n, id);
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors += 1;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, id) => worker(id)));
  const elapsedMs = performance.now() - begin;
  return { latencies, errors, firstError, elapsedMs, perSecond: (latencies.length / elapsedMs) * 1000 };
}

/** One DynamoDB call as the instrumented client saw it. */
export interface Call {
  name: string;
  input: Record<string, unknown>;
  output?: Record<string, unknown>;
  startMs: number;
  endMs: number;
  /** The call failed (a failed condition, a cancelled transaction): AWS bills it all the same. */
  failed?: boolean;
}

/**
 * DynamoDB round trips of one operation: the longest chain of its calls in which each one starts
 * after the previous one ended (calls in parallel share a round trip).
 */
export function roundTrips(calls: Call[]): number {
  const sorted = [...calls].sort((a, b) => a.startMs - b.startMs);
  const depth: number[] = [];
  for (const [i, call] of sorted.entries()) {
    let deepest = 0;
    for (let j = 0; j < i; j++) if (sorted[j].endMs <= call.startMs) deepest = Math.max(deepest, depth[j]);
    depth[i] = deepest + 1;
  }
  return Math.max(0, ...depth);
}

/** Calls of the current logical operation (an invocation), kept per async context. */
export const callScope = new AsyncLocalStorage<Call[]>();

/** While `on`, transactions ask DynamoDB for their ConsumedCapacity (the write-cost cross-check). */
export const askCapacity = { on: false };

/** Wraps the document client's `send` so every call is recorded in the current `callScope` (if any). */
export function instrument(db: DynamoDBDocumentClient): DynamoDBDocumentClient {
  const send = db.send.bind(db) as (command: unknown, ...rest: unknown[]) => Promise<Record<string, unknown>>;
  const wrapped = async (command: { constructor: { name: string }; input: Record<string, unknown> }, ...rest: unknown[]) => {
    const name = command.constructor.name.replace(/Command$/, '');
    if (askCapacity.on && name === 'TransactWrite') command.input.ReturnConsumedCapacity = 'TOTAL';
    const calls = callScope.getStore();
    const call: Call = { name, input: command.input, startMs: performance.now(), endMs: 0 };
    try {
      call.output = await send(command, ...rest);
      return call.output;
    } catch (error) {
      call.failed = true;
      throw error;
    } finally {
      call.endMs = performance.now();
      calls?.push(call);
    }
  };
  (db as unknown as { send: typeof wrapped }).send = wrapped;
  return db;
}

/** Wall time during which at least one of the calls was in flight (parallel calls count once), ms. */
export function busyMs(calls: Call[]): number {
  const spans = calls.map((call) => [call.startMs, call.endMs]).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [start, end] = spans[0] ?? [0, 0];
  for (const [nextStart, nextEnd] of spans.slice(1)) {
    if (nextStart > end) {
      total += end - start;
      [start, end] = [nextStart, nextEnd];
    } else end = Math.max(end, nextEnd);
  }
  return total + (end - start);
}

export const round = (value: number, digits = 1): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};
