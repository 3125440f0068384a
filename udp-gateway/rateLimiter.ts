// Per-source token buckets, so one noisy sender cannot starve the others; memory stays bounded.
export interface RateLimit {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Bucket size: how many datagrams a quiet source may send at once. */
  burst: number;
  /** Sources remembered at most; a flood from spoofed addresses cannot grow the table past it. */
  maxSources?: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxSources: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.maxSources = limit.maxSources ?? 65_536;
  }

  /** Takes one token from the source's bucket; false when it is empty. */
  take(source: string): boolean {
    const now = this.now();
    let bucket = this.buckets.get(source);
    if (!bucket) {
      if (this.buckets.size >= this.maxSources) this.forgetFullBuckets(now);
      if (this.buckets.size >= this.maxSources) {
        // Still full of active sources: drop the oldest entry (insertion order) rather than grow.
        this.buckets.delete(this.buckets.keys().next().value!);
      }
      bucket = { tokens: this.limit.burst, updatedMs: now };
      this.buckets.set(source, bucket);
    } else {
      const refill = ((now - bucket.updatedMs) / 1000) * this.limit.ratePerSecond;
      bucket.tokens = Math.min(this.limit.burst, bucket.tokens + refill);
      bucket.updatedMs = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  get sources(): number {
    return this.buckets.size;
  }

  /** A bucket that has refilled completely says nothing a new bucket would not: forget it. */
  private forgetFullBuckets(now: number): void {
    const fullAfterMs = (this.limit.burst / this.limit.ratePerSecond) * 1000;
    for (const [source, bucket] of this.buckets) {
      if (now - bucket.updatedMs >= fullAfterMs) this.buckets.delete(source);
    }
  }
}
