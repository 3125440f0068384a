// The UDP gateway over real sockets, storing in DynamoDB Local: round trips, duplicates, every bad
// datagram's reply, a garbage flood, and the simulator speaking v1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../core/config';
import { registerCustomer, registerMeter } from '../core/customers';
import { Decimal } from '../core/decimal';
import { createContext } from '../core/wiring';
import { loadTariff } from '../core/billing';
import type { Context } from '../core/context';
import type { Reading } from '../core/model';
import { MemoryRepository } from '../core/store/memoryRepository';
import { MeterSimulator } from '../meter/simulator';
import { MAX_DATAGRAM_BYTES } from '../udp-gateway/protocol';
import { startGatewayServer, type GatewayOptions, type GatewayServer } from '../udp-gateway/server';
import { at, newCpf } from './fixtures';
import { udpClient, type UdpClient } from './udp';

const context = createContext(
  loadConfig({ DYNAMODB_ENDPOINT: process.env.LUZ_TEST_DYNAMODB, LUZ_TABLE_PREFIX: process.env.LUZ_TEST_TABLE_PREFIX }),
);
const OPTIONS: GatewayOptions = {
  host: '127.0.0.1',
  port: 0,
  batchSize: 50,
  batchWaitMs: 5,
  lanes: 4,
  maxInFlight: 4096,
  ratePerSource: 200,
  burstPerSource: 400,
  statsIntervalMs: 0,
};

async function customerWith(meters: number): Promise<string> {
  const id = newCpf();
  await registerCustomer(context, { id, name: 'Medidor UDP' });
  for (let i = 0; i < meters; i++) await registerMeter(context, { id });
  return id;
}

/** kWh stored for a customer in a month, from the roll-up, exactly. */
async function storedKwh(id: string, month: string): Promise<string> {
  const sums = await context.repository.sumBuckets(id, 'month', month, month);
  return (sums.get(month) ?? new Decimal(0)).toString();
}

let gateway: GatewayServer;
let client: UdpClient;

beforeAll(async () => {
  gateway = await startGatewayServer(context, OPTIONS);
});
afterAll(async () => {
  await gateway.stop();
});
beforeEach(async () => {
  client = await udpClient(gateway.address.port);
});
afterEach(async () => {
  await client.close();
});

