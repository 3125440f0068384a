// The campaign's fault schedule: which faults, in which order, when and for how long, from one seed.
// The same seed gives the same schedule (the processes' timing still varies from run to run).

export type FaultKind =
  | 'network'
  | 'blackout'
  | 'kill-gateway'
  | 'kill-dynamodb'
  | 'kill-offline'
  | 'db-stall'
  | 'db-slow'
  | 'db-reset'
  | 'db-throttle'
  | 'overload';

export interface Fault {
  kind: FaultKind;
  /** From the start of the traffic, ms. */
  atMs: number;
  /** How long the fault lasts (a kill: how long the process stays dead before it is started again). */
  durationMs: number;
}

/** mulberry32: small, fast, and the same on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const WHAT: Record<FaultKind, string> = {
  network: 'rede: 30 % de perda, duplicação, reordenação, atraso com jitter',
  blackout: 'rede: apagão total de 10 s',
  'kill-gateway': 'SIGKILL do gateway UDP',
  'kill-dynamodb': 'SIGKILL do DynamoDB Local (reiniciado sobre os mesmos dados)',
  'kill-offline': 'SIGKILL do serverless offline (grupo de processos)',
  'db-stall': 'banco doente: proxy TCP para de encaminhar',
  'db-slow': 'banco doente: cada pedido atrasado',
  'db-reset': 'banco doente: conexões TCP resetadas',
  'db-throttle': 'banco doente: ProvisionedThroughputExceeded / Throttling injetados',
  overload: 'sobrecarga: 3 × a taxa sustentável',
};

/**
 * Every fault kind once per round, in a seeded order, separated by quiet gaps so each one's recovery
 * can be seen on its own; further rounds follow while they fit in `trafficMs`. `scale` shortens the windows
 * (quick runs) down to a floor per kind, except the blackout, which is always 10 s.
 */
export function buildSchedule(seed: number, trafficMs: number, scale: number): Fault[] {
  const random = seededRandom(seed);
  const between = (min: number, max: number) => Math.round(min + random() * (max - min));
  // Shortened windows keep a floor: long enough that the gateway sends requests through the fault
  // (a 2.6 s throttling window once caught none).
  const length: Record<FaultKind, () => number> = {
    network: () => Math.max(5000, between(20_000, 40_000) * scale),
    blackout: () => 10_000,
    // Dead for 1–4 s, at least 0.5 s when shortened: the restart itself takes longer anyway.
    'kill-gateway': () => Math.max(500, between(1000, 4000) * scale),
    'kill-dynamodb': () => Math.max(500, between(1000, 4000) * scale),
    'kill-offline': () => Math.max(500, between(1000, 4000) * scale),
    'db-stall': () => Math.max(2000, between(3000, 8000) * scale),
    'db-slow': () => Math.max(3000, between(15_000, 30_000) * scale),
    'db-reset': () => Math.max(3000, between(10_000, 20_000) * scale),
    'db-throttle': () => Math.max(5000, between(15_000, 30_000) * scale),
    overload: () => 60_000 * scale,
  };
  const faults: Fault[] = [];
  let at = between(3000, 6000) * scale;
  for (let round = 0; ; round++) {
    const kinds = Object.keys(length) as FaultKind[];
    for (let i = kinds.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
    }
    for (const kind of kinds) {
      const durationMs = length[kind]();
      // The first round always runs whole (every fault at least once), even past the planned traffic.
      if (round > 0 && at + durationMs > trafficMs) return faults;
      faults.push({ kind, atMs: at, durationMs });
      // A quiet gap: the backlog of the fault drains before the next one starts.
      at += durationMs + between(4000, 9000) * scale;
    }
  }
}
