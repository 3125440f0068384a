// The gateway bundle's start: spawn → `listening` (as an orchestrator sees it), against plain node's own
// floor measured the same way in the same run — a node process that binds a UDP socket and says so —
// and the idle RSS of a plain node process (the ceiling of the gateway's memory rows).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startGateway } from '../dev/gateway';
import { freePort } from '../dev/ports';
import { stopGroup } from '../dev/offline';
import { median, round } from './measure';
import { rssMb, track } from './services';

export interface GatewayStartResult {
  repetitions: number;
  /** Median and slowest spawn → listening of the bundle, ms. */
  gatewayMs: { median: number; max: number };
  /** The same for a node process that only binds a UDP socket. */
  floorMs: { median: number; max: number };
  /** RSS of a plain node process doing nothing, 1 s after start, MB. */
  idleNodeRssMb: number;
}

/** A node process with nothing loaded but dgram: what any gateway start costs at least. */
const FLOOR_SCRIPT = `const s = require('node:dgram').createSocket('udp4');
s.bind(0, '127.0.0.1', () => console.log(JSON.stringify({ message: 'listening', port: s.address().port })));
setInterval(() => undefined, 1000);`;

function runPlain(script: string, until: (line: string) => boolean): Promise<{ ms: number; pid: number; stop(): Promise<void> }> {
  const began = performance.now();
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  const stop = () => stopGroup(child, 5000);
  track({ stop });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`node -e exited (${code}) before its line`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!until(line)) return;
      child.removeAllListeners('exit');
      resolve({ ms: performance.now() - began, pid: child.pid!, stop });
    });
  });
}

export async function measureGatewayStart(options: { repetitions: number }): Promise<GatewayStartResult> {
  // Storage is not needed to listen: the gateway binds at once and its health says 503 until
  // DynamoDB answers; a port nobody listens on keeps this phase free of a database.
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  const gatewayMs: number[] = [];
  const floorMs: number[] = [];
  for (let i = 0; i < options.repetitions; i++) {
    const gateway = track(
      await startGateway({
        env: { DYNAMODB_ENDPOINT: nowhere, UDP_HOST: '127.0.0.1', UDP_PORT: '0', HEALTH_PORT: '0', LUZ_LOG_LEVEL: 'warn', GATEWAY_STATS_SECONDS: '3600' },
        stdio: 'pipe',
      }),
    );
    gatewayMs.push(gateway.listeningAfterMs!);
    await gateway.stop();
    const floor = await runPlain(FLOOR_SCRIPT, (line) => line.includes('"listening"'));
    floorMs.push(floor.ms);
    await floor.stop();
  }
  const idle = await runPlain("console.log('ready'); setInterval(() => undefined, 1000);", (line) => line === 'ready');
  await new Promise((done) => setTimeout(done, 1000));
  const idleNodeRssMb = round(rssMb(idle.pid) ?? NaN);
  await idle.stop();
  const summary = (samples: number[]) => ({ median: round(median(samples)), max: round(Math.max(...samples)) });
  return { repetitions: options.repetitions, gatewayMs: summary(gatewayMs), floorMs: summary(floorMs), idleNodeRssMb };
}
