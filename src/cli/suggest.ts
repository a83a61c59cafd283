/** Levenshtein edit distance between two strings (insertions, deletions, substitutions; each costs 1). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
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
