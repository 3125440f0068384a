// The outbox survives its process: what was written is there after reopening, including a log never folded.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox, OutboxLocked } from './outbox';

const ZONE = 'America/Bahia';
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'luz-outbox-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const entry = (seq: number, valor: number, timestampMs = Date.parse('2025-07-10T12:00:00Z')) => ({ seq, meter: seq % 2, valor, timestampMs });
const totals = (outbox: Outbox) =>
  Object.fromEntries(
    [...outbox.acked].map(([meter, months]) => [meter, Object.fromEntries([...months].map(([month, t]) => [month, [t.readings, t.kwh.toString()]]))]),
  );

describe('Outbox', () => {
  it('a reopened outbox has the pending readings, schedules, clock and acknowledged totals (exact decimals)', () => {
    const outbox = Outbox.open(dir, ZONE);
    outbox.add(entry(1, 0.1), { nextDueMs: 1000, readings: 1 });
    outbox.add(entry(2, 0.2));
    outbox.add(entry(3, 0.2), { nextDueMs: 2000, readings: 1 });
    outbox.setClock(123_000);
    outbox.flush();
    outbox.acknowledge(1);
    outbox.acknowledge(3);
    outbox.reject(2, 'reading_conflict');
    outbox.add(entry(4, 7.5, Date.parse('2025-08-01T02:59:59Z')));
    outbox.flush();
    outbox.close();

    const again = Outbox.open(dir, ZONE);
    expect([...again.pending.values()]).toEqual([entry(4, 7.5, Date.parse('2025-08-01T02:59:59Z'))]);
    expect(again.seq).toBe(4);
    expect(again.clockMs).toBe(123_000);
    expect(again.meters).toEqual([{ nextDueMs: null, readings: 0 }, { nextDueMs: 2000, readings: 1 }]);
    expect(totals(again)).toEqual({ 1: { '2025-07': [2, '0.3'] } });
    expect(Object.fromEntries(again.rejected)).toEqual({ reading_conflict: 1 });
    again.close();
  });

  it('replays a log left by a killed process (no close, no snapshot), ignoring a torn last line', () => {
    const outbox = Outbox.open(dir, ZONE);
    outbox.add(entry(1, 1.25), { nextDueMs: 5000, readings: 1 });
    outbox.add(entry(2, 2.5), { nextDueMs: 6000, readings: 1 });
    outbox.flush();
    outbox.acknowledge(1);
    outbox.flush();
    // The process dies here: the lock file and the log stay; a write was torn mid-line.
    appendFileSync(join(dir, 'outbox.log'), '["a",3,1,9.');
    writeFileSync(join(dir, 'outbox.lock'), '999999999');

    const again = Outbox.open(dir, ZONE);
    expect([...again.pending.keys()]).toEqual([2]);
    expect(totals(again)).toEqual({ 1: { '2025-07': [1, '1.25'] } });
    again.close();
  });

  it('replaying the log over a snapshot that already holds it counts nothing twice', () => {
    const outbox = Outbox.open(dir, ZONE);
    outbox.add(entry(1, 1), { nextDueMs: 1, readings: 1 });
    outbox.flush();
    outbox.acknowledge(1);
    outbox.add(entry(2, 2), { nextDueMs: 2, readings: 1 });
    outbox.flush();
    const log = readFileSync(join(dir, 'outbox.log'), 'utf8');
    outbox.close(); // snapshot written, log emptied
    // A crash between the snapshot's rename and the log's truncation leaves both.
    writeFileSync(join(dir, 'outbox.log'), log);
    const again = Outbox.open(dir, ZONE);
    expect([...again.pending.keys()]).toEqual([2]);
    expect(totals(again)).toEqual({ 1: { '2025-07': [1, '1'] } });
    again.close();
  });

  it('refuses a folder another live process holds', () => {
    writeFileSync(join(dir, 'outbox.lock'), String(process.ppid));
    expect(() => Outbox.open(dir, ZONE)).toThrow(OutboxLocked);
  });
});
