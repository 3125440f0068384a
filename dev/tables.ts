// Creates the tables declared in serverless.yml `resources`, so local and cloud share one declaration.
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

interface TableResource {
  Type: string;
  Properties: CreateTableCommandInput & Record<string, unknown>;
}

/** The table declarations of serverless.yml, named with `prefix`. */
export function tableDeclarations(prefix: string, file = resolve('serverless.yml')): CreateTableCommandInput[] {
  // CloudFormation tags (!GetAtt) belong to the roles, not the tables; read them as plain values.
  const document = parse(readFileSync(file, 'utf8'), {
    logLevel: 'silent',
    customTags: [
      { tag: '!GetAtt', resolve: (value: string) => value },
      { tag: '!Ref', resolve: (value: string) => value },
    ],
  });
  // `resources` is a list merged into one template; the tables are in its inline part, the others are
  // ${file(…)} includes (the gateway's), which hold no table.
  const parts = [document.resources].flat().filter((part): part is { Resources?: Record<string, TableResource> } => typeof part === 'object' && part !== null);
  return parts
    .flatMap((part) => Object.values(part.Resources ?? {}))
    .filter((resource) => resource.Type === 'AWS::DynamoDB::Table')
    .map(({ Properties }) => ({
      TableName: String(Properties.TableName).replace('${self:custom.tablePrefix}', prefix),
      BillingMode: Properties.BillingMode,
      AttributeDefinitions: Properties.AttributeDefinitions,
      KeySchema: Properties.KeySchema,
      GlobalSecondaryIndexes: Properties.GlobalSecondaryIndexes,
    }));
}

/** Creates each declared table that does not exist yet; returns the names it created. */
export async function ensureTables(endpoint: string, prefix: string, region = 'us-east-1'): Promise<string[]> {
  const client = new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const created: string[] = [];
  try {
    for (const declaration of tableDeclarations(prefix)) {
      try {
        await client.send(new CreateTableCommand(declaration));
        created.push(declaration.TableName!);
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      for (;;) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: declaration.TableName }));
        if (Table?.TableStatus === 'ACTIVE') break;
        await new Promise((done) => setTimeout(done, 100));
      }
    }
  } finally {
    client.destroy();
  }
  return created;
}
