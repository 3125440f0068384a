// Hostile datagrams, property-based, against a running gateway storing in DynamoDB Local: random bytes,
// random JSON, huge, deeply nested, mistyped, unicode and injection payloads, forged MACs and replays.
// Every datagram gets exactly one documented error reply (never a 5xx, never silence), rejected
// datagrams change no data, the meter is still heard afterwards, and no log line carries its CPF.
import fc from 'fast-check';
import { loadConfig } from '../core/config';
import { maskCpf } from '../core/cpf';
import { registerCustomer, registerMeter } from '../core/customers';
import { Decimal } from '../core/decimal';
import { createContext } from '../core/wiring';
import { Logger } from '@aws-lambda-powertools/logger';
import { gatewayLogger } from '../udp-gateway/log';
import { macOf, MAX_DATAGRAM_BYTES, signedDatagram } from '../udp-gateway/protocol';
import { startGatewayServer, type GatewayServer } from '../udp-gateway/server';
import { at, captureOutput, gatewayOptions, newCpf } from './fixtures';
import { udpClient, type UdpClient } from './udp';

const context = createContext(
  loadConfig({ DYNAMODB_ENDPOINT: process.env.LUZ_TEST_DYNAMODB, LUZ_TABLE_PREFIX: process.env.LUZ_TEST_TABLE_PREFIX }),
);

/** Every error a hostile datagram may get, with its v1 status; anything else (and any 5xx) is a bug. */
const DOCUMENTED: Record<string, number> = {
  invalid_input: 400,
  unauthorized: 401,
  bad_mac: 401,
  customer_not_found: 404,
  meter_not_found: 404,
  reading_conflict: 409,
  replayed: 409,
  datagram_too_large: 413,
};

/** Checks one reply's shape; returns its error code, or 'ack'. */
function codeOf(reply: string): string {
  if (reply === '200') return 'ack';
  const v1 = /^(\d{3}) ([a-z_]+): (.+)$/s.exec(reply);
  if (v1) {
    expect({ code: v1[2], status: Number(v1[1]) }).toEqual({ code: v1[2], status: DOCUMENTED[v1[2]] });
    return v1[2];
  }
  const body = JSON.parse(reply) as Record<string, unknown>;
  if ('ack' in body) {
    expect(Object.keys(body)).toEqual(['ack']);
    return 'ack';
  }
  expect(Object.keys(body).sort()).toEqual(['error', 'nack']);
  expect(body.nack === null || Number.isSafeInteger(body.nack)).toBe(true);
  const error = body.error as Record<string, unknown>;
  expect(Object.keys(error).filter((key) => !['code', 'message', 'field'].includes(key))).toEqual([]);
  expect(typeof error.message).toBe('string');
  expect(error.message).not.toMatch(/\.ts:\d+|\n\s+at /); // no stack, no internals
  expect(DOCUMENTED[String(error.code)]).toBeDefined();
  return String(error.code);
}

const WINDOW = 100;
const T0 = at('2025-04-14T12:00:00Z');
const MONTH = '2025-04';

let gateway: GatewayServer;
let meter: UdpClient;
let id: string;
let secret: string;
let output: ReturnType<typeof captureOutput>;
const logs = () => output.lines;
/** Readings stored before the fuzzing: [seq, minute, kWh]. */
const BASELINE: [number, number, number][] = [
  [1000, 0, 1.25],
  [1001, 5, 2.5],
  [1002, 10, 0.75],
];
const reading = (seq: number, minute: number, valor: number) => ({ id, m: 1, seq, valor, ts: T0 + minute * 60 });

async function exchange(datagram: string | Buffer): Promise<string> {
  meter.send(datagram);
  return meter.reply(15_000); // a stall fails the property
}

