// The UDP gateways' live figures (GET /gatewayStatus, staff): each instance publishes its counters to the
// gateway table every few seconds (udp-gateway/publisher.ts); this sums the instances still alive.
import type { Context } from './context';
import type { GatewayFigures } from './model';

/** What every instance counts since it started, and what the fleet's total sums. */
interface GatewayCounters {
  recebidas: number;
  gravadas: number;
  duplicadas: number;
  rejeitadas: Record<string, number>;
  emAndamento: number;
  leiturasPorSegundo: number;
}

export interface GatewayInstanceStatus extends GatewayCounters {
  instancia: string;
  iniciadoEm: string;
  publicadoEm: string;
  latenciaP50Ms: number | null;
  latenciaP99Ms: number | null;
}

export interface GatewayStatus {
  total: GatewayCounters & {
    instancias: number;
    /**
     * The highest instance p99: percentiles of separate samples do not add up, and the worst instance
     * is an upper bound of the fleet's p99 (null while no instance stored a reading in its interval).
     */
    latenciaP99Ms: number | null;
  };
  /** One entry per live instance, by name. */
  gateways: GatewayInstanceStatus[];
}

/**
 * The live instances (expiry still ahead: a stopped gateway publishes an expiry of "now", a dead one
 * lets its expiry pass) and their sum. Counters are since each instance started, so a restarted
 * instance starts again from zero under its new name.
 */
export async function gatewayStatus(context: Context): Promise<GatewayStatus> {
  const now = context.now();
  const live = (await context.repository.listGatewayFigures())
    .filter((figures) => figures.expiresMs > now)
    .sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  const sum = (pick: (figures: GatewayFigures) => number) => live.reduce((total, figures) => total + pick(figures), 0);
  const rejected: Record<string, number> = {};
  for (const figures of live) for (const [code, count] of Object.entries(figures.rejected)) rejected[code] = (rejected[code] ?? 0) + count;
  const p99s = live.map((figures) => figures.p99Ms).filter((p99): p99 is number => p99 !== null);
  return {
    total: {
      instancias: live.length,
      recebidas: sum((figures) => figures.received),
      gravadas: sum((figures) => figures.stored),
      duplicadas: sum((figures) => figures.duplicates),
      rejeitadas: Object.fromEntries(Object.entries(rejected).sort(([a], [b]) => a.localeCompare(b))),
      emAndamento: sum((figures) => figures.inFlight),
      leiturasPorSegundo: sum((figures) => figures.perSecond),
      latenciaP99Ms: p99s.length === 0 ? null : Math.max(...p99s),
    },
    gateways: live.map((figures) => ({
      instancia: figures.instanceId,
      iniciadoEm: new Date(figures.startedMs).toISOString(),
      publicadoEm: new Date(figures.publishedMs).toISOString(),
      recebidas: figures.received,
      gravadas: figures.stored,
      duplicadas: figures.duplicates,
      rejeitadas: figures.rejected,
      emAndamento: figures.inFlight,
      leiturasPorSegundo: figures.perSecond,
      latenciaP50Ms: figures.p50Ms,
      latenciaP99Ms: figures.p99Ms,
    })),
  };
}

/** One gateway instance's figures, under its name (the previous ones replaced): udp-gateway/publisher.ts every few seconds. */
export function publishGatewayFigures(context: Context, figures: GatewayFigures): Promise<void> {
  return context.repository.publishGatewayFigures(figures);
}
