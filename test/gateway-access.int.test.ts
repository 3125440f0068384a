// What the UDP gateway really asks of DynamoDB: every path driven over real UDP against DynamoDB
// Local, each request recorded as the IAM action and table it needs. Must equal the task role's
// grant (test/gatewayAccess.ts, checked against the template in test/package.int.test.ts), so a new
// call on the gateway's path fails here until the role allows it, and an unused grant fails too.
import { loadConfig } from '../core/config';
import type { Context } from '../core/context';
import { registerCustomer, registerMeter } from '../core/customers';
import { createDocumentClient } from '../core/store/client';
import { DynamoRepository } from '../core/store/dynamoRepository';
import type { WriteGrouping } from '../core/store/readingStore';
import { createContext, settingsFrom } from '../core/wiring';
import { StorageProbe } from '../udp-gateway/health';
import { macOf } from '../udp-gateway/protocol';
import { startGatewayServer, type GatewayOptions } from '../udp-gateway/server';
import { newCpf } from './fixtures';
import { EXPECTED_GATEWAY_ACCESS } from './gatewayAccess';
import { udpClient } from './udp';

const config = loadConfig({ DYNAMODB_ENDPOINT: process.env.LUZ_TEST_DYNAMODB, LUZ_TABLE_PREFIX: process.env.LUZ_TEST_TABLE_PREFIX });
const prefix = config.LUZ_TABLE_PREFIX;
/** Registers customers and meters as the functions would: not the gateway's access. */
const setup = createContext(config);

/** The IAM action each request needs; a transaction needs each of its items' own. */
const ITEM_ACTIONS: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' };

type Input = { TableName?: string; IndexName?: string; TransactItems?: Record<string, { TableName: string }>[] };

/** `luz-test-blocos` → `BlocosTable`, the logical id the role names; an index → `Table/index/name`. */
function logicalTable(tableName: string, indexName?: string): string {
  const name = tableName.slice(prefix.length);
  return `${name[0].toUpperCase()}${name.slice(1)}Table${indexName ? `/index/${indexName}` : ''}`;
}

/** A gateway context whose DynamoDB client writes down every action it is asked for. */
function recordingContext(writeGrouping: WriteGrouping): { context: Context; used: () => Record<string, string[]> } {
  const db = createDocumentClient({ endpoint: config.DYNAMODB_ENDPOINT, region: config.AWS_REGION });
  const used = new Map<string, Set<string>>();
  const note = (table: string, action: string) => used.set(table, (used.get(table) ?? new Set()).add(`dynamodb:${action}`));
  db.middlewareStack.add(
    (next, handlerContext) => async (args) => {
      const input = args.input as Input;
      const command = String(handlerContext.commandName).replace(/Command$/, '');
      if (command === 'TransactWriteItems') {
        for (const item of input.TransactItems ?? []) {
          for (const [kind, { TableName }] of Object.entries(item)) note(logicalTable(TableName), ITEM_ACTIONS[kind] ?? kind);
        }
      } else {
        note(logicalTable(input.TableName!, input.IndexName), command);
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordAccess' },
  );
  const repository = new DynamoRepository(db, prefix, { timeZone: config.LUZ_TZ, writeGrouping });
  const context: Context = { repository, settings: settingsFrom(config), now: () => Date.now() };
  return { context, used: () => Object.fromEntries([...used].map(([table, actions]) => [table, [...actions].sort()]).sort()) };
}

const OPTIONS: GatewayOptions = {
  host: '127.0.0.1',
  port: 0,
  batchSize: 25,
  batchWaitMs: 5,
  lanes: 2,
  maxInFlight: 1024,
  ratePerSource: 1000,
  burstPerSource: 1000,
  statsIntervalMs: 0,
  acceptV1: true,
  replayWindow: 100,
  // Evaluated once, at stop: the last pass (udp-gateway/alarmRefresh.ts).
  alarmIntervalMs: 60_000,
  // Published at start and at stop (udp-gateway/publisher.ts).
  publishIntervalMs: 60_000,
  instanceId: 'gateway-access-test',
};

function signed(id: string, meter: number, secret: string, seq: number, valor: number, ts: number): string {
  const mac = macOf(secret, JSON.stringify([2, id, meter, seq, valor, ts]));
  return JSON.stringify({ v: 2, id, m: meter, seq, valor, ts, mac });
}

describe('the UDP gateway asks DynamoDB for exactly what its task role grants', () => {
  it.each(['item', 'transaction'] as const)('every path, %s grouping: credentials, on-time, late, duplicate, replayed, unknown meter, seq checkpoint, alarms fired and cleared, the health probe, the published figures', async (writeGrouping) => {
    const id = newCpf();
    await registerCustomer(setup, { id, name: 'Acesso do Gateway' });
    const { segredo } = await registerMeter(setup, { id });
    // An alarm that no longer holds once the meter reports: the gateway's evaluation clears it.
    await setup.repository.fireAlarm({ customerId: id, key: 'medidor_silencioso#1', regra: 'medidor_silencioso', meterId: 1, firedMs: Date.now() - 86_400_000, mensagem: 'silencioso' });

    const { context, used } = recordingContext(writeGrouping);
    const now = Math.floor(Date.now() / 1000);
    /** A gateway run: each datagram sent and its answer awaited in turn, then stopped (the alarm refresh's last pass). */
    const run = async (exchanges: [datagram: string, answer: string | RegExp][]) => {
      const gateway = await startGatewayServer(context, OPTIONS);
      const client = await udpClient(gateway.address.port);
      try {
        for (const [datagram, answer] of exchanges) {
          client.send(datagram);
          expect([datagram, await client.reply()]).toEqual([datagram, answer instanceof RegExp ? expect.stringMatching(answer) : answer]);
        }
      } finally {
        await client.close();
        await gateway.stop();
      }
    };
    await run([
      [signed(id, 1, segredo, 200, 1.5, now - 60), '{"ack":200}'], // credentials; stored; seq checkpoint
      [signed(id, 1, segredo, 200, 1.5, now - 60), '{"ack":200}'], // duplicate
      [signed(id, 1, segredo, 201, 1500, now - 30), '{"ack":201}'], // above the alarm limit: fires two alarms
      [signed(id, 1, segredo, 202, 2.5, now - 3 * 86_400), '{"ack":202}'], // late: block + month item
      [`${id},7,1.0,${now}`, /^404 /], // v1, unknown meter: which 404 it is
    ]);
    // A restarted gateway knows the checkpoint (seq 200): a seq older than the window is answered
    // only if that exact reading is stored.
    await run([[signed(id, 1, segredo, 50, 1.5, now - 60), '{"ack":50}']]);
    const probe = new StorageProbe(context, { everyMs: 60_000, timeoutMs: 5000 });
    const deadline = Date.now() + 10_000;
    while (probe.agoMs() === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    probe.stop();

    const alarms = await setup.repository.activeAlarms(id);
    expect(alarms.map((alarm) => alarm.key).sort()).toEqual(['leitura_individual', 'total_mensal']);
    expect(used()).toEqual(Object.fromEntries(Object.entries(EXPECTED_GATEWAY_ACCESS).sort()));
  });
});
