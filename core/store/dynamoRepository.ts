// The only code that knows DynamoDB keys and expressions.
//
// Tables (names = LUZ_TABLE_PREFIX + name; declared once in serverless.yml `resources`):
//
// | table      | partition key | sort key           | item                                                   |
// |------------|---------------|--------------------|--------------------------------------------------------|
// | clientes   | id (CPF)      | —                  | name, createdAt, meterCount (atomic meter-id counter)  |
// | medidores  | id (CPF)      | id_medidor (N)     | createdAt                                              |
// | leituras   | id (CPF)      | sk = TTTTTTTTTTTTTT#MMMMMMMMMM (ms, meter; zero-padded) | id_medidor, valor, ts   |
// | consumo    | id (CPF)      | sk = H#YYYY-MM-DDTHH, D#YYYY-MM-DD, M#YYYY-MM          | kwh, leituras (ADD)     |
// |            |               | sk = X#YYYY-MM#<leituras sk>   (readings above the alarm limit) | id_medidor, valor, ts |
//
// Access paths:
// - cadCliente: Put clientes if attribute_not_exists(id).
// - cadMedidor: Update clientes ADD meterCount 1 if attribute_exists(id) → n; Put medidores (id, n).
// - postConsumo / UDP: one TransactWriteItems per batch: ConditionCheck medidores (meter exists),
//   Put leituras if attribute_not_exists (the reading's identity is customer+meter+ms), and one
//   Update consumo per distinct customer+bucket with the batch's increments merged (ADD kwh, leituras).
//   A repeated reading fails its condition and cancels the transaction, so it is never counted twice.
// - getConsumoHist: Query consumo between two bucket keys (≤ 31 items) + Query leituras between
//   two sort keys, Limit = page size, ExclusiveStartKey from the cursor.
// - getFatura: Query consumo for M#month (one item).
// - getAlarme: Query consumo for M#month and X#month#… (rare items).
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  type CancellationReason,
} from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  NumberValue,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Decimal } from '../decimal';
import {
  CustomerAlreadyExists,
  CustomerNotFound,
  InvalidInput,
  MeterNotFound,
  ReadingConflict,
} from '../errors';
import type { BucketLevel, Customer, Reading, ReadingPage, Repository, StoreOutcome } from '../model';
import { bucketsOf } from '../periods';

export const TABLES = ['clientes', 'medidores', 'leituras', 'consumo'] as const;
export type TableName = (typeof TABLES)[number];

const LEVEL_PREFIX: Record<BucketLevel, string> = { hour: 'H#', day: 'D#', month: 'M#' };
/** Items per transaction allowed by DynamoDB. */
export const MAX_TRANSACTION_ITEMS = 100;
const MAX_ATTEMPTS = 8;

// Numbers arrive wrapped (see client.ts) so decimal sums keep every digit.
const num = (value: unknown): number => Number(value instanceof NumberValue ? value.value : value);
const dec = (value: unknown): Decimal => new Decimal(String(value instanceof NumberValue ? value.value : value));

export function readingSortKey(timestampMs: number, meterId: number): string {
  return `${String(timestampMs).padStart(14, '0')}#${String(meterId).padStart(10, '0')}`;
}

function encodeCursor(sortKey: string): string {
  return Buffer.from(sortKey, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, range: { first: string; last: string }): string {
  const sortKey = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{14}#\d{10}$/.test(sortKey) || sortKey < range.first || sortKey > range.last) {
    throw new InvalidInput('cursor: does not belong to this query; start again without it', 'cursor');
  }
  return sortKey;
}

