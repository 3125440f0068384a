// `npm start`: DynamoDB Local (persistent), the tables, `serverless offline` on HTTP_PORT, the UDP gateway.
// Ctrl-C (or SIGTERM) stops every child this process started and waits for each to exit.
import { loadLocalConfig } from '../core/config';
import { dynamoAnswers, JavaMissing, startDynamo, type RunningDynamo } from './dynamo';
import { startOffline, type RunningOffline } from './offline';
import { ensureStaffKey } from './staffKey';
import { ensureTables } from './tables';
import { startGateway, type RunningGateway } from './gateway';
import { legacyTables } from './migrate';
import { startSweep } from './sweep';
import { join } from 'node:path';
import { buildWeb, serveWeb } from './web';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const log = (message: string) => console.log(`[luz] ${message}`);

async function main(): Promise<void> {
  const config = loadLocalConfig();
  const running: { stop(): Promise<void> }[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    for (const service of running.reverse()) await service.stop().catch(() => undefined);
    log('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const endpoint = config.DYNAMODB_ENDPOINT;
    let dynamo: RunningDynamo | undefined;
    if (await dynamoAnswers(endpoint)) {
      log(`using the DynamoDB already answering at ${endpoint}`);
    } else {
      const { hostname, port } = new URL(endpoint);
      if (hostname !== '127.0.0.1' && hostname !== 'localhost') {
        throw new Error(`DYNAMODB_ENDPOINT ${endpoint} does not answer, and only a local one can be started here`);
      }
      const dataDir = join(config.LUZ_DATA_DIR, 'dynamodb');
      log(`starting DynamoDB Local on port ${port}, data in ${dataDir}`);
      dynamo = await startDynamo({ port: Number(port), dataDir });
      running.push(dynamo);
    }
    const legacy = await legacyTables(config);
    if (legacy.length > 0) {
      throw new Error(`${legacy.join(', ')}: readings in the layout before blocks; run \`npm run migrate\` once (it is resumable), then npm start again`);
    }
    const created = await ensureTables(endpoint, config.LUZ_TABLE_PREFIX, config.AWS_REGION);
    log(created.length ? `created tables ${created.join(', ')}` : 'tables ready');

    const staff = ensureStaffKey(config.LUZ_DATA_DIR, config.STAFF_KEY);
    log(`staff key: ${staff.source} (send it as Authorization: Bearer <key>; the luz CLI reads it from there)`);

    const offline: RunningOffline = await startOffline({
      httpPort: config.HTTP_PORT,
      lambdaPort: Number(process.env.LUZ_LAMBDA_PORT ?? 3002),
      env: { DYNAMODB_ENDPOINT: endpoint, LUZ_TABLE_PREFIX: config.LUZ_TABLE_PREFIX, STAFF_KEY: staff.key },
      stdio: 'inherit',
    });
    running.push(offline);
    log(`HTTP API on ${offline.url}`);

    // DynamoDB Local commits each request on its own: 100 readings per transaction store several times
    // faster here than one UpdateItem each, which AWS bills at half (docs/PERFORMANCE.md). Same layout.
    const localWrites = { LUZ_WRITE_GROUPING: process.env.LUZ_WRITE_GROUPING ?? 'transaction', GATEWAY_BATCH_SIZE: process.env.GATEWAY_BATCH_SIZE ?? '100' };
    const gateway: RunningGateway = await startGateway({ env: { DYNAMODB_ENDPOINT: endpoint, HEALTH_PORT: String(config.HEALTH_PORT), ...localWrites } });
    running.push(gateway);
    log(`UDP gateway on port ${config.UDP_PORT}, health on http://127.0.0.1:${gateway.healthPort}/health`);
    running.push(startSweep(config, log, { everyMs: config.LUZ_SWEEP_MINUTES * 60_000, firstAfterMs: 30_000 }));
    const web = await serveWeb({ dir: await buildWeb(), port: config.WEB_PORT, config: { api: offline.url, timeZone: config.LUZ_TZ } });
    running.push(web);
    log(`ready — open ${web.url} (customer portal and staff console); Ctrl-C stops everything`);

    for (const child of [dynamo?.child, offline.child, gateway.child]) {
      child?.once('exit', (code) => {
        if (!stopping) {
          log(`a service exited unexpectedly (code ${code}); stopping the rest`);
          void stopAll(1);
        }
      });
    }
  } catch (error) {
    if (error instanceof JavaMissing) console.error(`[luz] ${error.message}`);
    else console.error(`[luz] could not start: ${(error as Error).message}`);
    await stopAll(1);
  }
}

void main();
