// One DynamoDB client per process, created from validated config and passed in.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface StoreConnection {
  endpoint?: string;
  region: string;
}

export function createDocumentClient({ endpoint, region }: StoreConnection): DynamoDBDocumentClient {
  const local = endpoint !== undefined;
  const client = new DynamoDBClient({
    region,
    endpoint,
    // DynamoDB Local accepts any credentials; in AWS the function's role provides them.
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 5,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
    // Roll-up sums are decimal in DynamoDB; keep every digit.
    unmarshallOptions: { wrapNumbers: true },
  });
}
