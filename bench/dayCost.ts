// The write-cost row: a simulated day of 15-minute readings from many meters, stored as the gateway
// stores them, each batch's customers' alarms refreshed as the gateway does, resends of stored
// readings, and the next day's fold (consolidate) — every request counted by AWS rules (writeCost.ts).
import { refreshAlarm } from '../core/alarms';
import type { Context } from '../core/context';
import type { Reading } from '../core/model';
import { recordReadings } from '../core/readings';
import { callScope, type Call } from './measure';
import { registerFleet } from './fleet';
import { CapacityModel, perReading, type CapacityCost } from './writeCost';

const SLOT_MS = 15 * 60_000;
const SLOTS = 96;
/** As the gateway's group commit (GATEWAY_BATCH_SIZE). */
const BATCH = 25;

export interface DayCost {
  meters: number;
  customers: number;
  readings: number;
  stored: number;
  resent: number;
  /** Storing (readings, resends, seq checkpoints, the fold), per stored reading. */
  store: ReturnType<typeof perReading>;
  /** The gateway's alarm refresh after each batch, per stored reading. */
  alarms: ReturnType<typeof perReading>;
  largestItemBytes: number;
  raw: { store: CapacityCost; alarms: CapacityCost };
}

export async function measureDayCost(options: {
  /** Context over an instrumented repository; its clock is replaced by the simulated one. */
  context: Context;
  customers: number;
  /** Share of readings sent twice (a lost acknowledgement). */
  resendRate: number;
  log: (message: string) => void;
}): Promise<DayCost> {
  const clock = { now: Date.now() };
  const context: Context = { ...options.context, now: () => clock.now };
  // One, two or three meters per customer, in turn: 2 on average.
  const fleets = await Promise.all([1, 2, 3].map((meters) => registerFleet(options.context, Math.ceil(options.customers / 3), { metersPerCustomer: meters, concurrency: 8 })));
  const fleet = fleets.flatMap(({ fleet: meters }) => meters);
  const customers = new Set(fleet.map(({ id }) => id)).size;
  options.log(`write cost: ${fleet.length} meters of ${customers} customers, ${SLOTS} readings each over a simulated day`);
  // A whole local day three days back, so the clock can walk through it and past it.
  const dayStart = Math.floor((Date.now() - 3 * 86_400_000) / 86_400_000) * 86_400_000 + 3 * 3_600_000;
  const storeCalls: Call[] = [];
  const alarmCalls: Call[] = [];
  let stored = 0;
  let readings = 0;
  let resent = 0;
  let resendNext: Reading[] = [];
  const touched = new Set<string>();
  for (let slot = 0; slot < SLOTS; slot++) {
    // Each meter a few seconds apart inside its slot, as real meters drift.
    const slotReadings = fleet.map((meter, index): Reading => ({
      customerId: meter.id,
      meterId: meter.m,
      // Printed in full, as the original meters send Python floats (the largest slots).
      valor: 0.05 + (((index * 7919 + slot * 104_729) % 100_003) / 100_003) * 0.4,
      timestampMs: dayStart + slot * SLOT_MS + (index % 600) * 1000,
    }));
    const queue = [...resendNext, ...slotReadings];
    resent += resendNext.length;
    resendNext = [];
    for (let start = 0; start < queue.length; start += BATCH) {
      const batch = queue.slice(start, start + BATCH);
      clock.now = Math.max(...batch.map(({ timestampMs }) => timestampMs)) + 2_000;
      const outcomes = await callScope.run(storeCalls, () => recordReadings(context, batch));
      readings += batch.length;
      stored += outcomes.filter(({ status }) => status === 'stored').length;
      for (const [index, outcome] of outcomes.entries()) {
        // Deterministic resends: every 1/resendRate-th stored reading's ack is "lost".
        if (outcome.status === 'stored' && (stored + index) % Math.round(1 / options.resendRate) === 0) resendNext.push(batch[index]);
      }
      for (const { customerId } of batch) touched.add(customerId);
    }
    // The gateway evaluates each customer with stored readings once per interval (5 s); a slot's
    // readings of one customer arrive within seconds of each other: one evaluation per customer per slot.
    await callScope.run(alarmCalls, () => Promise.all([...touched].map((id) => refreshAlarm(context, id))));
    touched.clear();
  }
  // The next day's sweep folds the day (consolidate), as avaliaAlarmes does.
  clock.now = dayStart + 86_400_000 + 26 * 3_600_000;
  await callScope.run(storeCalls, async () => {
    for (const id of new Set(fleet.map((meter) => meter.id))) {
      await context.repository.consolidate(id, { timeZone: context.settings.timeZone, nowMs: clock.now });
    }
  });
  const store = new CapacityModel().add(storeCalls).result();
  const alarms = new CapacityModel().add(alarmCalls).result();
  return {
    meters: fleet.length,
    customers,
    readings,
    stored,
    resent,
    store: perReading(store, stored),
    alarms: perReading(alarms, stored),
    largestItemBytes: store.largestItemBytes,
    raw: { store, alarms },
  };
}
