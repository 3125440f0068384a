// The only code that knows DynamoDB keys and expressions.
//
// Tables (names = LUZ_TABLE_PREFIX + name; declared once in serverless.yml `resources`):
//
// | table      | partition key | sort key           | item                                                   |
// |------------|---------------|--------------------|--------------------------------------------------------|
// | clientes   | id (CPF)      | —                  | name, createdAt, meterCount (atomic meter-id counter), tokenHash |
// | clientes   |               |                    | ligacao (monofasico/bifasico/trifasico; absent = monofasico) |
// | tokens     | tokenHash (SHA-256 of the customer token) | — | id (CPF), createdAt, expiresAt (ms), revokedAt   |
// | medidores  | id (CPF)      | id_medidor (N)     | createdAt, ultimaLeitura (newest reading ms, only grows) |
// | medidores  |               |                    | seqMaximo (highest seq of the meter's signed readings since its secret was issued; only grows) |
// | segredos   | id (CPF)      | id_medidor (N)     | segredo (the meter's HMAC key, as issued: the gateway recomputes MACs with it), createdAt |
// | leituras   | id (CPF)      | sk = TTTTTTTTTTTTTT#MMMMMMMMMM (ms, meter; zero-padded) | id_medidor, valor, ts   |
// | consumo    | id (CPF)      | sk = H#YYYY-MM-DDTHH, D#YYYY-MM-DD, M#YYYY-MM          | kwh, leituras (ADD)     |
// |            |               | sk = X#YYYY-MM#<leituras sk>   (readings above the alarm limit) | id_medidor, valor, ts |
// |            |               | sk = MD#YYYY-MM#MMMMMMMMMM   (per-meter month, meter zero-padded) | kwh, leituras (ADD) |
// | faturas    | id (CPF)      | mes (YYYY-MM)      | documento (the frozen invoice, JSON), kwhContabilizado, kwhMinimo, precoKwh, vencimentoDias |
// | alarmes    | id (CPF)      | sk = ATIVO#<regra>[#meter]     (one per condition holding now) | regra, desde, evento, mensagem, emAlarme="sim" |
// |            |               | sk = EVENTO#<fired ms, 14 digits>#<regra>[#meter] | disparadoEm, encerradoEm?, mensagem |
// GSI alarmes.ativos: emAlarme (HASH) + id (RANGE), sparse: only ATIVO# items carry emAlarme, so it
// lists exactly the customers in alarm. Alarm transitions are rare, so one constant partition suffices.
//
// Access paths:
// - cadCliente: one transaction: Put clientes if attribute_not_exists(id) + Put tokens (the first token).
// - tokenCliente: Get clientes (current tokenHash); one transaction: Update clientes SET tokenHash if it is
//   still the one read, Put tokens (new), Update tokens (old) SET revokedAt.
// - authorizer: Get tokens by tokenHash.
// - cadMedidor: Update clientes ADD meterCount 1 if attribute_exists(id) → n; one transaction: Put medidores
//   (id, n) + Put segredos (id, n), so a meter never exists without its secret.
// - segredoMedidor: one transaction: Update medidores REMOVE seqMaximo if attribute_exists(id_medidor)
//   + Put segredos (the new secret); if the meter is missing, Get clientes says which 404 it is.
//   segredos is its own table so that no role that reads meters
//   (alarms, history) can read their secrets: only cadMedidor and segredoMedidor write it, and only
//   the UDP gateway reads it.
// - UDP gateway, per meter it has not cached: Get segredos + Get medidores (seqMaximo); for a signed
//   datagram older than its anti-replay window: Get leituras (is that exact reading stored?).
// - postConsumo / UDP: one TransactWriteItems per batch: ConditionCheck medidores (meter exists),
//   Put leituras if attribute_not_exists (the reading's identity is customer+meter+ms), and one
//   Update consumo per distinct customer+bucket with the batch's increments merged (ADD kwh, leituras),
//   the per-meter month included. The meter item is an Update that raises ultimaLeitura when the
//   batch's newest reading is newer, and seqMaximo when the batch carries signed readings with a higher
//   seq; an attribute that is already higher (an out-of-order resend) is left out and the transaction
//   retried (a plain ConditionCheck when neither moves), so both only ever grow.
//   A repeated reading fails its condition and cancels the transaction, so it is never counted twice.
// - getConsumoHist: Query consumo between two bucket keys (≤ 31 items) + Query leituras between
//   two sort keys, Limit = page size, ExclusiveStartKey from the cursor.
// - getFatura: Get faturas (closed?) or Query consumo for M#month + MD#month#… + Query faturas
//   (late kWh of closed months). fechaFatura: the same, then one transaction: Put faturas if
//   attribute_not_exists(mes) + Update each adjusted month's kwhContabilizado if unchanged.
// - getAlarme: Query consumo (M#month, X#month#…, the last 8 D# days), Query medidores, Query
//   alarmes (ATIVO#, EVENTO# newest first); a transition is one transaction (ATIVO# put/delete
//   + EVENTO# put/update). alarmes (staff): Query the ativos index.
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  type CancellationReason,
} from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  NumberValue,
  QueryCommand,
  ScanCommand,
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
import type {
  ActiveAlarm,
  AlarmEvent,
  BucketLevel,
  Customer,
  InvoiceRecord,
  Meter,
  MeterCredentials,
  Reading,
  ReadingPage,
  Repository,
  StoreOptions,
  StoreOutcome,
  StoredToken,
} from '../model';
import type { ConnectionType } from '../tariff';
import { bucketsOf } from '../periods';
import { decodeCursor, encodeCursor, readingKeyRange, readingSortKey } from './readingKeys';

