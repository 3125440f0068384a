// Customers and their tokens in DynamoDB (tables clientes, tokens); key formats and access paths: dynamoRepository.ts.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CustomerAlreadyExists, CustomerNotFound } from '../errors';
import type { Customer, StoredToken } from '../model';
import type { ConnectionType } from '../tariff';
import { num, type Tables } from './dynamoItems';
import { conditionFailed, transact } from './transaction';

function tokenItem(token: StoredToken): Record<string, unknown> {
  return { tokenHash: token.hash, id: token.customerId, createdAt: token.createdAt, expiresAt: token.expiresAt };
}

export class CustomerStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: Pick<Tables, 'clientes' | 'tokens'>,
  ) {}

  async createCustomer(customer: Customer, token: StoredToken): Promise<void> {
    const cancelled = await transact(this.db, [
      {
        Put: {
          TableName: this.table.clientes,
          Item: { ...customer, meterCount: 0, tokenHash: token.hash },
          ConditionExpression: 'attribute_not_exists(id)',
        },
      },
      { Put: { TableName: this.table.tokens, Item: tokenItem(token), ConditionExpression: 'attribute_not_exists(tokenHash)' } },
    ]);
    if (cancelled && conditionFailed(cancelled, 0)) throw new CustomerAlreadyExists(customer.id);
    if (cancelled) throw cancelled;
  }

  async replaceToken(token: StoredToken): Promise<void> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table.clientes, Key: { id: token.customerId }, ConsistentRead: true }),
    );
    if (!Item) throw new CustomerNotFound(token.customerId);
    const previous = Item.tokenHash === undefined ? undefined : String(Item.tokenHash);
    const cancelled = await transact(this.db, [
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
    ]);
    // Cancelled: a concurrent rotation won (or contention); again, on what is stored now.
    if (cancelled) return this.replaceToken(token);
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

  /** The customer's next meter id, from an atomic counter on the customer's item. */
  async nextMeterId(customerId: string): Promise<number> {
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
      return num(Attributes?.meterCount);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new CustomerNotFound(customerId);
      throw error;
    }
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
