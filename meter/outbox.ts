// The simulator's on-disk outbox: every reading is written down before it is first sent and stays
// until the gateway acknowledges (or finally rejects) it, so neither a lost datagram, a gateway
// restart nor a restart of the simulator loses a reading.
//
// Files in the state folder:
//   outbox.json   snapshot: pending readings, per-meter schedule, totals acknowledged per meter and month
//   outbox.log    one JSON array per line since that snapshot, replayed on open:
//                 ["a", seq, meter, valor, timestampMs, nextDueMs|null, readings|null]   reading added
//                 ["k", seq]            acknowledged        ["r", seq, code]   finally rejected
//                 ["t", clockMs]        simulated clock
//   outbox.lock   the process that owns the folder
// Lines are written with one write() per tick, before the datagrams of that tick leave; a process
// that dies keeps what it wrote (the OS has it). Replaying is idempotent, so a crash between writing a
// new snapshot and emptying the log is harmless.
import {
  closeSync,
  existsSync,
  ftruncateSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { Decimal } from '../core/decimal';
import { monthKeyOf } from '../core/periods';

export interface OutboxEntry {
  /** Unique in this state folder: the v2 seq. */
  seq: number;
  /** Index of the meter in the fleet. */
  meter: number;
  valor: number;
  timestampMs: number;
}

export interface MeterSchedule {
  /** Simulated time of the meter's next reading (null: not scheduled yet). */
  nextDueMs: number | null;
  /** Scheduled readings generated so far (the load model's reading number). */
  readings: number;
}

export interface Totals {
  readings: number;
  kwh: Decimal;
}

interface Snapshot {
  version: 1;
  seq: number;
  clockMs: number | null;
  meters: MeterSchedule[];
  pending: [number, number, number, number][];
  acked: Record<string, Record<string, [number, string]>>;
  rejected: Record<string, number>;
}

/** Log lines between snapshots; beyond it the log is folded into a new snapshot. */
const COMPACT_AFTER_LINES = 100_000;

export class OutboxLocked extends Error {}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class Outbox {
  seq = 0;
  clockMs: number | null = null;
  readonly meters: MeterSchedule[] = [];
  readonly pending = new Map<number, OutboxEntry>();
  /** meter → month (YYYY-MM in the zone) → acknowledged readings and kWh. */
  readonly acked = new Map<number, Map<string, Totals>>();
  readonly rejected = new Map<string, number>();
  private buffer: string[] = [];
  private linesSinceSnapshot = 0;
  private logFd: number;
  private clockWritten: number | null = null;

  private constructor(
    private readonly dir: string,
    private readonly timeZone: string,
  ) {
    this.logFd = -1;
  }

  /** Opens (or creates) the outbox in `dir`; one process at a time. */
  static open(dir: string, timeZone: string): Outbox {
    mkdirSync(dir, { recursive: true });
    const outbox = new Outbox(dir, timeZone);
    outbox.lock();
    try {
      outbox.load();
      outbox.logFd = openSync(join(dir, 'outbox.log'), 'a');
      outbox.compact(); // start from one snapshot and an empty log
    } catch (error) {
      outbox.unlock();
      throw error;
    }
    return outbox;
  }

  /** Deletes a state folder's outbox (a fresh start). */
  static remove(dir: string): void {
    for (const name of ['outbox.json', 'outbox.log', 'outbox.json.tmp']) rmSync(join(dir, name), { force: true });
  }

  schedule(meter: number): MeterSchedule {
    while (this.meters.length <= meter) this.meters.push({ nextDueMs: null, readings: 0 });
    return this.meters[meter];
  }

  /** Records a new reading (and the meter's next schedule, for generated ones). */
  add(entry: OutboxEntry, schedule?: MeterSchedule): void {
    this.applyAdd(entry, schedule);
    this.write(['a', entry.seq, entry.meter, entry.valor, entry.timestampMs, schedule?.nextDueMs ?? null, schedule?.readings ?? null]);
  }

  acknowledge(seq: number): OutboxEntry | undefined {
    const entry = this.applyAck(seq);
    if (entry) this.write(['k', seq]);
    return entry;
  }

  reject(seq: number, code: string): OutboxEntry | undefined {
    const entry = this.applyReject(seq, code);
    if (entry) this.write(['r', seq, code]);
    return entry;
  }

  setClock(clockMs: number): void {
    this.clockMs = clockMs;
  }

  /** Writes what was recorded since the last flush, in one write. Call before sending. */
  flush(): void {
    if (this.clockMs !== null && this.clockMs !== this.clockWritten) {
      this.write(['t', this.clockMs]);
      this.clockWritten = this.clockMs;
    }
    if (this.buffer.length === 0) return;
    const text = this.buffer.join('');
    this.buffer = [];
    writeSync(this.logFd, text);
    if (this.linesSinceSnapshot >= COMPACT_AFTER_LINES) this.compact();
  }

  /** Folds the log into a new snapshot (written aside, then renamed into place) and empties the log. */
  compact(): void {
    if (this.buffer.length > 0) this.flush();
    const snapshot: Snapshot = {
      version: 1,
      seq: this.seq,
      clockMs: this.clockMs,
      meters: this.meters,
      pending: [...this.pending.values()].map((entry) => [entry.seq, entry.meter, entry.valor, entry.timestampMs]),
      acked: Object.fromEntries(
        [...this.acked].map(([meter, months]) => [
          meter,
          Object.fromEntries([...months].map(([month, totals]) => [month, [totals.readings, totals.kwh.toString()]])),
        ]),
      ),
      rejected: Object.fromEntries(this.rejected),
    };
    const path = join(this.dir, 'outbox.json');
    const fd = openSync(`${path}.tmp`, 'w');
    writeSync(fd, JSON.stringify(snapshot));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(`${path}.tmp`, path);
    ftruncateSync(this.logFd, 0);
    this.linesSinceSnapshot = 0;
  }

  close(): void {
    if (this.logFd < 0) return;
    this.compact();
    closeSync(this.logFd);
    this.logFd = -1;
    this.unlock();
  }

  private write(record: unknown[]): void {
    this.buffer.push(`${JSON.stringify(record)}\n`);
    this.linesSinceSnapshot += 1;
  }

  private applyAdd(entry: OutboxEntry, schedule?: MeterSchedule): void {
    this.seq = Math.max(this.seq, entry.seq);
    this.pending.set(entry.seq, { ...entry });
    if (schedule) Object.assign(this.schedule(entry.meter), schedule);
  }

  private applyAck(seq: number): OutboxEntry | undefined {
    const entry = this.pending.get(seq);
    if (!entry) return undefined;
    this.pending.delete(seq);
    let months = this.acked.get(entry.meter);
    if (!months) this.acked.set(entry.meter, (months = new Map()));
    const month = monthKeyOf(entry.timestampMs, this.timeZone);
    const totals = months.get(month) ?? { readings: 0, kwh: new Decimal(0) };
    months.set(month, { readings: totals.readings + 1, kwh: totals.kwh.plus(entry.valor) });
    return entry;
  }

  private applyReject(seq: number, code: string): OutboxEntry | undefined {
    const entry = this.pending.get(seq);
    if (!entry) return undefined;
    this.pending.delete(seq);
    this.rejected.set(code, (this.rejected.get(code) ?? 0) + 1);
    return entry;
  }

  private load(): void {
    const snapshotPath = join(this.dir, 'outbox.json');
    if (existsSync(snapshotPath)) {
      const snapshot = JSON.parse(readFileSync(snapshotPath, 'utf8')) as Snapshot;
      this.seq = snapshot.seq;
      this.clockMs = snapshot.clockMs;
      this.meters.push(...snapshot.meters);
      for (const [seq, meter, valor, timestampMs] of snapshot.pending) this.pending.set(seq, { seq, meter, valor, timestampMs });
      for (const [meter, months] of Object.entries(snapshot.acked)) {
        this.acked.set(
          Number(meter),
          new Map(Object.entries(months).map(([month, [readings, kwh]]) => [month, { readings, kwh: new Decimal(kwh) }])),
        );
      }
      for (const [code, count] of Object.entries(snapshot.rejected)) this.rejected.set(code, count);
    }
    const logPath = join(this.dir, 'outbox.log');
    if (!existsSync(logPath)) return;
    const snapshotSeq = this.seq;
    for (const line of readFileSync(logPath, 'utf8').split('\n')) {
      let record: unknown[];
      try {
        record = JSON.parse(line);
      } catch {
        continue; // an empty or torn last line
      }
      const [kind, a, b, c, d, e, f] = record as [string, number, number, number, number, number | null, number | null];
      if (kind === 'a' && a > snapshotSeq) {
        this.applyAdd({ seq: a, meter: b, valor: c, timestampMs: d }, f === null ? undefined : { nextDueMs: e, readings: f });
      } else if (kind === 'k') this.applyAck(a);
      else if (kind === 'r') this.applyReject(a, String(b));
      else if (kind === 't') this.clockMs = a;
    }
  }

  private lock(): void {
    const path = join(this.dir, 'outbox.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(path, String(process.pid), { flag: 'wx' });
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = Number(readFileSync(path, 'utf8'));
        if (owner !== process.pid && Number.isInteger(owner) && owner > 0 && processAlive(owner)) {
          throw new OutboxLocked(`${this.dir} is in use by process ${owner}; use another --state folder`);
        }
        rmSync(path, { force: true }); // left by a process that died
      }
    }
    throw new OutboxLocked(`could not lock ${this.dir}`);
  }

  private unlock(): void {
    rmSync(join(this.dir, 'outbox.lock'), { force: true });
  }
}
