/**
 * Separation ⟨S²⟩ as TMVA defines it (TMVA::Tools::GetSeparation):
 *   ⟨S²⟩ = ½ Σ_bins (ŝ − b̂)² / (ŝ + b̂),
 * ŝ and b̂ the signal and background score histograms each normalised to unit sum. 0 for
 * identical shapes, 1 for no overlap. Binning: `bins` equal bins (default 100) over [min, max]
 * of the scores of both classes together (the maximum falls in the last bin). Negative weights
 * enter the bin sums as they are; bins with ŝ + b̂ ≤ 0 are skipped, as TMVA skips empty ones.
 */
import { asSelector, type EventTest } from "./select.js";
import { undefinedFigure, type Figure } from "./types.js";

/**
 * @param events the events, in the order their weights are summed; null: every event in index
 *   order (a section's events laid out in ranked order, dense.ts)
 * @param isSignal best given as data (select.ts): a closure per section made V8 drop this loop's code
 */
export function separation(
  score: Float64Array, weight: Float64Array, events: Uint32Array | null, isSignal: EventTest, bins = 100,
): Figure {
  const { values: sig, is } = asSelector(isSignal, score.length);
  const count = events ? events.length : score.length;
  let min = Infinity, max = -Infinity;
  for (let k = 0; k < count; k++) {
    const x = score[events ? events[k] : k];
    if (x < min) min = x;
    if (x > max) max = x;
  }
  // The class picks where to add, not a branch (it is close to random from one event to the
  // next): the signal's histogram, total and count first, the background's after; every sum
  // still in the events' order.
  const h = new Float64Array(2 * bins);
  const total = new Float64Array(2), n = new Float64Array(2);
  const width = (max - min) / bins;
  for (let k = 0; k < count; k++) {
    const i = events ? events[k] : k;
    const w = weight[i];
    const j = width > 0 ? Math.min(bins - 1, Math.floor((score[i] - min) / width)) : 0;
    const c = 1 - Number(sig[i] === is);
    h[j + bins * c] += w;
    total[c] += w;
    n[c]++;
  }
  const hs = h.subarray(0, bins), hb = h.subarray(bins);
  const [ts, tb] = total, [ns, nb] = n;
  if (ns === 0) return undefinedFigure("no signal events");
  if (nb === 0) return undefinedFigure("no background events");
  if (!(ts > 0)) return undefinedFigure(`total signal weight ${ts} is not positive`);
  if (!(tb > 0)) return undefinedFigure(`total background weight ${tb} is not positive`);
  let sep = 0;
  for (let j = 0; j < bins; j++) {
    const s = hs[j] / ts, b = hb[j] / tb;
    if (s + b > 0) sep += ((s - b) * (s - b)) / (s + b);
  }
  return 0.5 * sep;
}
