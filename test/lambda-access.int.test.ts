// What each function really asks of DynamoDB: every handler invoked in-process (as Lambda would)
// through its paths, against DynamoDB Local behind a recording hop, must stay within the table
// actions its role grants (test/lambdaAccess.ts, checked against the template in
// test/package.int.test.ts). DynamoDB Local never enforces IAM, so a new call on a handler's path
// fails here, not in AWS.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { dynamoRecorder, type DynamoRecorder } from './dynamoRecorder';
import { EXPECTED_ACCESS } from './lambdaAccess';
import { newCpf } from './fixtures';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const STAFF_KEY = 'chave-da-equipe-de-teste-de-acesso';

function event(method: 'GET' | 'POST', fields: Record<string, unknown>, principal: Record<string, string> = { role: 'staff' }): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    body: method === 'POST' ? JSON.stringify(fields) : null,
    isBase64Encoded: false,
    headers: method === 'POST' ? { 'content-type': 'application/json' } : {},
    queryStringParameters: method === 'GET' ? Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, String(value)])) : null,
    requestContext: { authorizer: { principalId: principal.role, ...principal } },
  } as unknown as APIGatewayProxyEvent;
}

let recorder: DynamoRecorder;
const used: Record<string, Record<string, string[]>> = {};

/** Invokes a function's handler and adds what it asked of DynamoDB to that function's record. */
async function call(name: string, request: unknown): Promise<unknown> {
  const { handler } = (await import(`../functions/${name}/handler`)) as { handler: Handler };
  recorder.take();
  const result = await handler(request, { awsRequestId: `acesso-${name}` } as Context);
  for (const [table, actions] of Object.entries(recorder.take())) {
    used[name] = { ...used[name], [table]: [...new Set([...(used[name]?.[table] ?? []), ...actions])].sort() };
  }
  return result;
}

/** A route's answer, which must be a success (the paths here all succeed): its status and, when JSON, its body. */
async function route(name: string, request: APIGatewayProxyEvent): Promise<{ statusCode: number; body: unknown }> {
  const result = (await call(name, request)) as APIGatewayProxyResult;
  const isJson = String(result.headers?.['content-type'] ?? '').includes('json');
  const answer = { statusCode: result.statusCode, body: isJson ? JSON.parse(result.body) : undefined };
  if (answer.statusCode >= 300) throw new Error(`${name} answered ${answer.statusCode}: ${result.body}`);
  return answer;
}

beforeAll(async () => {
  recorder = await dynamoRecorder(process.env.LUZ_TEST_DYNAMODB!, process.env.LUZ_TEST_TABLE_PREFIX!);
  // Read once, at the first request (functions/runtime.ts): every handler's client goes through the hop.
  process.env.DYNAMODB_ENDPOINT = recorder.endpoint;
  process.env.LUZ_TABLE_PREFIX = process.env.LUZ_TEST_TABLE_PREFIX;
  process.env.STAFF_KEY = STAFF_KEY;
});
afterAll(() => recorder.close());

describe('each function asks DynamoDB only for what its role grants', () => {
  it('every route, the authorizer and the sweep, through their main paths: registration, token, meter, secret, readings (on time, late, above the limit), alarms fired and acknowledged, history, invoices open, closed and listed, the segunda via, staff lists, the gateway figures', async () => {
    const id = newCpf();
    const now = Date.now();
    const month = (monthsBack: number) => {
      const date = new Date(now);
      date.setUTCDate(15);
      date.setUTCMonth(date.getUTCMonth() - monthsBack);
      return { mes: date.toISOString().slice(0, 7), timestamp: date.getTime() / 1000 };
    };
    const closed = month(2);

    await route('cadCliente', event('POST', { id, name: 'Acesso das Funções' }));
    const { token } = (await route('tokenCliente', event('POST', { id }))).body as { token: string };
    await route('cadMedidor', event('POST', { id }));
    await route('segredoMedidor', event('POST', { id, id_medidor: 1 }));
    await route('postConsumo', event('POST', { id, id_medidor: 1, valor: 1500, timestamp: now / 1000 - 60 }));
    await route('postConsumo', event('POST', { id, id_medidor: 1, valor: 1500, timestamp: now / 1000 - 60 }));
    await route('postConsumo', event('POST', { id, id_medidor: 1, valor: 2.5, timestamp: closed.timestamp }));
    expect((await route('getAlarme', event('GET', { id }))).body).toMatchObject({ alarme: 'Excesso!' });
    await route('reconheceAlarme', event('POST', { id }));
    await route('getConsumoHist', event('GET', { id, periodo: 0, kind: 'M' }));
    await route('getFatura', event('GET', { id }));
    await route('fechaFatura', event('POST', { id, mes: closed.mes }));
    expect((await route('getFatura', event('GET', { id, mes: closed.mes }))).body).toMatchObject({ situacao: 'fechada', kwh: 2.5 });
    await route('faturas', event('GET', { id }));
    await route('faturaPdf', event('GET', { id, mes: closed.mes }));
    await route('alarmes', event('GET', {}));
    await route('gatewayStatus', event('GET', {}));
    // A customer reads their own invoice with their token: the authorizer's lookup, then the route.
    const decision = (await call('authorizer', { type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: 'arn:aws:execute-api:us-east-1:0:api/dev/GET/getFatura' })) as {
      context: Record<string, string>;
    };
    expect(decision.context).toEqual({ role: 'customer', customerId: id });
    await route('getFatura', event('GET', { id }, decision.context));
    await call('avaliaAlarmes', {});

    const beyond = Object.entries(used).flatMap(([name, tables]) =>
      Object.entries(tables).flatMap(([table, actions]) =>
        actions.filter((action) => !EXPECTED_ACCESS[name]?.[table]?.includes(action)).map((action) => `${name}: ${action} on ${table}`),
      ),
    );
    expect(beyond).toEqual([]);
    // Every function was driven and reached DynamoDB (a function left out would prove nothing).
    expect(Object.keys(used).sort()).toEqual(Object.keys(EXPECTED_ACCESS).sort());
  }, 120_000);
});
