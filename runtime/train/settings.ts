/** Reads a train node and its features' scale node into Settings, checking the names they use. */
import { exprLabel } from "./label.js";
import { Problems, num } from "./problems.js";
import { classOrder } from "../../plan/classes.js";
import type { ScaleSpec, Settings, TrainSpec } from "./spec.js";

export function resolveSettings(train: TrainSpec, scale: ScaleSpec, problems: Problems): Settings | null {
  // `classes` blocks give the order (the output index); otherwise it is by name, `signal` last
  const classes = train.order ?? classOrder(Object.keys(train.classes));
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const sampleClass = new Map<string, number>();
  const samples: string[] = [];
  classes.forEach((c, k) => {
    for (const s of train.classes[c] ?? []) {
      if (sampleClass.has(s)) {
        problems.add("HEP6018", { detail: `sample '${s}' is listed in two classes` });
        continue;
      }
      sampleClass.set(s, k);
      samples.push(s);
    }
  });

  const classWeights = new Float64Array(classes.length).fill(1);
  for (const [c, w] of Object.entries(train.classWeights ?? {})) {
    const k = classIndex.get(c);
    if (k === undefined) problems.add("HEP6018", { detail: `the class weights name '${c}', which is not a class of this training (${classes.join(", ")})` });
    else if (!(Number.isFinite(w) && w >= 0)) problems.add("HEP6018", { detail: `the weight of class '${c}' is ${num(w)}; class weights are finite and not negative` });
    else classWeights[k] = w;
  }

  let reweight: Settings["reweight"] = null;
  const rw = train.reweight;
  if (rw) {
    if (rw.mode !== "flat" && rw.mode !== "to") problems.add("HEP6018", { detail: `unknown reweighting mode '${rw.mode}'` });
    const groupOf = new Int32Array(classes.length).fill(-1);
    const groupNames: string[] = [];
    for (const group of rw.merge ?? []) {
      const g = groupNames.length;
      const known = group.filter((c) => {
        const k = classIndex.get(c);
        if (k === undefined) problems.add("HEP6018", { detail: `the reweighting groups name '${c}', which is not a class of this training (${classes.join(", ")})` });
        else if (groupOf[k] >= 0) problems.add("HEP6018", { detail: `class '${c}' is in two reweighting groups` });
        else {
          groupOf[k] = g;
          return true;
        }
        return false;
      });
      if (known.length > 0) groupNames.push(known.length === 1 ? `class '${known[0]}'` : `classes ${known.map((c) => `'${c}'`).join(" + ")}`);
    }
    classes.forEach((c, k) => {
      if (groupOf[k] < 0) {
        groupOf[k] = groupNames.length;
        groupNames.push(`class '${c}'`);
      }
    });
    let target: NonNullable<Settings["reweight"]>["target"] = null;
    if (rw.mode === "to") {
      const t = rw.target;
      if (t !== null && classIndex.has(t)) target = { kind: "class", index: classIndex.get(t)!, name: t };
      else if (t !== null && sampleClass.has(t)) target = { kind: "sample", name: t };
      else problems.add("HEP6018", { detail: t === null ? "reweighting `to` names no target" : `the reweighting target '${t}' is neither a class nor a sample of this training` });
    }
    const maxWeight = rw.maxWeight ?? null;
    if (maxWeight !== null && !(maxWeight > 0 && Number.isFinite(maxWeight))) problems.add("HEP6018", { detail: `the largest reweighting factor must be a positive number, got ${num(maxWeight)}` });
    rw.axes.forEach((a, i) => {
      const sorted = a.edges.length >= 2 && a.edges.every((e, j) => Number.isFinite(e) && (j === 0 || e > a.edges[j - 1]));
      if (!sorted) problems.add("HEP6018", { detail: `the edges of reweighting axis ${i + 1} are not increasing finite numbers` });
    });
    reweight = { mode: rw.mode === "to" ? "to" : "flat", axes: rw.axes.map((a) => ({ edges: a.edges, label: exprLabel(a.expr) })), groupOf, groupNames, target, maxWeight };
  }

  const validation = train.validation ?? 0;
  if (!(validation >= 0 && validation < 1)) problems.add("HEP6018", { detail: `the validation fraction must be in [0, 1), got ${num(validation)}` });
  let test: Settings["test"] = { kind: "none" };
  const t = train.test ?? null;
  if (t && "fraction" in t) {
    if (!(t.fraction >= 0 && t.fraction < 1)) problems.add("HEP6018", { detail: `the test fraction must be in [0, 1), got ${num(t.fraction)}` });
    test = { kind: "fraction", fraction: t.fraction };
  } else if (t) test = { kind: "expr" };

  const negative = train.negativeWeights ?? "keep";
  if (negative !== "keep" && negative !== "abs" && negative !== "drop") problems.add("HEP6018", { detail: `unknown negative-weight policy '${negative as string}'` });
  if (train.balance !== "classes" && train.balance !== "none") problems.add("HEP6018", { detail: `unknown balance mode '${train.balance}'` });
  const folds = train.folds ? train.folds.n : null;
  if (folds !== null && !(Number.isInteger(folds) && folds >= 2)) problems.add("HEP6018", { detail: `the number of folds must be an integer ≥ 2, got ${num(folds)}` });

  if (problems.hasErrors) return null;
  return {
    classes,
    sampleClass,
    samples,
    folds,
    validation,
    test,
    negative,
    balance: train.balance === "classes",
    classWeights,
    reweight,
    seed: train.seed,
    features: scale.features.map((f) => ({ name: f.name, scaling: f.scaling })),
  };
}
