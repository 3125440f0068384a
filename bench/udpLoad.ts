// A minimal UDP load generator: a fixed number of datagrams in flight over a few sockets, each reply
// answered by the next datagram, for a bounded time. The same loop drives the raw echo (the ceiling)
// and the gateway, so the ratio between them is the gateway's own cost.
import { createSocket, type Socket } from 'node:dgram';

export interface UdpLoadResult {
  replies: number;
  sent: number;
  /** Replies per second over the measured time. */
  perSecond: number;
  /** Windows restarted because their replies stopped coming (datagrams lost). */
  stalls: number;
  /** Replies that were not the expected kind (e.g. an error reply from the gateway), by first 40 chars. */
  unexpected: Record<string, number>;
}

/**
 * Sends `datagram(n)` from `sockets` sockets with `inFlight` outstanding in total, for `durationMs`
 * (at most `maxCount` datagrams). `accept` says whether a reply is the success reply.
 */
export async function udpLoad(options: {
  port: number;
  sockets: number;
  inFlight: number;
  durationMs: number;
  maxCount: number;
  datagram: (n: number) => string | Buffer;
  accept?: (reply: Buffer) => boolean;
}): Promise<UdpLoadResult> {
  const perSocket = Math.max(1, Math.round(options.inFlight / options.sockets));
  const sockets: Socket[] = [];
  let sent = 0;
  let replies = 0;
  let stalls = 0;
  let sending = true;
  const unexpected: Record<string, number> = {};
  const outstanding = new Map<Socket, number>();
  const lastReply = new Map<Socket, number>();

  const sendOne = (socket: Socket) => {
    if (!sending || sent >= options.maxCount) return;
    const n = sent++;
    outstanding.set(socket, (outstanding.get(socket) ?? 0) + 1);
    socket.send(options.datagram(n), options.port, '127.0.0.1');
  };
  for (let i = 0; i < options.sockets; i++) {
    const socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
    socket.on('error', () => undefined); // a send error is a lost datagram; the stall check covers it
    socket.on('message', (bytes) => {
      outstanding.set(socket, Math.max(0, (outstanding.get(socket) ?? 1) - 1));
      lastReply.set(socket, performance.now());
      if (!options.accept || options.accept(bytes)) replies += 1;
      else {
        const key = bytes.toString('utf8').slice(0, 40);
        unexpected[key] = (unexpected[key] ?? 0) + 1;
      }
      sendOne(socket);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    sockets.push(socket);
  }
  const begin = performance.now();
  for (const socket of sockets) {
    lastReply.set(socket, begin);
    for (let i = 0; i < perSocket; i++) sendOne(socket);
  }
  // A socket whose replies stopped for 500 ms lost datagrams: start its window again.
  const stallCheck = setInterval(() => {
    const now = performance.now();
    for (const socket of sockets) {
      if (now - (lastReply.get(socket) ?? now) > 500) {
        stalls += 1;
        lastReply.set(socket, now);
        outstanding.set(socket, 0);
        for (let i = 0; i < perSocket; i++) sendOne(socket);
      }
    }
  }, 100);
  await new Promise((resolve) => setTimeout(resolve, options.durationMs));
  sending = false;
  const elapsedMs = performance.now() - begin;
  const counted = replies;
  clearInterval(stallCheck);
  // Let late replies land before closing, so the peer never writes to a closed port mid-run.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
  return { replies: counted, sent, perSecond: (counted / elapsedMs) * 1000, stalls, unexpected };
}