describe('UDP gateway round trips', () => {
  it('v1: the original meter line is stored and answered 200; the same datagram again is 200 and not counted twice', async () => {
    const id = await customerWith(1);
    const before = gateway.stats();
    const line = `${id},1,49.90570014674455,${at('2025-03-10T15:00:00Z') + 0.3497949}`;
    client.send(line);
    expect(await client.reply()).toBe('200');
    client.send(line);
    expect(await client.reply()).toBe('200');
    expect(await storedKwh(id, '2025-03')).toBe('49.90570014674455');
    const after = gateway.stats();
    expect([after.stored - before.stored, after.duplicates - before.duplicates]).toEqual([1, 1]);
  });

  it('v2: {"ack":seq} after storage, again for a resend, and the kWh are counted once', async () => {
    const id = await customerWith(2);
    const reading = { v: 2, id, m: 2, seq: 41, valor: 0.1, ts: at('2025-03-11T10:00:00Z') };
    client.send(JSON.stringify(reading));
    expect(JSON.parse(await client.reply())).toEqual({ ack: 41 });
    client.send(JSON.stringify({ ...reading, seq: 42, valor: 0.2, ts: reading.ts + 300 }));
    expect(JSON.parse(await client.reply())).toEqual({ ack: 42 });
    client.send(JSON.stringify(reading)); // the meter did not hear the first ack
    expect(JSON.parse(await client.reply())).toEqual({ ack: 41 });
    expect(await storedKwh(id, '2025-03')).toBe('0.3');
  });

  it('a burst of 200 readings from 20 meters is stored in group commits, each acknowledged', async () => {
    const customers = await Promise.all(Array.from({ length: 4 }, () => customerWith(5)));
    const before = gateway.stats();
    let seq = 0;
    for (const id of customers) {
      for (let m = 1; m <= 5; m++) {
        for (let k = 0; k < 10; k++) {
          client.send(JSON.stringify({ v: 2, id, m, seq: ++seq, valor: 1.5, ts: at('2025-04-02T00:00:00Z') + k * 300 }));
        }
      }
    }
    const replies = (await client.replies(200)).map((text) => JSON.parse(text));
    expect(replies.map((reply) => reply.ack).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    for (const id of customers) expect(await storedKwh(id, '2025-04')).toBe('75');
    const after = gateway.stats();
    expect(after.stored - before.stored).toBe(200);
    // Fewer commits than readings: they were grouped.
    expect(after.batches - before.batches).toBeLessThan(100);
  });
});

describe('UDP gateway: every bad datagram gets its error reply', () => {
  let id: string;
  const ts = at('2025-03-12T12:00:00Z');
  beforeAll(async () => {
    id = await customerWith(1);
    await context.repository.storeReadings(
      [{ customerId: id, meterId: 1, valor: 5, timestampMs: ts * 1000 }],
      { timeZone: 'America/Bahia', excessOverKwh: 1000 },
    );
  });

  const v2 = (fields: Record<string, unknown>) => JSON.stringify({ v: 2, id, m: 1, seq: 9, valor: 1, ts: ts + 60, ...fields });
  const future = () => Math.floor(Date.now() / 1000) + 3600;
  const cases: [string, () => string | Buffer, string][] = [
    ['oversized', () => `${id},1,1,${ts}`.padEnd(MAX_DATAGRAM_BYTES + 1, '0'), `413 datagram_too_large: datagram of ${MAX_DATAGRAM_BYTES + 1} bytes is larger than ${MAX_DATAGRAM_BYTES} bytes`],
    ['binary', () => Buffer.from([0x00, 0xff, 0x13, 0x37, 0xc3]), '400 invalid_input: binary data: a datagram is UTF-8 text'],
    ['empty', () => Buffer.alloc(0), '400 invalid_input: empty datagram'],
    ['truncated v1', () => `${id},1,3.2`, '400 invalid_input: truncated: expected cpf,id_medidor,valor,timestamp, got 3 field(s)'],
    ['wrong type (v1 meter)', () => `${id},um,3.2,${ts}`, '400 invalid_input: id_medidor: must be a number'],
    ['negative kWh', () => `${id},1,-3,${ts}`, '400 invalid_input: valor: must not be negative'],
    ['bad CPF', () => `12345678900,1,3,${ts}`, '400 invalid_input: id: CPF check digits do not match'],
    ['from the future', () => `${id},1,3,${future()}`, '400 invalid_input: timestamp: must not be more than 5 minutes in the future'],
    ['unknown customer', () => `${newCpf()},1,3,${ts}`, '404 customer_not_found: no customer with this CPF'],
    ['unknown meter', () => `${id},7,3,${ts}`, '404 meter_not_found: customer has no meter 7'],
    ['same reading, other value', () => `${id},1,6,${ts}`, '409 reading_conflict: a reading with this meter and timestamp is already stored with valor 5'],
    ['truncated v2', () => v2({}).slice(0, 30), '{"nack":null,"error":{"code":"invalid_input","message":"not valid JSON (truncated?)"}}'],
    ['v2 without seq', () => v2({ seq: undefined }), '{"nack":null,"error":{"code":"invalid_input","message":"seq: is required","field":"seq"}}'],
    ['v2 wrong type', () => v2({ valor: 'muito' }), '{"nack":9,"error":{"code":"invalid_input","message":"valor: must be a number","field":"valor"}}'],
    ['v2 unknown meter', () => v2({ m: 3 }), '{"nack":9,"error":{"code":"meter_not_found","message":"customer has no meter 3","field":"m"}}'],
    ['v2 conflict', () => v2({ valor: 6, ts }), '{"nack":9,"error":{"code":"reading_conflict","message":"a reading with this meter and timestamp is already stored with valor 5","field":"valor"}}'],
  ];

  it.each(cases)('%s', async (_name, datagram, expected) => {
    const before = gateway.stats();
    client.send(datagram());
    const reply = await client.reply();
    expect(reply).toBe(expected);
    const after = gateway.stats();
    const code = /^\d{3} (\w+)/.exec(reply)?.[1] ?? JSON.parse(reply).error.code;
    expect((after.rejected[code] ?? 0) - (before.rejected[code] ?? 0)).toBe(1);
  });
});

describe('UDP gateway under a flood', () => {
  it('5,000 garbage datagrams each get an error reply (400/413, or 429 once over the rate), and then a valid reading is acknowledged', async () => {
    const id = await customerWith(1);
    let state = 12345;
    const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const garbage = (i: number): Buffer => {
      switch (i % 5) {
        case 0:
          return Buffer.from(Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 256)));
        case 1:
          return Buffer.alloc(MAX_DATAGRAM_BYTES + 1 + Math.floor(random() * 500), 0x41);
        case 2:
          return Buffer.from(`${id},1,${'9'.repeat(Math.floor(random() * 5))}x,${random()}`);
        case 3:
          return Buffer.from('{"v":2,"seq":' + i + ',"id":');
        default:
          return Buffer.from(`${id},${random()},${random()}`);
      }
    };
    const flooder = client;
    // Paced in rounds so the kernel's receive buffer never overflows: every datagram must be answered.
    const total = 5000;
    const round = 100;
    for (let sent = 0; sent < total; sent += round) {
      for (let i = sent; i < sent + round; i++) flooder.send(garbage(i));
      await flooder.replies(sent + round, 20_000);
    }
    const replies = await flooder.replies(total);
    const kinds = new Map<string, number>();
    for (const reply of replies) {
      const kind = /^(\d{3}) (\w+)/.exec(reply)?.slice(1).join(' ') ?? `nack ${JSON.parse(reply).error.code}`;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    expect([...kinds.keys()].sort()).toEqual(
      expect.arrayContaining(['400 invalid_input', '413 datagram_too_large']),
    );
    const allowed = new Set(['400 invalid_input', '413 datagram_too_large', '429 rate_limited', 'nack invalid_input', 'nack rate_limited']);
    expect([...kinds.keys()].filter((kind) => !allowed.has(kind))).toEqual([]);
    expect([...kinds.values()].reduce((sum, n) => sum + n, 0)).toBe(total);

    // Another meter is not starved by the flood…
    const other = await udpClient(gateway.address.port);
    other.send(JSON.stringify({ v: 2, id, m: 1, seq: 1, valor: 2.5, ts: at('2025-03-20T12:00:00Z') }));
    expect(JSON.parse(await other.reply())).toEqual({ ack: 1 });
    await other.close();
    // …and the flooder itself is heard again once it slows down (it resends, as a v2 meter does).
    const reading = JSON.stringify({ v: 2, id, m: 1, seq: 2, valor: 0.5, ts: at('2025-03-20T12:05:00Z') });
    let answer: { ack?: number; nack?: number; error?: { code: string } } = {};
    for (let attempt = 0; attempt < 50 && answer.ack === undefined; attempt++) {
      flooder.send(reading);
      answer = JSON.parse(await flooder.reply());
      if (answer.ack === undefined) {
        expect(answer).toEqual({ nack: 2, error: { code: 'rate_limited', message: 'too many datagrams from this address; send again later' } });
        await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
      }
    }
    expect(answer).toEqual({ ack: 2 });
    expect(await storedKwh(id, '2025-03')).toBe('3');
  });
});

