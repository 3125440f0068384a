// Exactly-once delivery from v2 meters (signed datagrams) to DynamoDB Local, whatever happens on the
// way: a lossy, duplicating, reordering network; a gateway killed with SIGKILL; a simulator killed with SIGKILL.
// Expected kWh are recomputed from the load model and the seed, independently of any bookkeeping.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { faultHop } from '../chaos/network';
import { loadConfig } from '../core/config';
import { registerCustomer, registerMeter } from '../core/customers';
import { Decimal } from '../core/decimal';
import { createContext } from '../core/wiring';
import { startGateway, type RunningGateway } from '../dev/gateway';
import { stopGroup } from '../dev/offline';
import { readingKwh } from '../meter/loadModel';
import { MeterSimulator, type SimulatorOptions } from '../meter/simulator';
import type { FleetMeter } from '../meter/transport';
import { startGatewayServer } from '../udp-gateway/server';
import { apiUrl, gatewayOptions, newCpf, staffKey } from './fixtures';

const ZONE = 'America/Bahia';
const context = createContext(
  loadConfig({ DYNAMODB_ENDPOINT: process.env.LUZ_TEST_DYNAMODB, LUZ_TABLE_PREFIX: process.env.LUZ_TEST_TABLE_PREFIX }),
);
const stateDirs: string[] = [];
afterAll(() => {
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'luz-meter-'));
  stateDirs.push(dir);
  return dir;
}

async function fleetOf(customers: number, metersEach: number): Promise<FleetMeter[]> {
  const fleet: FleetMeter[] = [];
  for (let c = 0; c < customers; c++) {
    const id = newCpf();
    await registerCustomer(context, { id, name: 'Frota' });
    for (let m = 1; m <= metersEach; m++) {
      const meter = await registerMeter(context, { id });
      fleet.push({ id, m: meter.id_medidor, segredo: meter.segredo });
    }
  }
  return fleet;
}

/** What the meters must have sent per customer: the load model replayed from the seed. */
function expectedKwh(fleet: FleetMeter[], seed: number, readingsPerMeter: number): Map<string, Decimal> {
  const sums = new Map<string, Decimal>();
  for (const [meter, { id }] of fleet.entries()) {
    for (let reading = 0; reading < readingsPerMeter; reading++) {
      const kwh = readingKwh('original', { seed, meter, reading, timestampMs: 0, intervalSeconds: 300, rate: 1, timeZone: ZONE });
      sums.set(id, (sums.get(id) ?? new Decimal(0)).plus(kwh));
    }
  }
  return sums;
}

/** Stored readings and kWh per customer in a month: counted reading by reading, and from the roll-up. */
async function stored(ids: string[], month: string): Promise<Map<string, { readings: number; kwh: string; rollup: string }>> {
  const result = new Map<string, { readings: number; kwh: string; rollup: string }>();
  const startMs = Date.parse(`${month}-01T03:00:00Z`);
  const range = { startMs: startMs - 2 * 86_400_000, endMs: startMs + 33 * 86_400_000 };
  for (const id of ids) {
    let readings = 0;
    let kwh = new Decimal(0);
    let cursor: string | undefined;
    do {
      const page = await context.repository.listReadings(id, range, { limit: 500, cursor });
      readings += page.readings.length;
      for (const reading of page.readings) kwh = kwh.plus(reading.valor);
      cursor = page.cursor ?? undefined;
    } while (cursor);
    const rollup = (await context.repository.sumBuckets(id, 'month', month, month)).get(month) ?? new Decimal(0);
    result.set(id, { readings, kwh: kwh.toString(), rollup: rollup.toString() });
  }
  return result;
}

