// Bench customers and meters, registered straight through the domain (not HTTP, which is not what is
// measured here), and readings shaped like the simulator's: every meter every 5 minutes, meters spread.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import type { Context } from '../core/context';
import { withCheckDigits } from '../core/cpf';
import { registerCustomer, registerMeter } from '../core/customers';
import type { Reading } from '../core/model';
import type { FleetMeter } from '../meter/transport';
import { runLoad } from './measure';

/** `count` distinct valid CPFs. */
export function newCpfs(count: number): string[] {
  const cpfs = new Set<string>();
  while (cpfs.size < count) {
    const digits = withCheckDigits(String(randomInt(0, 1_000_000_000)).padStart(9, '0'));
    if (!/^(\d)\1{10}$/.test(digits)) cpfs.add(digits);
  }
  return [...cpfs];
}

/** Registers `count` customers with `metersPerCustomer` meters each, `concurrency` at a time. */
export async function registerFleet(
  context: Context,
  count: number,
  options: { metersPerCustomer?: number; concurrency?: number; maxMs?: number } = {},
): Promise<{ fleet: FleetMeter[]; perSecond: number }> {
  const metersPerCustomer = options.metersPerCustomer ?? 1;
  const cpfs = newCpfs(count);
  const fleet: FleetMeter[] = [];
  const result = await runLoad({
    concurrency: options.concurrency ?? 16,
    maxCount: count,
    maxMs: options.maxMs ?? 600_000,
    operation: async (n) => {
      const id = cpfs[n];
      await registerCustomer(context, { id, name: `Bench ${n + 1}` });
      for (let i = 0; i < metersPerCustomer; i++) {
        const meter = await registerMeter(context, { id });
        fleet.push({ id, m: meter.id_medidor, segredo: meter.segredo });
      }
    },
  });
  if (result.errors > 0) throw new Error(`registering the fleet failed: ${String(result.firstError)}`);
  if (fleet.length < count * metersPerCustomer) throw new Error(`registered ${fleet.length} meters in the time allowed, not ${count}`);
  return { fleet, perSecond: result.perSecond };
}

/** Registers `count` customers with one meter each, one after another (an in-memory repository answers at once). */
export async function registerMemoryFleet(context: Context, count: number): Promise<FleetMeter[]> {
  const fleet: FleetMeter[] = [];
  for (const [n, id] of newCpfs(count).entries()) {
    await registerCustomer(context, { id, name: `Bench ${n + 1}` });
    const meter = await registerMeter(context, { id });
    fleet.push({ id, m: meter.id_medidor, segredo: meter.segredo });
  }
  return fleet;
}

/** The simulator's fleet file (meter/fleet.ts format), so it runs with --no-register. */
export function writeFleetFile(stateDir: string, fleet: FleetMeter[]): void {
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(join(stateDir, 'fleet.json'), JSON.stringify({ meters: fleet }));
}

/**
 * Readings in time order from `startMs`: every meter once per `intervalMs`, each meter at its own
 * phase (as the simulator spreads them), kWh like the original meters' triangular(0, 300, mode 10).
 */
export function* readingStream(
  fleet: FleetMeter[],
  startMs: number,
  options: { intervalMs?: number; seq?: number } = {},
): Generator<Reading> {
  const intervalMs = options.intervalMs ?? 300_000;
  // A seq makes the transaction the gateway's (the meter's seqMaximo is raised with the reading).
  const seq = options.seq === undefined ? {} : { seq: options.seq };
  const phase = fleet.map((_, index) => Math.floor((index / fleet.length) * intervalMs / 1000) * 1000);
  for (let round = 0; ; round++) {
    for (const [index, meter] of fleet.entries()) {
      yield { customerId: meter.id, meterId: meter.m, valor: triangular(0, 300, 10), timestampMs: startMs + round * intervalMs + phase[index], ...seq };
    }
  }
}

function triangular(low: number, high: number, mode: number): number {
  const u = Math.random();
  const cut = (mode - low) / (high - low);
  const value = u < cut ? low + Math.sqrt(u * (high - low) * (mode - low)) : high - Math.sqrt((1 - u) * (high - low) * (high - mode));
  return Math.round(value * 1000) / 1000;
}

/** The next `count` readings of a stream. */
export function take(stream: Iterator<Reading>, count: number): Reading[] {
  const readings: Reading[] = [];
  for (let i = 0; i < count; i++) readings.push(stream.next().value as Reading);
  return readings;
}
