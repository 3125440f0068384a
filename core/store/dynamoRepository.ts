// The repository over DynamoDB: customers, tokens, meters, secrets, invoices and alarms here; the
// readings' tables in core/store/readingStore.ts; every key format in core/store/keys.ts.
//
// Tables (names = LUZ_TABLE_PREFIX + name; declared once in serverless.yml `resources`):
//
// | table      | partition key | sort key           | item                                                   |
// |------------|---------------|--------------------|--------------------------------------------------------|
// | clientes   | id (CPF)      | —                  | name, createdAt, meterCount (atomic meter-id counter), tokenHash, ligacao |
// | clientes   |               |                    | consolidadoAte (window its blocks are folded up to, exclusive; see readingStore) |
// | tokens     | tokenHash (SHA-256 of the customer token) | — | id (CPF), createdAt, expiresAt (ms), revokedAt   |
// | medidores  | id (CPF)      | id_medidor (N)     | createdAt, ultimaLeitura (newest on-time reading ms among folded blocks; set by the fold) |
// | medidores  |               |                    | seqMaximo (checkpoint of the highest signed seq since the secret was issued, every 64 seqs; only grows) |
// | segredos   | id (CPF)      | id_medidor (N)     | segredo (the meter's HMAC key, as issued: the gateway recomputes MACs with it), createdAt |
// | blocos     | id (CPF)      | sk = YYYY-MM-DDTHH#MMMMMMMMMM (local 6-hour window, meter) | r<ms base36> / l<ms base36> = valor (one slot per reading, on time / late), kwh + n (on-time readings, ADD), grandes (SS ms:valor above the alarm limit) |
// | totais     | id (CPF)      | sk = YYYY-MM#MMMMMMMMMM (month, meter) | kwh, n, d01…d31 (ADD: folded blocks + late readings), grandes (SS), ate (window its blocks are folded up to) |
// | faturas    | id (CPF)      | mes (YYYY-MM)      | documento (the frozen invoice, JSON), kwhContabilizado, kwhMinimo, precoKwh, vencimentoDias |
// | alarmes    | id (CPF)      | sk = ATIVO#<regra>[#meter]     (one per condition holding now) | regra, desde, evento, mensagem, emAlarme="sim" |
// |            |               | sk = EVENTO#<fired ms, 14 digits>#<regra>[#meter] | disparadoEm, encerradoEm?, mensagem |
// GSI alarmes.ativos: emAlarme (HASH) + id (RANGE), sparse: only ATIVO# items carry emAlarme, so it
// lists exactly the customers in alarm. Alarm transitions are rare, so one constant partition suffices.
//
// Access paths (write units by AWS rules in docs/SCALE.md):
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
//   datagram older than its anti-replay window: Get blocos (is that exact reading stored?).
// - postConsumo / UDP (readingStore.storeReadings): Get medidores once per meter per process (meters
//   are never deleted); per block, one Update blocos SET <slot> = valor ADD kwh, n IF both slot names
//   are absent — a repeat fails its condition, and the stored value (ALL_OLD) says duplicate or
//   conflict. A late reading's block update goes in one transaction with its month item's ADD.
//   Every 64 seqs of a signed meter: Update medidores SET seqMaximo if higher.
// - consolidate (the scheduled sweep): Get clientes, Query blocos [consolidadoAte, target), Query
//   medidores; per month passed, one transaction: Update totais (ADD, SET ate) per meter, Update
//   clientes SET consolidadoAte if unchanged, Update medidores SET ultimaLeitura.
// - getConsumoHist / getFatura / getAlarme totals: Query totais (the months) then Query blocos from
//   the earliest `ate` (hours: Query blocos of the day); readings: Query blocos a window at a time.
// - getFatura: Get faturas (closed?) or the totals above + Query faturas (late kWh of closed months).
//   fechaFatura: the same, then one transaction: Put faturas if attribute_not_exists(mes) + Update
//   each adjusted month's kwhContabilizado if unchanged.
// - getAlarme: the totals above, Query medidores + Get clientes + Query blocos from consolidadoAte
//   (newest readings), Query alarmes (ATIVO#, EVENTO# newest first); a transition is one transaction
//   (ATIVO# put/delete + EVENTO# put/update). alarmes (staff): Query the ativos index.
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
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
import { Decimal } from '../decimal';
import {
  CustomerAlreadyExists,
  CustomerNotFound,
  InvalidInput,
  MeterNotFound,
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
import { activeAlarmKey, alarmEventKey } from './keys';
import { ReadingStore, type WriteGrouping } from './readingStore';

export const TABLES = ['clientes', 'medidores', 'blocos', 'totais', 'faturas', 'alarmes', 'tokens', 'segredos'] as const;
export type TableName = (typeof TABLES)[number];
/** Tables of the layout before blocks (one item per reading, roll-ups per bucket): `npm run migrate` moves them. */
export const LEGACY_TABLES = ['leituras', 'consumo'] as const;

// Numbers arrive wrapped (see client.ts) so decimal sums keep every digit.
const num = (value: unknown): number => Number(value instanceof NumberValue ? value.value : value);

function tokenItem(token: StoredToken): Record<string, unknown> {
  return { tokenHash: token.hash, id: token.customerId, createdAt: token.createdAt, expiresAt: token.expiresAt };
}

export interface DynamoRepositoryOptions {
  /** The zone the blocks' windows are cut in (LUZ_TZ). */
  timeZone: string;
  writeGrouping: WriteGrouping;
}

export class DynamoRepository implements Repository {
  private readonly table: Record<TableName, string>;

  private readonly readings: ReadingStore;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    tablePrefix: string,
    options: DynamoRepositoryOptions,
  ) {
    this.table = Object.fromEntries(TABLES.map((name) => [name, `${tablePrefix}${name}`])) as Record<
      TableName,
      string
    >;
    this.readings = new ReadingStore(db, this.table, options.writeGrouping, options.timeZone);
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
    this.readings.forgetSeq(customerId, meterId);
  }

  async meterCredentials(customerId: string, meterId: number): Promise<MeterCredentials | undefined> {
    const Key = { id: customerId, id_medidor: meterId };
    const [meter, secret] = await Promise.all([
      this.db.send(new GetCommand({ TableName: this.table.medidores, Key, ProjectionExpression: 'id_medidor, seqMaximo', ConsistentRead: true })),
      this.db.send(new GetCommand({ TableName: this.table.segredos, Key, ProjectionExpression: 'segredo', ConsistentRead: true })),
    ]);
    if (!meter.Item) return undefined;
    const highestSeq = meter.Item.seqMaximo === undefined ? undefined : num(meter.Item.seqMaximo);
    this.readings.sawMeter(customerId, meterId, highestSeq);
    return {
      ...(secret.Item?.segredo === undefined ? {} : { secret: String(secret.Item.segredo) }),
      ...(highestSeq === undefined ? {} : { highestSeq }),
    };
  }

  async findReading(customerId: string, meterId: number, timestampMs: number): Promise<Reading | undefined> {
    return this.readings.findReading(customerId, meterId, timestampMs);
  }

  storeReadings(readings: Reading[], options: StoreOptions): Promise<StoreOutcome[]> {
    return this.readings.storeReadings(readings, options);
  }

  consolidate(customerId: string, options: { timeZone: string; nowMs: number }): Promise<void> {
    return this.readings.consolidate(customerId, options);
  }

  sumBuckets(customerId: string, level: BucketLevel, firstKey: string, lastKey: string): Promise<Map<string, Decimal>> {
    return this.readings.sumBuckets(customerId, level, firstKey, lastKey);
  }

  listReadings(customerId: string, range: { startMs: number; endMs: number }, page: { limit: number; cursor?: string }): Promise<ReadingPage> {
    return this.readings.listReadings(customerId, range, page);
  }

  excessReadings(customerId: string, month: string): Promise<Reading[]> {
    return this.readings.excessReadings(customerId, month);
  }

  listMeters(customerId: string): Promise<Meter[]> {
    return this.readings.listMeters(customerId);
  }

  meterMonthKwh(customerId: string, month: string): Promise<Map<number, Decimal>> {
    return this.readings.meterMonthKwh(customerId, month);
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
    const eventKey = eventKeyOf(alarm);
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
                  sk: activeAlarmKey(alarm.key),
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
    const eventKey = eventKeyOf(alarm);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.table.alarmes,
                Key: { id: alarm.customerId, sk: activeAlarmKey(alarm.key) },
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

const eventKeyOf = (alarm: Pick<ActiveAlarm, 'firedMs' | 'key'>) => alarmEventKey(alarm.firedMs, alarm.key);

function toActiveAlarm(item: Record<string, unknown>): ActiveAlarm {
  return {
    customerId: String(item.id),
    key: String(item.sk).slice(activeAlarmKey('').length),
    regra: String(item.regra),
    ...(item.id_medidor === undefined ? {} : { meterId: num(item.id_medidor) }),
    firedMs: num(item.desde),
    mensagem: String(item.mensagem),
  };
}
