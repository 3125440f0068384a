// The UDP gateway server: datagram → shared field shapes → checkReading → group commit → reply.
// Runs in its own process (udp-gateway/main.ts) or in-process with any Context (tests, benchmarks).
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { Config } from '../core/config';
import type { Context } from '../core/context';
import { maskCpf } from '../core/cpf';
import { LuzError } from '../core/errors';
import type { StoreOutcome } from '../core/model';
import { checkReading } from '../core/readings';
import { GroupCommit, type GroupCommitOptions } from './groupCommit';
import { silentLogger, type Logger } from './log';
import {
  formatReply,
  InternalFault,
  Overloaded,
  parseDatagram,
  peekSeq,
  protocolOf,
  RateLimited,
  ShuttingDown,
  type Protocol,
} from './protocol';
import { RateLimiter } from './rateLimiter';
import { GatewayStats, type StatsSnapshot } from './stats';

export interface GatewayOptions extends GroupCommitOptions {
  host: string;
  /** 0 picks a free port (see `address`). */
  port: number;
  ratePerSource: number;
  burstPerSource: number;
  /** Interval of the stats log line; 0 turns it off. */
  statsIntervalMs: number;
  /** How long `stop` waits for in-flight readings before giving up on them. */
  drainTimeoutMs?: number;
}

export function gatewayOptionsFrom(config: Config): GatewayOptions {
  return {
    host: config.UDP_HOST,
    port: config.UDP_PORT,
    batchSize: config.GATEWAY_BATCH_SIZE,
    batchWaitMs: config.GATEWAY_BATCH_WAIT_MS,
    lanes: config.GATEWAY_LANES,
    maxInFlight: config.GATEWAY_MAX_IN_FLIGHT,
    ratePerSource: config.GATEWAY_RATE_PER_SOURCE,
    burstPerSource: config.GATEWAY_BURST_PER_SOURCE,
    statsIntervalMs: config.GATEWAY_STATS_SECONDS * 1000,
  };
}

export interface GatewayServer {
  readonly address: { host: string; port: number };
  stats(): StatsSnapshot;
  /** Stops taking readings (late ones are told "shutting_down"), answers all in flight, closes the socket. */
  stop(): Promise<void>;
}

/** Socket receive buffer asked of the kernel (it may grant less): room for bursts between event-loop turns. */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

export async function startGatewayServer(
  context: Context,
  options: GatewayOptions,
  logger: Logger = silentLogger,
): Promise<GatewayServer> {
  const stats = new GatewayStats();
  const limiter = new RateLimiter({ ratePerSecond: options.ratePerSource, burst: options.burstPerSource });
  const commits = new GroupCommit(context, options, {
    onBatch: (size) => stats.batch(size),
    onStoreError: (error, size) =>
      logger.error('store failed; batch answered unavailable', { readings: size, error: String((error as Error)?.message ?? error) }),
  });
  const socket: Socket = createSocket({ type: 'udp4', recvBufferSize: RECEIVE_BUFFER_BYTES });
  let stopping = false;
  let closed = false;

  // Replies handed to the socket and not yet sent: closing before they leave would drop them.
  let sending = 0;
  let sent: (() => void) | undefined;
  const send = (text: string, to: RemoteInfo) => {
    sending += 1;
    socket.send(text, to.port, to.address, (error) => {
      sending -= 1;
      if (sending === 0) sent?.();
      if (error) logger.debug('reply not sent', { to: `${to.address}:${to.port}`, error: error.message });
    });
  };

  const answer = (protocol: Protocol, seq: number | null, outcome: StoreOutcome, to: RemoteInfo, detail?: { customerId?: string }) => {
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
          ...(detail?.customerId ? { cpf: maskCpf(detail.customerId) } : {}),
        });
      }
    }
    // A closed socket (after stop) cannot answer; stop() waits for in-flight readings first.
    if (!closed) send(formatReply(protocol, seq, outcome), to);
  };
  const reject = (protocol: Protocol, seq: number | null, error: LuzError, to: RemoteInfo, customerId?: string) =>
    answer(protocol, seq, { status: 'rejected', error }, to, { customerId });

  const receive = (bytes: Buffer, from: RemoteInfo) => {
    const receivedAt = performance.now();
    stats.received += 1;
    if (stopping) return reject(protocolOf(bytes), peekSeq(bytes), new ShuttingDown(), from);
    // Rate first: the cheapest check, before any parsing work is spent on a flood.
    if (!limiter.take(`${from.address}:${from.port}`)) {
      const protocol = protocolOf(bytes);
      return reject(protocol, protocol === 'v2' ? peekSeq(bytes) : null, new RateLimited(), from);
    }
    const parsed = parseDatagram(bytes);
    if (!parsed.ok) return reject(parsed.protocol, parsed.seq, parsed.error, from);
    let reading;
    try {
      reading = checkReading(context, parsed.input);
    } catch (error) {
      if (!(error instanceof LuzError)) throw error;
      return reject(parsed.protocol, parsed.seq, error, from, parsed.input.id);
    }
    const accepted = commits.submit(reading, (outcome) => {
      stats.latency(performance.now() - receivedAt);
      answer(parsed.protocol, parsed.seq, outcome, from, { customerId: reading.customerId });
    });
    if (!accepted) reject(parsed.protocol, parsed.seq, new Overloaded(), from, reading.customerId);
  };
  socket.on('message', (bytes, from) => {
    try {
      receive(bytes, from);
    } catch (error) {
      // A bug must cost one answer (the meter sends it again), never the gateway.
      logger.error('datagram handling failed', { error: String((error as Error)?.stack ?? error) });
      reject(protocolOf(bytes), peekSeq(bytes), new InternalFault(), from);
    }
  });

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port, options.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', (error) => logger.error('socket error', { error: error.message }));
  const bound = socket.address();
  const address = { host: bound.address, port: bound.port };
  logger.always('listening', { host: address.host, port: address.port, ...settingsForLog(options) });

  const statsTimer =
    options.statsIntervalMs > 0
      ? setInterval(() => logger.info('stats', { ...stats.snapshot(commits.inFlight, true) }), options.statsIntervalMs)
      : undefined;
  statsTimer?.unref();

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      stopping = true;
      logger.info('stopping', { inFlight: commits.inFlight });
      const drained = await Promise.race([
        commits.flush().then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), options.drainTimeoutMs ?? 15_000).unref()),
      ]);
      if (!drained) logger.warn('stopped with readings unanswered; their meters will send them again', { inFlight: commits.inFlight });
      if (statsTimer) clearInterval(statsTimer);
      logger.info('stats', { ...stats.snapshot(commits.inFlight, true), final: true });
      closed = true;
      if (sending > 0) await new Promise<void>((resolve) => (sent = resolve));
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      logger.always('stopped');
    })());

  return { address, stats: () => stats.snapshot(commits.inFlight), stop };
}

function settingsForLog(options: GatewayOptions) {
  const { batchSize, batchWaitMs, lanes, maxInFlight, ratePerSource, burstPerSource } = options;
  return { batchSize, batchWaitMs, lanes, maxInFlight, ratePerSource, burstPerSource };
}
