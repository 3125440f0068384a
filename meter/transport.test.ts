// The simulator's datagrams and how it reads the gateway's replies.
import { parseV1Reply, parseV2Reply, v1Datagram, v2Datagram } from './transport';

const entry = { seq: 12, meter: 0, valor: 49.90570014674455, timestampMs: 1795608363000 };
const meter = { id: '12345678909', m: 2 };

describe('meter datagrams and replies', () => {
  it('writes v2 JSON and the original v1 text with every digit of the value', () => {
    expect(JSON.parse(v2Datagram(entry, meter))).toEqual({ v: 2, id: '12345678909', m: 2, seq: 12, valor: 49.90570014674455, ts: 1795608363 });
    expect(v1Datagram(entry, meter)).toBe('12345678909,2,49.90570014674455,1795608363');
  });

  it.each([
    ['{"ack":3}', { seq: 3, reply: { kind: 'ack' } }],
    ['{"nack":4,"error":{"code":"overloaded","message":"later"}}', { seq: 4, reply: { kind: 'retry', code: 'overloaded' } }],
    ['{"nack":5,"error":{"code":"meter_not_found","message":"customer has no meter 2"}}', { seq: 5, reply: { kind: 'reject', code: 'meter_not_found', message: 'customer has no meter 2' } }],
    ['{"nack":null,"error":{"code":"invalid_input","message":"x"}}', undefined],
    ['garbage', undefined],
  ])('v2 reply %s', (text, parsed) => {
    expect(parseV2Reply(text)).toEqual(parsed);
  });

  it.each([
    ['200', { kind: 'ack' }],
    ['429 rate_limited: too many datagrams from this address; send again later', { kind: 'retry', code: 'rate_limited' }],
    ['503 unavailable: storage did not confirm the write; send again later', { kind: 'retry', code: 'unavailable' }],
    ['404 meter_not_found: customer has no meter 2', { kind: 'reject', code: 'meter_not_found', message: 'customer has no meter 2' }],
  ])('v1 reply %s', (text, reply) => {
    expect(parseV1Reply(text)).toEqual(reply);
  });
});
