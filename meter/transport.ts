// Meter datagrams on the wire: v2, signed with each meter's secret, over a small pool of sockets
// (replies matched by seq), or the original v1 text over one socket per reading (v1 replies carry no
// seq, so the socket is the match).
import { createSocket, type Socket } from 'node:dgram';
import { RETRYABLE_CODES, signedDatagram } from '../udp-gateway/protocol';
import type { OutboxEntry } from './outbox';

export interface FleetMeter {
  /** Customer CPF, 11 digits. */
  id: string;
  /** Meter id within the customer. */
  m: number;
  /** The meter's secret from cadMedidor (v2 datagrams are signed with it); absent in fleets registered before secrets. */
  segredo?: string;
}

/** A v2 fleet with meters that have no secret (registered before meters had secrets). */
export class UnsignedFleet extends Error {}

/** v2 meters must be able to sign: fails with what to do when some cannot. */
export function assertSigned(fleet: FleetMeter[], where: string): void {
  const unsigned = fleet.filter((meter) => !meter.segredo).length;
  if (unsigned > 0) {
    throw new UnsignedFleet(
      `${where} has ${unsigned} meter(s) registered before meters had secrets, so they cannot sign v2 datagrams; ` +
        'run with --fresh to register new meters (or rotate each secret with POST /segredoMedidor), or use --v1',
    );
  }
}

export type Reply =
  | { kind: 'ack' }
  | { kind: 'retry'; code: string }
  | { kind: 'reject'; code: string; message: string };

export interface Transport {
  open(): Promise<void>;
  send(entry: OutboxEntry, meter: FleetMeter): void;
  /** The reading is settled: a transport may release what it held for it. */
  release(seq: number): void;
  close(): Promise<void>;
}

export type OnReply = (seq: number, reply: Reply) => void;

function bind(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

const closeSocket = (socket: Socket) =>
  new Promise<void>((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });

/** Unix seconds as the meters send them: whole seconds stay whole. */
export const unixSeconds = (ms: number) => ms / 1000;

export function v2Datagram(entry: OutboxEntry, meter: FleetMeter): string {
  if (!meter.segredo) throw new UnsignedFleet(`meter ${meter.m} of a customer has no secret to sign with`);
  return signedDatagram({ id: meter.id, m: meter.m, seq: entry.seq, valor: entry.valor, ts: unixSeconds(entry.timestampMs) }, meter.segredo);
}

/** The original meters' text: `cpf,id_medidor,valor,timestamp`, numbers printed in full. */
export function v1Datagram(entry: OutboxEntry, meter: FleetMeter): string {
  return `${meter.id},${meter.m},${entry.valor},${unixSeconds(entry.timestampMs)}`;
}

export function parseV2Reply(text: string): { seq: number; reply: Reply } | undefined {
  let body: { ack?: unknown; nack?: unknown; error?: { code?: unknown; message?: unknown } };
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body?.ack === 'number') return { seq: body.ack, reply: { kind: 'ack' } };
  if (typeof body?.nack === 'number') {
    const code = String(body.error?.code ?? 'unknown');
    return {
      seq: body.nack,
      reply: RETRYABLE_CODES.has(code) ? { kind: 'retry', code } : { kind: 'reject', code, message: String(body.error?.message ?? '') },
    };
  }
  return undefined;
}

/** `200` or `<status> <code>: <message>`. */
export function parseV1Reply(text: string): Reply {
  if (text.trim() === '200') return { kind: 'ack' };
  const match = /^(\d{3}) ([a-z_]+): ?(.*)$/s.exec(text.trim());
  const status = Number(match?.[1] ?? 0);
  const code = match?.[2] ?? 'unknown';
  if (RETRYABLE_CODES.has(code) || status === 429 || status === 503) return { kind: 'retry', code };
  return { kind: 'reject', code, message: match?.[3] ?? text };
}

export class V2Transport implements Transport {
  private readonly sockets: Socket[] = [];

  constructor(
    private readonly gateway: { host: string; port: number },
    private readonly socketCount: number,
    private readonly onReply: OnReply,
  ) {}

  async open(): Promise<void> {
    for (let i = 0; i < this.socketCount; i++) {
      const socket = createSocket('udp4');
      socket.on('message', (bytes) => {
        const parsed = parseV2Reply(bytes.toString('utf8'));
        if (parsed) this.onReply(parsed.seq, parsed.reply);
      });
      // A send error (no route, buffer full) is a lost datagram: the resend timer covers it.
      socket.on('error', () => undefined);
      await bind(socket);
      this.sockets.push(socket);
    }
  }

  send(entry: OutboxEntry, meter: FleetMeter): void {
    // A meter always speaks from the same socket, as a device behind one address would.
    const socket = this.sockets[entry.meter % this.sockets.length];
    socket.send(v2Datagram(entry, meter), this.gateway.port, this.gateway.host, () => undefined);
  }

  release(): void {}

  async close(): Promise<void> {
    await Promise.all(this.sockets.splice(0).map(closeSocket));
  }
}

export class V1Transport implements Transport {
  private readonly sockets = new Map<number, Socket>();

  constructor(
    private readonly gateway: { host: string; port: number },
    private readonly onReply: OnReply,
  ) {}

  async open(): Promise<void> {}

  send(entry: OutboxEntry, meter: FleetMeter): void {
    let socket = this.sockets.get(entry.seq);
    if (!socket) {
      socket = createSocket('udp4');
      socket.on('message', (bytes) => this.onReply(entry.seq, parseV1Reply(bytes.toString('utf8'))));
      socket.on('error', () => undefined);
      this.sockets.set(entry.seq, socket);
    }
    socket.send(v1Datagram(entry, meter), this.gateway.port, this.gateway.host, () => undefined);
  }

  release(seq: number): void {
    const socket = this.sockets.get(seq);
    if (!socket) return;
    this.sockets.delete(seq);
    void closeSocket(socket);
  }

  async close(): Promise<void> {
    const sockets = [...this.sockets.values()];
    this.sockets.clear();
    await Promise.all(sockets.map(closeSocket));
  }
}
