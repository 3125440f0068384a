// The path of one datagram through the gateway, a named step each, in the order it takes them:
//
//   admit → parse → authenticate (signed v2 only) → submit → answer
//
// startGatewayServer (server.ts) wires them to the socket; each step works on what it is handed, so
// each is tested without one (datagramPath.test.ts). Storage is reached only through core/ (the
// domain functions the HTTP handlers call too): checkReading, meterCredentials (via MeterKeys),
// storedReading and, in the group commit, recordReadings.
import type { RemoteInfo } from 'node:dgram';
import type { Context } from '../core/context';
import { maskCpf } from '../core/cpf';
import { LuzError } from '../core/errors';
import type { Reading, StoreOutcome } from '../core/model';
import { checkReading, storedReading } from '../core/readings';
import type { AlarmRefresh } from './alarmRefresh';
import type { GroupCommit, Settle } from './groupCommit';
import type { Logger } from './log';
import type { MeterKeys } from './meterKeys';
import {
  BadMac,
  formatReply,
  macMatches,
  Overloaded,
  parseDatagram,
  peekSeq,
  protocolOf,
  RateLimited,
  Replayed,
  ShuttingDown,
  V1Disabled,
  type Protocol,
  type Signature,
} from './protocol';
import type { RateLimiter } from './rateLimiter';
import type { GatewayStats } from './stats';

/** A datagram refused before storage: the error, and what its answer needs (dialect, seq if known). */
export interface Refusal {
  protocol: Protocol;
  seq: number | null;
  error: LuzError;
  /** For the log, once the datagram has been read. */
  customerId?: string;
}

/** What admission looks at; the server hands it the values of the moment. */
export interface Admission {
  stopping: boolean;
  limiter: RateLimiter;
  acceptV1: boolean;
  /** Readings accepted and not yet answered: being authenticated or in the group commit. */
  inFlight: number;
  maxInFlight: number;
}

/**
 * 1. admit: the refusals that need no parsing, cheapest first, so a flood or an overload costs a
 * token-bucket look-up per datagram and nothing more: stopping, the sender's rate, unsigned v1 when
 * it is off, the in-flight bound. Undefined: admitted.
 */
export function admit(bytes: Buffer, source: string, admission: Admission): Refusal | undefined {
  const protocol = protocolOf(bytes);
  if (admission.stopping) return { protocol, seq: peekSeq(bytes), error: new ShuttingDown() };
  if (!admission.limiter.take(source)) return { protocol, seq: peekedSeq(protocol, bytes), error: new RateLimited() };
  if (!admission.acceptV1 && protocol === 'v1') return { protocol, seq: null, error: new V1Disabled() };
  if (admission.inFlight >= admission.maxInFlight) return { protocol, seq: peekedSeq(protocol, bytes), error: new Overloaded() };
  return undefined;
}

/** The seq a refusal before parsing answers with: a v2 datagram's, when it can be seen. */
const peekedSeq = (protocol: Protocol, bytes: Buffer) => (protocol === 'v2' ? peekSeq(bytes) : null);

export type SignedReading = Reading & { seq: number };

export type Parsed =
  | { ok: true; protocol: 'v1'; seq: null; reading: Reading }
  | { ok: true; protocol: 'v2'; seq: number; reading: SignedReading; signature: Signature }
  | ({ ok: false } & Refusal);

/**
 * 2. parse: the datagram (v1 text or v2 JSON, protocol.ts) read into the fields postConsumo takes,
 * then core's checkReading: the same rules as every other reading, on every path.
 */
export function parse(context: Context, bytes: Buffer): Parsed {
  const parsed = parseDatagram(bytes);
  if (!parsed.ok) return parsed;
  let reading: Reading;
  try {
    reading = checkReading(context, parsed.input);
  } catch (error) {
    if (!(error instanceof LuzError)) throw error;
    return { ok: false, protocol: parsed.protocol, seq: parsed.seq, error, customerId: parsed.input.id };
  }
  if (parsed.protocol === 'v1') return { ok: true, protocol: 'v1', seq: null, reading };
  return { ok: true, protocol: 'v2', seq: parsed.seq, reading: { ...reading, seq: parsed.seq }, signature: parsed.signature };
}

