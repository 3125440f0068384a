// Group commit over the in-memory repository: batching, lanes, resends in flight, the in-flight bound, storage failures.
import { loadTariff } from '../core/tariff';
import type { Context } from '../core/context';
import { withCheckDigits } from '../core/cpf';
import { registerCustomer } from '../core/customers';
import type { Reading, StoreOptions, StoreOutcome } from '../core/model';
import { MemoryRepository } from '../core/store/memoryRepository';
import { GroupCommit, type GroupCommitOptions } from './groupCommit';

const CPFS = ['529982247', '111444777', '390533447'].map(withCheckDigits);
const T0 = Date.parse('2025-07-01T12:00:00Z');

/** A repository whose storeReadings waits until the test lets it go, and counts calls. */
class GatedRepository extends MemoryRepository {
  calls: Reading[][] = [];
  private gates: (() => void)[] = [];
  gated = false;
  failing = false;

  override async storeReadings(readings: Reading[], options: StoreOptions) {
    this.calls.push(readings);
    if (this.gated) await new Promise<void>((resolve) => this.gates.push(resolve));
    if (this.failing) throw new Error('ProvisionedThroughputExceededException');
    return super.storeReadings(readings, options);
  }

  release(): void {
    this.gated = false;
    for (const open of this.gates.splice(0)) open();
  }
}

async function setUp(options: Partial<GroupCommitOptions> = {}) {
  const repository = new GatedRepository();
  const context: Context = {
    repository,
    settings: { timeZone: 'America/Bahia', alarmLimitKwh: 1000, maxReadingKwh: 100_000, tariff: loadTariff('tariffs/flat-1.07.json') },
    now: () => T0,
  };
  for (const id of CPFS) {
    await registerCustomer(context, { id, name: 'Lote' });
    await repository.registerMeter(id, new Date(T0).toISOString(), 'segredo-de-teste');
  }
  const batches: number[] = [];
  const errors: unknown[] = [];
  const commits = new GroupCommit(
    context,
    { batchSize: 4, batchWaitMs: 5, lanes: 2, maxInFlight: 100, ...options },
    { onBatch: (size) => batches.push(size), onStoreError: (error) => errors.push(error) },
  );
  const outcomes: Record<string, StoreOutcome> = {};
  const submit = (name: string, reading: Partial<Reading> & { customerId: string }) =>
    commits.submit({ meterId: 1, valor: 1, timestampMs: T0, ...reading }, (outcome) => (outcomes[name] = outcome));
  return { repository, commits, batches, errors, outcomes, submit };
}

const status = (outcome: StoreOutcome) => (outcome.status === 'rejected' ? outcome.error.code : outcome.status);

