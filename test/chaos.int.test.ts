// `npm run chaos -- --quick` inside npm test: every fault of the campaign once, against its own
// DynamoDB Local (file-backed), serverless offline and gateway; the independent checker must find
// every acknowledged reading stored exactly once and every invoice equal to the oracle's.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopGroup } from '../dev/offline';

const ALL_FAULTS = ['network', 'blackout', 'kill-gateway', 'kill-dynamodb', 'kill-offline', 'db-stall', 'db-slow', 'db-reset', 'db-throttle', 'overload'];

describe('npm run chaos -- --quick', () => {
  it('every fault once; 0 acknowledged readings lost, 0 counted twice, nothing stored that no meter sent, invoices to the centavo', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'luz-chaos-test-'));
    const resultFile = join(dir, 'result.json');
    const child = spawn(process.execPath, ['--import', 'tsx', 'chaos/main.ts', '--quick', '--seed', '7', '--json', resultFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
    try {
      const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
      expect({ code, tail: code === 0 ? '' : output }).toEqual({ code: 0, tail: '' });
      const result = JSON.parse(readFileSync(resultFile, 'utf8'));
      expect(result.faults.map((fault: { kind: string }) => fault.kind).sort()).toEqual([...ALL_FAULTS].sort());
      expect(result.meterStatus).toMatchObject({ rejected: 0, pending: 0 });
      expect(result.meterStatus.acked).toBe(result.meterStatus.sent);
      expect(result.verdict).toMatchObject({ lost: 0, doubleCounted: 0, phantom: 0, wrongValue: 0, invoiceMismatches: 0 });
      expect(result.verdict.acked).toBe(result.meterStatus.acked);
      expect(result.verdict.storedInTables).toBe(result.verdict.acked);
      expect(result.verdict.listedByApi).toBe(result.verdict.acked);
      expect(result.verdict.acked).toBeGreaterThan(500);
      // The faults really happened: datagrams dropped, throttling answered, connections reset, resends.
      expect(result.hop.dropped).toBeGreaterThan(0);
      expect(result.proxy.throttled).toBeGreaterThan(0);
      expect(result.proxy.resets).toBeGreaterThan(0);
      expect(result.meterStatus.retries).toBeGreaterThan(0);
    } finally {
      await stopGroup(child);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
