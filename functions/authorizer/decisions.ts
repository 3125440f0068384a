// The authorizer's decisions kept for a while, as API Gateway keeps them (resultTtlInSeconds).
// In AWS, API Gateway's own cache answers repeated credentials before this function runs, so this
// copy is used only under serverless offline, which has no such cache: locally, as in the cloud, a
// credential is looked up once per TTL, and a revoked token keeps working for at most the TTL.
// (Keeping it in AWS too would stack two TTLs: a decision could outlive its TTL twice over.)

/** Decisions by credential digest, each for `ttlMs` from when it was made; at most `maxEntries`. */
export class DecisionCache<T> {
  private readonly entries = new Map<string, { value: T; expiresMs: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresMs > this.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  /** Keeps a decision made now; the oldest one goes when full. A TTL of 0 keeps nothing. */
  set(key: string, value: T): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expiresMs: this.now() + this.ttlMs });
  }
}
