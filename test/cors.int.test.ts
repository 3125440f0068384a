// CORS on every route: the web app on another origin can read successes, errors and the authorizer's 401/403.
import { bearer, get, newCpf, NO_AUTH, post, registeredCustomer, request } from './fixtures';

const ORIGIN = 'http://localhost:8887';
const ROUTES = ['cadCliente', 'cadMedidor', 'postConsumo', 'getAlarme', 'getConsumoHist', 'getFatura', 'faturaPdf', 'fechaFatura', 'faturas', 'alarmes', 'gatewayStatus', 'reconheceAlarme', 'tokenCliente', 'segredoMedidor'];

describe('CORS', () => {
  it.each(ROUTES)('preflight of /%s allows the web origin, Authorization and Content-Type', async (route) => {
    const response = await request('OPTIONS', `/${route}`, {
      headers: { ...NO_AUTH, origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get('access-control-allow-origin')).toMatch(/^(\*|http:\/\/localhost:8887)$/);
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toEqual(expect.stringContaining('authorization'));
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toEqual(expect.stringContaining('content-type'));
  });

  it('a success, a validation error, a 404, a 401 from the authorizer and a 403 can all be read cross-origin', async () => {
    const { id, token } = await registeredCustomer(1);
    const origin = { origin: ORIGIN };
    const answers = [
      await get('/getFatura', { id }, origin),
      await post('/cadCliente', { id: '12345678900', name: 'X' }, origin),
      await get('/getFatura', { id: newCpf() }, origin),
      await get('/getFatura', { id }, { ...NO_AUTH, ...origin }),
      await get('/getFatura', { id: newCpf() }, { ...bearer(token), ...origin }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 400, 404, 401, 403]);
    for (const answer of answers) expect(answer.headers.get('access-control-allow-origin')).toMatch(/^(\*|http:\/\/localhost:8887)$/);
  });
});
