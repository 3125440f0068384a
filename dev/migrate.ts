// `npm run migrate`: moves readings from the layout before blocks (tables leituras + consumo, one
// item per reading and roll-ups per bucket) into blocos + totais, then drops the old tables.
//
// Idempotent and resumable: readings go through the repository's storeReadings, where a reading
// already moved is a duplicate and changes nothing; the position of the last page moved is kept in
// LUZ_DATA_DIR/migrate.json, so a run that stops goes on from there. The roll-ups (consumo) are not
// read: totals are rebuilt from the readings themselves. Every other table keeps its shape.
import { DeleteTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLocalConfig, type LocalConfig } from '../core/config';
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { recordReadings } from '../core/readings';
import { createDocumentClient } from '../core/store/client';
import { LEGACY_TABLES } from '../core/store/dynamoItems';
import { createContext } from '../core/wiring';
import { dynamoAnswers, startDynamo } from './dynamo';
import { ensureTables } from './tables';

const num = (value: unknown) => Number(value instanceof NumberValue ? value.value : value);

/** Old-layout tables that still exist (with or without items). */
export async function legacyTables(config: Pick<LocalConfig, 'DYNAMODB_ENDPOINT' | 'LUZ_TABLE_PREFIX' | 'AWS_REGION'>): Promise<string[]> {
  const client = new DynamoDBClient({ endpoint: config.DYNAMODB_ENDPOINT, region: config.AWS_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const found: string[] = [];
  try {
    for (const name of LEGACY_TABLES) {
      try {
        await client.send(new DescribeTableCommand({ TableName: `${config.LUZ_TABLE_PREFIX}${name}` }));
        found.push(`${config.LUZ_TABLE_PREFIX}${name}`);
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    }
  } finally {
    client.destroy();
  }
  return found;
}

export async function migrate(config: LocalConfig, log: (line: string) => void): Promise<{ moved: number; duplicates: number }> {
  const old = await legacyTables(config);
  const readingsTable = `${config.LUZ_TABLE_PREFIX}leituras`;
  if (old.length === 0) {
    log('nothing to migrate: no table of the old layout');
    return { moved: 0, duplicates: 0 };
  }
  const context = createContext(config);
  const db = createDocumentClient({ endpoint: config.DYNAMODB_ENDPOINT, region: config.AWS_REGION });
  const progressFile = join(config.LUZ_DATA_DIR, 'migrate.json');
  const progress = existsSync(progressFile) ? (JSON.parse(readFileSync(progressFile, 'utf8')) as { after?: Record<string, unknown>; moved: number; duplicates: number }) : { moved: 0, duplicates: 0 };
  const customers = new Set<string>();
  if (old.includes(readingsTable)) {
    if (progress.after) log(`resuming after ${progress.moved} readings moved`);
    let startKey = progress.after;
    do {
      const page = await db.send(new ScanCommand({ TableName: readingsTable, Limit: 500, ExclusiveStartKey: startKey, ConsistentRead: true }));
      const readings = (page.Items ?? []).map((item) => ({ customerId: String(item.id), meterId: num(item.id_medidor), valor: num(item.valor), timestampMs: num(item.ts) }));
      const outcomes = await recordReadings(context, readings);
      for (const [index, outcome] of outcomes.entries()) {
        customers.add(readings[index].customerId);
        if (outcome.status === 'stored') progress.moved += 1;
        else if (outcome.status === 'duplicate') progress.duplicates += 1;
        else throw new Error(`reading ${JSON.stringify(readings[index])} could not be moved: ${outcome.error.message}`);
      }
      startKey = page.LastEvaluatedKey;
      writeFileSync(progressFile, JSON.stringify({ ...progress, after: startKey }));
      log(`moved ${progress.moved} readings (${progress.duplicates} already there)`);
    } while (startKey);
  }
  // Fold what is settled now, as the daily sweep would, so reads are cheap from the first one.
  for (const id of customers) await context.repository.consolidate(id, { timeZone: config.LUZ_TZ, nowMs: Date.now() });
  const client = new DynamoDBClient({ endpoint: config.DYNAMODB_ENDPOINT, region: config.AWS_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    for (const table of old) {
      await client.send(new DeleteTableCommand({ TableName: table }));
      log(`dropped ${table}`);
    }
  } finally {
    client.destroy();
  }
  rmSync(progressFile, { force: true });
  return { moved: progress.moved, duplicates: progress.duplicates };
}

async function main(): Promise<void> {
  const log = (line: string) => console.log(`[luz migrate] ${line}`);
  const config = loadLocalConfig();
  // The database npm start uses: the one answering, or DynamoDB Local started here on the same data.
  const dynamo = (await dynamoAnswers(config.DYNAMODB_ENDPOINT))
    ? undefined
    : await startDynamo({ port: Number(new URL(config.DYNAMODB_ENDPOINT).port), dataDir: join(config.LUZ_DATA_DIR, 'dynamodb') });
  try {
    await ensureTables(config.DYNAMODB_ENDPOINT, config.LUZ_TABLE_PREFIX, config.AWS_REGION);
    const { moved } = await migrate(config, log);
    log(`done: ${moved} readings moved to the new layout; npm start works again`);
  } catch (error) {
    console.error(`[luz migrate] failed: ${(error as Error).message}; run it again to go on from where it stopped`);
    process.exitCode = 1;
  } finally {
    await dynamo?.stop();
  }
}

if (process.argv[1]?.endsWith('migrate.ts')) void main();
