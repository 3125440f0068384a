// `node dist/gateway/main.mjs` (npm run build; npm start runs it too): the UDP gateway as a long-running
// process on UDP_PORT with `GET /health` on HEALTH_PORT, stopped cleanly by SIGINT/SIGTERM.
//
// Start: health answers 503 `starting` at once; the UDP socket is bound (again every second while the
// port is taken) and DynamoDB probed; 200 once both hold. SIGTERM: 503 `draining` at once, new datagrams
// are told `shutting_down` (a v2 meter resends them, through the balancer, to another task), readings
// in flight are stored and answered for up to GATEWAY_DRAIN_SECONDS, then the process exits 0 — inside
// the container's stop timeout (infra/gateway.yml), so nothing acknowledged is ever cut off.
import { loadConfig, type Config } from '../core/config';
import { createContext } from '../core/wiring';
import { healthOf, startHealthServer, StorageProbe } from './health';
import { gatewayLogger, type Logger } from './log';
import { GatewayMetrics } from './metrics';
import { gatewayOptionsFrom, startGatewayServer, type GatewayServer } from './server';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const BIND_RETRY_MS = 1000;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    gatewayLogger('error').error('configuration', { error: (error as Error).message });
    process.exit(2);
  }
  const logger = gatewayLogger(config.LUZ_LOG_LEVEL);
  const metrics = new GatewayMetrics();
  const context = createContext(config);
  const staleMs = config.GATEWAY_HEALTH_STALE_SECONDS * 1000;
  const probe = new StorageProbe(context, { everyMs: Math.max(1000, staleMs / 3), timeoutMs: Math.min(5000, staleMs / 2) });
  let server: GatewayServer | undefined;
  let draining = false;
  let everHealthy = false;
  const state = () => {
    const now = healthOf({ bound: server !== undefined, draining, storageAgoMs: probe.agoMs(), staleMs, everHealthy });
    everHealthy ||= now.status === 'ok';
    return now;
  };
  const health = await startHealthServer(config.UDP_HOST, config.HEALTH_PORT, state);
  logger.always('health', { host: config.UDP_HOST, port: health.port, storage: config.DYNAMODB_ENDPOINT ?? `regional DynamoDB (${config.AWS_REGION})` });

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    draining = true;
    logger.info('signal: draining', { signal });
    void (async () => {
      await server?.stop();
      probe.stop();
      await health.close();
      process.exit(0);
    })();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  while (!server && !draining) server = await bindOnce(context, config, logger, metrics);
  // A signal that came while the socket was being bound: that server is stopped too.
  if (draining && server) await server.stop();
}

async function bindOnce(context: ReturnType<typeof createContext>, config: Config, logger: Logger, metrics: GatewayMetrics): Promise<GatewayServer | undefined> {
  try {
    return await startGatewayServer(context, gatewayOptionsFrom(config), logger, metrics);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    logger.error('UDP port not available; trying again', { port: config.UDP_PORT, code });
    await new Promise((resolve) => setTimeout(resolve, BIND_RETRY_MS));
    return undefined;
  }
}

main().catch((error) => {
  gatewayLogger('error').error('gateway failed to start', { error: String((error as Error)?.message ?? error) });
  process.exit(1);
});