/** What authentication consults. */
export interface Trust {
  context: Context;
  /** Meter secrets and highest stored seqs, cached (meterKeys.ts). */
  keys: MeterKeys;
  /** Seqs this far behind a meter's highest stored one are refused unless they repeat a stored reading. */
  replayWindow: number;
  /** Recently stored readings, answered without a storage read. */
  commits: Pick<GroupCommit, 'recentValue'>;
}

/** `store`: on to storage; `stored`: a resend of a stored reading (answered as a duplicate); or the refusal. */
export type Verdict = 'store' | 'stored' | LuzError;

/**
 * 3. authenticate (signed datagrams): the MAC under the meter's secret, then the anti-replay window.
 * The same BadMac whether the meter exists or not: a sender without its secret learns nothing.
 */
export async function authenticate(reading: SignedReading, signature: Signature, trust: Trust): Promise<Verdict> {
  const { customerId, meterId } = reading;
  let key = await trust.keys.get(customerId, meterId);
  if (key.secret === undefined || !macMatches(key.secret, signature)) {
    // Perhaps the secret was rotated, or the meter registered, since it was read.
    const again = await trust.keys.recheck(customerId, meterId);
    if (again?.secret === undefined || !macMatches(again.secret, signature)) return new BadMac();
    key = again;
  }
  if (key.highestSeq !== undefined && reading.seq <= key.highestSeq - trust.replayWindow) {
    // Behind the window: a resend of a reading already stored is answered as such; nothing else gets in.
    const stored = trust.commits.recentValue(reading) ?? (await storedReading(trust.context, reading))?.valor;
    return stored === reading.valor ? 'stored' : new Replayed();
  }
  return 'store';
}

/** What a stored reading sets going besides its answer. */
export interface AfterStore {
  keys: Pick<MeterKeys, 'stored'>;
  alarms: Pick<AlarmRefresh, 'mark'>;
}

/**
 * 4. submit: the checked (and, if signed, authenticated) reading into the group commit
 * (groupCommit.ts: batched, one lane per customer, core's recordReadings). Once stored, the meter's
 * highest seq is raised in memory and its customer's alarms are due. False when the group commit
 * is full: the caller answers overloaded.
 */
export function submit(reading: Reading, commits: Pick<GroupCommit, 'submit'>, after: AfterStore, settle: Settle): boolean {
  return commits.submit(reading, (outcome, commitId) => {
    if (outcome.status === 'stored') {
      if (reading.seq !== undefined) after.keys.stored(reading.customerId, reading.meterId, reading.seq);
      after.alarms.mark(reading.customerId);
    }
    settle(outcome, commitId);
  });
}

/** Where an answer goes, and in which dialect. */
export interface ReplyTo {
  protocol: Protocol;
  seq: number | null;
  to: Pick<RemoteInfo, 'address' | 'port'>;
}

/** What answering uses: the counters, the log and the socket's send. */
export interface Outbox {
  stats: GatewayStats;
  logger: Logger;
  send(text: string, to: Pick<RemoteInfo, 'address' | 'port'>): void;
}

/** 5. answer: the outcome counted, a refusal logged (debug), the reply sent in the datagram's dialect. */
export function answer(outcome: StoreOutcome, replyTo: ReplyTo, outbox: Outbox, detail: { customerId?: string; commitId?: string } = {}): void {
  const { protocol, seq, to } = replyTo;
  const { stats, logger } = outbox;
  if (outcome.status === 'stored') stats.stored += 1;
  else if (outcome.status === 'duplicate') stats.duplicates += 1;
  else {
    stats.reject(outcome.error.code);
    if (logger.enabled('debug')) {
      logger.debug('datagram rejected', {
        from: `${to.address}:${to.port}`,
        protocol,
        seq,
        code: outcome.error.code,
        reason: outcome.error.message,
        ...(detail.customerId ? { cpf: maskCpf(detail.customerId) } : {}),
        ...(detail.commitId ? { correlation_id: detail.commitId } : {}),
      });
    }
  }
  outbox.send(formatReply(protocol, seq, outcome), to);
}

/** answer, for a refusal. */
export const refuse = (refusal: Refusal, to: ReplyTo['to'], outbox: Outbox): void =>
  answer({ status: 'rejected', error: refusal.error }, { protocol: refusal.protocol, seq: refusal.seq, to }, outbox, { customerId: refusal.customerId });
