// The UDP gateway over real sockets, storing in DynamoDB Local: round trips, duplicates, every bad
// datagram's reply, forged and replayed datagrams, v1 on and off, a garbage flood, and the simulator
// speaking v1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../core/config';
import { registerCustomer, registerMeter } from '../core/customers';
import { Decimal } from '../core/decimal';
import { createContext } from '../core/wiring';
import { loadTariff } from '../core/tariff';
import type { Context } from '../core/context';
import type { Reading, StoreOptions } from '../core/model';
import { MemoryRepository } from '../core/store/memoryRepository';
import { MeterSimulator } from '../meter/simulator';
import { macOf, MAX_DATAGRAM_BYTES } from '../udp-gateway/protocol';
import { startGatewayServer, type GatewayServer } from '../udp-gateway/server';
import { at, gatewayOptions, newCpf, post } from './fixtures';
import { udpClient, type UdpClient } from './udp';

const context = createContext(
  loadConfig({ DYNAMODB_ENDPOINT: process.env.LUZ_TEST_DYNAMODB, LUZ_TABLE_PREFIX: process.env.LUZ_TEST_TABLE_PREFIX }),
);
const OPTIONS = gatewayOptions({ batchSize: 50, ratePerSource: 200, burstPerSource: 400 });

/** Each registered meter's secret, by `cpf#meter`. */
const secrets = new Map<string, string>();

async function customerWith(meters: number): Promise<string> {
  const id = newCpf();
  await registerCustomer(context, { id, name: 'Medidor UDP' });
  for (let i = 0; i < meters; i++) {
    const meter = await registerMeter(context, { id });
    secrets.set(`${id}#${meter.id_medidor}`, meter.segredo);
  }
  return id;
}

/**
 * A v2 datagram as a meter signs it (any values, even wrong ones): `secret` defaults to the secret of
 * the meter it names.
 */
function signed(fields: { id: string; m: unknown; seq?: unknown; valor: unknown; ts: unknown; v?: unknown }, secret?: string): string {
  const datagram = { v: 2, ...fields };
  const key = secret ?? secrets.get(`${fields.id}#${fields.m}`) ?? 'no secret';
  const mac = macOf(key, JSON.stringify([datagram.v, datagram.id, datagram.m, datagram.seq, datagram.valor, datagram.ts]));
  return JSON.stringify({ ...datagram, mac });
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
    const reading = { id, m: 2, seq: 41, valor: 0.1, ts: at('2025-03-11T10:00:00Z') };
    client.send(signed(reading));
    expect(JSON.parse(await client.reply())).toEqual({ ack: 41 });
    client.send(signed({ ...reading, seq: 42, valor: 0.2, ts: reading.ts + 300 }));
    expect(JSON.parse(await client.reply())).toEqual({ ack: 42 });
    client.send(signed(reading)); // the meter did not hear the first ack
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
          client.send(signed({ id, m, seq: ++seq, valor: 1.5, ts: at('2025-04-02T00:00:00Z') + k * 300 }));
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
      { timeZone: 'America/Bahia', excessOverKwh: 1000, nowMs: Date.now() },
    );
  });

  const v2 = (fields: Record<string, unknown>, secret?: string) =>
    signed({ id, m: 1, seq: 9, valor: 1, ts: ts + 60, ...fields }, secret ?? secrets.get(`${id}#1`));
  const forgedMac = 'f0'.repeat(32);
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
    ['v2 conflict', () => v2({ valor: 6, ts }), '{"nack":9,"error":{"code":"reading_conflict","message":"a reading with this meter and timestamp is already stored with valor 5","field":"valor"}}'],
    ['v2 unsigned', () => JSON.stringify({ ...JSON.parse(v2({})), mac: undefined }), `{"nack":9,"error":{"code":"unauthorized","message":"mac: is required: sign each v2 datagram with its meter's secret (HMAC-SHA256)","field":"mac"}}`],
    ['v2 mac not hex', () => JSON.stringify({ ...JSON.parse(v2({})), mac: 'segredo' }), '{"nack":9,"error":{"code":"bad_mac","message":"mac: must be 64 hex digits (HMAC-SHA256)","field":"mac"}}'],
    ['v2 forged mac', () => JSON.stringify({ ...JSON.parse(v2({})), mac: forgedMac }), `{"nack":9,"error":{"code":"bad_mac","message":"mac: does not match: not signed with this meter's current secret","field":"mac"}}`],
    ['v2 signed with another secret', () => v2({}, 'bHV6LWV4ZW1wbG8tc2VncmVkby1kby1tZWRpZG9yLTE'), `{"nack":9,"error":{"code":"bad_mac","message":"mac: does not match: not signed with this meter's current secret","field":"mac"}}`],
    ['v2 value changed after signing', () => v2({}).replace('"valor":1', '"valor":100'), `{"nack":9,"error":{"code":"bad_mac","message":"mac: does not match: not signed with this meter's current secret","field":"mac"}}`],
    // Without its secret a sender cannot tell an unknown meter or customer from a wrong secret.
    ['v2 unknown meter', () => v2({ m: 3 }), `{"nack":9,"error":{"code":"bad_mac","message":"mac: does not match: not signed with this meter's current secret","field":"mac"}}`],
    ['v2 unknown customer', () => v2({ id: newCpf() }), `{"nack":9,"error":{"code":"bad_mac","message":"mac: does not match: not signed with this meter's current secret","field":"mac"}}`],
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

