// `npm run gateway`: the UDP gateway as a long-running process on UDP_PORT, stopped cleanly by SIGINT/SIGTERM.
import { loadConfig } from '../core/config';
import { createContext } from '../core/wiring';
import { jsonLogger } from './log';
import { gatewayOptionsFrom, startGatewayServer } from './server';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    jsonLogger('error').error('configuration', { error: (error as Error).message });
    process.exit(2);
  }
  const logger = jsonLogger(config.LUZ_LOG_LEVEL);
  const context = createContext(config);
  const server = await startGatewayServer(context, gatewayOptionsFrom(config), logger);
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    logger.info('signal', { signal });
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error) => {
  jsonLogger('error').error('gateway failed to start', { error: String((error as Error)?.message ?? error) });
  process.exit(1);
});
