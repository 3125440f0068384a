// The handlers invoked in-process (as Lambda would) against DynamoDB Local: what the HTTP layer
// in front may or may not pass through (GET bodies, base64 bodies, unknown methods).
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { maskCpf } from '../core/cpf';
import { at, captureOutput, customerWithMeters, errorBody, openFlatInvoice } from './fixtures';

process.env.DYNAMODB_ENDPOINT = process.env.LUZ_TEST_DYNAMODB;
process.env.LUZ_TABLE_PREFIX = process.env.LUZ_TEST_TABLE_PREFIX;

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

function event(method: string, fields: { body?: string; query?: Record<string, string>; headers?: Record<string, string>; base64?: boolean }): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    body: fields.body ?? null,
    isBase64Encoded: fields.base64 ?? false,
    headers: fields.headers ?? {},
    queryStringParameters: fields.query ?? null,
    // What the authorizer hands every route in API Gateway and serverless offline.
    requestContext: { authorizer: { principalId: 'staff', role: 'staff' } },
  } as unknown as APIGatewayProxyEvent;
}

async function invoke(handler: Handler, request: APIGatewayProxyEvent) {
  const result = await handler(request, {} as Context);
  return { status: result.statusCode, headers: result.headers, body: JSON.parse(result.body) };
}

describe('handlers in-process', () => {
  let getAlarme: Handler;
  let cadCliente: Handler;
  let getFatura: Handler;
  beforeAll(async () => {
    getAlarme = (await import('../functions/getAlarme/handler')).handler as unknown as Handler;
    cadCliente = (await import('../functions/cadCliente/handler')).handler as unknown as Handler;
    getFatura = (await import('../functions/getFatura/handler')).handler as unknown as Handler;
  });

  it('a GET reads its fields from a JSON body, as the original client sends them', async () => {
    const id = await customerWithMeters(0);
    const response = await invoke(getAlarme, event('GET', { body: JSON.stringify({ id }) }));
    expect(response).toEqual({
      status: 200,
      headers: { 'access-control-allow-origin': '*', 'content-type': 'application/json; charset=utf-8' },
      body: { id, alarme: 'Ok!', mes: expect.stringMatching(/^\d{4}-\d{2}$/), kwhMes: 0, motivos: [], eventos: [] },
    });
  });

  it('the query string wins over a GET body', async () => {
    const id = await customerWithMeters(0);
    const response = await invoke(getFatura, event('GET', { body: JSON.stringify({ id, mes: 'bad' }), query: { mes: '2025-01' } }));
    expect(response.body).toEqual(openFlatInvoice(id, '2025-01', [], 0));
  });

  it('a base64-encoded body is decoded', async () => {
    const id = (await import('./fixtures')).newCpf();
    const body = Buffer.from(JSON.stringify({ id, name: 'Base64' })).toString('base64');
    const response = await invoke(cadCliente, event('POST', { body, base64: true }));
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ id, name: 'Base64' });
  });

  it('405 names the allowed method in the Allow header', async () => {
    const response = await invoke(cadCliente, event('DELETE', {}));
    expect(response).toEqual({
      status: 405,
      headers: { 'access-control-allow-origin': '*', 'content-type': 'application/json; charset=utf-8', allow: 'POST' },
      body: errorBody('method_not_allowed', 'use POST for this route'),
    });
  });

  it('a POST with no body is 400', async () => {
    const response = await invoke(cadCliente, event('POST', {}));
    expect(response).toMatchObject({ status: 400, body: errorBody('invalid_input', 'body must be a JSON object') });
  });

  describe('what a request tells operators', () => {
    let postConsumo: Handler;
    beforeAll(async () => {
      postConsumo = (await import('../functions/postConsumo/handler')).handler as unknown as Handler;
    });

    /** Invokes with stdout/stderr captured: the answer, and every JSON line the invocation wrote. */
    async function observed(request: APIGatewayProxyEvent) {
      const output = captureOutput();
      try {
        const response = await invoke(postConsumo, request);
        return { response, lines: output.lines, events: output.lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
      } finally {
        output.stop();
      }
    }

    const reading = (id: string, hour: number) =>
      Object.assign(event('POST', { body: JSON.stringify({ id, id_medidor: 1, valor: 1.5, timestamp: at(`2025-03-10T${String(hour).padStart(2, '0')}:00:00Z`) }) }), {
        resource: '/postConsumo',
      });

    it("one `answered` line with the caller's x-correlation-id and the CPF masked; the stored reading as an EMF metric", async () => {
      const id = await customerWithMeters(1);
      const request = reading(id, 10);
      request.headers = { 'Content-Type': 'application/json', 'X-Correlation-Id': 'medidor-42-envio-7' };
      (request.requestContext as { requestId?: string }).requestId = 'apigw-request-1';
      const { response, lines, events } = await observed(request);
      expect(response.status).toBe(201);
      expect(lines.filter((line) => line.includes(id))).toEqual([]);
      expect(events.filter((line) => line.message === 'answered')).toEqual([
        expect.objectContaining({
          level: 'INFO',
          message: 'answered',
          service: 'luz',
          correlation_id: 'medidor-42-envio-7',
          principal: 'staff',
          cpf: maskCpf(id),
          route: 'postConsumo',
          method: 'POST',
          status: 201,
          ms: expect.any(Number),
        }),
      ]);
      expect(events.filter((line) => '_aws' in line)).toEqual([
        {
          _aws: { Timestamp: expect.any(Number), CloudWatchMetrics: [{ Namespace: 'Luz', Dimensions: [['service', 'route']], Metrics: [{ Name: 'readingsStored', Unit: 'Count' }] }] },
          service: 'luz',
          route: 'postConsumo',
          readingsStored: 1,
        },
      ]);
    });

    it("without the header, API Gateway's request id is the correlation id; a repeat counts as a duplicate", async () => {
      const id = await customerWithMeters(1);
      await invoke(postConsumo, reading(id, 11));
      const request = reading(id, 11);
      (request.requestContext as { requestId?: string }).requestId = 'apigw-request-2';
      const { response, events } = await observed(request);
      expect(response).toMatchObject({ status: 200, body: { duplicate: true } });
      expect(events.find((line) => line.message === 'answered')).toMatchObject({ correlation_id: 'apigw-request-2', cpf: maskCpf(id), status: 200 });
      expect(events.find((line) => '_aws' in line)).toMatchObject({ readingsDuplicate: 1 });
    });
  });
});
