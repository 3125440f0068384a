// The shipped gateway (node dist/gateway/main.mjs, built by the global set-up) as a real process: real
// UDP, DynamoDB Local, GET /health bound / unbound / starting / draining, and SIGTERM losing nothing
// acknowledged. A TCP hop in front of DynamoDB Local slows or holds storage on demand.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { loadConfig } from '../core/config';
import { registerCustomer, registerMeter } from '../core/customers';
import { Decimal } from '../core/decimal';
import { createContext } from '../core/wiring';
import { GATEWAY_NODE_ARGS } from '../dev/build';
import { startGateway, type RunningGateway } from '../dev/gateway';
import { freePort } from '../dev/ports';
import { maskCpf } from '../core/cpf';
import { macOf } from '../udp-gateway/protocol';
import { at, gatewayEnv, newCpf } from './fixtures';
import { udpClient } from './udp';

const dynamo = process.env.LUZ_TEST_DYNAMODB!;
const prefix = process.env.LUZ_TEST_TABLE_PREFIX!;
const context = createContext(loadConfig({ DYNAMODB_ENDPOINT: dynamo, LUZ_TABLE_PREFIX: prefix }));

/** The gateway's environment: no staff key (it needs none), loopback, quiet. */
const env = (extra: Record<string, string>) => gatewayEnv({ GATEWAY_HEALTH_STALE_SECONDS: '6', ...extra });

