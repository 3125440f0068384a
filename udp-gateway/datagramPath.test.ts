// Each step of a datagram's path on its own, over the in-memory repository, with no socket.
import type { Context } from '../core/context';
import { withCheckDigits } from '../core/cpf';
import { registerCustomer, registerMeter } from '../core/customers';
import { ReadingConflict } from '../core/errors';
import type { Reading, StoreOutcome } from '../core/model';
import { recordReadings } from '../core/readings';
import { MemoryRepository } from '../core/store/memoryRepository';
import { loadTariff } from '../core/tariff';
import { admit, answer, authenticate, parse, refuse, submit, type Admission, type Outbox, type SignedReading } from './datagramPath';
import { GroupCommit } from './groupCommit';
import { silentLogger, type Logger } from './log';
import { MeterKeys } from './meterKeys';
import { BadMac, Replayed, signedDatagram, type Signature } from './protocol';
import { RateLimiter } from './rateLimiter';
import { GatewayStats } from './stats';

const CPF = withCheckDigits('529982247');
const NOW = Date.parse('2025-07-20T12:00:00Z');
const TS = NOW / 1000 - 60;
const bytes = (text: string) => Buffer.from(text, 'utf8');

function memoryContext(): Context {
  return {
    repository: new MemoryRepository(),
    settings: { timeZone: 'America/Bahia', alarmLimitKwh: 1000, maxReadingKwh: 100_000, tariff: loadTariff('tariffs/flat-1.07.json') },
    now: () => NOW,
  };
}

describe('admit', () => {
  const open = (change: Partial<Admission> = {}): Admission => ({
    stopping: false,
    limiter: new RateLimiter({ ratePerSecond: 1, burst: 100 }, () => 0),
    acceptV1: true,
    inFlight: 0,
    maxInFlight: 10,
    ...change,
  });
  const v2 = bytes('{"v":2,"id":"x","seq":41}');

  it('lets a datagram through when nothing stands in its way, whatever its shape (parsing comes next)', () => {
    expect(admit(bytes('not a reading'), 'a:1', open())).toBeUndefined();
    expect(admit(v2, 'a:1', open())).toBeUndefined();
  });

  it('refuses everything while stopping, with the seq it can see', () => {
    expect(admit(v2, 'a:1', open({ stopping: true }))).toEqual({ protocol: 'v2', seq: 41, error: expect.objectContaining({ code: 'shutting_down' }) });
  });

  it('refuses a source past its burst, and only that source', () => {
    const admission = open({ limiter: new RateLimiter({ ratePerSecond: 1, burst: 2 }, () => 0) });
    expect(admit(v2, 'a:1', admission)).toBeUndefined();
    expect(admit(bytes(`${CPF},1,1.5,${TS}`), 'a:1', admission)).toBeUndefined();
    expect(admit(v2, 'a:1', admission)).toEqual({ protocol: 'v2', seq: 41, error: expect.objectContaining({ code: 'rate_limited' }) });
    expect(admit(bytes(`${CPF},1,1.5,${TS}`), 'a:1', admission)).toEqual({ protocol: 'v1', seq: null, error: expect.objectContaining({ code: 'rate_limited' }) });
    expect(admit(v2, 'b:2', admission)).toBeUndefined();
  });

  it('refuses unsigned v1 when it is off, but not v2', () => {
    expect(admit(bytes(`${CPF},1,1.5,${TS}`), 'a:1', open({ acceptV1: false }))).toEqual({ protocol: 'v1', seq: null, error: expect.objectContaining({ code: 'v1_disabled' }) });
    expect(admit(v2, 'a:1', open({ acceptV1: false }))).toBeUndefined();
  });

  it('refuses at the in-flight bound (authenticating and committing readings count alike), before any parsing', () => {
    expect(admit(v2, 'a:1', open({ inFlight: 9 }))).toBeUndefined();
    expect(admit(v2, 'a:1', open({ inFlight: 10 }))).toEqual({ protocol: 'v2', seq: 41, error: expect.objectContaining({ code: 'overloaded' }) });
    expect(admit(bytes('{"v":2,"seq":'), 'a:1', open({ inFlight: 10 }))).toEqual({ protocol: 'v2', seq: null, error: expect.objectContaining({ code: 'overloaded' }) });
  });
});

