// Meter datagrams: parsing v1 (plain text) and v2 (JSON) into the shared reading fields, and the replies.
//
// v1  request  `cpf,id_medidor,valor,timestamp`     reply `200` or `<status> <code>: <message>`
//     (unsigned: accepted only while LUZ_ACCEPT_V1=1, otherwise `403 v1_disabled: …`)
// v2  request  {"v":2,"id":CPF,"m":meter,"seq":n,"valor":x,"ts":t,"mac":hex}
//     reply    {"ack":n} or {"nack":n,"error":{"code","message","field"?}}  (n is null when unreadable)
//
// The v2 MAC: `mac` = lowercase or uppercase hex of HMAC-SHA256(key, canonical), where
//   key        the meter's secret exactly as cadMedidor/segredoMedidor returned it, as ASCII bytes
//              (the 43-character base64url text, not the 32 bytes it encodes);
//   canonical  the UTF-8 text `[` v `,` id `,` m `,` seq `,` valor `,` ts `]`: the six members' values
//              exactly as they appear on the wire (numbers digit for digit, strings with their quotes
//              and escapes), in that order, joined by commas, no spaces.
// So a meter that sends {"v":2,"id":"52998224725","m":1,"seq":7,"valor":3.25,"ts":1764072000,"mac":…}
// signs `[2,"52998224725",1,7,3.25,1764072000]`, which is JSON.stringify of the six values in JS.
// Other members are ignored and not signed. Signing the wire text, not re-serialised values, keeps
// meters in any language free of number-formatting rules: what they send is what they sign.
//
// Statuses (v1) and codes (both): 400 invalid_input (bad, binary, truncated, wrong types, out of range),
// 401 unauthorized (v2 without mac) / bad_mac (mac does not verify, or not 64 hex digits),
// 403 v1_disabled, 404 customer_not_found / meter_not_found, 409 reading_conflict / replayed (seq older
// than the meter's anti-replay window, and not a stored reading), 413 datagram_too_large,
// 429 rate_limited, 503 overloaded / unavailable / shutting_down, 500 internal. 429, 503 and 500 mean
// "send it again later"; every other error is final for that reading.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Unauthorized } from '../core/access';
import { InvalidInput, LuzError, statusOf } from '../core/errors';
import { invalidInputFrom, readingFields, type ReadingInput } from '../core/fields';
import type { StoreOutcome } from '../core/model';

/** Larger than any honest datagram (a v2 reading is under 150 bytes) and small enough to parse cheaply. */
export const MAX_DATAGRAM_BYTES = 1024;

export class DatagramTooLarge extends LuzError {
  readonly code = 'datagram_too_large';
  constructor(size: number) {
    super(`datagram of ${size} bytes is larger than ${MAX_DATAGRAM_BYTES} bytes`);
  }
}

/** A refusal that is not about the reading (429/503/500): the meter sends the same reading again later. */
function sendAgainLater<Code extends string>(code: Code, reason: string) {
  const retryable = class extends LuzError {
    readonly code = code;
    constructor() {
      super(`${reason}; send again later`);
    }
  };
  RETRYABLE.add(code);
  return retryable;
}
const RETRYABLE = new Set<string>();

export class RateLimited extends sendAgainLater('rate_limited', 'too many datagrams from this address') {}

export class Overloaded extends sendAgainLater('overloaded', 'gateway is at its in-flight limit') {}

export class StorageUnavailable extends sendAgainLater('unavailable', 'storage did not confirm the write') {}

export class ShuttingDown extends sendAgainLater('shutting_down', 'gateway is shutting down') {}

/** A v2 datagram whose MAC does not verify with its meter's secret (or names no meter that has one). */
export class BadMac extends LuzError {
  readonly code = 'bad_mac';
  constructor(message = "mac: does not match: not signed with this meter's current secret", field = 'mac') {
    super(message, field);
  }
}

/** A signed datagram older than its meter's anti-replay window that is not a stored reading. */
export class Replayed extends LuzError {
  readonly code = 'replayed';
  constructor() {
    super("seq: older than this meter's anti-replay window and not a stored reading; a new reading needs a new seq", 'seq');
  }
}

export class V1Disabled extends LuzError {
  readonly code = 'v1_disabled';
  constructor() {
    super('v1 (unsigned) datagrams are turned off on this gateway; send signed v2 datagrams');
  }
}

/** A fault in the gateway itself (logged); the reading may well succeed when sent again. */
export class InternalFault extends sendAgainLater('internal', 'internal error; it has been logged') {}

/** Error codes after which a meter should send the same reading again later (the sendAgainLater refusals). */
export const RETRYABLE_CODES: ReadonlySet<string> = RETRYABLE;

export type Protocol = 'v1' | 'v2';

/** What a v2 datagram's MAC covers, and the MAC it carries (lowercase hex). */
export interface Signature {
  canonical: string;
  mac: string;
}

