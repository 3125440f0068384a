// Datagram parsing, signatures and replies: every class of bad datagram gets its own answer.
import fc from 'fast-check';
import { Unauthorized } from '../core/access';
import { CustomerNotFound, InvalidInput, MeterNotFound, ReadingConflict } from '../core/errors';
import {
  BadMac,
  DatagramTooLarge,
  formatReply,
  macMatches,
  macOf,
  MAX_DATAGRAM_BYTES,
  Overloaded,
  parseDatagram,
  peekSeq,
  protocolOf,
  RateLimited,
  rawMembers,
  Replayed,
  RETRYABLE_CODES,
  InternalFault,
  ShuttingDown,
  signedDatagram,
  StorageUnavailable,
  V1Disabled,
  type ParsedDatagram,
} from './protocol';

const CPF = '12345678909';
const bytes = (text: string) => Buffer.from(text, 'utf8');

function failure(text: string | Buffer) {
  const parsed = parseDatagram(typeof text === 'string' ? bytes(text) : text);
  if (parsed.ok) throw new Error(`expected a failure, got ${JSON.stringify(parsed)}`);
  return { protocol: parsed.protocol, seq: parsed.seq, code: parsed.error.code, message: parsed.error.message, field: parsed.error.field };
}

describe('parseDatagram v1 (original meters)', () => {
  it('reads the original meter format exactly: full Python floats, plain digits, trailing newline', () => {
    expect(parseDatagram(bytes(`${CPF},1,49.90570014674455,1795608363.3497949\n`))).toEqual({
      ok: true,
      protocol: 'v1',
      seq: null,
      input: { id: CPF, id_medidor: 1, valor: 49.90570014674455, timestamp: 1795608363349 },
    });
  });

  it('accepts a masked CPF and an ISO-8601 timestamp', () => {
    expect(parseDatagram(bytes('123.456.789-09, 2, 3.25, 2025-11-25T09:00:00-03:00'))).toMatchObject({
      ok: true,
      input: { id: CPF, id_medidor: 2, valor: 3.25, timestamp: Date.parse('2025-11-25T12:00:00Z') },
    });
  });

  it.each([
    ['truncated (3 fields)', `${CPF},1,3.25`, 'truncated: expected cpf,id_medidor,valor,timestamp, got 3 field(s)', undefined],
    ['too many fields', `${CPF},1,3.25,1764072000,9`, 'expected 4 fields cpf,id_medidor,valor,timestamp, got 5', undefined],
    ['bad CPF check digits', '12345678900,1,3.25,1764072000', 'id: CPF check digits do not match', 'id'],
    ['meter not a number', `${CPF},one,3.25,1764072000`, 'id_medidor: must be a number', 'id_medidor'],
    ['meter zero', `${CPF},0,3.25,1764072000`, 'id_medidor: must be 1 or more', 'id_medidor'],
    ['empty meter', `${CPF},,3.25,1764072000`, 'id_medidor: is required', 'id_medidor'],
    ['negative kWh', `${CPF},1,-1,1764072000`, 'valor: must not be negative', 'valor'],
    ['kWh not finite', `${CPF},1,1e999,1764072000`, 'valor: must be finite', 'valor'],
    ['timestamp not a date', `${CPF},1,3.25,yesterday`, 'timestamp: must be Unix seconds or ISO-8601 with a zone (…Z or …-03:00)', 'timestamp'],
  ])('400 for %s', (_name, text, message, field) => {
    expect(failure(text)).toEqual({ protocol: 'v1', seq: null, code: 'invalid_input', message, field });
  });
});

/** A secret as cadMedidor issues them (43 base64url characters): the documented test vector's. */
const SECRET = 'bHV6LWV4ZW1wbG8tc2VncmVkby1kby1tZWRpZG9yLTE';
const MAC = 'ab'.repeat(32);

