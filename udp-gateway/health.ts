// `GET /health` on a TCP port for the load balancer (an NLB cannot health-check UDP): 200 while the UDP
// socket is bound and DynamoDB answered recently; 503 while starting, when storage went quiet, and once
// draining (after SIGTERM), so the balancer sends new flows elsewhere while in-flight readings finish.
import { createServer, type Server } from 'node:http';
import type { Context } from '../core/context';
import { meterCredentials } from '../core/customers';

export type HealthStatus = 'ok' | 'starting' | 'storage_unreachable' | 'draining';

export interface HealthState {
  status: HealthStatus;
  udp: 'bound' | 'unbound';
  /** ms since DynamoDB last answered the probe; null: never yet. */
  storageAgoMs: number | null;
}

/** A customer id no CPF can be (11 digits with a check digit): the probe reads an item that never exists. */
const PROBE_CUSTOMER = 'health';

/**
 * Asks DynamoDB every `everyMs` with a read the gateway makes anyway (a meter's credentials), so the
 * probe needs no permission beyond the gateway's own; a probe slower than `timeoutMs` counts as failed.
 */
export class StorageProbe {
  private answeredAt: number | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly context: Context,
    private readonly options: { everyMs: number; timeoutMs: number },
  ) {
    void this.probe();
    this.timer = setInterval(() => void this.probe(), options.everyMs);
    this.timer.unref();
  }

  /** ms since storage last answered, or null. */
  agoMs(): number | null {
    return this.answeredAt === undefined ? null : performance.now() - this.answeredAt;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async probe(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('probe timed out')), this.options.timeoutMs);
    });
    try {
      await Promise.race([meterCredentials(this.context, PROBE_CUSTOMER, 0), timeout]);
      this.answeredAt = performance.now();
    } catch {
      // Not answered: the state ages until the stale limit turns /health to 503.
    } finally {
      clearTimeout(timer);
    }
  }
}

export function healthOf(input: { bound: boolean; draining: boolean; storageAgoMs: number | null; staleMs: number; everHealthy: boolean }): HealthState {
  const udp = input.bound ? 'bound' : 'unbound';
  const storageFresh = input.storageAgoMs !== null && input.storageAgoMs < input.staleMs;
  let status: HealthStatus;
  if (input.draining) status = 'draining';
  else if (input.bound && storageFresh) status = 'ok';
  else if (!input.everHealthy) status = 'starting';
  else status = input.bound ? 'storage_unreachable' : 'starting';
  const storageAgoMs = input.storageAgoMs === null ? null : Math.round(input.storageAgoMs);
  return { status, udp, storageAgoMs };
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** Serves `state()` as JSON: 200 when `ok`, 503 otherwise; other paths 404, other methods 405. */
export async function startHealthServer(host: string, port: number, state: () => HealthState): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', connection: 'close' });
      response.end(JSON.stringify(body));
    };
    if (path !== '/health') return send(404, { error: { code: 'not_found', message: 'only GET /health here' } });
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, { error: { code: 'method_not_allowed', message: 'GET /health' } });
    const now = state();
    send(now.status === 'ok' ? 200 : 503, now);
  });
  // The balancer's checks are short-lived connections; never let one hold shutdown open.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as { port: number };
  return {
    port: bound.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