export type ParsedDatagram =
  | { ok: true; protocol: 'v1'; seq: null; input: ReadingInput }
  | { ok: true; protocol: 'v2'; seq: number; input: ReadingInput; signature: Signature }
  | { ok: false; protocol: Protocol; seq: number | null; error: LuzError };

/**
 * Default anti-replay window (GATEWAY_REPLAY_WINDOW): a signed datagram whose seq is this far or more
 * behind the highest seq stored for its meter is refused, unless it repeats a stored reading. It bounds
 * how late a reading that was never stored may still arrive, counted in its meter's seqs: with one
 * reading every 5 minutes, 65,536 is over 200 days; for the simulator, whose meters share one counter,
 * about two minutes of a whole fleet at 600 readings/s. A meter must not send a new seq this far ahead
 * of its oldest unacknowledged reading (the simulator holds new readings back rather than do so).
 */
export const REPLAY_WINDOW = 65_536;

/** The signed members of a v2 datagram, in canonical order. */
export const SIGNED_FIELDS = ['v', 'id', 'm', 'seq', 'valor', 'ts'] as const;
const MAC_SHAPE = /^[0-9a-fA-F]{64}$/;

/** HMAC-SHA256 of the canonical payload under the meter's secret, as lowercase hex. */
export function macOf(secret: string, canonical: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(canonical, 'utf8').digest('hex');
}

/** Whether the datagram was signed with this secret; constant time in the MAC's bytes. */
export function macMatches(secret: string, signature: Signature): boolean {
  return timingSafeEqual(Buffer.from(macOf(secret, signature.canonical), 'hex'), Buffer.from(signature.mac, 'hex'));
}

/** A signed v2 datagram, as a meter sends it (the simulator and the tests use this). */
export function signedDatagram(
  reading: { id: string; m: number; seq: number; valor: number; ts: number },
  secret: string,
): string {
  const { id, m, seq, valor, ts } = reading;
  const mac = macOf(secret, JSON.stringify([2, id, m, seq, valor, ts]));
  return JSON.stringify({ v: 2, id, m, seq, valor, ts, mac });
}

const isJsonSpace = (char: string | undefined) => char === ' ' || char === '\t' || char === '\n' || char === '\r';
const skipSpace = (text: string, at: number) => {
  while (isJsonSpace(text[at])) at++;
  return at;
};

/** Index just past the JSON string that starts at `at` (an opening quote). */
function endOfString(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}

/** Index just past the JSON value that starts at `at`. */
function endOfValue(text: string, at: number): number {
  const first = text[at];
  if (first === '"') return endOfString(text, at);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const char = text[i];
      if (char === '"') i = endOfString(text, i) - 1;
      else if (char === '{' || char === '[') depth++;
      else if ((char === '}' || char === ']') && --depth === 0) return i + 1;
    }
    return text.length;
  }
  let i = at;
  while (i < text.length && !isJsonSpace(text[i]) && text[i] !== ',' && text[i] !== '}' && text[i] !== ']') i++;
  return i;
}

/**
 * The wire text of each top-level member's value of a JSON object, for text that JSON.parse has
 * already accepted as an object. A repeated name keeps its last value, as JSON.parse does, so the
 * MAC always covers the very values the gateway reads.
 */
export function rawMembers(text: string): Map<string, string> {
  const members = new Map<string, string>();
  let at = skipSpace(text, 0) + 1; // past {
  for (;;) {
    at = skipSpace(text, at);
    if (text[at] !== '"') return members; // } of an empty object
    const nameEnd = endOfString(text, at);
    const name = JSON.parse(text.slice(at, nameEnd)) as string;
    at = skipSpace(text, skipSpace(text, nameEnd) + 1); // past :
    const valueEnd = endOfValue(text, at);
    members.set(name, text.slice(at, valueEnd));
    at = skipSpace(text, valueEnd);
    if (text[at] !== ',') return members;
    at += 1;
  }
}

// v2 names its fields differently on the wire; errors use the names the meter sent.
const V2_WIRE_NAME: Record<string, string> = { id: 'id', id_medidor: 'm', valor: 'valor', timestamp: 'ts' };
const V1_FIELDS = ['id', 'id_medidor', 'valor', 'timestamp'] as const;
const utf8 = new TextDecoder('utf-8', { fatal: true });
// Text meters send printable characters, maybe a trailing newline; anything else is binary.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Which protocol a datagram claims, from its first byte (JSON is v2), so even an unreadable one is answered in kind. */
export function protocolOf(bytes: Buffer): Protocol {
  for (const byte of bytes) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === 0x7b /* { */ || byte === 0x5b /* [ */ ? 'v2' : 'v1';
  }
  return 'v1';
}

