// GET /gatewayStatus against the shipped gateway bundle as a real process: readings over real UDP, the
// gateway's figures published to the gateway table, summed and listed by the API; gone when it stops.
import { newSecret } from '../core/access';
import { startGateway, type RunningGateway } from '../dev/gateway';
import { bearer, customerWithMeters, errorBody, gatewayEnv, get, newCpf, registeredCustomer } from './fixtures';
import { udpClient } from './udp';

interface Status {
  total: Record<string, unknown> & { instancias: number; gravadas: number };
  gateways: (Record<string, unknown> & { instancia: string })[];
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const status = async () => {
  const response = await get('/gatewayStatus');
  expect(response.status).toBe(200);
  return response.body as Status;
};
const mine = (body: Status, instance: string) => body.gateways.find((gateway) => gateway.instancia === instance);

let gateway: RunningGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

describe('GET /gatewayStatus', () => {
  it("shows a running gateway's counts (stored, duplicates, rejected by reason) and sums the live instances; a stopped one is gone at once", async () => {
    const instance = `test-${newSecret().slice(0, 10)}`;
    gateway = await startGateway({
      env: gatewayEnv({ GATEWAY_PUBLISH_SECONDS: '1', GATEWAY_INSTANCE_ID: instance }),
      stdio: 'pipe',
    });
    const id = await customerWithMeters(1);
    const client = await udpClient(gateway.port!);
    try {
      const now = Math.floor(Date.now() / 1000);
      for (const [offset, valor] of [[300, 1.5], [200, 2], [100, 2.5]]) client.send(`${id},1,${valor},${now - offset}`);
      expect(await client.replies(3)).toEqual(['200', '200', '200']);
      client.send(`${id},1,2,${now - 200}`); // the same reading again: a duplicate
      client.send(`${id},1,-4,${now - 50}`); // invalid_input
      client.send(`${newCpf()},1,1,${now - 50}`); // customer_not_found
      const replies = await client.replies(6);
      expect(replies[3]).toBe('200');
      expect(replies.slice(4).map((reply) => reply.split(' ')[0])).toEqual(['400', '404']);
    } finally {
      await client.close();
    }

    const body = await until(status, (answer) => mine(answer, instance)?.recebidas === 6, 'the gateway figures');
    // p50/p99 cover the last publishing interval only: null when no reading went to storage in it.
    const { latenciaP50Ms, latenciaP99Ms, ...figures } = mine(body, instance)!;
    for (const latency of [latenciaP50Ms, latenciaP99Ms]) expect(latency === null || typeof latency === 'number').toBe(true);
    expect(figures).toEqual({
      instancia: instance,
      iniciadoEm: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      publicadoEm: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      recebidas: 6,
      gravadas: 3,
      duplicadas: 1,
      rejeitadas: { invalid_input: 1, customer_not_found: 1 },
      emAndamento: 0,
      leiturasPorSegundo: expect.any(Number),
    });
    // The total is the sum of the instances listed (other suites' gateways may be running too).
    const listed = body.gateways;
    expect(body.total.instancias).toBe(listed.length);
    expect(body.total.gravadas).toBe(listed.reduce((sum, gateway) => sum + (gateway.gravadas as number), 0));
    expect((body.total.rejeitadas as Record<string, number>).customer_not_found).toBeGreaterThanOrEqual(1);

    await gateway.stop();
    gateway = undefined;
    // Stopped cleanly: its last figures expire at once, so the very next answer leaves it out.
    expect(mine(await status(), instance)).toBeUndefined();
  }, 90_000);

  it('is for staff only: a customer token gets 403, no credential 401', async () => {
    const customer = await registeredCustomer(0);
    const refused = await get('/gatewayStatus', {}, bearer(customer.token));
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual(errorBody('forbidden', 'this route is for staff only'));
    expect((await get('/gatewayStatus', {}, { authorization: '' })).status).toBe(401);
  });
});
