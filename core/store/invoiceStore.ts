// Closed invoices in DynamoDB (table faturas); access paths: dynamoRepository.ts.
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { InvoiceRecord } from '../model';
import { num, queryAll, type Tables } from './dynamoItems';
import { conditionFailed, transact } from './transaction';

export class InvoiceStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: Pick<Tables, 'faturas'>,
  ) {}

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
    const items = await queryAll(this.db, {
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
    const cancelled = await transact(this.db, [
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
    ]);
    if (!cancelled) return 'saved';
    // A settled month moved (another close) or plain contention: the caller recomputes.
    return conditionFailed(cancelled, 0) ? 'exists' : 'stale';
  }
}
