// UDP helpers for the gateway tests: a client that collects replies, and a lossy, duplicating,
// reordering hop to put between meters and the gateway.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export interface UdpClient {
  port: number;
  send(datagram: string | Buffer): void;
  /** Waits for the next reply not yet taken (polling, bounded). */
  reply(timeoutMs?: number): Promise<string>;
  /** Waits until `count` replies have arrived in total; returns them all. */
  replies(count: number, timeoutMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function udpClient(gatewayPort: number): Promise<UdpClient> {
  const socket = createSocket('udp4');
  const received: string[] = [];
  let taken = 0;
  socket.on('message', (bytes) => received.push(bytes.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const waitFor = async (count: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (received.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} replies, got ${received.length}: ${JSON.stringify(received.slice(-3))}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return {
    port: socket.address().port,
    send: (datagram) => socket.send(datagram, gatewayPort, '127.0.0.1'),
    reply: async (timeoutMs = 10_000) => {
      await waitFor(taken + 1, timeoutMs);
      return received[taken++];
    },
    replies: async (count, timeoutMs = 10_000) => {
      await waitFor(count, timeoutMs);
      taken = count;
      return received.slice(0, count);
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

export interface LossyHop {
  port: number;
  /** Change the loss while running (1 cuts the link). */
  options: { loss: number; duplicate: number; maxDelayMs: number };
  counts: { forwarded: number; dropped: number; duplicated: number };
  close(): Promise<void>;
}

/**
 * A UDP hop that drops `loss` of the datagrams in each direction, sends `duplicate` of them twice
 * and delays each by 0–`maxDelayMs` (so they overtake each other). Each meter address gets its own
 * upstream socket, so the gateway's replies find their way back.
 */
export async function lossyHop(
  gatewayPort: number,
  options: { loss: number; duplicate: number; maxDelayMs: number; random?: () => number },
): Promise<LossyHop> {
  const random = options.random ?? Math.random;
  const settings = { loss: options.loss, duplicate: options.duplicate, maxDelayMs: options.maxDelayMs };
  const front = createSocket('udp4');
  const upstreams = new Map<string, Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const counts = { forwarded: 0, dropped: 0, duplicated: 0 };
  let closed = false;
  const relay = (send: () => void) => {
    if (random() < settings.loss) {
      counts.dropped += 1;
      return;
    }
    const copies = random() < settings.duplicate ? 2 : 1;
    if (copies === 2) counts.duplicated += 1;
    for (let i = 0; i < copies; i++) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (closed) return;
        counts.forwarded += 1;
        send();
      }, random() * settings.maxDelayMs);
      timers.add(timer);
    }
  };
  front.on('message', (bytes, from: RemoteInfo) => {
    const key = `${from.address}:${from.port}`;
    let upstream = upstreams.get(key);
    if (!upstream) {
      upstream = createSocket('udp4');
      upstream.on('message', (reply) => relay(() => !closed && front.send(reply, from.port, from.address)));
      upstream.on('error', () => undefined);
      upstream.bind(0, '127.0.0.1');
      upstreams.set(key, upstream);
    }
    const socket = upstream;
    relay(() => !closed && socket.send(bytes, gatewayPort, '127.0.0.1'));
  });
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', () => resolve()));
  return {
    port: front.address().port,
    options: settings,
    counts,
    close: async () => {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.all([front, ...upstreams.values()].map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
    },
  };
}
