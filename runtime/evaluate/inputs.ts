/**
 * Checks scored events before any metric: equal lengths, finite scores and weights, class indices
 * in range. Everything downstream assumes these hold, so no metric can produce NaN from its input.
 */
import { issue, type EvalIssue } from "./issues.js";
import type { ScoredEvents } from "./types.js";

export function checkEvents(what: string, ev: ScoredEvents, nClasses: number): EvalIssue | null {
  const n = ev.label.length;
  const bad = (detail: string) => issue("HEP6050", { what, detail });
  if (ev.scores.length === 0) return bad("no score arrays");
  if (ev.weight.length !== n) return bad(`${n} labels but ${ev.weight.length} weights`);
  for (const [k, s] of ev.scores.entries()) if (s.length !== n) return bad(`${n} labels but ${s.length} scores in output ${k}`);
  if (ev.fold && ev.fold.length !== n) return bad(`${n} labels but ${ev.fold.length} folds`);
  if (ev.train && ev.train.length !== n) return bad(`${n} labels but ${ev.train.length} train flags`);
  for (const [k, v] of (ev.vars ?? []).entries()) if (v.length !== n) return bad(`${n} labels but ${v.length} values of bin variable ${k}`);
  for (let i = 0; i < n; i++) {
    const l = ev.label[i];
    if (l < 0 || l >= nClasses) return bad(`event ${i} has class index ${l}, outside [0, ${nClasses})`);
    if (!Number.isFinite(ev.weight[i])) return bad(`event ${i} has weight ${ev.weight[i]}`);
    if (ev.fold && ev.fold[i] < 0) return bad(`event ${i} has fold ${ev.fold[i]}`);
  }
  for (const [k, s] of ev.scores.entries()) {
    for (let i = 0; i < n; i++) if (!Number.isFinite(s[i])) return bad(`event ${i} has score ${s[i]} in output ${k}`);
  }
  return null;
}
