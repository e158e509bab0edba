/**
 * A trained booster: prediction on scaled feature columns, importance, training curves, and its
 * canonical serialisation.
 *
 * Serialisation: `toJSON()` builds a plain object whose keys always come in the same order and
 * whose numbers are JavaScript's shortest round-trip decimals, so `serialize()` (its JSON text) is
 * byte-identical exactly when two models are equal, and `fromJSON` restores the same bits
 * (thresholds are float32 values, which a double represents exactly). An infinite or NaN number
 * (a curve with no validation rows) is written as null.
 */
import { GbdtError } from "./errors.js";
import { marginsToProbabilities } from "./objectives.js";
import type { GbdtParams } from "./params.js";
import { leafOfRow, type Tree } from "./tree.js";

export const FORMAT = "hepc-gbdt";
export const FORMAT_VERSION = 1;

export interface GbdtModelJson {
  format: string;
  version: number;
  objective: "binary:logistic" | "multi:softprob";
  features: number;
  classes: number;
  base_margin: number;
  best_iteration: number;
  params: Record<string, number>;
  trees: {
    feature: number[];
    threshold: number[];
    bin: number[];
    default_left: number[];
    left: number[];
    right: number[];
    value: number[];
    gain: number[];
    cover: number[];
  }[];
  importance: { gain: number[]; splits: number[] };
  curves: { train: (number | null)[]; valid: (number | null)[] };
}

export class GbdtModel {
  constructor(
    readonly features: number,
    /** Number of classes (2 for binary). */
    readonly classes: number,
    /** Trees, round-major: round t, class c at t·outputs + c (outputs = 1 for binary). */
    readonly trees: Tree[],
    /** The round kept last (0-based): the best validation loss with early stopping, else the last round. */
    readonly bestIteration: number,
    readonly params: GbdtParams,
    /**
     * Weighted mean log loss after each round trained, training and validation rows (NaN without
     * validation rows); with early stopping it runs past bestIteration to the round that stopped.
     */
    readonly curves: { train: number[]; valid: number[] },
    readonly baseMargin = 0,
  ) {}

  /** Margins per row: 1 for binary logistic, `classes` for softmax. */
  get outputs(): number {
    return this.classes === 2 ? 1 : this.classes;
  }

  /** Rounds kept (bestIteration + 1 with early stopping). */
  get rounds(): number {
    return this.trees.length / this.outputs;
  }

  /** Per feature: the summed gain of its splits and their count, over the kept trees. */
  get importance(): { gain: number[]; splits: number[] } {
    const gain = new Array<number>(this.features).fill(0);
    const splits = new Array<number>(this.features).fill(0);
    for (const t of this.trees) {
      for (let i = 0; i < t.feature.length; i++) {
        const f = t.feature[i];
        if (f < 0) continue;
        gain[f] += t.gain[i];
        splits[f]++;
      }
    }
    return { gain, splits };
  }

  /** Raw margins, n × outputs row-major. */
  margins(columns: ArrayLike<number>[], n: number): Float64Array {
    if (columns.length !== this.features) throw new GbdtError("HEP6023", { reason: `the model takes ${this.features} features, ${columns.length} were given` });
    const k = this.outputs;
    const m = new Float64Array(n * k).fill(this.baseMargin);
    for (let t = 0; t < this.trees.length; t++) {
      const tree = this.trees[t];
      const c = t % k;
      const value = tree.value;
      for (let r = 0; r < n; r++) m[r * k + c] += value[leafOfRow(tree, columns, r)];
    }
    return m;
  }

  /** Probabilities: n for binary (of class 1), n × classes row-major for multiclass. */
  predict(columns: ArrayLike<number>[], n: number): Float64Array {
    return marginsToProbabilities(this.margins(columns, n), this.outputs, n);
  }