export const TABLES = ['clientes', 'medidores', 'leituras', 'consumo', 'faturas', 'alarmes', 'tokens', 'segredos'] as const;
export type TableName = (typeof TABLES)[number];

const LEVEL_PREFIX: Record<BucketLevel, string> = { hour: 'H#', day: 'D#', month: 'M#' };
/** Items per transaction allowed by DynamoDB. */
export const MAX_TRANSACTION_ITEMS = 100;
const MAX_ATTEMPTS = 8;

// Numbers arrive wrapped (see client.ts) so decimal sums keep every digit.
const num = (value: unknown): number => Number(value instanceof NumberValue ? value.value : value);
const dec = (value: unknown): Decimal => new Decimal(String(value instanceof NumberValue ? value.value : value));

function toReading(item: Record<string, unknown>): Reading {
  return {
    customerId: String(item.id),
    meterId: num(item.id_medidor),
    valor: num(item.valor),
    timestampMs: num(item.ts),
  };
}

function tokenItem(token: StoredToken): Record<string, unknown> {
  return { tokenHash: token.hash, id: token.customerId, createdAt: token.createdAt, expiresAt: token.expiresAt };
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

  async createCustomer(customer: Customer, token: StoredToken): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table.clientes,
                Item: { ...customer, meterCount: 0, tokenHash: token.hash },
                ConditionExpression: 'attribute_not_exists(id)',
              },
            },
            { Put: { TableName: this.table.tokens, Item: tokenItem(token), ConditionExpression: 'attribute_not_exists(tokenHash)' } },
          ],
        }),
      );
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') throw new CustomerAlreadyExists(customer.id);
      throw error;
    }
  }

  async replaceToken(token: StoredToken): Promise<void> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table.clientes, Key: { id: token.customerId }, ConsistentRead: true }),
    );
    if (!Item) throw new CustomerNotFound(token.customerId);
    const previous = Item.tokenHash === undefined ? undefined : String(Item.tokenHash);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table.clientes,
                Key: { id: token.customerId },
                UpdateExpression: 'SET tokenHash = :new',
                // Two concurrent rotations: one wins, the other retries on the winner's token.
                ConditionExpression: previous === undefined ? 'attribute_not_exists(tokenHash)' : 'tokenHash = :old',
                ExpressionAttributeValues: { ':new': token.hash, ...(previous === undefined ? {} : { ':old': previous }) },
              },
            },
            { Put: { TableName: this.table.tokens, Item: tokenItem(token), ConditionExpression: 'attribute_not_exists(tokenHash)' } },
            ...(previous === undefined
              ? []
              : [
                  {
                    Update: {
                      TableName: this.table.tokens,
                      Key: { tokenHash: previous },
                      UpdateExpression: 'SET revokedAt = :now',
                      ExpressionAttributeValues: { ':now': token.createdAt },
                    },
                  },
                ]),
          ],
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException) return this.replaceToken(token);
      throw error;
    }
  }

  async findToken(hash: string): Promise<StoredToken | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table.tokens, Key: { tokenHash: hash }, ConsistentRead: true }));
    if (!Item) return undefined;
    return {
      hash: String(Item.tokenHash),
      customerId: String(Item.id),
      createdAt: String(Item.createdAt),
      expiresAt: num(Item.expiresAt),
      ...(Item.revokedAt === undefined ? {} : { revokedAt: String(Item.revokedAt) }),
    };
  }

  async getCustomer(customerId: string): Promise<Customer | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table.clientes, Key: { id: customerId }, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return {
      id: String(Item.id),
      name: String(Item.name),
      createdAt: String(Item.createdAt),
      ligacao: (Item.ligacao as ConnectionType | undefined) ?? 'monofasico',
    };
  }

  async registerMeter(customerId: string, createdAt: string, secret: string): Promise<number> {
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
    // The counter is the only allocator, so this id is new; the conditions guard against a bug, not a race.
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.table.medidores,
              Item: { id: customerId, id_medidor: meterId, createdAt },
              ConditionExpression: 'attribute_not_exists(id_medidor)',
            },
          },
          {
            Put: {
              TableName: this.table.segredos,
              Item: { id: customerId, id_medidor: meterId, segredo: secret, createdAt },
              ConditionExpression: 'attribute_not_exists(id_medidor)',
            },
          },
        ],
      }),
    );
    return meterId;
  }

  async replaceMeterSecret(customerId: string, meterId: number, secret: string, createdAt: string): Promise<void> {
    const Key = { id: customerId, id_medidor: meterId };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              // A new key starts a new sequence: the meter may count from 0 again.
              Update: {
                TableName: this.table.medidores,
                Key,
                UpdateExpression: 'REMOVE seqMaximo',
                ConditionExpression: 'attribute_exists(id_medidor)',
              },
            },
            { Put: { TableName: this.table.segredos, Item: { ...Key, segredo: secret, createdAt } } },
          ],
        }),
      );
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
      if (reasons[0]?.Code !== 'ConditionalCheckFailed') throw error;
      throw (await this.getCustomer(customerId)) ? new MeterNotFound(customerId, meterId) : new CustomerNotFound(customerId);
    }
  }

  async meterCredentials(customerId: string, meterId: number): Promise<MeterCredentials | undefined> {
    const Key = { id: customerId, id_medidor: meterId };
    const [meter, secret] = await Promise.all([
      this.db.send(new GetCommand({ TableName: this.table.medidores, Key, ProjectionExpression: 'id_medidor, seqMaximo', ConsistentRead: true })),
      this.db.send(new GetCommand({ TableName: this.table.segredos, Key, ProjectionExpression: 'segredo', ConsistentRead: true })),
    ]);
    if (!meter.Item) return undefined;
    return {
      ...(secret.Item?.segredo === undefined ? {} : { secret: String(secret.Item.segredo) }),
      ...(meter.Item.seqMaximo === undefined ? {} : { highestSeq: num(meter.Item.seqMaximo) }),
    };
  }

  async findReading(customerId: string, meterId: number, timestampMs: number): Promise<Reading | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.table.leituras,
        Key: { id: customerId, sk: readingSortKey(timestampMs, meterId) },
        ConsistentRead: true,
      }),
    );
    return Item ? toReading(Item) : undefined;
  }

  async storeReadings(
    readings: Reading[],
    options: StoreOptions,
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
    options: StoreOptions,
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
        `MD#${reading.customerId}#${buckets.month}#${reading.meterId}`,
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
    options: StoreOptions,
    outcomes: StoreOutcome[],
  ): Promise<void> {
    let pending = chunk;
    const held: HeldMeters = new Map();
    for (let attempt = 1; pending.length > 0; attempt++) {
      const items = this.transactionItems(pending, options, held);
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items.map((item) => item.request) }));
        for (const { index } of pending) outcomes[index] = { status: 'stored' };
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException) || attempt >= MAX_ATTEMPTS) throw error;
        const heldBefore = heldCount(held);
        const settled = await this.settleFailures(items, error.CancellationReasons ?? [], outcomes, held);
        pending = pending.filter(({ index }) => !settled.has(index));
        // Only contention remained (another writer on the same roll-up): back off and retry.
        if (settled.size === 0 && heldCount(held) === heldBefore) await sleep(Math.random() * 10 * 2 ** attempt);
      }
    }
  }

  /** Builds one transaction: meter checks, reading puts, merged roll-up increments. */
  private transactionItems(
    pending: PendingReading[],
    options: StoreOptions,
    held: HeldMeters,
  ): TransactionItem[] {
    const items: TransactionItem[] = [];
    const meters = new Map<string, PendingReading[]>();
    const increments = new Map<string, { customerId: string; sortKey: string; kwh: Decimal; count: number }>();
    for (const entry of pending) {
      const { reading } = entry;
      const meterKey = `${reading.customerId}#${reading.meterId}`;
      meters.set(meterKey, [...(meters.get(meterKey) ?? []), entry]);
      const buckets = bucketsOf(reading.timestampMs, options.timeZone);
      const meterMonth = `MD#${buckets.month}#${String(reading.meterId).padStart(10, '0')}`;
      for (const sortKey of [`H#${buckets.hour}`, `D#${buckets.day}`, `M#${buckets.month}`, meterMonth]) {
        const key = `${reading.customerId}#${sortKey}`;
        const current = increments.get(key) ?? { customerId: reading.customerId, sortKey, kwh: new Decimal(0), count: 0 };
        current.kwh = current.kwh.plus(reading.valor);
        current.count += 1;
        increments.set(key, current);
      }
    }
    for (const [meterKey, group] of meters.entries()) {
      const { customerId, meterId } = group[0].reading;
      const Key = { id: customerId, id_medidor: meterId };
      const { newest, highestSeq } = meterMarks(group);
      const holds = held.get(meterKey);
      const sets: string[] = [];
      const conditions = ['attribute_exists(id_medidor)'];
      const values: Record<string, number> = {};
      if (!holds?.has('ultimaLeitura')) {
        sets.push('ultimaLeitura = :ts');
        conditions.push('(attribute_not_exists(ultimaLeitura) OR ultimaLeitura <= :ts)');
        values[':ts'] = newest;
      }
      if (highestSeq !== undefined && !holds?.has('seqMaximo')) {
        sets.push('seqMaximo = :seq');
        conditions.push('(attribute_not_exists(seqMaximo) OR seqMaximo <= :seq)');
        values[':seq'] = highestSeq;
      }
      items.push({
        kind: 'meter',
        readings: group,
        meterKey,
        request:
          sets.length === 0
            ? { ConditionCheck: { TableName: this.table.medidores, Key, ConditionExpression: 'attribute_exists(id_medidor)' } }
            : {
                Update: {
                  TableName: this.table.medidores,
                  Key,
                  UpdateExpression: `SET ${sets.join(', ')}`,
                  ConditionExpression: conditions.join(' AND '),
                  ExpressionAttributeValues: values,
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
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
    held: HeldMeters,
  ): Promise<Set<number>> {
    const settled = new Set<number>();
    for (const [position, reason] of reasons.entries()) {
      if (reason.Code !== 'ConditionalCheckFailed') continue;
      const item = items[position];
      if (item.kind === 'meter' && reason.Item && item.meterKey) {
        // The meter exists and already holds a newer ultimaLeitura or a higher seqMaximo than these
        // readings: store them without raising that attribute.
        const stored = unmarshall(reason.Item, { wrapNumbers: true });
        const { newest, highestSeq } = meterMarks(item.readings);
        const holds = held.get(item.meterKey) ?? new Set<MeterMark>();
        const ahead = (name: MeterMark, mine: number | undefined) =>
          stored[name] !== undefined && (mine === undefined || num(stored[name]) > mine);
        if (ahead('ultimaLeitura', newest)) holds.add('ultimaLeitura');
        if (ahead('seqMaximo', highestSeq)) holds.add('seqMaximo');
        // Neither is ahead (it moved back meanwhile?): settle for the plain existence check.
        if (holds.size === 0) holds.add('ultimaLeitura').add('seqMaximo');
        held.set(item.meterKey, holds);
      } else if (item.kind === 'meter') {
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

  async consolidate(_customerId: string, _options: { timeZone: string; nowMs: number }): Promise<void> {
    // Nothing to fold in this layout yet.
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
    const { first, last } = readingKeyRange(range);
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

  /** Every item of a query, following LastEvaluatedKey. */
  private async queryAll(input: ConstructorParameters<typeof QueryCommand>[0]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  async listMeters(customerId: string): Promise<Meter[]> {
    const items = await this.queryAll({
      TableName: this.table.medidores,
      KeyConditionExpression: 'id = :id',
      ExpressionAttributeValues: { ':id': customerId },
      ConsistentRead: true,
    });
    return items.map((item) => ({
      meterId: num(item.id_medidor),
      createdAt: String(item.createdAt),
      ...(item.ultimaLeitura === undefined ? {} : { lastReadingMs: num(item.ultimaLeitura) }),
    }));
  }

  async meterMonthKwh(customerId: string, month: string): Promise<Map<number, Decimal>> {
    const prefix = `MD#${month}#`;
    const items = await this.queryAll({
      TableName: this.table.consumo,
      KeyConditionExpression: 'id = :id AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':id': customerId, ':prefix': prefix },
      ProjectionExpression: 'sk, kwh',
      ConsistentRead: true,
    });
    return new Map(items.map((item) => [Number(String(item.sk).slice(prefix.length)), dec(item.kwh)]));
  }

  private toInvoiceRecord(item: Record<string, unknown>): InvoiceRecord {
    return {
      customerId: String(item.id),
      month: String(item.mes),
      invoice: JSON.parse(String(item.documento)),
      minimumKwh: num(item.kwhMinimo),
      perKwh: String(item.precoKwh),
      accountedKwh: String(item.kwhContabilizado),
      dueDays: num(item.vencimentoDias),
    };
  }

  async getInvoiceRecord(customerId: string, month: string): Promise<InvoiceRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table.faturas, Key: { id: customerId, mes: month }, ConsistentRead: true }),
    );
    return Item ? this.toInvoiceRecord(Item) : undefined;
  }

  async listInvoiceRecords(customerId: string): Promise<InvoiceRecord[]> {
    const items = await this.queryAll({
      TableName: this.table.faturas,
      KeyConditionExpression: 'id = :id',
      ExpressionAttributeValues: { ':id': customerId },
      ConsistentRead: true,
    });
    return items.map((item) => this.toInvoiceRecord(item));
  }

  async saveInvoice(
    record: InvoiceRecord,
    settles: { month: string; fromKwh: string; toKwh: string }[],
  ): Promise<'saved' | 'exists' | 'stale'> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table.faturas,
                Item: {
                  id: record.customerId,
                  mes: record.month,
                  // A document, not a map: it is served back exactly as frozen.
                  documento: JSON.stringify(record.invoice),
                  kwhMinimo: record.minimumKwh,
                  precoKwh: record.perKwh,
                  kwhContabilizado: record.accountedKwh,
                  vencimentoDias: record.dueDays,
                },
                ConditionExpression: 'attribute_not_exists(mes)',
              },
            },
            ...settles.map((settle) => ({
              Update: {
                TableName: this.table.faturas,
                Key: { id: record.customerId, mes: settle.month },
                UpdateExpression: 'SET kwhContabilizado = :to',
                ConditionExpression: 'kwhContabilizado = :from',
                ExpressionAttributeValues: { ':to': settle.toKwh, ':from': settle.fromKwh },
              },
            })),
          ],
        }),
      );
      return 'saved';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'exists';
      // A settled month moved (another close) or plain contention: the caller recomputes.
      return 'stale';
    }
  }

  async activeAlarms(customerId: string): Promise<ActiveAlarm[]> {
    const items = await this.queryAll({
      TableName: this.table.alarmes,
      KeyConditionExpression: 'id = :id AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':id': customerId, ':prefix': 'ATIVO#' },
      ConsistentRead: true,
    });
    return items.map(toActiveAlarm);
  }

  async fireAlarm(alarm: ActiveAlarm): Promise<boolean> {
    const eventKey = alarmEventKey(alarm);
    const meter = alarm.meterId === undefined ? {} : { id_medidor: alarm.meterId };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table.alarmes,
                Item: {
                  id: alarm.customerId,
                  sk: `ATIVO#${alarm.key}`,
                  regra: alarm.regra,
                  ...meter,
                  desde: alarm.firedMs,
                  evento: eventKey,
                  mensagem: alarm.mensagem,
                  emAlarme: 'sim',
                },
                ConditionExpression: 'attribute_not_exists(sk)',
              },
            },
            {
              Put: {
                TableName: this.table.alarmes,
                Item: { id: alarm.customerId, sk: eventKey, regra: alarm.regra, ...meter, disparadoEm: alarm.firedMs, mensagem: alarm.mensagem },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false; // another evaluation fired it first
      throw error;
    }
  }

  async clearAlarm(alarm: ActiveAlarm, clearedMs: number): Promise<boolean> {
    const eventKey = alarmEventKey(alarm);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.table.alarmes,
                Key: { id: alarm.customerId, sk: `ATIVO#${alarm.key}` },
                ConditionExpression: 'evento = :event',
                ExpressionAttributeValues: { ':event': eventKey },
              },
            },
            {
              Update: {
                TableName: this.table.alarmes,
                Key: { id: alarm.customerId, sk: eventKey },
                UpdateExpression: 'SET encerradoEm = :cleared',
                ExpressionAttributeValues: { ':cleared': clearedMs },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false; // another evaluation cleared it first
      throw error;
    }
  }

  async alarmEvents(customerId: string, limit: number): Promise<AlarmEvent[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.table.alarmes,
        KeyConditionExpression: 'id = :id AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':id': customerId, ':prefix': 'EVENTO#' },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return (Items ?? []).map((item) => ({
      key: String(item.sk).split('#').slice(2).join('#'),
      regra: String(item.regra),
      ...(item.id_medidor === undefined ? {} : { meterId: num(item.id_medidor) }),
      firedMs: num(item.disparadoEm),
      ...(item.encerradoEm === undefined ? {} : { clearedMs: num(item.encerradoEm) }),
      mensagem: String(item.mensagem),
    }));
  }

  async listActiveAlarms(page: { limit: number; cursor?: string }): Promise<{ alarms: ActiveAlarm[]; cursor: string | null }> {
    let startKey: Record<string, unknown> | undefined;
    if (page.cursor !== undefined) {
      try {
        startKey = JSON.parse(Buffer.from(page.cursor, 'base64url').toString('utf8'));
      } catch {
        startKey = undefined;
      }
      const valid = startKey && typeof startKey.id === 'string' && typeof startKey.sk === 'string' && startKey.emAlarme === 'sim';
      if (!valid) throw new InvalidInput('cursor: does not belong to this query; start again without it', 'cursor');
    }
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.table.alarmes,
        IndexName: 'ativos',
        KeyConditionExpression: 'emAlarme = :yes',
        ExpressionAttributeValues: { ':yes': 'sim' },
        Limit: page.limit,
        ExclusiveStartKey: startKey,
      }),
    );
    const last = result.LastEvaluatedKey;
    return {
      alarms: (result.Items ?? []).map(toActiveAlarm),
      cursor: last ? Buffer.from(JSON.stringify(last), 'utf8').toString('base64url') : null,
    };
  }

  async listCustomerIds(page: { limit: number; cursor?: string }): Promise<{ ids: string[]; cursor: string | null }> {
    const result = await this.db.send(
      new ScanCommand({
        TableName: this.table.clientes,
        ProjectionExpression: 'id',
        Limit: page.limit,
        ExclusiveStartKey: page.cursor === undefined ? undefined : { id: page.cursor },
      }),
    );
    const last = result.LastEvaluatedKey?.id;
    return { ids: (result.Items ?? []).map((item) => String(item.id)), cursor: last === undefined ? null : String(last) };
  }
}

