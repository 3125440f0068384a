// What every DynamoDB store shares: table names, numbers as stored, paging a query to its end.
import { NumberValue, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
export const TABLES = ['clientes', 'medidores', 'blocos', 'totais', 'faturas', 'alarmes', 'tokens', 'segredos', 'gateway'] as const;
export type TableName = (typeof TABLES)[number];
export type Tables = Record<TableName, string>;
/** Tables of the layout before blocks (one item per reading, roll-ups per bucket): `npm run migrate` moves them. */
export const LEGACY_TABLES = ['leituras', 'consumo'] as const;

/** Numbers arrive wrapped (see client.ts) so decimal sums keep every digit. */
export const num = (value: unknown): number => Number(value instanceof NumberValue ? value.value : value);

/** Every item of a query, following LastEvaluatedKey. */
export async function queryAll(db: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
