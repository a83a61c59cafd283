/**
 * Edit distance between two strings counting insertions, deletions, substitutions and swaps of two
 * neighbouring characters as 1 each (optimal string alignment, `porbe` → `probe` is 1).
 */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  return d[a.length]![b.length]!;
}

/**
 * The command a mistyped word most likely meant: the only candidate the word is a prefix of, else the
 * nearest by edit distance when at most a third of the longer word differs (at least one edit), else null.
 * `nearestCommand('prob', ['probe', 'serve'])` is `'probe'`.
 */
export function nearestCommand(word: string, candidates: readonly string[]): string | null {
  const prefixed = candidates.filter((c) => word.length >= 2 && c.startsWith(word));
  if (prefixed.length === 1) return prefixed[0]!;
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance && d <= Math.max(1, Math.floor(Math.max(word.length, c.length) / 3))) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