function toReading(item: Record<string, unknown>): Reading {
  return {
    customerId: String(item.id),
    meterId: num(item.id_medidor),
    valor: num(item.valor),
    timestampMs: num(item.ts),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface PendingReading {
  index: number;
  reading: Reading;
}

export class DynamoRepository implements Repository {
  private readonly table: Record<TableName, string>;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    tablePrefix: string,
  ) {
    this.table = Object.fromEntries(TABLES.map((name) => [name, `${tablePrefix}${name}`])) as Record<
      TableName,
      string
    >;
  }

  async createCustomer(customer: Customer): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table.clientes,
          Item: { ...customer, meterCount: 0 },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new CustomerAlreadyExists(customer.id);
      throw error;
    }
  }

  async getCustomer(customerId: string): Promise<Customer | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table.clientes, Key: { id: customerId }, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return { id: String(Item.id), name: String(Item.name), createdAt: String(Item.createdAt) };
  }

  async registerMeter(customerId: string, createdAt: string): Promise<number> {
    let meterId: number;
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.table.clientes,
          Key: { id: customerId },
          UpdateExpression: 'ADD meterCount :one',
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      meterId = num(Attributes?.meterCount);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new CustomerNotFound(customerId);
      throw error;
    }
    // The counter is the only allocator, so this id is new; the condition guards against a bug, not a race.
    await this.db.send(
      new PutCommand({
        TableName: this.table.medidores,
        Item: { id: customerId, id_medidor: meterId, createdAt },
        ConditionExpression: 'attribute_not_exists(id_medidor)',
      }),
    );
    return meterId;
  }

  async storeReadings(
    readings: Reading[],
    options: { timeZone: string; excessOverKwh: number },
  ): Promise<StoreOutcome[]> {
    const outcomes: StoreOutcome[] = new Array(readings.length);
    // Two readings with one identity in the same batch: the first stands for both.
    const firstByKey = new Map<string, PendingReading>();
    const followers: PendingReading[] = [];
    for (const [index, reading] of readings.entries()) {
      const key = `${reading.customerId}#${readingSortKey(reading.timestampMs, reading.meterId)}`;
      if (firstByKey.has(key)) followers.push({ index, reading });
      else firstByKey.set(key, { index, reading });
    }
    for (const chunk of this.chunksThatFit([...firstByKey.values()], options)) {
      await this.storeChunk(chunk, options, outcomes);
    }
    for (const follower of followers) {
      const key = `${follower.reading.customerId}#${readingSortKey(follower.reading.timestampMs, follower.reading.meterId)}`;
      const first = firstByKey.get(key)!;
      const firstOutcome = outcomes[first.index];
      outcomes[follower.index] =
        firstOutcome.status === 'rejected'
          ? firstOutcome
          : follower.reading.valor === first.reading.valor
            ? { status: 'duplicate' }
            : { status: 'rejected', error: new ReadingConflict(first.reading.valor, follower.reading.valor) };
    }
    return outcomes;
  }

  /** Splits readings greedily so each transaction stays within DynamoDB's item limit. */
  private chunksThatFit(
    pending: PendingReading[],
    options: { timeZone: string; excessOverKwh: number },
  ): PendingReading[][] {
    const chunks: PendingReading[][] = [];
    let current: PendingReading[] = [];
    let ownCount = 0;
    const keys = new Set<string>();
    for (const entry of pending) {
      const { reading } = entry;
      const buckets = bucketsOf(reading.timestampMs, options.timeZone);
      const entryKeys = [
        `meter#${reading.customerId}#${reading.meterId}`,
        `H#${reading.customerId}#${buckets.hour}`,
        `D#${reading.customerId}#${buckets.day}`,
        `M#${reading.customerId}#${buckets.month}`,
      ];
      const ownItems = reading.valor > options.excessOverKwh ? 2 : 1; // the put (+ the excess index)
      const added = entryKeys.filter((key) => !keys.has(key)).length + ownItems;
      if (current.length > 0 && keys.size + ownCount + added > MAX_TRANSACTION_ITEMS) {
        chunks.push(current);
        current = [];
        ownCount = 0;
        keys.clear();
      }
      current.push(entry);
      ownCount += ownItems;
      for (const key of entryKeys) keys.add(key);
    }
    if (current.length > 0) chunks.push(current);
    return chunks;
  }

  /** One transaction per attempt; failed conditions settle their readings and the rest is retried. */
  private async storeChunk(
    chunk: PendingReading[],
    options: { timeZone: string; excessOverKwh: number },
    outcomes: StoreOutcome[],
  ): Promise<void> {
    let pending = chunk;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const items = this.transactionItems(pending, options);
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items.map((item) => item.request) }));
        for (const { index } of pending) outcomes[index] = { status: 'stored' };
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException) || attempt >= MAX_ATTEMPTS) throw error;
        const settled = await this.settleFailures(items, error.CancellationReasons ?? [], outcomes);
        pending = pending.filter(({ index }) => !settled.has(index));
        // Only contention remained (another writer on the same roll-up): back off and retry.
        if (settled.size === 0) await sleep(Math.random() * 10 * 2 ** attempt);
      }
    }
  }

  /** Builds one transaction: meter checks, reading puts, merged roll-up increments. */
  private transactionItems(
    pending: PendingReading[],
    options: { timeZone: string; excessOverKwh: number },
  ): TransactionItem[] {
    const items: TransactionItem[] = [];
    const meters = new Map<string, PendingReading[]>();
    const increments = new Map<string, { customerId: string; sortKey: string; kwh: Decimal; count: number }>();
    for (const entry of pending) {
      const { reading } = entry;
      const meterKey = `${reading.customerId}#${reading.meterId}`;
      meters.set(meterKey, [...(meters.get(meterKey) ?? []), entry]);
      const buckets = bucketsOf(reading.timestampMs, options.timeZone);
      for (const sortKey of [`H#${buckets.hour}`, `D#${buckets.day}`, `M#${buckets.month}`]) {
        const key = `${reading.customerId}#${sortKey}`;
        const current = increments.get(key) ?? { customerId: reading.customerId, sortKey, kwh: new Decimal(0), count: 0 };
        current.kwh = current.kwh.plus(reading.valor);
        current.count += 1;
        increments.set(key, current);
      }
    }
    for (const group of meters.values()) {
      const { customerId, meterId } = group[0].reading;
      items.push({
        kind: 'meter',
        readings: group,
        request: {
          ConditionCheck: {
            TableName: this.table.medidores,
            Key: { id: customerId, id_medidor: meterId },
            ConditionExpression: 'attribute_exists(id_medidor)',
          },
        },
      });
    }
    for (const entry of pending) {
      const { reading } = entry;
      const sk = readingSortKey(reading.timestampMs, reading.meterId);
      const attributes = { id_medidor: reading.meterId, valor: reading.valor, ts: reading.timestampMs };
      items.push({
        kind: 'reading',
        readings: [entry],
        request: {
          Put: {
            TableName: this.table.leituras,
            Item: { id: reading.customerId, sk, ...attributes },
            ConditionExpression: 'attribute_not_exists(sk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      });
      if (reading.valor > options.excessOverKwh) {
        const month = bucketsOf(reading.timestampMs, options.timeZone).month;
        items.push({
          kind: 'excess',
          readings: [entry],
          request: {
            Put: { TableName: this.table.consumo, Item: { id: reading.customerId, sk: `X#${month}#${sk}`, ...attributes } },
          },
        });
      }
    }
    for (const increment of increments.values()) {
      items.push({
        kind: 'rollup',
        readings: [],
        request: {
          Update: {
            TableName: this.table.consumo,
            Key: { id: increment.customerId, sk: increment.sortKey },
            UpdateExpression: 'ADD kwh :kwh, leituras :count',
            ExpressionAttributeValues: { ':kwh': NumberValue.from(increment.kwh.toString()), ':count': increment.count },
          },
        },
      });
    }
    return items;
  }

  /** Turns each failed condition into an outcome; returns the indexes that are settled. */
  private async settleFailures(
    items: TransactionItem[],
    reasons: CancellationReason[],
    outcomes: StoreOutcome[],
  ): Promise<Set<number>> {
    const settled = new Set<number>();
    for (const [position, reason] of reasons.entries()) {
      if (reason.Code !== 'ConditionalCheckFailed') continue;
      const item = items[position];
      if (item.kind === 'meter') {
        const { customerId, meterId } = item.readings[0].reading;
        const customer = await this.getCustomer(customerId);
        const error = customer ? new MeterNotFound(customerId, meterId) : new CustomerNotFound(customerId);
        for (const { index } of item.readings) {
          outcomes[index] = { status: 'rejected', error };
          settled.add(index);
        }
      } else if (item.kind === 'reading') {
        const { index, reading } = item.readings[0];
        const stored = reason.Item ? unmarshall(reason.Item, { wrapNumbers: true }) : undefined;
        const storedValue = stored ? num(stored.valor) : undefined;
        outcomes[index] =
          storedValue === undefined || storedValue === reading.valor
            ? { status: 'duplicate' }
            : { status: 'rejected', error: new ReadingConflict(storedValue, reading.valor) };
        settled.add(index);
      }
    }
    return settled;
  }

  async sumBuckets(
    customerId: string,
    level: BucketLevel,
    firstKey: string,
    lastKey: string,
  ): Promise<Map<string, Decimal>> {
    const prefix = LEVEL_PREFIX[level];
    const sums = new Map<string, Decimal>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table.consumo,
          KeyConditionExpression: 'id = :id AND sk BETWEEN :first AND :last',
          ExpressionAttributeValues: { ':id': customerId, ':first': prefix + firstKey, ':last': prefix + lastKey },
          ProjectionExpression: 'sk, kwh',
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) sums.set(String(item.sk).slice(prefix.length), dec(item.kwh));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return sums;
  }

  async listReadings(
    customerId: string,
    range: { startMs: number; endMs: number },
    page: { limit: number; cursor?: string },
  ): Promise<ReadingPage> {
    const first = readingSortKey(range.startMs, 0);
    const last = readingSortKey(range.endMs - 1, 9_999_999_999);
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, { first, last });
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.table.leituras,
        KeyConditionExpression: 'id = :id AND sk BETWEEN :first AND :last',
        ExpressionAttributeValues: { ':id': customerId, ':first': first, ':last': last },
        Limit: page.limit,
        ConsistentRead: true,
        ExclusiveStartKey: after === undefined ? undefined : { id: customerId, sk: after },
      }),
    );
    const items = result.Items ?? [];
    const lastKey = result.LastEvaluatedKey?.sk;
    return { readings: items.map(toReading), cursor: lastKey === undefined ? null : encodeCursor(String(lastKey)) };
  }

  async excessReadings(customerId: string, month: string): Promise<Reading[]> {
    const readings: Reading[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table.consumo,
          KeyConditionExpression: 'id = :id AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':id': customerId, ':prefix': `X#${month}#` },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      readings.push(...(page.Items ?? []).map(toReading));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return readings;
  }
}

interface TransactionItem {
  kind: 'meter' | 'reading' | 'excess' | 'rollup';
  readings: PendingReading[];
  request: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];
}
