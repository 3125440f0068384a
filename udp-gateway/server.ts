// The UDP gateway server: the socket, the parts a datagram's path uses (rate limiter, meter keys,
// group commit, alarm refresh, stats) and their lifecycle, wired to the steps of datagramPath.ts.
// Runs in its own process (udp-gateway/main.ts) or in-process with any Context (tests, benchmarks).
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { hostname } from 'node:os';
import type { Config } from '../core/config';
import type { Context } from '../core/context';
import type { Reading } from '../core/model';
import { AlarmRefresh } from './alarmRefresh';
import { admit, answer, authenticate, parse, refuse, submit, type AfterStore, type Outbox, type ReplyTo, type Trust } from './datagramPath';
import { GroupCommit, type GroupCommitOptions } from './groupCommit';
import { silentLogger, type Logger } from './log';
import { MeterKeys } from './meterKeys';
import type { GatewayMetrics } from './metrics';
import { InternalFault, Overloaded, peekSeq, protocolOf, REPLAY_WINDOW, StorageUnavailable } from './protocol';
import { RateLimiter } from './rateLimiter';
import { FiguresPublisher } from './publisher';
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
  /** Unsigned v1 datagrams: accepted (true, the lab default) or answered `403 v1_disabled`. */
  acceptV1?: boolean;
  /** Anti-replay window, in seqs (default REPLAY_WINDOW, udp-gateway/protocol.ts). */
  replayWindow?: number;
  /** How long a meter's secret is trusted before it is read again (default 300 s). */
  keyCacheMs?: number;
  /** After a MAC that does not verify, a meter is read again at most this often (default 1 s). */
  keyRecheckMs?: number;
  /** Meters whose secrets are remembered at most (default 200,000). */
  maxCachedMeters?: number;
  /** How often customers with newly stored readings get their alarms evaluated; 0 turns it off (default 5 s). */
  alarmIntervalMs?: number;
  /** How often the figures go to the gateway table (GET /gatewayStatus); 0 or absent: never. */
  publishIntervalMs?: number;
  /** The name the figures are published under (default host:pid). */
  instanceId?: string;
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
    acceptV1: config.LUZ_ACCEPT_V1,
    replayWindow: config.GATEWAY_REPLAY_WINDOW,
    keyCacheMs: config.GATEWAY_KEY_CACHE_SECONDS * 1000,
    alarmIntervalMs: config.GATEWAY_ALARM_SECONDS * 1000,
    drainTimeoutMs: config.GATEWAY_DRAIN_SECONDS * 1000,
    publishIntervalMs: config.GATEWAY_PUBLISH_SECONDS * 1000,
    instanceId: config.GATEWAY_INSTANCE_ID,
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

/**
 * `logger` gets the lifecycle, stats and error lines (a log line of a group commit carries its
 * `correlation_id`); `metrics`, when given, publishes the stats as EMF at each stats line.
 */
