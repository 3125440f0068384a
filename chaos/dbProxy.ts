// A sick database: a TCP proxy between the gateway and DynamoDB Local that can stall, slow every
// request, reset connections, and answer a share of requests the way AWS answers under throttling
// (HTTP 400 with the JSON error body of ProvisionedThroughputExceededException or ThrottlingException).
// It reads HTTP/1.1 request boundaries (Content-Length bodies, as the AWS SDK sends them) so an
// injected answer replaces exactly one request on a kept-alive connection.
import { createConnection, createServer, type Socket } from 'node:net';

export interface DbFaults {
  /** Hold every request until this is false again. */
  stalled: boolean;
  /** Extra delay before each request is passed on, ms. */
  delayMs: number;
  /** Share of requests answered with a throttling error instead of being passed on. */
  throttleRate: number;
}

export interface DbProxy {
  port: number;
  faults: DbFaults;
  counts: { requests: number; throttled: number; resets: number };
  /** Resets (RST) every open connection now. */
  resetAll(): void;
  close(): Promise<void>;
}

const THROTTLES = [
  {
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  },
  { type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
];

function throttleResponse(which: number): Buffer {
  const { type, message } = THROTTLES[which % THROTTLES.length];
  const body = JSON.stringify({ __type: type, message });
  return Buffer.from(
    'HTTP/1.1 400 Bad Request\r\n' +
      'Content-Type: application/x-amz-json-1.0\r\n' +
      `x-amzn-RequestId: CHAOS${Date.now().toString(36).toUpperCase()}${which}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: keep-alive\r\n\r\n' +
      body,
  );
}

/** Splits complete HTTP requests off the front of `buffer`; returns them and what is left. */
function takeRequests(buffer: Buffer): { requests: Buffer[]; rest: Buffer } {
  const requests: Buffer[] = [];
  for (;;) {
    const end = buffer.indexOf('\r\n\r\n');
    if (end < 0) break;
    const head = buffer.subarray(0, end).toString('latin1');
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    const total = end + 4 + length;
    if (buffer.length < total) break;
    requests.push(buffer.subarray(0, total));
    buffer = buffer.subarray(total);
  }
  return { requests, rest: buffer };
}

export async function dbProxy(upstreamPort: number, random: () => number): Promise<DbProxy> {
  const faults: DbFaults = { stalled: false, delayMs: 0, throttleRate: 0 };
  const counts = { requests: 0, throttled: 0, resets: 0 };
  const open = new Set<Socket>();
  const stallWaiters: (() => void)[] = [];
  const whenFlowing = () => (faults.stalled ? new Promise<void>((resolve) => stallWaiters.push(resolve)) : Promise.resolve());
  const stallTimer = setInterval(() => !faults.stalled && stallWaiters.splice(0).forEach((resolve) => resolve()), 50);

  const server = createServer((client) => {
    open.add(client);
    const upstream = createConnection({ host: '127.0.0.1', port: upstreamPort });
    open.add(upstream);
    let pending: Buffer = Buffer.alloc(0);
    // Requests of one connection leave in order: each waits for the one before it.
    let chain = Promise.resolve();
    const forward = (request: Buffer) => {
      chain = chain.then(async () => {
        await whenFlowing();
        if (faults.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.delayMs * (0.5 + random())));
        counts.requests += 1;
        if (random() < faults.throttleRate) {
          counts.throttled += 1;
          if (!client.destroyed) client.write(throttleResponse(counts.throttled));
        } else if (!upstream.destroyed) upstream.write(request);
      });
    };
    client.on('data', (chunk) => {
      const { requests, rest } = takeRequests(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const request of requests) forward(request);
    });
    upstream.on('data', (chunk) => !client.destroyed && client.write(chunk));
    const end = () => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    faults,
    counts,
    resetAll: () => {
      for (const socket of open) {
        counts.resets += 1;
        socket.resetAndDestroy();
      }
    },
    close: async () => {
      clearInterval(stallTimer);
      faults.stalled = false;
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
