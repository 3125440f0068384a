// The simulator's datagrams and how it reads the gateway's replies.
import { createHmac } from 'node:crypto';
import { assertSigned, parseV1Reply, parseV2Reply, UnsignedFleet, v1Datagram, v2Datagram } from './transport';

const entry = { seq: 12, meter: 0, valor: 49.90570014674455, timestampMs: 1795608363000 };
const meter = { id: '12345678909', m: 2, segredo: 'c2VncmVkby1kby1tZWRpZG9yLWRlLXRlc3RlLTEyMzQ' };

describe('meter datagrams and replies', () => {
  it('writes v2 JSON signed over its canonical payload, and the original v1 text, with every digit of the value', () => {
    const canonical = '[2,"12345678909",2,12,49.90570014674455,1795608363]';
    const mac = createHmac('sha256', meter.segredo).update(canonical).digest('hex');
    expect(v2Datagram(entry, meter)).toBe(
      `{"v":2,"id":"12345678909","m":2,"seq":12,"valor":49.90570014674455,"ts":1795608363,"mac":"${mac}"}`,
    );
    expect(v1Datagram(entry, meter)).toBe('12345678909,2,49.90570014674455,1795608363');
  });

  it('a fleet registered before meters had secrets cannot speak v2, and says what to do', () => {
    expect(() => assertSigned([meter, { id: '12345678909', m: 3 }], 'state/fleet.json')).toThrow(UnsignedFleet);
    expect(() => assertSigned([meter, { id: '12345678909', m: 3 }], 'state/fleet.json')).toThrow(
      'state/fleet.json has 1 meter(s) registered before meters had secrets, so they cannot sign v2 datagrams; ' +
        'run with --fresh to register new meters (or rotate each secret with POST /segredoMedidor), or use --v1',
    );
    expect(() => assertSigned([meter], 'state/fleet.json')).not.toThrow();
    expect(() => v2Datagram(entry, { id: '12345678909', m: 3 })).toThrow(UnsignedFleet);
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
