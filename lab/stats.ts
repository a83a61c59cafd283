/** min / median / max of a list of durations in ms; all `null` for an empty list. */
export interface DurationStats {
  minMs: number | null;
  medianMs: number | null;
  maxMs: number | null;
}

/** Computes {@link DurationStats} (median of an even count = mean of the two middle values, rounded). */
export function durationStats(valuesMs: readonly number[]): DurationStats {
  if (valuesMs.length === 0) return { minMs: null, medianMs: null, maxMs: null };
  const sorted = [...valuesMs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { minMs: sorted[0]!, medianMs: Math.round(median), maxMs: sorted[sorted.length - 1]! };
}

/** Renders rows as a left-aligned plain-text table with a header line and a dashed separator. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