describe('meter simulator in v1 mode (the original text format)', () => {
  it('20 readings from 5 meters are each answered 200 and stored exactly', async () => {
    const ids = await Promise.all([customerWith(3), customerWith(2)]);
    const fleet = [
      { id: ids[0], m: 1 },
      { id: ids[0], m: 2 },
      { id: ids[0], m: 3 },
      { id: ids[1], m: 1 },
      { id: ids[1], m: 2 },
    ];
    const stateDir = mkdtempSync(join(tmpdir(), 'luz-meter-v1-'));
    const simulator = await MeterSimulator.open({
      fleet,
      gateway: { host: '127.0.0.1', port: gateway.address.port },
      stateDir,
      seed: 7,
      intervalSeconds: 300,
      speed: 1e6,
      startMs: Date.parse('2025-06-10T12:00:00Z'),
      model: 'original',
      rate: 1,
      protocol: 'v1',
      sockets: 1,
      window: 10,
      maxPending: 100,
      ackTimeoutMs: 500,
      maxBackoffMs: 2000,
      readingsPerMeter: 4,
      timeZone: 'America/Bahia',
    });
    try {
      simulator.start();
      for (let i = 0; i < 600 && !simulator.finished(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(simulator.status()).toMatchObject({ sent: 20, acked: 20, rejected: 0, pending: 0 });
      for (const id of ids) {
        const sent = [...simulator.totals()]
          .filter(([meter]) => fleet[meter].id === id)
          .reduce((sum, [, months]) => sum.plus(months.get('2025-06')!.kwh), new Decimal(0));
        expect(await storedKwh(id, '2025-06')).toBe(sent.toString());
      }
    } finally {
      await simulator.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('UDP gateway shutdown', () => {
  it('stop(): readings in flight are stored and acknowledged, a datagram arriving meanwhile is told shutting_down', async () => {
    // Storage held open by the test, so the shutdown surely finds readings in flight.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    class HeldRepository extends MemoryRepository {
      override async storeReadings(readings: Reading[], options: { timeZone: string; excessOverKwh: number }) {
        await held;
        return super.storeReadings(readings, options);
      }
    }
    const memory: Context = {
      repository: new HeldRepository(),
      settings: { ...context.settings, tariff: loadTariff('tariffs/flat-1.07.json') },
      now: () => Date.now(),
    };
    const id = newCpf();
    await registerCustomer(memory, { id, name: 'Desligamento' });
    await registerMeter(memory, { id });
    const server = await startGatewayServer(memory, OPTIONS);
    const meter = await udpClient(server.address.port);
    try {
      for (let seq = 1; seq <= 10; seq++) meter.send(JSON.stringify({ v: 2, id, m: 1, seq, valor: 1, ts: at('2025-02-01T12:00:00Z') + seq }));
      for (let i = 0; i < 1000 && server.stats().inFlight < 10; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(server.stats().inFlight).toBe(10);
      const stopped = server.stop();
      meter.send(JSON.stringify({ v: 2, id, m: 1, seq: 11, valor: 1, ts: at('2025-02-01T13:00:00Z') }));
      expect(JSON.parse(await meter.reply())).toEqual({
        nack: 11,
        error: { code: 'shutting_down', message: 'gateway is shutting down; send again later' },
      });
      release();
      await stopped;
      const acks = (await meter.replies(11)).slice(1).map((text) => JSON.parse(text).ack);
      expect(acks.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(server.stats()).toMatchObject({ received: 11, stored: 10, inFlight: 0, rejected: { shutting_down: 1 } });
    } finally {
      release();
      await meter.close();
      await server.stop();
    }
  });
});
