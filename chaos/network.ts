// The fault hop between the meters and the gateway: UDP with seeded loss, duplication, reordering,
// delay with jitter, and a blackout. One upstream socket per meter address, so replies find their way.
// The campaign and the delivery tests (test/delivery.int.test.ts) share it; it imports nothing of Luz.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export interface NetworkFaults {
  loss: number;
  duplicate: number;
  /** Each datagram waits baseDelayMs + 0–jitterMs (so datagrams overtake each other). */
  baseDelayMs: number;
  jitterMs: number;
  blackout: boolean;
}

export const CLEAN_NETWORK: NetworkFaults = { loss: 0, duplicate: 0, baseDelayMs: 0, jitterMs: 0, blackout: false };

export interface FaultHop {
  port: number;
  faults: NetworkFaults;
  counts: { forwarded: number; dropped: number; duplicated: number };
  close(): Promise<void>;
}

/** `faults` can be changed while it runs (they start as `initial`, clean otherwise). */
export async function faultHop(gatewayPort: number, random: () => number = Math.random, initial: Partial<NetworkFaults> = {}): Promise<FaultHop> {
  const faults: NetworkFaults = { ...CLEAN_NETWORK, ...initial };
  const counts = { forwarded: 0, dropped: 0, duplicated: 0 };
  const front = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  const upstreams = new Map<string, Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const deliver = (send: () => void) => {
    counts.forwarded += 1;
    if (!closed) send();
  };
  const relay = (send: () => void) => {
    if (faults.blackout || random() < faults.loss) {
      counts.dropped += 1;
      return;
    }
    const copies = random() < faults.duplicate ? 2 : 1;
    if (copies === 2) counts.duplicated += 1;
    for (let copy = 0; copy < copies; copy++) {
      const delay = faults.baseDelayMs + random() * faults.jitterMs;
      if (delay <= 0) {
        deliver(send);
        continue;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        deliver(send);
      }, delay);
      timers.add(timer);
    }
  };
  front.on('message', (bytes, from: RemoteInfo) => {
    const key = `${from.address}:${from.port}`;
    let upstream = upstreams.get(key);
    if (!upstream) {
      upstream = createSocket('udp4');
      upstream.on('message', (reply) => relay(() => front.send(reply, from.port, from.address)));
      // The gateway being down shows up as ICMP errors here: a lost datagram, nothing more.
      upstream.on('error', () => undefined);
      upstream.bind(0, '127.0.0.1');
      upstreams.set(key, upstream);
    }
    const socket = upstream;
    relay(() => socket.send(bytes, gatewayPort, '127.0.0.1'));
  });
  front.on('error', () => undefined);
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', () => resolve()));
  return {
    port: front.address().port,
    faults,
    counts,
    close: async () => {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.all([front, ...upstreams.values()].map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
    },
  };
}
