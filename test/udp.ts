// UDP helpers for the gateway tests: a client that collects replies. The lossy, duplicating, reordering
// hop to put between meters and the gateway is the chaos campaign's (chaos/network.ts faultHop).
import { createSocket } from 'node:dgram';

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
