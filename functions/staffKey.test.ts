// The staff key's cache (functions/staffKey.ts): read once, again after the refresh time, shared reads, a failed read.
import { StaffKeySource } from './staffKey';

/** A parameter store in memory: answers its current value, counts reads, can be made to fail. */
function store(initial: string) {
  const state = { value: initial, reads: 0, failing: false };
  const read = async () => {
    state.reads += 1;
    if (state.failing) throw new Error('ThrottlingException');
    return state.value;
  };
  return { state, read };
}

describe('StaffKeySource', () => {
  it('reads at the first request, then answers from memory until the refresh time, then reads the rotated key', async () => {
    const { state, read } = store('luz_staff_first_key_000000');
    let now = 1_000_000;
    const source = new StaffKeySource(read, { refreshMs: 300_000, now: () => now });
    expect(await source.get()).toBe('luz_staff_first_key_000000');
    state.value = 'luz_staff_rotated_key_0000';
    now += 299_999;
    expect(await source.get()).toBe('luz_staff_first_key_000000');
    expect(state.reads).toBe(1);
    now += 1;
    expect(await source.get()).toBe('luz_staff_rotated_key_0000');
    expect(state.reads).toBe(2);
  });

  it('concurrent first requests share one read', async () => {
    const { state, read } = store('luz_staff_first_key_000000');
    const source = new StaffKeySource(read, { now: () => 0 });
    expect(await Promise.all([source.get(), source.get(), source.get()])).toEqual(Array(3).fill('luz_staff_first_key_000000'));
    expect(state.reads).toBe(1);
  });

  it('a failed read answers the previous key (none before the first success), is logged, and is tried again next time', async () => {
    const { state, read } = store('luz_staff_first_key_000000');
    const errors: string[] = [];
    let now = 0;
    const source = new StaffKeySource(read, { refreshMs: 1000, now: () => now, onError: (error) => errors.push((error as Error).message) });
    state.failing = true;
    expect(await source.get()).toBeUndefined();
    state.failing = false;
    expect(await source.get()).toBe('luz_staff_first_key_000000');
    now += 1000;
    state.failing = true;
    expect(await source.get()).toBe('luz_staff_first_key_000000');
    expect(await source.get()).toBe('luz_staff_first_key_000000');
    expect(errors).toEqual(['ThrottlingException', 'ThrottlingException', 'ThrottlingException']);
    expect(state.reads).toBe(4);
  });
});
