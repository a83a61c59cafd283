/**
 * A deterministic pseudo-random generator (mulberry32) returning numbers in [0, 1), so a benchmark's data or
 * a hardening run's targets can be made again from the same `seed` (a 32-bit integer).
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