function alarmEventKey(alarm: Pick<ActiveAlarm, 'firedMs' | 'key'>): string {
  return `EVENTO#${String(alarm.firedMs).padStart(14, '0')}#${alarm.key}`;
}

function toActiveAlarm(item: Record<string, unknown>): ActiveAlarm {
  return {
    customerId: String(item.id),
    key: String(item.sk).slice('ATIVO#'.length),
    regra: String(item.regra),
    ...(item.id_medidor === undefined ? {} : { meterId: num(item.id_medidor) }),
    firedMs: num(item.desde),
    mensagem: String(item.mensagem),
  };
}

/** Meter attributes a batch raises: the newest reading time and the highest signed seq. */
type MeterMark = 'ultimaLeitura' | 'seqMaximo';
/** Per meter, the marks storage already holds higher than this batch (left out of the next attempt). */
type HeldMeters = Map<string, Set<MeterMark>>;

const heldCount = (held: HeldMeters) => [...held.values()].reduce((sum, marks) => sum + marks.size, 0);

function meterMarks(group: PendingReading[]): { newest: number; highestSeq: number | undefined } {
  const seqs = group.flatMap(({ reading }) => (reading.seq === undefined ? [] : [reading.seq]));
  return {
    newest: Math.max(...group.map(({ reading }) => reading.timestampMs)),
    highestSeq: seqs.length === 0 ? undefined : Math.max(...seqs),
  };
}

interface TransactionItem {
  kind: 'meter' | 'reading' | 'excess' | 'rollup';
  readings: PendingReading[];
  meterKey?: string;
  request: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];
}