describe('parseDatagram v2 (Luz meters)', () => {
  const v2 = (fields: Record<string, unknown>) =>
    JSON.stringify({ v: 2, id: CPF, m: 1, seq: 7, valor: 3.25, ts: 1764072000, mac: MAC, ...fields });

  it('reads a v2 reading, keeps its seq, and what its MAC covers', () => {
    expect(parseDatagram(bytes(v2({})))).toEqual({
      ok: true,
      protocol: 'v2',
      seq: 7,
      input: { id: CPF, id_medidor: 1, valor: 3.25, timestamp: 1764072000000 },
      signature: { canonical: '[2,"12345678909",1,7,3.25,1764072000]', mac: MAC },
    });
  });

  it('the MAC covers the six values exactly as sent: order, spacing and other members do not matter, spelling does', () => {
    const text =
      '{ "ts" : 1764072000.0 ,\n "valor":3.250, "m":"1", "id":"123.456.789-09", "seq":7,' +
      ` "v":2, "extra":{"a":[1,"]}\\""]}, "mac":"${MAC.toUpperCase()}" }`;
    expect(parseDatagram(bytes(text))).toMatchObject({
      ok: true,
      input: { id: CPF, id_medidor: 1, valor: 3.25, timestamp: 1764072000000 },
      signature: { canonical: '[2,"123.456.789-09","1",7,3.250,1764072000.0]', mac: MAC },
    });
  });

  it('test vector: the documented secret and reading give the documented MAC', () => {
    const datagram = signedDatagram({ id: '52998224725', m: 1, seq: 7, valor: 3.25, ts: 1764072000 }, SECRET);
    const mac = '4cc5145d04b300796642391d4211736811bc6990fd6c8394d354a17385ff7520';
    expect(datagram).toBe(`{"v":2,"id":"52998224725","m":1,"seq":7,"valor":3.25,"ts":1764072000,"mac":"${mac}"}`);
    expect(macOf(SECRET, '[2,"52998224725",1,7,3.25,1764072000]')).toBe(mac);
    const parsed = parseDatagram(bytes(datagram));
    if (!parsed.ok || parsed.protocol !== 'v2') throw new Error('expected a v2 reading');
    expect(macMatches(SECRET, parsed.signature)).toBe(true);
    expect(macMatches(`${SECRET.slice(0, -1)}F`, parsed.signature)).toBe(false);
    const altered = parseDatagram(bytes(datagram.replace('"valor":3.25', '"valor":32.5')));
    expect(altered.ok && altered.protocol === 'v2' && macMatches(SECRET, altered.signature)).toBe(false);
  });

  it('401 unauthorized for a v2 datagram without mac, before its content is looked at', () => {
    expect(failure(v2({ mac: undefined, valor: 'muito' }))).toEqual({
      protocol: 'v2',
      seq: 7,
      code: 'unauthorized',
      message: "mac: is required: sign each v2 datagram with its meter's secret (HMAC-SHA256)",
      field: 'mac',
    });
  });

  it.each([['not hex', 'z'.repeat(64)], ['too short', MAC.slice(2)], ['a number', 123], ['null', null]])(
    '401 bad_mac for a mac that is %s',
    (_name, mac) => {
      expect(failure(v2({ mac }))).toEqual({
        protocol: 'v2',
        seq: 7,
        code: 'bad_mac',
        message: 'mac: must be 64 hex digits (HMAC-SHA256)',
        field: 'mac',
      });
    },
  );

  it.each([
    ['a wrong type names the wire field (m, not id_medidor)', v2({ m: 'x' }), 7, 'm: must be a number', 'm'],
    ['a missing ts', v2({ ts: undefined }), 7, 'ts: is required', 'ts'],
    ['an unknown version', v2({ v: 3 }), 7, 'v: unsupported version; this gateway speaks v 2', 'v'],
    ['no seq (cannot be acknowledged)', v2({ seq: undefined }), null, 'seq: is required', 'seq'],
    ['a fractional seq', v2({ seq: 1.5 }), null, 'seq: must be a whole number, 0 or more', 'seq'],
    ['truncated JSON', v2({}).slice(0, 40), null, 'not valid JSON (truncated?)', undefined],
    ['a JSON array', '[1,2]', null, 'must be a JSON object', undefined],
  ])('400 for %s', (_name, text, seq, message, field) => {
    const parsed = failure(text);
    expect(parsed).toEqual({ protocol: 'v2', seq, code: 'invalid_input', message, field });
  });
});