/** What storage holds for the meter: the month's kWh from the roll-up and the readings themselves. */
async function snapshot(): Promise<{ kwh: string; readings: string[] }> {
  const kwh = (await context.repository.sumBuckets(id, 'month', MONTH, MONTH)).get(MONTH) ?? new Decimal(0);
  const page = await context.repository.listReadings(id, { startMs: T0 * 1000 - 86_400_000, endMs: T0 * 1000 + 30 * 86_400_000 }, { limit: 1000 });
  return { kwh: kwh.toString(), readings: page.readings.map((stored) => `${stored.timestampMs}:${stored.valor}`) };
}

beforeAll(async () => {
  id = newCpf();
  await registerCustomer(context, { id, name: 'Medidor Atacado' });
  secret = (await registerMeter(context, { id })).segredo;
  output = captureOutput();
  gateway = await startGatewayServer(
    context,
    gatewayOptions({ batchWaitMs: 2, ratePerSource: 100_000, burstPerSource: 100_000, replayWindow: WINDOW }),
    gatewayLogger('debug', new Logger({ serviceName: 'luz' })),
  );
  meter = await udpClient(gateway.address.port);
  for (const [seq, minute, valor] of BASELINE) expect(JSON.parse(await exchange(signedDatagram(reading(seq, minute, valor), secret)))).toEqual({ ack: seq });
});

afterAll(async () => {
  await meter.close();
  await gateway.stop();
  output.stop();
});

const injection = fc.constantFrom(
  "' OR '1'='1",
  '"; DROP TABLE leituras; --',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '{"$ne": null}',
  '𝕷𝖚𝖟 ☀️ ção',
  '\u202e\u0000',
  '1e999',
  'NaN',
  '-0',
  '0x10',
);
const scalar = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 30 }), injection, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const anyJson = fc.oneof(scalar, fc.jsonValue({ maxDepth: 3 }), fc.integer({ min: 1, max: 400 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth))));

