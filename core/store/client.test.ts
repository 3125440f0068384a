// Where the one DynamoDB client sends its requests and whose credentials it signs them with: the
// regional endpoint and the default chain when no endpoint is configured (AWS), the given one otherwise.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from './client';

/** The request the client would send, caught before signing: no network, no credentials needed. */
async function requestOf(client: ReturnType<typeof createDocumentClient>): Promise<{ protocol: string; hostname: string; port?: number }> {
  let seen: { protocol: string; hostname: string; port?: number } | undefined;
  client.middlewareStack.add(
    () => async (args) => {
      seen = args.request as typeof seen;
      throw new Error('caught before sending');
    },
    { step: 'build', name: 'catchRequest' },
  );
  await expect(client.send(new GetCommand({ TableName: 'luz-prod-clientes', Key: { id: '1' } }))).rejects.toThrow('caught before sending');
  return { protocol: seen!.protocol, hostname: seen!.hostname, port: seen!.port };
}

describe('createDocumentClient', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('no endpoint: the regional HTTPS endpoint of the region, credentials from the default chain (here: the environment)', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDFROMTHECHAIN';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret-from-the-chain';
    const client = createDocumentClient({ region: 'sa-east-1' });
    expect(await requestOf(client)).toEqual({ protocol: 'https:', hostname: 'dynamodb.sa-east-1.amazonaws.com', port: undefined });
    const credentials = await client.config.credentials();
    expect([credentials.accessKeyId, credentials.secretAccessKey]).toEqual(['AKIDFROMTHECHAIN', 'secret-from-the-chain']);
  });

  it('an endpoint (DynamoDB Local): that host and port, with the fixed local credentials', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDFROMTHECHAIN';
    const client = createDocumentClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:8000' });
    expect(await requestOf(client)).toEqual({ protocol: 'http:', hostname: '127.0.0.1', port: 8000 });
    expect((await client.config.credentials()).accessKeyId).toBe('local');
  });
});