describe('parse', () => {
  const context = memoryContext();

  it('reads a v1 datagram into a checked reading', () => {
    expect(parse(context, bytes(`${CPF},1,1.5,${TS}`))).toEqual({
      ok: true,
      protocol: 'v1',
      seq: null,
      reading: { customerId: CPF, meterId: 1, valor: 1.5, timestampMs: TS * 1000 },
    });
  });

  it('reads a v2 datagram into a reading that carries its seq, and the signature to verify', () => {
    const parsed = parse(context, bytes(signedDatagram({ id: CPF, m: 2, seq: 7, valor: 3.25, ts: TS }, 'segredo')));
    expect(parsed).toEqual({
      ok: true,
      protocol: 'v2',
      seq: 7,
      reading: { customerId: CPF, meterId: 2, valor: 3.25, timestampMs: TS * 1000, seq: 7 },
      signature: { canonical: `[2,"${CPF}",2,7,3.25,${TS}]`, mac: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
  });

  it('refuses a datagram that cannot be read, naming the field', () => {
    expect(parse(context, bytes(`${CPF},um,1.5,${TS}`))).toEqual({
      ok: false,
      protocol: 'v1',
      seq: null,
      error: expect.objectContaining({ code: 'invalid_input', field: 'id_medidor' }),
    });
  });

  it("applies core's reading rules (here: more than 5 minutes in the future), as postConsumo does", () => {
    expect(parse(context, bytes(signedDatagram({ id: CPF, m: 1, seq: 8, valor: 1, ts: NOW / 1000 + 600 }, 'segredo')))).toEqual({
      ok: false,
      protocol: 'v2',
      seq: 8,
      customerId: CPF,
      error: expect.objectContaining({ code: 'invalid_input', field: 'timestamp' }),
    });
  });
});

describe('authenticate', () => {
  /** A registered meter, its keys, and the signed reading a datagram of it carries. */
  async function setUp() {
    const context = memoryContext();
    await registerCustomer(context, { id: CPF, name: 'Ana' });
    const { segredo } = await registerMeter(context, { id: CPF });
    const keys = new MeterKeys(context, { ttlMs: 60_000, recheckMs: 0, maxEntries: 10 });
    const commits = new GroupCommit(context, { batchSize: 1, batchWaitMs: 0, lanes: 1, maxInFlight: 10 });
    const trust = { context, keys, replayWindow: 100, commits };
    const signed = (seq: number, valor: number, { secret = segredo, meter = 1, ts = TS } = {}) => {
      const parsed = parse(context, bytes(signedDatagram({ id: CPF, m: meter, seq, valor, ts }, secret)));
      if (!parsed.ok || parsed.protocol !== 'v2') throw new Error('expected a signed reading');
      return [parsed.reading, parsed.signature] as [SignedReading, Signature];
    };
    return { context, keys, trust, signed };
  }

  it("lets a reading signed with its meter's secret on to storage", async () => {
    const { trust, signed } = await setUp();
    expect(await authenticate(...signed(1, 1.5), trust)).toBe('store');
  });

  it('refuses a wrong secret and an unknown meter with the same BadMac', async () => {
    const { trust, signed } = await setUp();
    expect(await authenticate(...signed(1, 1.5, { secret: 'outro-segredo' }), trust)).toEqual(new BadMac());
    expect(await authenticate(...signed(1, 1.5, { secret: 'outro-segredo', meter: 9 }), trust)).toEqual(new BadMac());
  });

  it('behind the replay window: a resend of the stored reading is answered as stored, anything else is refused', async () => {
    const { context, keys, trust, signed } = await setUp();
    const [reading] = signed(5, 1.5);
    await recordReadings(context, [reading]);
    expect(await authenticate(...signed(5, 1.5), trust)).toBe('store');
    keys.stored(CPF, 1, 500);
    expect(await authenticate(...signed(5, 1.5), trust)).toBe('stored');
    expect(await authenticate(...signed(5, 2.5), trust)).toEqual(new Replayed());
    expect(await authenticate(...signed(6, 1.5, { ts: TS + 1 }), trust)).toEqual(new Replayed());
    // Inside the window, storage decides (and meets any conflict).
    expect(await authenticate(...signed(401, 1.5), trust)).toBe('store');
  });
});

describe('submit', () => {
  async function setUp(maxInFlight = 10) {
    const context = memoryContext();
    await registerCustomer(context, { id: CPF, name: 'Ana' });
    await registerMeter(context, { id: CPF });
    const commits = new GroupCommit(context, { batchSize: 1, batchWaitMs: 0, lanes: 1, maxInFlight });
    const raised: [string, number, number][] = [];
    const marked: string[] = [];
    const after = { keys: { stored: (...args: [string, number, number]) => void raised.push(args) }, alarms: { mark: (id: string) => void marked.push(id) } };
    const outcomes: StoreOutcome[] = [];
    const send = (reading: Reading) => submit(reading, commits, after, (outcome) => outcomes.push(outcome));
    return { commits, raised, marked, outcomes, send };
  }
  const reading = (valor: number, seq?: number): Reading => ({ customerId: CPF, meterId: 1, valor, timestampMs: TS * 1000, ...(seq === undefined ? {} : { seq }) });

  it("stores through the group commit, then raises the meter's seq and marks its customer's alarms due", async () => {
    const { commits, raised, marked, outcomes, send } = await setUp();
    expect(send(reading(1.5, 7))).toBe(true);
    await commits.flush();
    expect(outcomes).toEqual([{ status: 'stored' }]);
    expect(raised).toEqual([[CPF, 1, 7]]);
    expect(marked).toEqual([CPF]);
  });

  it('a repeat or a conflict is answered and sets nothing going', async () => {
    const { commits, raised, marked, outcomes, send } = await setUp();
    send(reading(1.5));
    await commits.flush();
    send(reading(1.5));
    send(reading(2));
    await commits.flush();
    expect(outcomes).toEqual([{ status: 'stored' }, { status: 'duplicate' }, { status: 'rejected', error: new ReadingConflict(1.5, 2) }]);
    expect(marked).toEqual([CPF]);
    expect(raised).toEqual([]);
  });

  it('says false when the group commit is full', async () => {
    const { send } = await setUp(1);
    expect(send(reading(1.5))).toBe(true);
    expect(send({ ...reading(1.5), meterId: 2 })).toBe(false);
  });
});

describe('answer', () => {
  function outbox(logger: Logger = silentLogger) {
    const sent: [string, string][] = [];
    const box: Outbox = { stats: new GatewayStats(), logger, send: (text, to) => void sent.push([text, `${to.address}:${to.port}`]) };
    return { box, sent };
  }
  const to = { address: '127.0.0.1', port: 5000 };

  it('answers each outcome in the datagram’s dialect and counts it', () => {
    const { box, sent } = outbox();
    answer({ status: 'stored' }, { protocol: 'v1', seq: null, to }, box);
    answer({ status: 'duplicate' }, { protocol: 'v2', seq: 3, to }, box);
    answer({ status: 'rejected', error: new Replayed() }, { protocol: 'v2', seq: 4, to }, box);
    refuse({ protocol: 'v1', seq: null, error: new BadMac() }, to, box);
    expect(sent).toEqual([
      ['200', '127.0.0.1:5000'],
      ['{"ack":3}', '127.0.0.1:5000'],
      [`{"nack":4,"error":{"code":"replayed","message":"${new Replayed().message}","field":"seq"}}`, '127.0.0.1:5000'],
      [`401 bad_mac: ${new BadMac().message}`, '127.0.0.1:5000'],
    ]);
    expect({ stored: box.stats.stored, duplicates: box.stats.duplicates, rejected: box.stats.rejected }).toEqual({ stored: 1, duplicates: 1, rejected: { replayed: 1, bad_mac: 1 } });
  });

  it('logs a refusal at debug with the masked CPF and the commit, never the whole CPF', () => {
    const lines: [string, Record<string, unknown>][] = [];
    const logger: Logger = { ...silentLogger, enabled: () => true, debug: (message, fields) => void lines.push([message, fields ?? {}]) };
    const { box } = outbox(logger);
    answer({ status: 'rejected', error: new Replayed() }, { protocol: 'v2', seq: 4, to }, box, { customerId: CPF, commitId: 'commit-x-1' });
    expect(lines).toEqual([
      [
        'datagram rejected',
        { from: '127.0.0.1:5000', protocol: 'v2', seq: 4, code: 'replayed', reason: new Replayed().message, cpf: expect.not.stringContaining(CPF), correlation_id: 'commit-x-1' },
      ],
    ]);
  });
});
