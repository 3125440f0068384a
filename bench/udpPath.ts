// The gateway's own path (parse + validate + MAC + group commit + ack) over the in-memory repository,
// against a raw dgram echo driven by the same load loop with the same datagrams.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetMeter } from '../meter/transport';
import { v2Datagram } from '../meter/transport';
import { round } from './measure';
import { bracket, probeEnvironment, type ProfileSummary } from './profile';
import { sampleCpu, scratchDir, startHelper } from './services';
import { udpLoad, type UdpLoadResult } from './udpLoad';

export interface UdpPathResult {
  gateway: { perSecond: number; inFlight: number; cpu: Record<string, number>; unexpected: Record<string, number> };
  echo: { perSecond: number; inFlight: number; cpu: Record<string, number> };
  ratio: number;
  meters: number;
  runs: { target: 'gateway' | 'echo'; inFlight: number; perSecond: number; stalls: number }[];
  /** With --profile: one more gateway run at its best in-flight count, profiled. */
  profile?: ProfileSummary;
  /**
   * With --profile: acks/s of the same gateway over the memory repository without its memory of recent
   * readings, and over a repository that keeps nothing (with and without that memory).
   */
  variants?: { label: string; perSecond: number }[];
}

/** Settings that take the gateway's guards out of the way of one fast sender. */
export const UNTHROTTLED = { GATEWAY_RATE_PER_SOURCE: '1000000000', GATEWAY_BURST_PER_SOURCE: '1000000000' };

export async function measureUdpPath(options: { meters: number; durationMs: number; inFlight: number[]; profileDir?: string }): Promise<UdpPathResult> {
  const dir = scratchDir('udp');
  const fleetFile = join(dir, 'fleet.json');
  const { helper: gateway, ready: gatewayReady } = await startHelper('bench/servers/memoryGateway.ts', [String(options.meters), fleetFile], {
    env: { ...UNTHROTTLED, LUZ_LOG_LEVEL: 'error', ...probeEnvironment(options.profileDir) },
  });
  const { helper: echo, ready: echoReady } = await startHelper('bench/servers/echo.ts', []);
  try {
    const fleet = (JSON.parse(readFileSync(fleetFile, 'utf8')) as { meters: FleetMeter[] }).meters;
    const baseMs = Math.floor((Date.now() - 30 * 86_400_000) / 1000) * 1000;
    let next = 0; // one sequence for the whole phase: every datagram is a new reading, each meter's seq only grows
    const datagram = () => {
      const n = next++;
      const meter = n % fleet.length;
      return v2Datagram({ seq: n + 1, meter, valor: 1.25, timestampMs: baseMs + Math.floor(n / fleet.length) * 60_000 }, fleet[meter]);
    };
    const runs: UdpPathResult['runs'] = [];
    const best = { gateway: undefined as undefined | (UdpLoadResult & { inFlight: number; cpu: Record<string, number> }), echo: undefined as undefined | (UdpLoadResult & { inFlight: number; cpu: Record<string, number> }) };
    // Interleaved, so a burst of load elsewhere on the machine does not fall on one side only.
    for (const inFlight of options.inFlight) {
      for (const target of ['gateway', 'echo'] as const) {
        const server = target === 'gateway' ? gateway : echo;
        const port = Number((target === 'gateway' ? gatewayReady : echoReady).port);
        const cpu = sampleCpu({ server: server.pid, loadGenerator: process.pid });
        const result = await udpLoad({
          port,
          sockets: 4,
          inFlight,
          durationMs: options.durationMs,
          maxCount: 5_000_000,
          datagram,
          accept: target === 'gateway' ? (reply) => reply[2] === 0x61 /* {"ack":… */ : undefined,
        });
        const used = cpu.stop();
        runs.push({ target, inFlight, perSecond: Math.round(result.perSecond), stalls: result.stalls });
        const current = best[target];
        if (!current || result.perSecond > current.perSecond) best[target] = { ...result, inFlight, cpu: used };
      }
    }
    const g = best.gateway!;
    const e = best.echo!;
    const profile = options.profileDir
      ? (
          await bracket(gateway.pid, options.profileDir, () =>
            udpLoad({ port: Number(gatewayReady.port), sockets: 4, inFlight: g.inFlight, durationMs: options.durationMs, maxCount: 5_000_000, datagram }),
          )
        ).profile
      : undefined;
    const variants: { label: string; perSecond: number }[] = [];
    if (options.profileDir) {
      for (const [label, store, recent] of [
        ['memory repository, no memory of recent readings', 'memory', '0'],
        ['repository that keeps nothing', 'nothing', undefined],
        ['repository that keeps nothing, no memory of recent readings', 'nothing', '0'],
      ] as const) {
        const file = join(dir, `fleet-${variants.length}.json`);
        const { helper, ready } = await startHelper('bench/servers/memoryGateway.ts', [String(options.meters), file, store, ...(recent ? [recent] : [])], {
          env: { ...UNTHROTTLED, LUZ_LOG_LEVEL: 'error' },
        });
        try {
          const variantFleet = (JSON.parse(readFileSync(file, 'utf8')) as { meters: FleetMeter[] }).meters;
          let n = 0;
          const load = (durationMs: number, maxCount: number) =>
            udpLoad({
              port: Number(ready.port),
              sockets: 4,
              inFlight: g.inFlight,
              durationMs,
              maxCount,
              datagram: () => {
                const i = n++;
                const meter = i % variantFleet.length;
                return v2Datagram({ seq: i + 1, meter, valor: 1.25, timestampMs: baseMs + Math.floor(i / variantFleet.length) * 60_000 }, variantFleet[meter]);
              },
              accept: (reply) => reply[2] === 0x61,
            });
          // First past the 100,000 readings the memory of recent readings holds, as a gateway that has run a while.
          await load(20_000, 110_000);
          const result = await load(options.durationMs, 5_000_000);
          variants.push({ label, perSecond: Math.round(result.perSecond) });
        } finally {
          await helper.stop();
        }
      }
    }
    return {
      gateway: { perSecond: Math.round(g.perSecond), inFlight: g.inFlight, cpu: g.cpu, unexpected: g.unexpected },
      echo: { perSecond: Math.round(e.perSecond), inFlight: e.inFlight, cpu: e.cpu },
      ratio: round(g.perSecond / e.perSecond, 2),
      meters: fleet.length,
      runs,
      ...(profile ? { profile } : {}),
      ...(variants.length ? { variants } : {}),
    };
  } finally {
    await gateway.stop();
    await echo.stop();
  }
}
