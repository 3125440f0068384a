// Who may call what: staff, the owner, another customer, no token, malformed, expired and revoked tokens,
// over every route, through the real authorizer in serverless offline.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { sha256 } from '../core/access';
import { createDocumentClient } from '../core/store/client';
import { at, bearer, errorBody, get, NO_AUTH, post, registeredCustomer, staffKey } from './fixtures';

type Caller = 'staff' | 'owner' | 'other customer' | 'no token' | 'malformed token' | 'expired token' | 'revoked token';

interface Call {
  route: string;
  send: (id: string, headers: Record<string, string>) => ReturnType<typeof get>;
  /** Status when allowed. */
  ok: number;
  ownerMay: boolean;
}

const march = at('2025-03-10T15:00:00Z');
let readingSeconds = 0;
let spareId = '';

const CALLS: Call[] = [
  { route: 'GET /getFatura', send: (id, h) => get('/getFatura', { id, mes: '2025-03' }, h), ok: 200, ownerMay: true },
  { route: 'GET /getConsumoHist', send: (id, h) => get('/getConsumoHist', { id, kind: 'M' }, h), ok: 200, ownerMay: true },
  { route: 'GET /getAlarme', send: (id, h) => get('/getAlarme', { id }, h), ok: 200, ownerMay: true },
  { route: 'POST /cadMedidor', send: (id, h) => post('/cadMedidor', { id }, h), ok: 201, ownerMay: false },
  {
    route: 'POST /postConsumo',
    send: (id, h) => post('/postConsumo', { id, id_medidor: 1, valor: 1, timestamp: march + ++readingSeconds }, h),
    ok: 201,
    ownerMay: false,
  },
  { route: 'POST /segredoMedidor', send: (id, h) => post('/segredoMedidor', { id, id_medidor: 1 }, h), ok: 201, ownerMay: false },
  // Rotating the owner's token would revoke the token the other rows use: rotate a spare customer's.
  { route: 'POST /tokenCliente', send: (_id, h) => post('/tokenCliente', { id: spareId }, h), ok: 201, ownerMay: false },
];

const tables = () => {
  const db = createDocumentClient({ endpoint: process.env.LUZ_TEST_DYNAMODB!, region: 'us-east-1' });
  return { db, tokens: `${process.env.LUZ_TEST_TABLE_PREFIX}tokens` };
};

describe('access matrix', () => {
  let owner: { id: string; token: string };
  let other: { id: string; token: string };
  let expired: string;
  let revoked: string;

  beforeAll(async () => {
    owner = await registeredCustomer(1);
    other = await registeredCustomer(1);
    spareId = (await registeredCustomer(0)).id;
    // Expired: a real token whose stored expiry is moved into the past.
    const aged = await registeredCustomer(0);
    const { db, tokens } = tables();
    await db.send(
      new UpdateCommand({
        TableName: tokens,
        Key: { tokenHash: sha256(aged.token) },
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': Date.now() - 1000 },
      }),
    );
    expired = aged.token;
    // Revoked: replaced by a new token through the staff route.
    const rotated = await registeredCustomer(0);
    expect((await post('/tokenCliente', { id: rotated.id })).status).toBe(201);
    revoked = rotated.token;
  });

  const headersFor = (caller: Caller): Record<string, string> => {
    switch (caller) {
      case 'staff':
        return bearer(staffKey());
      case 'owner':
        return bearer(owner.token);
      case 'other customer':
        return bearer(other.token);
      case 'no token':
        return NO_AUTH;
      case 'malformed token':
        return { authorization: 'Basic dXNlcjpwYXNz' };
      case 'expired token':
        return bearer(expired);
      case 'revoked token':
        return bearer(revoked);
    }
  };

  const callers: Caller[] = ['staff', 'owner', 'other customer', 'no token', 'malformed token', 'expired token', 'revoked token'];
  const cases = CALLS.flatMap((call) => callers.map((caller) => [call.route, caller, call] as const));

  it.each(cases)('%s as %s', async (_route, caller, call) => {
    const response = await call.send(owner.id, headersFor(caller));
    const expected =
      caller === 'staff' || (caller === 'owner' && call.ownerMay)
        ? call.ok
        : caller === 'owner' || caller === 'other customer'
          ? 403
          : 401;
    expect(response.status).toBe(expected);
    if (expected === 403) {
      expect(response.body).toEqual(
        errorBody(
          'forbidden',
          call.ownerMay ? "a customer token only opens that customer's own data" : 'this route is for staff only',
        ),
      );
    }
  });

  it.each(callers)('POST /cadCliente as %s', async (caller) => {
    const { newCpf } = await import('./fixtures');
    const response = await post('/cadCliente', { id: newCpf(), name: 'Nova' }, headersFor(caller));
    expect(response.status).toBe(caller === 'staff' ? 201 : caller === 'owner' || caller === 'other customer' ? 403 : 401);
  });

  it('the token from cadCliente opens exactly its own invoice', async () => {
    const fresh = await registeredCustomer(1);
    const own = await get('/getFatura', { id: fresh.id, mes: '2025-03' }, bearer(fresh.token));
    expect(own).toMatchObject({
      status: 200,
      body: { id: fresh.id, mes: '2025-03', kwh: 0, valor: 0 },
    });
    const others = await get('/getFatura', { id: owner.id, mes: '2025-03' }, bearer(fresh.token));
    expect(others.status).toBe(403);
  });

  it('rotating a token: an unused previous token is refused at once; one the authorizer already let in works at most its TTL', async () => {
    const ttlMs = Number(process.env.LUZ_TEST_AUTH_CACHE_SECONDS) * 1000;
    const unused = await registeredCustomer(0);
    const used = await registeredCustomer(0);
    const usedAt = Date.now();
    expect((await get('/getAlarme', { id: used.id }, bearer(used.token))).status).toBe(200);
    const rotations = await Promise.all([unused, used].map((customer) => post('/tokenCliente', { id: customer.id })));
    for (const [n, customer] of [unused, used].entries()) {
      expect(rotations[n]).toMatchObject({
        status: 201,
        body: { id: customer.id, token: expect.stringMatching(/^luz_/), expiresAt: expect.any(String) },
      });
    }
    const [unusedNew, usedNew] = rotations.map((rotation) => (rotation.body as { token: string }).token);
    expect((await get('/getAlarme', { id: unused.id }, bearer(unused.token))).status).toBe(401);
    expect((await get('/getAlarme', { id: unused.id }, bearer(unusedNew))).status).toBe(200);
    expect((await get('/getAlarme', { id: used.id }, bearer(usedNew))).status).toBe(200);
    // The decision for the used token was kept when it was made: still valid while its TTL runs
    // (checked only when this machine answered within it), refused once the TTL has passed.
    const stillKept = await get('/getAlarme', { id: used.id }, bearer(used.token));
    if (Date.now() - usedAt < ttlMs - 200) expect(stillKept.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, usedAt + ttlMs + 100 - Date.now())));
    expect((await get('/getAlarme', { id: used.id }, bearer(used.token))).status).toBe(401);
  });

  it('tokenCliente for an unknown customer is 404', async () => {
    const { newCpf } = await import('./fixtures');
    const response = await post('/tokenCliente', { id: newCpf() });
    expect(response).toMatchObject({ status: 404, body: errorBody('customer_not_found', 'no customer with this CPF', 'id') });
  });
});
