/**
 * Did-you-mean: the nearest candidates by edit distance, scaled to the name's length.
 *
 * Imports nothing: the runtime's reader suggests branch names with the same distance
 * (runtime/io/errors.ts), as it formats its errors with the one diagnostics table.
 */

/**
 * Levenshtein distance where a substitution that changes only the case of a letter costs ½:
 * `muon_px` is ½ + ½ = 1 from `Muon_Px` but 2 from `muon_ey`, so a case slip ranks before a
 * wrong letter, and a case slip plus a typo (`muon_pz` → `Muon_Px`, 2) is still in reach.
 * Compares UTF-16 code units.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const m = a.length;
  const n = b.length;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0.5 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n];
}

/**
 * Candidates within a distance that grows with the name (a third of its length, at least 1), with a
 * name equal but for case counted as the nearest however many letters differ: `MUON_PT` → `muon_pt`.
 */
export function suggest(name: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.max(1, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  const scored: Array<[number, string]> = [];
  for (const c of candidates) {
    if (c === name) continue;
    const d = c.toLowerCase() === lower ? 0.5 : editDistance(name, c);
    if (d <= limit) scored.push([d, c]);
  }
  scored.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1));
  return scored.slice(0, max).map((s) => s[1]);
}
