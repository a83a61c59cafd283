/**
 * The nearest-rank percentile of sorted values: the smallest value with at least `p` of the values at or
 * below it; `null` for no values.
 * @param sorted ascending values (e.g. round-trip times in ms).
 * @param p a fraction, 0 < p ≤ 1 (0.5 for the median, 0.99 for p99).
 */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}