function expectedStored(fleet: FleetMeter[], seed: number, readingsPerMeter: number) {
  const meters = new Map<string, number>();
  for (const { id } of fleet) meters.set(id, (meters.get(id) ?? 0) + 1);
  return new Map(
    [...expectedKwh(fleet, seed, readingsPerMeter)].map(([id, kwh]) => [
      id,
      { readings: meters.get(id)! * readingsPerMeter, kwh: kwh.toString(), rollup: kwh.toString() },
    ]),
  );
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function simulatorOptions(overrides: Partial<SimulatorOptions> & Pick<SimulatorOptions, 'fleet' | 'gateway' | 'startMs'>): SimulatorOptions {
  return {
    stateDir: stateDir(),
    seed: 11,
    intervalSeconds: 300,
    speed: 1e6,
    model: 'original',
    rate: 1,
    protocol: 'v2',
    sockets: 8,
    window: 100,
    maxPending: 5000,
    ackTimeoutMs: 250,
    maxBackoffMs: 1500,
    timeZone: ZONE,
    ...overrides,
  };
}

const gatewayEnv = (port: number) => ({
  DYNAMODB_ENDPOINT: process.env.LUZ_TEST_DYNAMODB!,
  LUZ_TABLE_PREFIX: process.env.LUZ_TEST_TABLE_PREFIX!,
  UDP_PORT: String(port),
  LUZ_LOG_LEVEL: 'warn',
});

describe('exactly-once delivery', () => {
  it('1,000 readings from 50 meters through a hop that drops 30%, duplicates and reorders, with a small replay window: stored kWh == sent kWh, exactly', async () => {
    // A window of 500 seqs (1,000 readings share the simulator's counter): late resends and reordering
    // are the rule here, and the simulator must keep every reading it owes inside the window.
    const gateway = await startGatewayServer(context, gatewayOptions({ lanes: 8, replayWindow: 500 }));
    const hop = await faultHop(gateway.address.port, Math.random, { loss: 0.3, duplicate: 0.1, jitterMs: 30 });
    const fleet = await fleetOf(25, 2);
    const simulator = await MeterSimulator.open(
      simulatorOptions({
        fleet,
        gateway: { host: '127.0.0.1', port: hop.port },
        startMs: Date.parse('2025-05-06T12:00:00Z'),
        readingsPerMeter: 20,
        window: 1000,
        replayWindow: 500,
        // Short waits keep the test quick; the gateway answers resends of stored readings from memory.
        ackTimeoutMs: 300,
        maxBackoffMs: 600,
      }),
    );
    try {
      simulator.start();
      await until(() => simulator.finished(), 120_000, 'the simulator to have every reading acknowledged');
      expect(simulator.status()).toMatchObject({ sent: 1000, acked: 1000, rejected: 0, pending: 0 });
      expect(hop.counts.dropped).toBeGreaterThan(100);
      expect(hop.counts.duplicated).toBeGreaterThan(20);
      const ids = [...new Set(fleet.map((meter) => meter.id))];
      expect(await stored(ids, '2025-05')).toEqual(expectedStored(fleet, 11, 20));
      // Each reading was written once; everything else the gateway saw was a resend or a copy.
      expect(gateway.stats()).toMatchObject({ stored: 1000, rejected: {} });
      expect(gateway.stats().duplicates).toBeGreaterThan(0);
    } finally {
      await simulator.close();
      await hop.close();
      await gateway.stop();
    }
  }, 180_000);

  it('the gateway is killed with SIGKILL mid-run and restarted on its port: after the outboxes drain nothing is lost or doubled', async () => {
    const fleet = await fleetOf(4, 5);
    let gateway: RunningGateway | undefined = await startGateway({ env: gatewayEnv(0), stdio: 'pipe' });
    const port = gateway.port!;
    const simulator = await MeterSimulator.open(
      simulatorOptions({ fleet, gateway: { host: '127.0.0.1', port }, startMs: Date.parse('2025-09-03T12:00:00Z'), readingsPerMeter: 25, window: 40 }),
    );
    try {
      simulator.start();
      await until(() => simulator.status().acked >= 150, 60_000, '150 acknowledgements');
      const killed = gateway;
      await new Promise<void>((resolve) => {
        killed.child!.once('exit', () => resolve());
        process.kill(-killed.child!.pid!, 'SIGKILL');
      });
      const acked = simulator.status().acked;
      expect(acked).toBeLessThan(500);
      // The meters keep resending into the void for a moment…
      const retries = simulator.status().retries;
      await until(() => simulator.status().retries > retries, 30_000, 'resends while the gateway is down');
      // …then a new gateway comes up on the same port.
      gateway = await startGateway({ env: gatewayEnv(port), stdio: 'pipe' });
      await until(() => simulator.finished(), 120_000, 'the outbox to drain');
      expect(simulator.status()).toMatchObject({ sent: 500, acked: 500, rejected: 0, pending: 0 });
      const ids = [...new Set(fleet.map((meter) => meter.id))];
      expect(await stored(ids, '2025-09')).toEqual(expectedStored(fleet, 11, 25));
      // SIGTERM: the gateway answers what is in flight and exits 0.
      const exited = new Promise<number | null>((resolve) => gateway!.child!.once('exit', (code) => resolve(code)));
      await gateway.stop();
      gateway = undefined;
      expect(await exited).toBe(0);
    } finally {
      await simulator.close();
      if (gateway) await gateway.stop();
    }
  }, 180_000);

  it('the simulator (npm run meter) is killed with SIGKILL and run again: its outbox is resent and nothing is lost or doubled', async () => {
    const gateway = await startGatewayServer(context, gatewayOptions({ batchSize: 50 }));
    // The hop lets us cut the link at a chosen moment, so the kill always lands mid-run.
    const hop = await faultHop(gateway.address.port);
    const state = stateDir();
    const children: ReturnType<typeof spawn>[] = [];
    const run = (extra: string[] = []) => {
      const child = spawn(
        process.execPath,
        [
          '--import', 'tsx', 'meter/main.ts',
          '--meters', '20', '--meters-per-customer', '4', '--readings', '15',
          '--speed', '1000000', '--start', '2025-10-07T12:00:00Z', '--seed', '5',
          '--gateway', `127.0.0.1:${hop.port}`, '--api', apiUrl(), '--state', state,
          '--window', '10', '--ack-timeout', '200', '--verify', '0', '--drain-timeout', '90',
          ...extra,
        ],
        // Registering customers and meters is a staff action.
        { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, LUZ_STAFF_KEY: staffKey() } },
      );
      children.push(child);
      const output: string[] = [];
      for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (line) => output.push(line));
      const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      return { child, output, exit };
    };
    try {
      const first = run();
      await until(() => gateway.stats().stored >= 60, 90_000, 'the first run to store 60 readings');
      hop.faults.blackout = true;
      // Let it generate the rest and resend into the cut link, then kill it without warning.
      await new Promise((resolve) => setTimeout(resolve, 500));
      process.kill(-first.child.pid!, 'SIGKILL');
      expect(await first.exit).toBeNull();
      expect(gateway.stats().stored).toBeLessThan(300);

      hop.faults.blackout = false;
      const second = run();
      const code = await second.exit;
      expect({ code, output: second.output.filter((line) => /outbox|acknowledged|rejected|error/i.test(line)) }).toMatchObject({ code: 0 });
      expect(second.output.join('\n')).toMatch(/readings left in the outbox from before/);

      const fleet = JSON.parse(readFileSync(join(state, 'fleet.json'), 'utf8')).meters as FleetMeter[];
      expect(fleet).toHaveLength(20);
      const ids = [...new Set(fleet.map((meter) => meter.id))];
      expect(await stored(ids, '2025-10')).toEqual(expectedStored(fleet, 5, 15));
      expect(gateway.stats().stored).toBe(300);
      const report = JSON.parse(readFileSync(join(state, 'report.json'), 'utf8'));
      expect(report.allRuns).toMatchObject({ acked: 300, rejected: {}, pending: 0 });
      for (const [id, { kwh }] of expectedStored(fleet, 5, 15)) expect(report.customers[id]['2025-10'].kwh).toBe(kwh);
    } finally {
      // A failed expectation must not leave a simulator running.
      await Promise.all(children.map((child) => stopGroup(child)));
      await hop.close();
      await gateway.stop();
    }
  }, 180_000);
});
