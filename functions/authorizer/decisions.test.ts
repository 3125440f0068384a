import { DecisionCache } from './decisions';

describe('DecisionCache', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_000_000;
  });

  it('keeps a decision for exactly its TTL from when it was made', () => {
    const cache = new DecisionCache<string>(60_000, 10, now);
    cache.set('a', 'staff');
    clock += 59_999;
    expect(cache.get('a')).toBe('staff');
    clock += 1;
    expect(cache.get('a')).toBeUndefined();
    // Asked again after expiry: nothing is revived.
    expect(cache.get('a')).toBeUndefined();
  });

  it('a later decision for the same key restarts its TTL; other keys are separate', () => {
    const cache = new DecisionCache<string>(1000, 10, now);
    cache.set('a', 'first');
    clock += 800;
    cache.set('a', 'second');
    cache.set('b', 'other');
    clock += 800;
    expect(cache.get('a')).toBe('second');
    expect(cache.get('b')).toBe('other');
    expect(cache.get('c')).toBeUndefined();
  });

  it('holds at most maxEntries, dropping the oldest', () => {
    const cache = new DecisionCache<number>(1000, 3, now);
    for (const [n, key] of ['a', 'b', 'c', 'd'].entries()) cache.set(key, n);
    expect(['a', 'b', 'c', 'd'].map((key) => cache.get(key))).toEqual([undefined, 1, 2, 3]);
  });

  it('a TTL of 0 keeps nothing (API Gateway caching off)', () => {
    const cache = new DecisionCache<string>(0, 10, now);
    cache.set('a', 'staff');
    expect(cache.get('a')).toBeUndefined();
  });
});