export async function startGatewayServer(
  context: Context,
  options: GatewayOptions,
  logger: Logger = silentLogger,
  metrics?: GatewayMetrics,
): Promise<GatewayServer> {
  const stats = new GatewayStats();
  const limiter = new RateLimiter({ ratePerSecond: options.ratePerSource, burst: options.burstPerSource });
  const commits = new GroupCommit(context, options, {
    onBatch: (size, ms, commitId) => {
      stats.batch(size);
      if (logger.enabled('debug')) logger.debug('group commit', { correlation_id: commitId, readings: size, ms: Math.round(ms * 10) / 10 });
    },
    onStoreError: (error, size, commitId) =>
      logger.error('store failed; batch answered unavailable', { correlation_id: commitId, readings: size, error: String((error as Error)?.message ?? error) }),
  });
  const keys = new MeterKeys(context, {
    ttlMs: options.keyCacheMs ?? 300_000,
    recheckMs: options.keyRecheckMs ?? 1000,
    maxEntries: options.maxCachedMeters ?? 200_000,
  });
  const alarms = new AlarmRefresh(context, { intervalMs: options.alarmIntervalMs ?? 5000 }, logger);
  const acceptV1 = options.acceptV1 ?? true;
  const replayWindow = options.replayWindow ?? REPLAY_WINDOW;
  const socket: Socket = createSocket({ type: 'udp4', recvBufferSize: RECEIVE_BUFFER_BYTES });
  let stopping = false;
  // Signed datagrams being authenticated (a storage read may be under way): in flight, too.
  let authenticating = 0;
  const authenticatedWaiters: (() => void)[] = [];
  const authenticationsDone = () => (authenticating === 0 ? Promise.resolve() : new Promise<void>((resolve) => authenticatedWaiters.push(resolve)));
  let closed = false;

  // Replies handed to the socket and not yet sent: closing before they leave would drop them.
  let sending = 0;
  let sent: (() => void) | undefined;
  const outbox: Outbox = {
    stats,
    logger,
    send: (text, to) => {
      // A closed socket (after stop) cannot answer; stop() waits for in-flight readings first.
      if (closed) return;
      sending += 1;
      socket.send(text, to.port, to.address, (error) => {
        sending -= 1;
        if (sending === 0) sent?.();
        if (error) logger.debug('reply not sent', { to: `${to.address}:${to.port}`, error: error.message });
      });
    },
  };
  const trust: Trust = { context, keys, replayWindow, commits };
  const afterStore: AfterStore = { keys, alarms };

  /** One datagram down the path (datagramPath.ts): admit → parse → authenticate (v2) → submit → answer. */
  const receive = (bytes: Buffer, from: RemoteInfo) => {
    const receivedAt = performance.now();
    stats.received += 1;
    const admission = { stopping, limiter, acceptV1, inFlight: commits.inFlight + authenticating, maxInFlight: options.maxInFlight };
    const refused = admit(bytes, `${from.address}:${from.port}`, admission);
    if (refused) return refuse(refused, from, outbox);
    const parsed = parse(context, bytes);
    if (!parsed.ok) return refuse(parsed, from, outbox);
    const replyTo: ReplyTo = { protocol: parsed.protocol, seq: parsed.seq, to: from };
    const store = (reading: Reading) => {
      const accepted = submit(reading, commits, afterStore, (outcome, commitId) => {
        stats.latency(performance.now() - receivedAt);
        answer(outcome, replyTo, outbox, { customerId: reading.customerId, commitId });
      });
      if (!accepted) refuse({ ...replyTo, error: new Overloaded(), customerId: reading.customerId }, from, outbox);
    };
    if (parsed.protocol === 'v1') return store(parsed.reading);
    const { reading, signature } = parsed;
    authenticating += 1;
    authenticate(reading, signature, trust)
      .then(
        (verdict) => {
          if (verdict === 'store') store(reading);
          else if (verdict === 'stored') answer({ status: 'duplicate' }, replyTo, outbox, { customerId: reading.customerId });
          else refuse({ ...replyTo, error: verdict, customerId: reading.customerId }, from, outbox);
        },
        (error: unknown) => {
          logger.error('meter key lookup failed; answered unavailable', { error: String((error as Error)?.message ?? error) });
          refuse({ ...replyTo, error: new StorageUnavailable(), customerId: reading.customerId }, from, outbox);
        },
      )
      .catch((error: unknown) => {
        logger.error('datagram handling failed', { error: String((error as Error)?.stack ?? error) });
        refuse({ ...replyTo, error: new InternalFault() }, from, outbox);
      })
      .finally(() => {
        authenticating -= 1;
        if (authenticating === 0) for (const resolve of authenticatedWaiters.splice(0)) resolve();
      });
  };
  socket.on('message', (bytes, from) => {
    try {
      receive(bytes, from);
    } catch (error) {
      // A bug must cost one answer (the meter sends it again), never the gateway.
      logger.error('datagram handling failed', { error: String((error as Error)?.stack ?? error) });
      refuse({ protocol: protocolOf(bytes), seq: peekSeq(bytes), error: new InternalFault() }, from, outbox);
    }
  });

  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port, options.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // Not bound (the port is taken): leave nothing running, so the caller may try again.
    socket.close();
    await alarms.stop();
    throw error;
  }
  socket.on('error', (error) => logger.error('socket error', { error: error.message }));
  const bound = socket.address();
  const address = { host: bound.address, port: bound.port };
  logger.always('listening', { host: address.host, port: address.port, ...settingsForLog(options) });
  if (acceptV1) logger.warn('v1 datagrams are accepted unsigned: anyone who reaches this port can post readings (LUZ_ACCEPT_V1=0 turns them off)');

  // The EMF documents go out with the stats line and only then, so a terminal is not flooded.
  const report = (final: boolean) => {
    const snapshot = stats.snapshot(commits.inFlight + authenticating, true);
    logger.info('stats', { ...snapshot, ...(final ? { final } : {}) });
    metrics?.publish(snapshot);
  };
  const statsTimer = options.statsIntervalMs > 0 ? setInterval(() => report(false), options.statsIntervalMs) : undefined;
  statsTimer?.unref();
  const publisher =
    options.publishIntervalMs && options.publishIntervalMs > 0
      ? new FiguresPublisher(
          context,
          {
            instanceId: options.instanceId ?? `${hostname()}:${process.pid}`,
            intervalMs: options.publishIntervalMs,
            snapshot: () => stats.snapshot(commits.inFlight + authenticating, true, 'publish'),
          },
          logger,
        )
      : undefined;

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      stopping = true;
      logger.info('stopping', { inFlight: commits.inFlight + authenticating });
      const drained = await Promise.race([
        authenticationsDone()
          .then(() => commits.flush())
          .then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), options.drainTimeoutMs ?? 15_000).unref()),
      ]);
      if (!drained) logger.warn('stopped with readings unanswered; their meters will send them again', { inFlight: commits.inFlight + authenticating });
      // The alarms of what was stored last are evaluated before the process goes (the sweep would, later).
      // Meanwhile, not after (the stop timeout has room for one 5 s wait, not two), the figures say this
      // instance is gone, so GET /gatewayStatus drops it at once rather than when they would expire.
      await Promise.all([Promise.race([alarms.stop(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]), publisher?.stop(5000)]);
      if (statsTimer) clearInterval(statsTimer);
      report(true);
      closed = true;
      if (sending > 0) await new Promise<void>((resolve) => (sent = resolve));
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      logger.always('stopped');
    })());

  return { address, stats: () => stats.snapshot(commits.inFlight + authenticating), stop };
}

function settingsForLog(options: GatewayOptions) {
  const { batchSize, batchWaitMs, lanes, maxInFlight, ratePerSource, burstPerSource } = options;
  const acceptV1 = options.acceptV1 ?? true;
  const replayWindow = options.replayWindow ?? REPLAY_WINDOW;
  return { batchSize, batchWaitMs, lanes, maxInFlight, ratePerSource, burstPerSource, acceptV1, replayWindow };
}
