/** "Did you mean …?" support: the closest candidate within a small edit distance. */

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j]!;
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      prev[j] = Math.min(above + 1, prev[j - 1]! + 1, diag + cost);
      diag = above;
    }
  }
  return prev[b.length]!;
}

/**
 * Returns the candidate nearest to `word`, or undefined when none is close enough to be a
 * plausible typo (distance at most a third of the word's length, minimum 1; case-insensitive
 * exact matches always qualify).
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c.toLowerCase() === word.toLowerCase() && c !== word) return c;
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance && d <= limit) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

export function didYouMeanHint(word: string, candidates: Iterable<string>): string | undefined {
  const s = didYouMean(word, candidates);
  return s === undefined ? undefined : `did you mean "${s}"?`;
}