describe('parseDatagram: datagrams that are not readings at all', () => {
  it('413 for an oversized datagram, answered in the protocol it claims', () => {
    const big = `{"v":2,"seq":1,"pad":"${'x'.repeat(MAX_DATAGRAM_BYTES)}"}`;
    expect(failure(big)).toEqual({
      protocol: 'v2',
      seq: null,
      code: 'datagram_too_large',
      message: `datagram of ${big.length} bytes is larger than ${MAX_DATAGRAM_BYTES} bytes`,
      field: undefined,
    });
  });

  it('400 for binary data (invalid UTF-8, or control bytes)', () => {
    const expected = { protocol: 'v1', seq: null, code: 'invalid_input', message: 'binary data: a datagram is UTF-8 text', field: undefined };
    expect(failure(Buffer.from([0xff, 0xfe, 0x00, 0x01]))).toEqual(expected);
    expect(failure(Buffer.from([0x31, 0x00, 0x32]))).toEqual(expected);
  });

  it('400 for an empty datagram', () => {
    expect(failure('')).toEqual({ protocol: 'v1', seq: null, code: 'invalid_input', message: 'empty datagram', field: undefined });
  });

  it('protocolOf looks past leading whitespace; peekSeq finds a plain seq without parsing', () => {
    expect(protocolOf(bytes('  {"v":2}'))).toBe('v2');
    expect(protocolOf(bytes('123,1,2,3'))).toBe('v1');
    expect(peekSeq(bytes('{"v":2,"seq": 42,'))).toBe(42);
    expect(peekSeq(bytes('{"v":2}'))).toBeNull();
  });
});

describe('formatReply', () => {
  it.each([
    [{ status: 'stored' } as const, '200', '{"ack":5}'],
    [{ status: 'duplicate' } as const, '200', '{"ack":5}'],
  ])('acknowledges %j', (outcome, v1, v2) => {
    expect(formatReply('v1', null, outcome)).toBe(v1);
    expect(formatReply('v2', 5, outcome)).toBe(v2);
  });

  it.each([
    [new InvalidInput('must not be more than 5 minutes in the future', 'timestamp'), '400 invalid_input: timestamp: must not be more than 5 minutes in the future', { code: 'invalid_input', message: 'must not be more than 5 minutes in the future', field: 'ts' }],
    [new CustomerNotFound(CPF), '404 customer_not_found: no customer with this CPF', { code: 'customer_not_found', message: 'no customer with this CPF', field: 'id' }],
    [new MeterNotFound(CPF, 3), '404 meter_not_found: customer has no meter 3', { code: 'meter_not_found', message: 'customer has no meter 3', field: 'm' }],
    [new ReadingConflict(5, 6), '409 reading_conflict: a reading with this meter and timestamp is already stored with valor 5', { code: 'reading_conflict', message: 'a reading with this meter and timestamp is already stored with valor 5', field: 'valor' }],
    [new DatagramTooLarge(2000), '413 datagram_too_large: datagram of 2000 bytes is larger than 1024 bytes', { code: 'datagram_too_large', message: 'datagram of 2000 bytes is larger than 1024 bytes' }],
    [new RateLimited(), '429 rate_limited: too many datagrams from this address; send again later', { code: 'rate_limited', message: 'too many datagrams from this address; send again later' }],
    [new Overloaded(), '503 overloaded: gateway is at its in-flight limit; send again later', { code: 'overloaded', message: 'gateway is at its in-flight limit; send again later' }],
    [new StorageUnavailable(), '503 unavailable: storage did not confirm the write; send again later', { code: 'unavailable', message: 'storage did not confirm the write; send again later' }],
    [new ShuttingDown(), '503 shutting_down: gateway is shutting down; send again later', { code: 'shutting_down', message: 'gateway is shutting down; send again later' }],
    [new InternalFault(), '500 internal: internal error; it has been logged; send again later', { code: 'internal', message: 'internal error; it has been logged; send again later' }],
    [new Unauthorized('mac: is required', 'mac'), '401 unauthorized: mac: is required', { code: 'unauthorized', message: 'mac: is required', field: 'mac' }],
    [new BadMac(), "401 bad_mac: mac: does not match: not signed with this meter's current secret", { code: 'bad_mac', message: "mac: does not match: not signed with this meter's current secret", field: 'mac' }],
    [new Replayed(), "409 replayed: seq: older than this meter's anti-replay window and not a stored reading; a new reading needs a new seq", { code: 'replayed', message: "seq: older than this meter's anti-replay window and not a stored reading; a new reading needs a new seq", field: 'seq' }],
    [new V1Disabled(), '403 v1_disabled: v1 (unsigned) datagrams are turned off on this gateway; send signed v2 datagrams', { code: 'v1_disabled', message: 'v1 (unsigned) datagrams are turned off on this gateway; send signed v2 datagrams' }],
  ])('answers %s', (error, v1, v2Error) => {
    expect(formatReply('v1', null, { status: 'rejected', error })).toBe(v1);
    expect(JSON.parse(formatReply('v2', 9, { status: 'rejected', error }))).toEqual({ nack: 9, error: v2Error });
  });
});