/** The seq of a v2 datagram that is not parsed (rate limited), when it is plainly there. */
export function peekSeq(bytes: Buffer): number | null {
  if (bytes.length > MAX_DATAGRAM_BYTES) return null;
  const match = /"seq"\s*:\s*(\d{1,15})\b/.exec(bytes.toString('latin1'));
  return match ? Number(match[1]) : null;
}

function parseV1(text: string): ParsedDatagram {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length < V1_FIELDS.length) {
    return {
      ok: false,
      protocol: 'v1',
      seq: null,
      error: new InvalidInput(`truncated: expected cpf,id_medidor,valor,timestamp, got ${parts.length} field(s)`),
    };
  }
  if (parts.length > V1_FIELDS.length) {
    return {
      ok: false,
      protocol: 'v1',
      seq: null,
      error: new InvalidInput(`expected 4 fields cpf,id_medidor,valor,timestamp, got ${parts.length}`),
    };
  }
  const given = Object.fromEntries(V1_FIELDS.map((name, i) => [name, parts[i]]));
  const result = readingFields.safeParse(given);
  if (!result.success) return { ok: false, protocol: 'v1', seq: null, error: invalidInputFrom(result.error, given, { emptyIsMissing: true }) };
  return { ok: true, protocol: 'v1', seq: null, input: result.data };
}

function parseV2(text: string): ParsedDatagram {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, protocol: 'v2', seq: null, error: new InvalidInput('not valid JSON (truncated?)') };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, protocol: 'v2', seq: null, error: new InvalidInput('must be a JSON object') };
  }
  const object = body as Record<string, unknown>;
  const seq = object.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    const message = seq === undefined ? 'seq: is required' : 'seq: must be a whole number, 0 or more';
    return { ok: false, protocol: 'v2', seq: null, error: new InvalidInput(message, 'seq') };
  }
  if (object.v !== 2) {
    const message = object.v === undefined ? 'v: is required' : 'v: unsupported version; this gateway speaks v 2';
    return { ok: false, protocol: 'v2', seq, error: new InvalidInput(message, 'v') };
  }
  // Unsigned datagrams are turned away before their content is looked at.
  const mac = object.mac;
  if (mac === undefined) {
    const message = "mac: is required: sign each v2 datagram with its meter's secret (HMAC-SHA256)";
    return { ok: false, protocol: 'v2', seq, error: new Unauthorized(message, 'mac') };
  }
  if (typeof mac !== 'string' || !MAC_SHAPE.test(mac)) {
    return { ok: false, protocol: 'v2', seq, error: new BadMac('mac: must be 64 hex digits (HMAC-SHA256)') };
  }
  const given = { id: object.id, id_medidor: object.m, valor: object.valor, timestamp: object.ts };
  const result = readingFields.safeParse(given);
  if (!result.success) {
    return { ok: false, protocol: 'v2', seq, error: invalidInputFrom(result.error, given, { wireName: (f) => V2_WIRE_NAME[f] ?? f, emptyIsMissing: true }) };
  }
  const members = rawMembers(text);
  const canonical = `[${SIGNED_FIELDS.map((name) => members.get(name)).join(',')}]`;
  return { ok: true, protocol: 'v2', seq, input: result.data, signature: { canonical, mac: mac.toLowerCase() } };
}

/** Reads one datagram; never throws. */
export function parseDatagram(bytes: Buffer): ParsedDatagram {
  const protocol = protocolOf(bytes);
  if (bytes.length > MAX_DATAGRAM_BYTES) {
    return { ok: false, protocol, seq: null, error: new DatagramTooLarge(bytes.length) };
  }
  let text: string;
  try {
    text = utf8.decode(bytes).trim();
  } catch {
    return { ok: false, protocol, seq: null, error: new InvalidInput('binary data: a datagram is UTF-8 text') };
  }
  if (text === '') return { ok: false, protocol, seq: null, error: new InvalidInput('empty datagram') };
  if (CONTROL.test(text)) {
    return { ok: false, protocol, seq: null, error: new InvalidInput('binary data: a datagram is UTF-8 text') };
  }
  return protocol === 'v2' ? parseV2(text) : parseV1(text);
}

/** The reply to a datagram once its outcome is known. */
export function formatReply(protocol: Protocol, seq: number | null, outcome: StoreOutcome): string {
  if (protocol === 'v1') {
    if (outcome.status !== 'rejected') return '200';
    const { code, message, field } = outcome.error;
    // v1 has no field slot: name the field in the text when the message does not already.
    const text = outcome.error instanceof InvalidInput && field && !message.startsWith(`${field}:`) ? `${field}: ${message}` : message;
    return `${statusOf(outcome.error) ?? 500} ${code}: ${text}`;
  }
  if (outcome.status !== 'rejected') return JSON.stringify({ ack: seq });
  const { code, message, field } = outcome.error;
  const wireField = field === undefined ? undefined : (V2_WIRE_NAME[field] ?? field);
  return JSON.stringify({ nack: seq, error: { code, message, ...(wireField ? { field: wireField } : {}) } });
}