describe('GroupCommit', () => {
  it('collects readings that arrive together into one call per batch, at most batchSize each', async () => {
    const { repository, commits, batches, outcomes, submit } = await setUp({ lanes: 1, batchSize: 4 });
    for (let i = 0; i < 10; i++) submit(`r${i}`, { customerId: CPFS[i % 3], timestampMs: T0 + i });
    await commits.flush();
    expect(batches).toEqual([4, 4, 2]);
    expect(repository.calls.map((call) => call.length)).toEqual([4, 4, 2]);
    expect(Object.values(outcomes).map(status)).toEqual(Array(10).fill('stored'));
    expect(commits.inFlight).toBe(0);
  });

  it('waits batchWaitMs for company before committing a partial batch', async () => {
    const { repository, commits, outcomes, submit } = await setUp({ lanes: 1, batchWaitMs: 20 });
    submit('a', { customerId: CPFS[0] });
    expect(repository.calls).toHaveLength(0);
    submit('b', { customerId: CPFS[1] });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(repository.calls.map((call) => call.length)).toEqual([2]);
    expect(Object.values(outcomes).map(status)).toEqual(['stored', 'stored']);
    await commits.flush();
  });

  it('a resend of a reading still in flight waits for it and is answered as a duplicate, costing no second write', async () => {
    const { repository, commits, outcomes, submit } = await setUp({ lanes: 1 });
    repository.gated = true;
    submit('first', { customerId: CPFS[0], valor: 2.5 });
    submit('resend', { customerId: CPFS[0], valor: 2.5 });
    const done = commits.flush();
    repository.release();
    await done;
    expect(repository.calls).toEqual([[{ customerId: CPFS[0], meterId: 1, valor: 2.5, timestampMs: T0 }]]);
    expect(outcomes).toEqual({ first: { status: 'stored' }, resend: { status: 'duplicate' } });
  });

  it('a resend after its answer is answered from memory (duplicate, or conflict for another value) without a storage call', async () => {
    const { repository, commits, outcomes, submit } = await setUp({ lanes: 1 });
    submit('first', { customerId: CPFS[0], valor: 2.5 });
    await commits.flush();
    const calls = repository.calls.length;
    submit('resend', { customerId: CPFS[0], valor: 2.5 });
    submit('other', { customerId: CPFS[0], valor: 9 });
    expect(repository.calls).toHaveLength(calls);
    expect(Object.fromEntries(Object.entries(outcomes).map(([name, outcome]) => [name, status(outcome)]))).toEqual({
      first: 'stored',
      resend: 'duplicate',
      other: 'reading_conflict',
    });
    expect(commits.inFlight).toBe(0);
  });

  it('with no memory of recent readings, a resend goes to storage, which still answers it as a duplicate', async () => {
    const { repository, commits, outcomes, submit } = await setUp({ lanes: 1, recentReadings: 0 });
    submit('first', { customerId: CPFS[0], valor: 2.5 });
    await commits.flush();
    submit('resend', { customerId: CPFS[0], valor: 2.5 });
    await commits.flush();
    expect(repository.calls).toHaveLength(2);
    expect(outcomes).toEqual({ first: { status: 'stored' }, resend: { status: 'duplicate' } });
  });

  it('the memory of recent readings is bounded: with room for 4, the newest half is answered from memory, the oldest goes to storage', async () => {
    const { repository, commits, outcomes, submit } = await setUp({ lanes: 1, recentReadings: 4 });
    for (let i = 0; i < 6; i++) submit(`r${i}`, { customerId: CPFS[0], timestampMs: T0 + i });
    await commits.flush();
    const writes = repository.calls.length;
    // Two generations of 2: at least the newest 2 (r4, r5) are always remembered; r0 was dropped.
    submit('resendNewest', { customerId: CPFS[0], timestampMs: T0 + 5 });
    submit('resendOlder', { customerId: CPFS[0], timestampMs: T0 + 4 });
    await commits.flush();
    expect(repository.calls).toHaveLength(writes);
    submit('resendOldest', { customerId: CPFS[0], timestampMs: T0 });
    await commits.flush();
    expect(repository.calls).toHaveLength(writes + 1);
    expect([outcomes.resendNewest, outcomes.resendOlder, outcomes.resendOldest]).toEqual([
      { status: 'duplicate' },
      { status: 'duplicate' },
      { status: 'duplicate' },
    ]);
  });

  it('the same key with another value goes to storage and is answered as a conflict', async () => {
    const { commits, outcomes, submit } = await setUp({ lanes: 1 });
    submit('first', { customerId: CPFS[0], valor: 2.5 });
    submit('other', { customerId: CPFS[0], valor: 3 });
    await commits.flush();
    expect(Object.fromEntries(Object.entries(outcomes).map(([name, outcome]) => [name, status(outcome)]))).toEqual({
      first: 'stored',
      other: 'reading_conflict',
    });
  });

  it('refuses work past maxInFlight and takes it again once answers go out', async () => {
    const { repository, commits, submit } = await setUp({ maxInFlight: 3 });
    repository.gated = true;
    expect([0, 1, 2, 3].map((i) => submit(`r${i}`, { customerId: CPFS[0], timestampMs: T0 + i }))).toEqual([true, true, true, false]);
    expect(commits.inFlight).toBe(3);
    const done = commits.flush();
    repository.release();
    await done;
    expect(submit('later', { customerId: CPFS[0], timestampMs: T0 + 10 })).toBe(true);
    await commits.flush();
  });

  it('a storage failure answers the whole batch "unavailable" (to be sent again) and the next batch proceeds', async () => {
    const { repository, commits, errors, outcomes, submit } = await setUp({ lanes: 1 });
    repository.failing = true;
    submit('a', { customerId: CPFS[0] });
    submit('b', { customerId: CPFS[1] });
    await commits.flush();
    expect(errors).toHaveLength(1);
    expect(Object.values(outcomes).map(status)).toEqual(['unavailable', 'unavailable']);
    repository.failing = false;
    submit('a', { customerId: CPFS[0] });
    await commits.flush();
    expect(status(outcomes.a)).toBe('stored');
  });

  it("keeps each customer's readings in one lane, in arrival order", async () => {
    const { repository, commits, submit } = await setUp({ lanes: 3, batchSize: 100 });
    for (let i = 0; i < 9; i++) submit(`r${i}`, { customerId: CPFS[i % 3], timestampMs: T0 + i });
    await commits.flush();
    for (const customerId of CPFS) {
      const calls = repository.calls.filter((call) => call.some((reading) => reading.customerId === customerId));
      expect(calls).toHaveLength(1);
      const times = calls[0].filter((reading) => reading.customerId === customerId).map((reading) => reading.timestampMs);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    expect(repository.calls.flat()).toHaveLength(9);
  });
});