describe('UDP gateway: signed meters, replays and v1', () => {
  const month = '2025-05';
  const t0 = at('2025-05-10T12:00:00Z');
  const reading = (id: string, seq: number, minutes: number, valor = 1) => ({ id, m: 1, seq, valor, ts: t0 + minutes * 60 });
  const nack = (seq: number, code: string, message: string, field?: string) => ({ nack: seq, error: { code, message, ...(field ? { field } : {}) } });
  const REPLAYED = "seq: older than this meter's anti-replay window and not a stored reading; a new reading needs a new seq";
  const BAD_MAC = "mac: does not match: not signed with this meter's current secret";

  async function exchange(meter: UdpClient, datagram: string): Promise<unknown> {
    meter.send(datagram);
    const reply = await meter.reply();
    return reply.startsWith('{') ? JSON.parse(reply) : reply;
  }

  it('a forged MAC is refused and counted, changes nothing, and the meter is still heard afterwards', async () => {
    const id = await customerWith(1);
    const before = gateway.stats();
    for (let i = 0; i < 5; i++) {
      const forged = JSON.stringify({ ...JSON.parse(signed(reading(id, 10 + i, i, 500))), mac: `${i}`.repeat(64) });
      expect(await exchange(client, forged)).toEqual(nack(10 + i, 'bad_mac', BAD_MAC, 'mac'));
    }
    expect(await storedKwh(id, month)).toBe('0');
    expect(await exchange(client, signed(reading(id, 20, 10, 2.5)))).toEqual({ ack: 20 });
    expect(await storedKwh(id, month)).toBe('2.5');
    const after = gateway.stats();
    expect([after.rejected.bad_mac - (before.rejected.bad_mac ?? 0), after.stored - before.stored]).toEqual([5, 1]);
  });

  it('replays: behind the window a new seq is refused and counted, a resend of a stored reading is still acknowledged, reordering inside the window is stored; a restarted gateway keeps the window', async () => {
    const id = await customerWith(1);
    const options = { ...OPTIONS, replayWindow: 10 };
    let server = await startGatewayServer(context, options);
    let meter = await udpClient(server.address.port);
    try {
      expect(await exchange(meter, signed(reading(id, 5, 0)))).toEqual({ ack: 5 });
      expect(await exchange(meter, signed(reading(id, 100, 10)))).toEqual({ ack: 100 });
      // Out of order inside the window: stored.
      expect(await exchange(meter, signed(reading(id, 95, 5)))).toEqual({ ack: 95 });
      // 5 is 95 behind 100: a resend of its stored reading is acknowledged, a new reading is not let in.
      expect(await exchange(meter, signed(reading(id, 5, 0)))).toEqual({ ack: 5 });
      expect(await exchange(meter, signed(reading(id, 50, 3, 700)))).toEqual(nack(50, 'replayed', REPLAYED, 'seq'));
      expect(await exchange(meter, signed(reading(id, 90, 4, 700)))).toEqual(nack(90, 'replayed', REPLAYED, 'seq'));
      expect(server.stats()).toMatchObject({ stored: 3, duplicates: 1, rejected: { replayed: 2 } });
      expect(await storedKwh(id, month)).toBe('3');

      // A new gateway process knows nothing in memory: the window comes back from the meter item.
      await meter.close();
      await server.stop();
      server = await startGatewayServer(context, options);
      meter = await udpClient(server.address.port);
      expect(await exchange(meter, signed(reading(id, 50, 3, 700)))).toEqual(nack(50, 'replayed', REPLAYED, 'seq'));
      expect(await exchange(meter, signed(reading(id, 5, 0)))).toEqual({ ack: 5 });
      expect(await exchange(meter, signed(reading(id, 91, 6)))).toEqual({ ack: 91 });
      expect(server.stats()).toMatchObject({ stored: 1, duplicates: 1, rejected: { replayed: 1 } });
      expect(await storedKwh(id, month)).toBe('4');
    } finally {
      await meter.close();
      await server.stop();
    }
  });

  it('a secret rotated through POST /segredoMedidor works at once and the old one stops; the new secret starts a new sequence', async () => {
    const id = await customerWith(1);
    const old = secrets.get(`${id}#1`)!;
    const server = await startGatewayServer(context, { ...OPTIONS, keyRecheckMs: 0 });
    const meter = await udpClient(server.address.port);
    try {
      expect(await exchange(meter, signed(reading(id, 500, 0), old))).toEqual({ ack: 500 });
      const rotated = await post('/segredoMedidor', { id, id_medidor: '1' });
      expect(rotated).toMatchObject({ status: 201, body: { id, id_medidor: 1, segredo: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) } });
      const fresh = (rotated.body as { segredo: string }).segredo;
      expect(fresh).not.toBe(old);
      expect(await exchange(meter, signed(reading(id, 1, 1), fresh))).toEqual({ ack: 1 });
      expect(await exchange(meter, signed(reading(id, 501, 2), old))).toEqual(nack(501, 'bad_mac', BAD_MAC, 'mac'));
      expect(await storedKwh(id, month)).toBe('2');
      expect(await post('/segredoMedidor', { id, id_medidor: 2 })).toMatchObject({
        status: 404,
        body: { error: { code: 'meter_not_found', message: 'customer has no meter 2', field: 'id_medidor' } },
      });
    } finally {
      await meter.close();
      await server.stop();
    }
  });

  it('v1 is refused with 403 v1_disabled when turned off (nothing stored, counted) and v2 still works', async () => {
    const id = await customerWith(1);
    const server = await startGatewayServer(context, { ...OPTIONS, acceptV1: false });
    const meter = await udpClient(server.address.port);
    try {
      const refused = '403 v1_disabled: v1 (unsigned) datagrams are turned off on this gateway; send signed v2 datagrams';
      expect(await exchange(meter, `${id},1,3.25,${t0}`)).toBe(refused);
      expect(await exchange(meter, 'not even a reading')).toBe(refused);
      expect(await exchange(meter, signed(reading(id, 1, 0, 3.25)))).toEqual({ ack: 1 });
      expect(server.stats()).toMatchObject({ received: 3, stored: 1, rejected: { v1_disabled: 2 } });
      expect(await storedKwh(id, month)).toBe('3.25');
    } finally {
      await meter.close();
      await server.stop();
    }
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
    other.send(signed({ id, m: 1, seq: 1, valor: 2.5, ts: at('2025-03-20T12:00:00Z') }));
    expect(JSON.parse(await other.reply())).toEqual({ ack: 1 });
    await other.close();
    // …and the flooder itself is heard again once it slows down (it resends, as a v2 meter does).
    const reading = signed({ id, m: 1, seq: 2, valor: 0.5, ts: at('2025-03-20T12:05:00Z') });
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
      override async storeReadings(readings: Reading[], options: StoreOptions) {
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
    const { segredo } = await registerMeter(memory, { id });
    const server = await startGatewayServer(memory, OPTIONS);
    const meter = await udpClient(server.address.port);
    try {
      for (let seq = 1; seq <= 10; seq++) meter.send(signed({ id, m: 1, seq, valor: 1, ts: at('2025-02-01T12:00:00Z') + seq }, segredo));
      for (let i = 0; i < 1000 && server.stats().inFlight < 10; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(server.stats().inFlight).toBe(10);
      const stopped = server.stop();
      meter.send(signed({ id, m: 1, seq: 11, valor: 1, ts: at('2025-02-01T13:00:00Z') }, segredo));
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

describe('UDP gateway: readings move alarms without anyone asking', () => {
  /** Polls the stored alarm state until it matches (the refresh runs every 50 ms here), or fails after 10 s. */
  async function activeRulesBecome(ctx: Context, id: string, expected: string[]): Promise<string[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const rules = (await ctx.repository.activeAlarms(id)).map(({ regra }) => regra).sort();
      if (JSON.stringify(rules) === JSON.stringify(expected) || Date.now() > deadline) return rules;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("a UDP-only customer's alarm fires on a large reading and clears in the next month, with no getAlarme call", async () => {
    // The gateway's clock, moved by the test: mid-March, then early April.
    let nowMs = Date.parse('2025-03-15T15:00:00Z');
    const clocked: Context = { ...context, now: () => nowMs };
    const server = await startGatewayServer(clocked, { ...OPTIONS, alarmIntervalMs: 50 });
    const meter = await udpClient(server.address.port);
    try {
      const id = await customerWith(1);
      meter.send(signed({ id, m: 1, seq: 1, valor: 1200, ts: nowMs / 1000 - 600 }));
      expect(JSON.parse(await meter.reply())).toEqual({ ack: 1 });
      expect(await activeRulesBecome(clocked, id, ['leitura_individual', 'total_mensal'])).toEqual(['leitura_individual', 'total_mensal']);
      const [event] = await clocked.repository.alarmEvents(id, 1);
      expect(event).toMatchObject({ firedMs: Date.parse('2025-03-15T15:00:00Z') });

      nowMs = Date.parse('2025-04-02T15:00:00Z');
      meter.send(signed({ id, m: 1, seq: 2, valor: 0.5, ts: nowMs / 1000 - 600 }));
      expect(JSON.parse(await meter.reply())).toEqual({ ack: 2 });
      expect(await activeRulesBecome(clocked, id, [])).toEqual([]);
      const events = await clocked.repository.alarmEvents(id, 10);
      expect(events.map(({ regra, clearedMs }) => [regra, clearedMs])).toEqual(
        expect.arrayContaining([
          ['leitura_individual', nowMs],
          ['total_mensal', nowMs],
        ]),
      );
    } finally {
      await meter.close();
      await server.stop();
    }
  });
});
