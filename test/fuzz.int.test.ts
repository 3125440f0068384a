// Hostile input, property-based: every route answers random, huge, deep, mistyped, unicode and injection
// input with a documented 4xx (or a success when the input happens to be valid) — never a 5xx, never a
// crash — and rejected input changes nothing. In-process against DynamoDB Local, plus a slice over HTTP.
import fc from 'fast-check';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context as LambdaContext } from 'aws-lambda';
import { loadConfig } from '../core/config';
import { createContext } from '../core/wiring';
import { customerWithMeters, get, post } from './fixtures';

process.env.DYNAMODB_ENDPOINT = process.env.LUZ_TEST_DYNAMODB;
process.env.LUZ_TABLE_PREFIX = process.env.LUZ_TEST_TABLE_PREFIX;

type Handler = (event: APIGatewayProxyEvent, context: LambdaContext) => Promise<APIGatewayProxyResult>;

const ROUTES = ['cadCliente', 'cadMedidor', 'postConsumo', 'getAlarme', 'getConsumoHist', 'getFatura', 'tokenCliente', 'segredoMedidor'] as const;
const METHOD: Record<(typeof ROUTES)[number], 'GET' | 'POST'> = {
  cadCliente: 'POST',
  cadMedidor: 'POST',
  segredoMedidor: 'POST',
  postConsumo: 'POST',
  tokenCliente: 'POST',
  getAlarme: 'GET',
  getConsumoHist: 'GET',
  getFatura: 'GET',
};
/** What each route may answer; anything else (and every 5xx) is a bug. */
const DOCUMENTED = new Set([200, 201, 400, 404, 405, 409, 413, 415]);

const injection = fc.constantFrom(
  "' OR '1'='1",
  '"; DROP TABLE clientes; --',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '{"$ne": null}',
  '\u0000\u0001\u001f',
  '𝕷𝖚𝖟 ☀️ ção',
  '1e999',
  '-0',
  'NaN',
  '0x10',
  '123.456.789-09',
  '52998224725',
);
const scalar = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  injection,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(1e308),
  fc.constant(-1),
);
const deep = fc.integer({ min: 50, max: 3000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 5 }), fc.dictionary(fc.string(), scalar, { maxKeys: 5 }));
const fieldNames = fc.constantFrom('id', 'name', 'id_medidor', 'valor', 'timestamp', 'kind', 'periodo', 'mes', 'limit', 'cursor', '__proto__', 'constructor');
const fields = fc.dictionary(fieldNames, value, { maxKeys: 8 });

/** A raw request body: JSON of random fields, or garbage, or something huge or deeply nested. */
const body = fc.oneof(
  { weight: 6, arbitrary: fields.map((object) => JSON.stringify(object)) },
  { weight: 1, arbitrary: fc.string() },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.integer({ min: 16_000, max: 40_000 }).map((size) => JSON.stringify({ name: 'x'.repeat(size) })) },
  { weight: 1, arbitrary: fc.constantFrom('', 'null', '[]', '"text"', '{', '{"id":', '\uFEFF{}') },
);
const contentType = fc.constantFrom(undefined, 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=utf-8');
const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS');
const query = fc.option(fc.dictionary(fieldNames, fc.oneof(fc.string(), injection), { maxKeys: 6 }), { nil: null });

describe('fuzzing every route (in-process, real DynamoDB Local)', () => {
  const handlers = {} as Record<(typeof ROUTES)[number], Handler>;
  const context = createContext(loadConfig({ DYNAMODB_ENDPOINT: process.env.LUZ_TEST_DYNAMODB, LUZ_TABLE_PREFIX: process.env.LUZ_TEST_TABLE_PREFIX }));
  let target: string;

  beforeAll(async () => {
    for (const route of ROUTES) handlers[route] = (await import(`../functions/${route}/handler`)).handler as Handler;
    target = await customerWithMeters(1);
  });

  it.each(ROUTES)('%s: only documented answers, JSON error shape, for arbitrary requests', async (route) => {
    await fc.assert(
      fc.asyncProperty(method, body, contentType, query, fc.boolean(), async (verb, raw, type, params, targeted) => {
        // Aim a share of requests at a real customer, so the deeper code paths run too.
        const parsedQuery = params && targeted ? { ...params, id: target } : params;
        const event = {
          httpMethod: verb,
          body: raw,
          isBase64Encoded: false,
          headers: type === undefined ? {} : { 'Content-Type': type },
          queryStringParameters: parsedQuery,
          requestContext: { authorizer: { principalId: 'staff', role: 'staff' } },
        } as unknown as APIGatewayProxyEvent;
        const result = await handlers[route](event, {} as LambdaContext);
        expect(DOCUMENTED.has(result.statusCode)).toBe(true);
        const parsed = JSON.parse(result.body);
        if (result.statusCode >= 400) {
          expect(Object.keys(parsed)).toEqual(['error']);
          expect(typeof parsed.error.code).toBe('string');
          expect(typeof parsed.error.message).toBe('string');
          expect(result.body).not.toMatch(/at .+\.(ts|js|mjs):\d+/); // no stack traces
        }
        if (verb !== METHOD[route]) expect(result.statusCode).toBe(405);
      }),
      { numRuns: 150, seed: 20261125 },
    );
  });

  it('postConsumo: what is stored is exactly what was acknowledged (rejected input changes nothing)', async () => {
    const accepted: number[] = [];
    const nowSeconds = Math.floor(Date.now() / 1000);
    const reading = fc.record(
      {
        id: fc.oneof(fc.constant(target), scalar),
        id_medidor: fc.oneof(fc.constantFrom(1, '1', 2, 0, -1, 1.5, '01'), scalar),
        valor: fc.oneof(fc.double({ min: -10, max: 200_000, noNaN: false }), scalar),
        timestamp: fc.oneof(fc.integer({ min: 900_000_000, max: nowSeconds + 3600 }), scalar),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(reading, async (fieldsSent) => {
        const event = {
          httpMethod: 'POST',
          body: JSON.stringify(fieldsSent),
          isBase64Encoded: false,
          headers: { 'content-type': 'application/json' },
          queryStringParameters: null,
          requestContext: { authorizer: { principalId: 'staff', role: 'staff' } },
        } as unknown as APIGatewayProxyEvent;
        const result = await handlers.postConsumo(event, {} as LambdaContext);
        expect([200, 201, 400, 404, 409]).toContain(result.statusCode);
        if (result.statusCode === 201) accepted.push(JSON.parse(result.body).valor);
      }),
      { numRuns: 300, seed: 7 },
    );
    const stored = await context.repository.listReadings(target, { startMs: Date.UTC(2000, 0, 1), endMs: Date.now() + 600_000 }, { limit: 1000 });
    expect(stored.readings.map((r) => r.valor).sort()).toEqual(accepted.sort());
  });
});

describe('fuzzing over HTTP (serverless offline)', () => {
  it('random JSON bodies and query strings never get a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), fields, async (route, sent) => {
        const response =
          METHOD[route] === 'POST'
            ? await post(`/${route}`, sent)
            : await get(`/${route}`, Object.fromEntries(Object.entries(sent).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])));
        expect(DOCUMENTED.has(response.status)).toBe(true);
      }),
      { numRuns: 120, seed: 42 },
    );
  });
});
