// Seedable, counter-based random numbers: the same (seed, meter, reading, draw) always gives the same
// number, whatever order meters fire in and across restarts, so a run is reproducible from its seed.

/** murmur3's 32-bit finaliser: a cheap, well-mixed hash step. */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hash(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    // Numbers beyond 32 bits (a seed, a reading count) contribute both halves.
    h = mix32(h ^ mix32(part >>> 0));
    h = mix32(h ^ mix32(Math.floor(part / 2 ** 32) >>> 0));
  }
  return h;
}

/** Uniform in [0, 1) with 53 random bits. */
export function uniform(seed: number, meter: number, reading: number, draw = 0): number {
  const high = hash(seed, meter, reading, draw * 2) >>> 5; // 27 bits
  const low = hash(seed, meter, reading, draw * 2 + 1) >>> 6; // 26 bits
  return (high * 2 ** 26 + low) / 2 ** 53;
}

/** Inverse CDF of the triangular distribution (Python's random.triangular(low, high, mode)). */
export function triangular(u: number, low: number, high: number, mode: number): number {
  const split = (mode - low) / (high - low);
  return u < split
    ? low + Math.sqrt(u * (high - low) * (mode - low))
    : high - Math.sqrt((1 - u) * (high - low) * (high - mode));
}