// Property-based: whatever arrives, the parser answers with a documented error or a well-formed reading,
// never throws, and a signature covers exactly what the gateway reads.
describe('parseDatagram under fuzzing (fast-check)', () => {
  const PARSE_CODES = ['invalid_input', 'datagram_too_large', 'unauthorized', 'bad_mac'];
  const STATUS: Record<string, number> = { invalid_input: 400, unauthorized: 401, bad_mac: 401, datagram_too_large: 413 };

  /** What every parse must satisfy, and its reply's shape. */
  function wellFormed(parsed: ParsedDatagram): void {
    if (!parsed.ok) {
      expect(PARSE_CODES).toContain(parsed.error.code);
      const reply = formatReply(parsed.protocol, parsed.seq, { status: 'rejected', error: parsed.error });
      if (parsed.protocol === 'v1') expect(reply.startsWith(`${STATUS[parsed.error.code]} ${parsed.error.code}: `)).toBe(true);
      else expect(JSON.parse(reply)).toMatchObject({ nack: parsed.seq, error: { code: parsed.error.code, message: expect.any(String) } });
      return;
    }
    const { id, id_medidor, valor, timestamp } = parsed.input;
    expect(id).toMatch(/^\d{11}$/);
    expect(Number.isInteger(id_medidor) && id_medidor >= 1).toBe(true);
    expect(Number.isFinite(valor) && valor >= 0).toBe(true);
    expect(Number.isFinite(timestamp)).toBe(true);
    if (parsed.protocol === 'v2') {
      expect(Number.isSafeInteger(parsed.seq) && parsed.seq >= 0).toBe(true);
      expect(parsed.signature.mac).toMatch(/^[0-9a-f]{64}$/);
    }
  }

  const hostileString = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom("' OR 1=1 --", '"; DROP TABLE leituras; --', '${process.exit()}', '<script>alert(1)</script>', '../../etc/passwd', '\u0000', '__proto__', 'NaN', '1e999', '-0'),
  );
  const anyValue = fc.oneof(
    hostileString,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.jsonValue({ maxDepth: 4 }),
    fc.integer({ min: 1, max: 300 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth))),
  );

  it('random bytes: never throws, only documented errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: MAX_DATAGRAM_BYTES + 200 }), (data) => wellFormed(parseDatagram(Buffer.from(data)))),
      { numRuns: 2000 },
    );
  });

  it('random text and random JSON: never throws, only documented errors', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.json({ maxDepth: 6 })), (text) =>
        wellFormed(parseDatagram(bytes(text))),
      ),
      { numRuns: 2000 },
    );
  });

  it('v2-shaped objects with hostile values in every field (wrong types, unicode, injection, deep nesting)', () => {
    const field = (valid: fc.Arbitrary<unknown>) => fc.oneof({ weight: 2, arbitrary: valid }, { weight: 1, arbitrary: anyValue });
    const datagram = fc.record(
      {
        v: field(fc.constant(2)),
        id: field(fc.constantFrom(CPF, '123.456.789-09', 12345678909)),
        m: field(fc.integer({ min: 1, max: 5 })),
        seq: field(fc.nat()),
        valor: field(fc.double({ min: 0, max: 1e5, noNaN: true })),
        ts: field(fc.integer({ min: 946684800, max: 1900000000 })),
        mac: field(fc.stringMatching(/^[0-9a-f]{64}$/)),
        extra: anyValue,
      },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(datagram, (object) => wellFormed(parseDatagram(bytes(JSON.stringify(object))))), { numRuns: 2000 });
  });

  it('rawMembers gives each member its exact wire text, whatever the spacing, nesting and escapes', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.jsonValue({ maxDepth: 3 })), fc.integer({ min: 0, max: 3 }), (object, indent) => {
        const text = JSON.stringify(object, null, indent);
        const parsed = JSON.parse(text) as Record<string, unknown>;
        const members = rawMembers(text);
        expect(members.size).toBe(Object.keys(parsed).length);
        for (const [name, value] of Object.entries(parsed)) expect(JSON.parse(members.get(name)!)).toEqual(value);
      }),
      { numRuns: 1000 },
    );
  });

  it('a signed datagram with any one character changed is refused or still means exactly the same reading', () => {
    const reading = fc.record({
      id: fc.constantFrom(CPF, '52998224725'),
      m: fc.integer({ min: 1, max: 9 }),
      seq: fc.nat(),
      valor: fc.double({ min: 0, max: 1e5, noNaN: true }).filter((value) => value === 0 || value >= 1e-9),
      ts: fc.integer({ min: 946684800, max: 1900000000 }),
    });
    fc.assert(
      fc.property(reading, fc.nat(), fc.integer({ min: 32, max: 126 }), (fields, at, code) => {
        const datagram = signedDatagram(fields, SECRET);
        const original = parseDatagram(bytes(datagram));
        if (!original.ok || original.protocol !== 'v2') throw new Error(`a signed datagram must parse: ${datagram}`);
        expect(macMatches(SECRET, original.signature)).toBe(true);
        const position = at % datagram.length;
        const changed = datagram.slice(0, position) + String.fromCharCode(code) + datagram.slice(position + 1);
        const parsed = parseDatagram(bytes(changed));
        wellFormed(parsed);
        if (parsed.ok && parsed.protocol === 'v2' && macMatches(SECRET, parsed.signature)) {
          expect({ seq: parsed.seq, input: parsed.input }).toEqual({ seq: original.seq, input: original.input });
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('RETRYABLE_CODES', () => {
  it('are exactly the refusals that are not about the reading: the meter sends it again later', () => {
    expect([...RETRYABLE_CODES].sort()).toEqual(['internal', 'overloaded', 'rate_limited', 'shutting_down', 'unavailable']);
    expect([new RateLimited(), new Overloaded(), new StorageUnavailable(), new ShuttingDown(), new InternalFault()].map((error) => error.name)).toEqual([
      'RateLimited',
      'Overloaded',
      'StorageUnavailable',
      'ShuttingDown',
      'InternalFault',
    ]);
  });
});
