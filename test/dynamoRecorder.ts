// A recording hop in front of DynamoDB Local: every request goes through unchanged and is written
// down as the IAM action and table it needs (a transaction: each item's own action), by the logical
// id serverless.yml gives the table (`luz-test-blocos` → `BlocosTable`; an index → `…/index/name`).
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The IAM action each transaction item needs. */
const ITEM_ACTIONS: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' };

type Body = { TableName?: string; IndexName?: string; TransactItems?: Record<string, { TableName: string }>[] };

export interface DynamoRecorder {
  /** The endpoint to give a client instead of DynamoDB Local's. */
  endpoint: string;
  /** What was asked since the last take, by table, actions sorted. */
  take(): Record<string, string[]>;
  close(): Promise<void>;
}

const readAll = (stream: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });

export async function dynamoRecorder(target: string, prefix: string): Promise<DynamoRecorder> {
  const upstream = new URL(target);
  let used = new Map<string, Set<string>>();
  const logical = (table: string, index?: string) => {
    const name = table.slice(prefix.length);
    return `${name[0].toUpperCase()}${name.slice(1)}Table${index ? `/index/${index}` : ''}`;
  };
  const note = (table: string, action: string) => used.set(table, (used.get(table) ?? new Set()).add(`dynamodb:${action}`));

  const server = createServer(async (incoming, outgoing) => {
    const body = await readAll(incoming);
    const action = String(incoming.headers['x-amz-target'] ?? '').split('.')[1];
    if (action) {
      const input = JSON.parse(body.toString('utf8') || '{}') as Body;
      if (action === 'TransactWriteItems') {
        for (const item of input.TransactItems ?? []) for (const [kind, { TableName }] of Object.entries(item)) note(logical(TableName), ITEM_ACTIONS[kind] ?? kind);
      } else if (input.TableName) {
        note(logical(input.TableName, input.IndexName), action);
      }
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => outgoing.destroy());
    forward.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    take() {
      const taken = Object.fromEntries([...used].map(([table, actions]) => [table, [...actions].sort()]).sort());
      used = new Map();
      return taken;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
