// Per-source token buckets with a frozen clock.
import { RateLimiter } from './rateLimiter';

describe('RateLimiter', () => {
  it('lets a burst through, then one datagram per 1/rate seconds', () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSecond: 10, burst: 3 }, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([true, true, true, false]);
    now += 100; // one token back
    expect([limiter.take('a'), limiter.take('a')]).toEqual([true, false]);
  });

  it('one noisy source does not use up another source', () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 2 }, () => now);
    for (let i = 0; i < 100; i++) limiter.take('noisy:1');
    expect(limiter.take('quiet:2')).toBe(true);
    expect(limiter.take('noisy:1')).toBe(false);
  });

  it('never remembers more than maxSources, forgetting refilled buckets first', () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSecond: 10, burst: 1, maxSources: 100 }, () => now);
    for (let i = 0; i < 100; i++) limiter.take(`spoofed:${i}`);
    now += 200; // every bucket has refilled
    for (let i = 0; i < 1000; i++) limiter.take(`other:${i}`);
    expect(limiter.sources).toBe(100);
  });
});
