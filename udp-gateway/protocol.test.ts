// Datagram parsing and replies: every class of bad datagram gets its own answer.
import { CustomerNotFound, InvalidInput, MeterNotFound, ReadingConflict } from '../core/errors';
import {
  DatagramTooLarge,
  formatReply,
  MAX_DATAGRAM_BYTES,
  Overloaded,
  parseDatagram,
  peekSeq,
  protocolOf,
  RateLimited,
  InternalFault,
  ShuttingDown,
  StorageUnavailable,
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

describe('parseDatagram v2 (Luz meters)', () => {
  const v2 = (fields: Record<string, unknown>) => JSON.stringify({ v: 2, id: CPF, m: 1, seq: 7, valor: 3.25, ts: 1764072000, ...fields });

  it('reads a v2 reading and keeps its seq', () => {
    expect(parseDatagram(bytes(v2({})))).toEqual({
      ok: true,
      protocol: 'v2',
      seq: 7,
      input: { id: CPF, id_medidor: 1, valor: 3.25, timestamp: 1764072000000 },
    });
  });

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
  ])('answers %s', (error, v1, v2Error) => {
    expect(formatReply('v1', null, { status: 'rejected', error })).toBe(v1);
    expect(JSON.parse(formatReply('v2', 9, { status: 'rejected', error }))).toEqual({ nack: 9, error: v2Error });
  });
});
