// Meters and their secrets in DynamoDB (tables medidores, segredos); access paths: dynamoRepository.ts.
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CustomerNotFound, MeterNotFound } from '../errors';
import type { MeterCredentials } from '../model';
import { num, type Tables } from './dynamoItems';
import type { CustomerStore } from './customerStore';
import type { ReadingStore } from './readingStore';
import { conditionFailed, transact } from './transaction';

export class MeterStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: Pick<Tables, 'medidores' | 'segredos'>,
    private readonly customers: CustomerStore,
    /** Told of meters seen and secrets replaced: it keeps the meter-exists and seq-checkpoint memory. */
    private readonly readings: ReadingStore,
  ) {}

  async registerMeter(customerId: string, createdAt: string, secret: string): Promise<number> {
    const meterId = await this.customers.nextMeterId(customerId);
    // The counter is the only allocator, so this id is new; the conditions guard against a bug, not a race.
    const cancelled = await transact(this.db, [
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
    ]);
    if (cancelled) throw cancelled;
    return meterId;
  }

  async replaceMeterSecret(customerId: string, meterId: number, secret: string, createdAt: string): Promise<void> {
    const Key = { id: customerId, id_medidor: meterId };
    const cancelled = await transact(this.db, [
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
    ]);
    if (cancelled && !conditionFailed(cancelled, 0)) throw cancelled;
    if (cancelled) throw (await this.customers.getCustomer(customerId)) ? new MeterNotFound(customerId, meterId) : new CustomerNotFound(customerId);
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
}