async function health(port: number, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${port}/health`, init);
  return { status: response.status, body: await response.json() };
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined as T);
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A TCP hop to DynamoDB Local that delays what it forwards by `delayMs` (Infinity holds it). */
async function slowHop(targetPort: number): Promise<{ port: number; delayMs: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const hop = {
    port: 0,
    delayMs: 0,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      if (hop.delayMs === Infinity) return;
      setTimeout(() => upstream.write(chunk), hop.delayMs);
    });
    upstream.pipe(client);
    for (const socket of [client, upstream]) socket.on('error', () => undefined).on('close', () => (client.destroy(), upstream.destroy()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  hop.port = (server.address() as { port: number }).port;
  return hop;
}

async function meter(): Promise<{ id: string; secret: string }> {
  const id = newCpf();
  await registerCustomer(context, { id, name: 'Medidor do pacote' });
  return { id, secret: (await registerMeter(context, { id })).segredo };
}

function signed(secret: string, fields: { id: string; m: number; seq: number; valor: number; ts: number }): string {
  const mac = macOf(secret, JSON.stringify([2, fields.id, fields.m, fields.seq, fields.valor, fields.ts]));
  return JSON.stringify({ v: 2, ...fields, mac });
}

async function storedKwh(id: string, month: string): Promise<string> {
  const sums = await context.repository.sumBuckets(id, 'month', month, month);
  return (sums.get(month) ?? new Decimal(0)).toString();
}

function exitOf(gateway: RunningGateway): Promise<number | null> {
  return new Promise((resolve) => gateway.child!.once('exit', (code) => resolve(code)));
}

const running: RunningGateway[] = [];
afterEach(async () => {
  for (const gateway of running.splice(0)) await gateway.stop();
});

describe('the gateway bundle as a process', () => {
  it('is what the Dockerfile runs: node with the same V8 settings on main.mjs', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync('Dockerfile', 'utf8'))?.[1];
    expect(JSON.parse(cmd ?? 'null')).toEqual(['node', ...GATEWAY_NODE_ARGS, 'main.mjs']);
  });

  it('the Dockerfile stays minimal: node:20-slim, only the bundle copied, run as the non-root node user', () => {
    const instructions = readFileSync('Dockerfile', 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((line) => line.split(' ')[0]);
    expect(instructions).toEqual(['FROM', 'WORKDIR', 'COPY', 'USER', 'ENV', 'EXPOSE', 'CMD']);
    const text = readFileSync('Dockerfile', 'utf8');
    expect(text).toMatch(/^FROM node:20-slim$/m);
    expect(text).toMatch(/^COPY --chown=node:node dist\/gateway\/ \.\/$/m);
    expect(text).toMatch(/^USER node$/m);
    // The ports the task definition maps (infra/gateway.yml; test/package.int.test.ts).
    expect(text).toMatch(/^EXPOSE 8080\/udp 8081\/tcp$/m);
  });

  it('bound and DynamoDB answering: /health 200; v1 and v2 readings stored and answered, with no staff key set', async () => {
    const gateway = await startGateway({ env: env({}), stdio: 'pipe' });
    running.push(gateway);
    const ok = await until(() => health(gateway.healthPort!), (reply) => reply.status === 200, '/health 200');
    expect(ok.body).toMatchObject({ status: 'ok', udp: 'bound' });
    const { id, secret } = await meter();
    const client = await udpClient(gateway.port!);
    try {
      client.send(`${id},1,2.5,${at('2025-06-01T12:00:00Z')}`);
      expect(await client.reply()).toBe('200');
      client.send(signed(secret, { id, m: 1, seq: 7, valor: 1.25, ts: at('2025-06-01T13:00:00Z') }));
      expect(JSON.parse(await client.reply())).toEqual({ ack: 7 });
    } finally {
      await client.close();
    }
    expect(await storedKwh(id, '2025-06')).toBe('3.75');
    expect(await fetch(`http://127.0.0.1:${gateway.healthPort}/other`).then((r) => r.status)).toBe(404);
    expect((await health(gateway.healthPort!, { method: 'POST' })).status).toBe(405);
  });

  it('its figures as CloudWatch EMF with the stats line: N stored, a duplicate, a rejection by reason; each group commit logged with its correlation id, CPFs masked', async () => {
    const lines: string[] = [];
    const gateway = await startGateway({ env: env({ LUZ_LOG_LEVEL: 'debug' }), stdio: 'pipe', onLine: (line) => lines.push(line) });
    running.push(gateway);
    const { id } = await meter();
    const readings = 6;
    const client = await udpClient(gateway.port!);
    try {
      for (let i = 0; i < readings; i++) client.send(`${id},1,0.5,${at('2025-09-01T12:00:00Z') + i * 900}`);
      expect(await client.replies(readings)).toEqual(Array(readings).fill('200'));
      client.send(`${id},1,0.5,${at('2025-09-01T12:00:00Z')}`); // a repeat: answered, not counted
      expect(await client.reply()).toBe('200');
      client.send(`${id},1,-1,${at('2025-09-01T12:00:00Z')}`); // negative kWh: refused
      expect(await client.reply()).toMatch(/^400 /);
    } finally {
      await client.close();
    }
    const exited = exitOf(gateway);
    process.kill(gateway.child!.pid!, 'SIGTERM');
    expect(await exited).toBe(0);
    running.pop();

    const events = lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
    const final = events.find((event) => event.message === 'stats' && event.final === true);
    const reasons = Object.keys((final?.rejected ?? {}) as object);
    expect(final).toMatchObject({ level: 'INFO', service: 'luz', component: 'udp-gateway', stored: readings, duplicates: 1, inFlight: 0 });
    expect(reasons).toHaveLength(1);
    const documents = events.filter((event) => '_aws' in event);
    const metric = (name: string, unit = 'Count') => ({ Name: name, Unit: unit });
    expect(documents).toEqual([
      {
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: 'Luz',
              Dimensions: [['service']],
              Metrics: [
                metric('datagramsReceived'),
                metric('readingsStored'),
                metric('readingsDuplicate'),
                metric('datagramsRejected'),
                metric('groupCommits'),
                metric('inFlight'),
                metric('storeLatencyP50', 'Milliseconds'),
                metric('storeLatencyP99', 'Milliseconds'),
              ],
            },
          ],
        },
        service: 'udp-gateway',
        datagramsReceived: readings + 2,
        readingsStored: readings,
        readingsDuplicate: 1,
        datagramsRejected: 1,
        groupCommits: expect.any(Number),
        inFlight: 0,
        storeLatencyP50: expect.any(Number),
        storeLatencyP99: expect.any(Number),
      },
      {
        _aws: { Timestamp: expect.any(Number), CloudWatchMetrics: [{ Namespace: 'Luz', Dimensions: [['service', 'reason']], Metrics: [metric('datagramsRejected')] }] },
        service: 'udp-gateway',
        reason: reasons[0],
        datagramsRejected: 1,
      },
    ]);
    const commits = events.filter((event) => event.message === 'group commit');
    expect(commits.length).toBeGreaterThan(0);
    expect(commits.reduce((sum, event) => sum + (event.readings as number), 0)).toBe(readings);
    for (const event of commits) expect(event.correlation_id).toMatch(/^commit-[a-z0-9]+-\d+$/);
    expect(events.find((event) => event.message === 'datagram rejected')).toMatchObject({ level: 'DEBUG', code: reasons[0] });
    for (const event of events.filter((event) => 'cpf' in event)) expect(event.cpf).toBe(maskCpf(id));
    expect(lines.filter((line) => line.includes(id))).toEqual([]);
  });

  it('DynamoDB not answering: bound, but /health 503 starting', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const gateway = await startGateway({ env: env({ DYNAMODB_ENDPOINT: nowhere }), stdio: 'pipe' });
    running.push(gateway);
    expect(await health(gateway.healthPort!)).toEqual({ status: 503, body: { status: 'starting', udp: 'bound', storageAgoMs: null } });
  });

  it('UDP port taken: /health 503 unbound; once the port is free the gateway binds it and says 200', async () => {
    const squatter = createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(0, '127.0.0.1', () => resolve()));
    const udpPort = squatter.address().port;
    const gateway = await startGateway({ env: env({ UDP_PORT: String(udpPort) }), stdio: 'pipe', waitFor: 'health' });
    running.push(gateway);
    const unbound = await until(() => health(gateway.healthPort!), (reply) => reply.status === 503, '/health 503');
    expect(unbound.body).toMatchObject({ status: 'starting', udp: 'unbound' });
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
    expect((await until(() => health(gateway.healthPort!), (reply) => reply.status === 200, 'bound after release')).body).toMatchObject({ status: 'ok', udp: 'bound' });
  });

  it('SIGTERM with readings in flight: /health 503 draining, every reading in flight stored and acknowledged, late ones told shutting_down, exit 0', async () => {
    const hop = await slowHop(Number(new URL(dynamo).port));
    try {
      const gateway = await startGateway({ env: env({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${hop.port}` }), stdio: 'pipe' });
      running.push(gateway);
      await until(() => health(gateway.healthPort!), (reply) => reply.status === 200, '/health 200');
      const { id, secret } = await meter();
      const client = await udpClient(gateway.port!);
      try {
        hop.delayMs = 1500; // storage slow: the readings are still in flight when the signal comes
        for (let seq = 1; seq <= 20; seq++) client.send(signed(secret, { id, m: 1, seq, valor: 0.5, ts: at('2025-07-01T12:00:00Z') + seq * 900 }));
        await new Promise((resolve) => setTimeout(resolve, 300));
        const exited = exitOf(gateway);
        process.kill(gateway.child!.pid!, 'SIGTERM');
        expect(await until(() => health(gateway.healthPort!), (reply) => reply.status === 503, '/health draining', 2000)).toEqual({
          status: 503,
          body: expect.objectContaining({ status: 'draining', udp: 'bound' }),
        });
        client.send(signed(secret, { id, m: 1, seq: 21, valor: 0.5, ts: at('2025-07-01T12:00:00Z') + 21 * 900 }));
        const replies = (await client.replies(21, 20_000)).map((text) => JSON.parse(text));
        expect(replies.filter((reply) => 'ack' in reply).map((reply) => reply.ack).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        expect(replies.find((reply) => reply.nack === 21)).toMatchObject({ error: { code: 'shutting_down' } });
        expect(await exited).toBe(0);
        running.pop();
      } finally {
        await client.close();
      }
      expect(await storedKwh(id, '2025-07')).toBe('10');
    } finally {
      await hop.close();
    }
  });

  it('SIGTERM while storage hangs: exits 0 after GATEWAY_DRAIN_SECONDS, with nothing acknowledged that was not stored', async () => {
    const hop = await slowHop(Number(new URL(dynamo).port));
    try {
      const gateway = await startGateway({ env: env({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${hop.port}`, GATEWAY_DRAIN_SECONDS: '2' }), stdio: 'pipe' });
      running.push(gateway);
      await until(() => health(gateway.healthPort!), (reply) => reply.status === 200, '/health 200');
      const { id } = await meter();
      const client = await udpClient(gateway.port!);
      try {
        client.send(`${id},1,2.5,${at('2025-08-01T12:00:00Z')}`); // v1: no secret read, straight to storage
        expect(await client.reply()).toBe('200');
        hop.delayMs = Infinity;
        client.send(`${id},1,4,${at('2025-08-01T13:00:00Z')}`);
        await new Promise((resolve) => setTimeout(resolve, 300));
        const exited = exitOf(gateway);
        const signalledAt = Date.now();
        process.kill(gateway.child!.pid!, 'SIGTERM');
        expect(await exited).toBe(0);
        running.pop();
        // Drain (2 s) and the last alarm pass (at most 5 s): well inside the task's stop timeout.
        expect(Date.now() - signalledAt).toBeLessThan(15_000);
        await expect(client.reply(500)).rejects.toThrow('expected 2 replies');
      } finally {
        await client.close();
      }
      hop.delayMs = 0;
      expect(await storedKwh(id, '2025-08')).toBe('2.5');
    } finally {
      await hop.close();
    }
  });
});