  toJSON(): GbdtModelJson {
    const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);
    const p = this.params;
    return {
      format: FORMAT,
      version: FORMAT_VERSION,
      objective: this.classes === 2 ? "binary:logistic" : "multi:softprob",
      features: this.features,
      classes: this.classes,
      base_margin: this.baseMargin,
      best_iteration: this.bestIteration,
      params: {
        trees: p.trees,
        depth: p.depth,
        learning_rate: p.learningRate,
        min_child_weight: p.minChildWeight,
        lambda: p.lambda,
        gamma: p.gamma,
        subsample: p.subsample,
        colsample: p.colsample,
        bins: p.bins,
        early_stopping: p.earlyStopping,
        seed: p.seed,
      },
      trees: this.trees.map((t) => ({
        feature: Array.from(t.feature),
        threshold: Array.from(t.threshold),
        bin: Array.from(t.bin),
        default_left: Array.from(t.defaultLeft),
        left: Array.from(t.left),
        right: Array.from(t.right),
        value: Array.from(t.value),
        gain: Array.from(t.gain),
        cover: Array.from(t.cover),
      })),
      importance: this.importance,
      curves: { train: this.curves.train.map(fin), valid: this.curves.valid.map(fin) },
    };
  }

  /** The canonical text: equal models, equal bytes. */
  serialize(): string {
    return JSON.stringify(this.toJSON());
  }

  static fromJSON(input: string | GbdtModelJson): GbdtModel {
    let j: GbdtModelJson;
    try {
      j = typeof input === "string" ? (JSON.parse(input) as GbdtModelJson) : input;
    } catch (e) {
      throw new GbdtError("HEP6022", { reason: e instanceof Error ? e.message : String(e) });
    }
    const bad = (reason: string): never => {
      throw new GbdtError("HEP6022", { reason });
    };
    if (!j || j.format !== FORMAT) bad(`not a ${FORMAT} model`);
    if (j.version !== FORMAT_VERSION) bad(`format version ${j.version}, this hepc reads ${FORMAT_VERSION}`);
    if (!Number.isInteger(j.features) || !Number.isInteger(j.classes) || j.classes < 2 || !Array.isArray(j.trees)) bad("missing or malformed header fields");
    const outputs = j.classes === 2 ? 1 : j.classes;
    if (j.trees.length % outputs !== 0) bad(`${j.trees.length} trees is not a multiple of ${outputs} outputs`);
    const trees: Tree[] = j.trees.map((t, ti) => {
      const nodes = t.feature?.length ?? 0;
      for (const key of ["threshold", "bin", "default_left", "left", "right", "value", "gain", "cover"] as const) {
        if (!Array.isArray(t[key]) || t[key].length !== nodes) bad(`tree ${ti}: '${key}' does not have ${nodes} entries`);
      }
      for (let i = 0; i < nodes; i++) {
        const f = t.feature[i];
        if (f >= j.features) bad(`tree ${ti}: node ${i} splits on feature ${f} of ${j.features}`);
        if (f >= 0 && !(t.left[i] > i && t.left[i] < nodes && t.right[i] > i && t.right[i] < nodes)) bad(`tree ${ti}: node ${i} has children out of order`);
      }
      return {
        feature: Int32Array.from(t.feature),
        threshold: Float32Array.from(t.threshold),
        bin: Uint8Array.from(t.bin),
        defaultLeft: Uint8Array.from(t.default_left),
        left: Int32Array.from(t.left),
        right: Int32Array.from(t.right),
        value: Float64Array.from(t.value),
        gain: Float64Array.from(t.gain),
        cover: Float64Array.from(t.cover),
      };
    });
    const p = j.params ?? {};
    const params: GbdtParams = {
      trees: p.trees,
      depth: p.depth,
      learningRate: p.learning_rate,
      minChildWeight: p.min_child_weight,
      lambda: p.lambda,
      gamma: p.gamma,
      subsample: p.subsample,
      colsample: p.colsample,
      bins: p.bins,
      earlyStopping: p.early_stopping,
      seed: p.seed,
    };
    const num = (x: number | null): number => (x === null ? NaN : x);
    return new GbdtModel(j.features, j.classes, trees, j.best_iteration, params, { train: (j.curves?.train ?? []).map(num), valid: (j.curves?.valid ?? []).map(num) }, j.base_margin ?? 0);
  }
}