describe('gateway fuzzing (fast-check, real sockets, DynamoDB Local)', () => {
  it('garbage, huge, deep, mistyped, unicode and injection datagrams: one documented error each, no data change', async () => {
    const before = await snapshot();
    const receivedBefore = gateway.stats().received;
    const datagram = fc.oneof(
      fc.uint8Array({ maxLength: 1500 }).map((bytes) => Buffer.from(bytes)),
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.json({ maxDepth: 5 }),
      fc.integer({ min: MAX_DATAGRAM_BYTES + 1, max: 60_000 }).map((size) => `{"v":2,"seq":1,"pad":"${'x'.repeat(size)}"}`),
      fc.integer({ min: 100, max: 500 }).map((depth) => `{"v":2,"seq":3,"id":${'['.repeat(depth)}${']'.repeat(depth)}}`),
      // v2-shaped, with a hostile value in any field (and a mac of the right shape, so fields are looked at).
      fc
        .record({
          v: fc.oneof(fc.constant(2), anyJson),
          id: fc.oneof(fc.constant(id), fc.constant(maskCpf(id)), anyJson),
          m: fc.oneof(fc.constant(1), anyJson),
          seq: fc.oneof(fc.nat(), anyJson),
          valor: fc.oneof(fc.double({ min: 0, max: 1e6 }), anyJson),
          ts: fc.oneof(fc.integer({ min: 0, max: 2e9 }), anyJson),
          mac: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), anyJson),
        }, { requiredKeys: [] })
        .map((object) => JSON.stringify(object)),
      // v1-shaped, for customers that do not exist (a random valid CPF) or with hostile fields.
      fc.tuple(fc.oneof(fc.constant(newCpf()), injection), scalar, scalar, scalar).map((fields) => fields.join(',')),
    );
    await fc.assert(
      fc.asyncProperty(datagram, async (sent) => {
        expect(codeOf(await exchange(sent))).not.toBe('ack');
      }),
      { numRuns: 400, seed: 8 },
    );
    expect(gateway.stats().received - receivedBefore).toBe(400);
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  it('forged MACs for a real meter (random, another secret, signed then altered) are refused, and nothing is stored', async () => {
    const before = await snapshot();
    const fields = fc.record({
      seq: fc.integer({ min: 1003, max: 1_000_000 }),
      minute: fc.integer({ min: 11, max: 20_000 }),
      // Small enough that the altered value below is still a valid reading: only the MAC may refuse it.
      valor: fc.double({ min: 0.001, max: 9000, noNaN: true }),
    });
    const forgery = fc.oneof(
      fields.chain((f) => fc.stringMatching(/^[0-9a-fA-F]{64}$/).map((mac) => JSON.stringify({ v: 2, ...reading(f.seq, f.minute, f.valor), mac }))),
      fields.chain((f) => fc.string({ minLength: 1, maxLength: 60 }).map((other) => signedDatagram(reading(f.seq, f.minute, f.valor), other))),
      // Signed by the meter, then one signed value changed on the way.
      fields.chain((f) =>
        fc.constantFrom('valor', 'ts', 'seq', 'm').map((name) => {
          const original = JSON.parse(signedDatagram(reading(f.seq, f.minute, f.valor), secret));
          const changed = name === 'm' ? 2 : name === 'valor' ? original.valor * 10 + 1 : original[name] + 1;
          return JSON.stringify({ ...original, [name]: changed });
        }),
      ),
      // A MAC over another payload spelling (the wire values must be signed, not re-serialised ones).
      fields.map((f) => {
        const values = reading(f.seq, f.minute, f.valor);
        const mac = macOf(secret, JSON.stringify([2, values.id, values.m, values.seq, values.valor, values.ts]));
        return `{"v":2,"id":"${id}","m":1,"seq":${f.seq},"valor":${f.valor}0,"ts":${values.ts},"mac":"${mac}"}`;
      }),
    );
    await fc.assert(
      fc.asyncProperty(forgery, async (sent) => {
        expect(codeOf(await exchange(sent))).toBe('bad_mac');
      }),
      { numRuns: 200, seed: 9 },
    );
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  it('replays: a resend of a stored reading is acknowledged and not counted again; a new reading behind the window is refused', async () => {
    const before = await snapshot();
    const duplicatesBefore = gateway.stats().duplicates;
    const replay = fc.oneof(
      fc.constantFrom(...BASELINE).map(([seq, minute, valor]) => ({ datagram: signedDatagram(reading(seq, minute, valor), secret), expected: 'ack' })),
      fc
        .record({ seq: fc.integer({ min: 0, max: 1002 - WINDOW }), minute: fc.integer({ min: 11, max: 20_000 }), valor: fc.double({ min: 0.001, max: 1e5, noNaN: true }) })
        .map(({ seq, minute, valor }) => ({ datagram: signedDatagram(reading(seq, minute, valor), secret), expected: 'replayed' })),
    );
    let acked = 0;
    await fc.assert(
      fc.asyncProperty(replay, async ({ datagram, expected }) => {
        expect(codeOf(await exchange(datagram))).toBe(expected);
        if (expected === 'ack') acked += 1;
      }),
      { numRuns: 150, seed: 10 },
    );
    expect(acked).toBeGreaterThan(0);
    expect(gateway.stats().duplicates - duplicatesBefore).toBe(acked);
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  it('after all of it the meter is still heard: a new signed reading is stored, exactly once', async () => {
    const before = await snapshot();
    expect(JSON.parse(await exchange(signedDatagram(reading(1003, 15, 4.5), secret)))).toEqual({ ack: 1003 });
    expect(JSON.parse(await exchange(signedDatagram(reading(1003, 15, 4.5), secret)))).toEqual({ ack: 1003 });
    const after = await snapshot();
    expect(after.kwh).toBe(new Decimal(before.kwh).plus(4.5).toString());
    expect(after.readings).toHaveLength(before.readings.length + 1);
    expect(gateway.stats().rejected).not.toHaveProperty('internal');
    expect(gateway.stats().rejected).not.toHaveProperty('unavailable');
  });

  it('no log line carries the CPF unmasked', () => {
    expect(logs().length).toBeGreaterThan(100);
    expect(logs().some((line) => line.includes(maskCpf(id)))).toBe(true);
    expect(logs().filter((line) => line.includes(id))).toEqual([]);
  });
});
