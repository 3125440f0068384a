// Meter datagrams: parsing v1 (plain text) and v2 (JSON) into the shared reading fields, and the replies.
//
// v1  request  `cpf,id_medidor,valor,timestamp`     reply `200` or `<status> <code>: <message>`
// v2  request  {"v":2,"id":CPF,"m":meter,"seq":n,"valor":x,"ts":t}
//     reply    {"ack":n} or {"nack":n,"error":{"code","message","field"?}}  (n is null when unreadable)
//
// Statuses (v1) and codes (both): 400 invalid_input (bad, binary, truncated, wrong types, out of range),
// 404 customer_not_found / meter_not_found, 409 reading_conflict, 413 datagram_too_large,
// 429 rate_limited, 503 overloaded / unavailable / shutting_down, 500 internal. 429, 503 and 500 mean
// "send it again later"; every other error is final for that reading.
import type { z } from 'zod';
import { CustomerNotFound, InvalidInput, LuzError, MeterNotFound, ReadingConflict } from '../core/errors';
import { readingFields, type ReadingInput } from '../core/fields';
import type { StoreOutcome } from '../core/model';

/** Larger than any honest datagram (a v2 reading is under 150 bytes) and small enough to parse cheaply. */
export const MAX_DATAGRAM_BYTES = 1024;

export class DatagramTooLarge extends LuzError {
  readonly code = 'datagram_too_large';
  constructor(size: number) {
    super(`datagram of ${size} bytes is larger than ${MAX_DATAGRAM_BYTES} bytes`);
  }
}

export class RateLimited extends LuzError {
  readonly code = 'rate_limited';
  constructor() {
    super('too many datagrams from this address; send again later');
  }
}

export class Overloaded extends LuzError {
  readonly code = 'overloaded';
  constructor() {
    super('gateway is at its in-flight limit; send again later');
  }
}

export class StorageUnavailable extends LuzError {
  readonly code = 'unavailable';
  constructor() {
    super('storage did not confirm the write; send again later');
  }
}

export class ShuttingDown extends LuzError {
  readonly code = 'shutting_down';
  constructor() {
    super('gateway is shutting down; send again later');
  }
}

/** A fault in the gateway itself (logged); the reading may well succeed when sent again. */
export class InternalFault extends LuzError {
  readonly code = 'internal';
  constructor() {
    super('internal error; it has been logged; send again later');
  }
}

/** The one place where an error becomes a v1 status. */
const STATUS_OF: [new (...args: never[]) => LuzError, number][] = [
  [InvalidInput, 400],
  [CustomerNotFound, 404],
  [MeterNotFound, 404],
  [ReadingConflict, 409],
  [DatagramTooLarge, 413],
  [RateLimited, 429],
  [Overloaded, 503],
  [StorageUnavailable, 503],
  [ShuttingDown, 503],
  [InternalFault, 500],
];

export function statusOf(error: LuzError): number {
  return STATUS_OF.find(([type]) => error instanceof type)?.[1] ?? 500;
}

/** Error codes after which a meter should send the same reading again later. */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set(['rate_limited', 'overloaded', 'unavailable', 'shutting_down', 'internal']);

export type Protocol = 'v1' | 'v2';

export type ParsedDatagram =
  | { ok: true; protocol: Protocol; seq: number | null; input: ReadingInput }
  | { ok: false; protocol: Protocol; seq: number | null; error: LuzError };

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

function invalid(issues: z.core.$ZodIssue[], given: Record<string, unknown>, wireName: (field: string) => string): InvalidInput {
  const issue = issues[0];
  const field = issue.path.length > 0 ? String(issue.path[0]) : undefined;
  if (field === undefined) return new InvalidInput(issue.message);
  const name = wireName(field);
  const message = given[field] === undefined || given[field] === '' ? 'is required' : issue.message;
  return new InvalidInput(`${name}: ${message}`, name);
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
  if (!result.success) return { ok: false, protocol: 'v1', seq: null, error: invalid(result.error.issues, given, (f) => f) };
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
  const given = { id: object.id, id_medidor: object.m, valor: object.valor, timestamp: object.ts };
  const result = readingFields.safeParse(given);
  if (!result.success) {
    return { ok: false, protocol: 'v2', seq, error: invalid(result.error.issues, given, (f) => V2_WIRE_NAME[f] ?? f) };
  }
  return { ok: true, protocol: 'v2', seq, input: result.data };
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
    return `${statusOf(outcome.error)} ${code}: ${text}`;
  }
  if (outcome.status !== 'rejected') return JSON.stringify({ ack: seq });
  const { code, message, field } = outcome.error;
  const wireField = field === undefined ? undefined : (V2_WIRE_NAME[field] ?? field);
  return JSON.stringify({ nack: seq, error: { code, message, ...(wireField ? { field: wireField } : {}) } });
}
