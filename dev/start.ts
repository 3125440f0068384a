// `npm start`: DynamoDB Local (persistent), the tables, `serverless offline` on HTTP_PORT, the UDP gateway,
// the web app. A child that dies is started again (dev/supervise.ts); Ctrl-C or SIGTERM at any moment,
// start-up included, stops every process this one started and waits for each to exit (docs/RELIABILITY.md).
import { loadLocalConfig } from '../core/config';
import { dynamoAnswers, JavaMissing, startDynamo } from './dynamo';
import { startOffline } from './offline';
import { ensureStaffKey } from './staffKey';
import { ensureTables } from './tables';
import { startGateway } from './gateway';
import { legacyTables } from './migrate';
import { startSweep } from './sweep';
import { supervise } from './supervise';
import { join } from 'node:path';
import { buildWeb, serveWeb } from './web';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const log = (message: string) => console.log(`[luz] ${message}`);

async function main(): Promise<void> {
  const config = loadLocalConfig();
  // Every child runs in its own process group (so a Ctrl-C in the terminal reaches this process alone,
  // which stops the parts in order: the gateway answers what is in flight before the database goes) and
  // is stopped by group. Aborting `shutdown` stops a child that is still starting: without it, a Ctrl-C
  // while serverless offline started left it running, holding HTTP_PORT.
  const shutdown = new AbortController();
  const running: { stop(): Promise<void> }[] = [];
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = (code: number) =>
    (stopping ??= (async () => {
      log('parando…');
      shutdown.abort();
      await starting?.catch(() => undefined);
      for (const service of running.reverse()) await service.stop().catch(() => undefined);
      log('parado');
      process.exit(code);
    })());
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAll(0));
  const supervision = { signal: shutdown.signal, log, onGiveUp: () => void stopAll(1) };

  const bringUp = async () => {
    const { signal } = shutdown;
    const endpoint = config.DYNAMODB_ENDPOINT;
    if (await dynamoAnswers(endpoint)) {
      log(`usando o DynamoDB que já responde em ${endpoint}`);
    } else {
      const { hostname, port } = new URL(endpoint);
      if (hostname !== '127.0.0.1' && hostname !== 'localhost') {
        throw new Error(`DYNAMODB_ENDPOINT ${endpoint} não responde, e aqui só se pode iniciar um DynamoDB local`);
      }
      const dataDir = join(config.LUZ_DATA_DIR, 'dynamodb');
      log(`iniciando o DynamoDB Local na porta ${port}, dados em ${dataDir}…`);
      const dynamo = await supervise({
        ...supervision,
        name: 'o DynamoDB Local',
        start: (abort) => startDynamo({ port: Number(port), dataDir, signal: abort, detached: true }),
      });
      running.push(dynamo);
    }
    log('conferindo as tabelas…');
    const legacy = await legacyTables(config);
    if (legacy.length > 0) {
      throw new Error(`${legacy.join(', ')}: leituras no formato anterior aos blocos; rode \`npm run migrate\` uma vez (pode ser retomado) e depois npm start de novo`);
    }
    signal.throwIfAborted();
    const created = await ensureTables(endpoint, config.LUZ_TABLE_PREFIX, config.AWS_REGION);
    log(created.length ? `tabelas criadas: ${created.join(', ')}` : 'tabelas prontas');

    const staff = ensureStaffKey(config.LUZ_DATA_DIR, config.STAFF_KEY);
    log(`chave de staff: ${staff.source} (envie como Authorization: Bearer <chave>; a CLI luz a lê de lá)`);

    log(`iniciando o serverless offline na porta ${config.HTTP_PORT}…`);
    const offlineOptions = {
      httpPort: config.HTTP_PORT,
      lambdaPort: Number(process.env.LUZ_LAMBDA_PORT ?? 3002),
      env: { DYNAMODB_ENDPOINT: endpoint, LUZ_TABLE_PREFIX: config.LUZ_TABLE_PREFIX, STAFF_KEY: staff.key },
      stdio: 'inherit' as const,
    };
    const offline = await supervise({ ...supervision, name: 'o serverless offline', start: (abort) => startOffline({ ...offlineOptions, signal: abort }) });
    running.push(offline);
    const apiUrl = offline.current!.url;
    log(`API HTTP em ${apiUrl}`);

    // DynamoDB Local commits each request on its own: 100 readings per transaction store several times
    // faster here than one UpdateItem each, which AWS bills at half (docs/PERFORMANCE.md). Same layout.
    const localWrites = { LUZ_WRITE_GROUPING: process.env.LUZ_WRITE_GROUPING ?? 'transaction', GATEWAY_BATCH_SIZE: process.env.GATEWAY_BATCH_SIZE ?? '100' };
    const gatewayEnv = { DYNAMODB_ENDPOINT: endpoint, HEALTH_PORT: String(config.HEALTH_PORT), ...localWrites };
    log('iniciando o gateway UDP…');
    const startUdp = async (abort: AbortSignal) => {
      const started = await startGateway({ env: gatewayEnv, signal: abort });
      return { ...started, child: started.child! }; // startGateway always spawns one
    };
    const gateway = await supervise({ ...supervision, name: 'o gateway UDP', start: startUdp });
    running.push(gateway);
    log(`gateway UDP na porta ${config.UDP_PORT}, saúde em http://127.0.0.1:${gateway.current!.healthPort}/health`);
    running.push(startSweep(config, log, { everyMs: config.LUZ_SWEEP_MINUTES * 60_000, firstAfterMs: 30_000 }));

    log('compilando o app web…');
    const dir = await buildWeb(undefined, signal);
    signal.throwIfAborted();
    const web = await serveWeb({ dir, port: config.WEB_PORT, config: { api: apiUrl, timeZone: config.LUZ_TZ } });
    running.push(web);
    log(`pronto — abra ${web.url} (portal do cliente e console da equipe); Ctrl-C para tudo`);
  };

  starting = bringUp();
  try {
    await starting;
  } catch (error) {
    if (shutdown.signal.aborted) return; // interrupted: stopAll is already stopping what did start
    if (error instanceof JavaMissing) console.error(`[luz] ${error.message}`);
    else console.error(`[luz] não foi possível iniciar: ${(error as Error).message}`);
    await stopAll(1);
  }
}

void main();
