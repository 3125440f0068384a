// npm run migrate: readings of the layout before blocks (one item per reading) move into blocks and
// month items exactly once, a second run changes nothing, and npm start refuses the old layout first.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLocalConfig } from '../core/config';
import { registerCustomer, registerMeter } from '../core/customers';
import { Decimal } from '../core/decimal';
import { recordReadings } from '../core/readings';
import { createDocumentClient } from '../core/store/client';
import { readingSortKey } from '../core/store/keys';
import { createContext } from '../core/wiring';
import { legacyTables, migrate } from '../dev/migrate';
import { ensureTables } from '../dev/tables';
import { newCpf } from './fixtures';

const endpoint = process.env.LUZ_TEST_DYNAMODB!;
const prefix = `${process.env.LUZ_TEST_TABLE_PREFIX}mig${Date.now() % 100_000}-`;
const dataDir = mkdtempSync(join(tmpdir(), 'luz-migrate-'));
const config = loadLocalConfig({ DYNAMODB_ENDPOINT: endpoint, LUZ_TABLE_PREFIX: prefix, LUZ_DATA_DIR: dataDir });
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('moves every old reading once (some already moved by an earlier, interrupted run), drops the old tables, and a second run does nothing', async () => {
  await ensureTables(endpoint, prefix);
  const raw = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  for (const name of ['leituras', 'consumo']) {
    await raw.send(
      new CreateTableCommand({
        TableName: `${prefix}${name}`,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      }),
    );
  }
  raw.destroy();
  expect(await legacyTables(config)).toEqual([`${prefix}leituras`, `${prefix}consumo`]);

  const context = createContext(config);
  const id = newCpf();
  await registerCustomer(context, { id, name: 'Antiga' });
  await registerMeter(context, { id });
  await registerMeter(context, { id });
  const db = createDocumentClient({ endpoint, region: 'us-east-1' });
  // 1,200 old readings over two months and two meters (3 pages of the migration's scan).
  const old = Array.from({ length: 1200 }, (_, n) => ({
    customerId: id,
    meterId: 1 + (n % 2),
    valor: 0.1 + (n % 7) / 100,
    timestampMs: Date.parse('2025-09-20T00:00:00Z') + n * 30 * 60_000,
  }));
  for (const reading of old) {
    await db.send(
      new PutCommand({
        TableName: `${prefix}leituras`,
        Item: { id, sk: readingSortKey(reading.timestampMs, reading.meterId), id_medidor: reading.meterId, valor: reading.valor, ts: reading.timestampMs },
      }),
    );
  }
  // An earlier run that stopped had already moved the first 100.
  expect((await recordReadings(context, old.slice(0, 100))).every(({ status }) => status === 'stored')).toBe(true);

  const lines: string[] = [];
  expect(await migrate(config, (line) => lines.push(line))).toEqual({ moved: 1100, duplicates: 100 });
  expect(lines.at(-1)).toBe(`dropped ${prefix}consumo`);
  expect(await legacyTables(config)).toEqual([]);

  // Exact decimal sums of what was sent, by local (UTC−3) month.
  const expected = (month: string) =>
    old
      .filter(({ timestampMs }) => new Date(timestampMs - 3 * 3_600_000).toISOString().startsWith(month))
      .reduce((sum, { valor }) => sum.plus(valor), new Decimal(0))
      .toString();
  const months = await context.repository.sumBuckets(id, 'month', '2025-09', '2025-10');
  expect([months.get('2025-09')?.toString(), months.get('2025-10')?.toString()]).toEqual([expected('2025-09'), expected('2025-10')]);
  const page = await context.repository.listReadings(id, { startMs: old[0].timestampMs, endMs: old[3].timestampMs + 1 }, { limit: 10 });
  expect(page.readings).toEqual(old.slice(0, 4));

  expect(await migrate(config, () => undefined)).toEqual({ moved: 0, duplicates: 0 });
});
