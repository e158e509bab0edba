/**
 * The boosting loop: binning, then per round the gradients of the current margins, one tree per
 * output grown depth-wise on histograms, the margins of training and validation rows moved by the
 * tree's leaves, the curves, and early stopping.
 *
 * Growth of one tree (depth-wise, as XGBoost's `hist` with grow_policy=depthwise): the sampled
 * rows form the root's segment of a row partition; at each depth every node's best split is
 * searched on its histogram, its segment is partitioned stably (left rows first, in row order),
 * and of each pair of children only the one with fewer rows has its histogram summed from rows;
 * the other is its parent's minus it. Children at the maximum depth need no histogram.
 */
import type { FoldData } from "../../train/types.js";
import { binMatrix, quantileCuts } from "./binning.js";
import { GbdtError } from "./errors.js";
import { addHist, rowStride, subtractHist } from "./histograms.js";
import { BLOCK_ROWS, HIST_STRIDE, SLOTS } from "./layout.js";
import { GbdtModel } from "./model.js";
import { blockMean, GRADIENT_BLOCK, logisticLoss, softmaxGradients, softmaxProbabilities } from "./objectives.js";
import { checkParams, type GbdtParams } from "./params.js";
import { bestSplit, leafWeight, type Split } from "./split.js";
import type { SharedArrays } from "./tasks.js";
import { sharedArray, startEngine, usesWorkers, type HistEngine } from "./threads.js";
import { leafOfBinned, TreeBuilder, type Tree } from "./tree.js";

export interface TrainOptions {
  /** Threads summing histograms (the calling one included); the model does not depend on it. */
  threads: number;
  /** Number of classes; default: the largest label + 1 (at least 2). */
  classes?: number;
  /** Called once per round with the weighted mean log loss of training and validation rows (NaN without validation rows). */
  onRound?: (round: number, trainLoss: number, validLoss: number) => void;
  /** Told once before the first round how many threads sum histograms (tests check the threaded path ran). */
  onStart?: (info: { threads: number }) => void;
  /** Checked between trees; an aborted signal stops training with the signal's reason. */
  signal?: AbortSignal;
}

interface NodeState {
  id: number;
  start: number;
  end: number;
  G: number;
  H: number;
  slot: number;
}

/** A small, seeded generator (mulberry32): subsample and colsample draws, stable across platforms. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function treeSeed(seed: number, tree: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(tree + 1, 0xc2b2ae35)) >>> 0;
}

function checkData(data: FoldData, classes: number): void {
  const bad = (reason: string): never => {
    throw new GbdtError("HEP6020", { reason });
  };
  const F = data.columns.length;
  if (data.n === 0) bad("there are no training rows");
  if (F === 0) bad("there are no features");
  const parts = [
    { what: "training", p: data },
    { what: "validation", p: data.valid },
  ];
  for (const { what, p } of parts) {
    if (p.columns.length !== F && p.n > 0) bad(`the ${what} rows have ${p.columns.length} features, not ${F}`);
    if (p.label.length < p.n || p.weight.length < p.n) bad(`the ${what} labels or weights are shorter than ${p.n} rows`);
    for (const c of p.columns) if (c.length < p.n) bad(`a ${what} feature column is shorter than ${p.n} rows`);
    for (let i = 0; i < p.n; i++) {
      const y = p.label[i];
      if (!(y >= 0 && y < classes)) bad(`${what} row ${i} has label ${y}, outside 0..${classes - 1}`);
      if (!Number.isFinite(p.weight[i])) bad(`${what} row ${i} has weight ${p.weight[i]}`);
    }
  }
}

export async function trainGbdt(data: FoldData, paramsIn: Partial<GbdtParams>, opts: TrainOptions): Promise<GbdtModel> {
  const params = checkParams(paramsIn);
  let classes = opts.classes ?? 0;
  if (!classes) {
    let mx = 1;
    for (let i = 0; i < data.n; i++) if (data.label[i] > mx) mx = data.label[i];
    for (let i = 0; i < data.valid.n; i++) if (data.valid.label[i] > mx) mx = data.valid.label[i];
    classes = mx + 1;
  }
  checkData(data, classes);
  const k = classes === 2 ? 1 : classes;
  const n = data.n;
  const F = data.columns.length;
  const threads = Math.max(1, Math.floor(opts.threads || 1));
  const shared = usesWorkers(threads);

  const cuts = data.columns.map((c) => quantileCuts(c, data.weight, n, params.bins));
  const binCount = Int32Array.from(cuts, (c) => c.length + 1);
  const S = rowStride(F);
  const bins = binMatrix(data.columns, cuts, n, sharedArray(Uint8Array, n * S, shared), S);
  const nv = data.valid.n;
  const validBins = nv > 0 ? binMatrix(data.valid.columns, cuts, nv, undefined, S) : new Uint8Array(0);
  const gh = sharedArray(Float32Array, 2 * n, shared);
  const rows = sharedArray(Int32Array, n, shared);
  // The bins again, column-major: a partition reads one feature of rows in ascending order, which
  // in this layout is a forward scan of one column rather than a 1-in-F byte stride.
  const binColumns = sharedArray(Uint8Array, n * F, shared);
  for (let r = 0; r < n; r++) for (let f = 0; f < F; f++) binColumns[f * n + r] = bins[r * S + f];
  const words = new Uint32Array(bins.buffer, bins.byteOffset, bins.length >> 2);
  // Binary: the gradient pass runs on the threads too, so its inputs are shared.
  const logistic =
    classes === 2
      ? {
          margin: sharedArray(Float64Array, n, shared),
          label: copyShared(Int32Array, data.label, n, shared),
          weight: copyShared(Float32Array, data.weight, n, shared),
        }
      : null;
  const arrays: SharedArrays = { bins, words, binColumns, F, n, gh, rows, tmp: sharedArray(Int32Array, n, shared), logistic };
  const engine = startEngine(threads, arrays);
  opts.onStart?.({ threads: engine.threads });
  try {
    return await boost(data, params, opts, { k, classes, n, F, shared, cuts, binCount, bins, validBins, gh, rows, engine, arrays });
  } finally {
    await engine.close();
  }
}

interface Ctx {
  k: number;
  classes: number;
  n: number;
  F: number;
  shared: boolean;
  cuts: Float32Array[];
  binCount: Int32Array;
  bins: Uint8Array;
  validBins: Uint8Array;
  gh: Float32Array;
  rows: Int32Array;
  engine: HistEngine;
  arrays: SharedArrays;
}

function copyShared<T extends Int32Array | Float32Array>(ctor: { new (b: ArrayBufferLike): T; BYTES_PER_ELEMENT: number }, src: ArrayLike<number>, n: number, shared: boolean): T {
  const out = sharedArray(ctor, n, shared);
  for (let i = 0; i < n; i++) out[i] = src[i];
  return out;
}

async function boost(data: FoldData, params: GbdtParams, opts: TrainOptions, ctx: Ctx): Promise<GbdtModel> {
  const { k, n, F } = ctx;
  const nv = data.valid.n;
  const margin = ctx.arrays.logistic?.margin ?? new Float64Array(n * k);
  const gradientJobs: number[] = [];
  for (let s = 0; s < n; s += GRADIENT_BLOCK) gradientJobs.push(s, Math.min(n, s + GRADIENT_BLOCK));
  const gradientSums = sharedArray(Float64Array, gradientJobs.length, ctx.shared);
  const validMargin = new Float64Array(nv * k);
  const prob = k > 1 ? new Float64Array(n * k) : null;
  const grower = new Grower(params, ctx);
  const trees: Tree[] = [];
  const curves = { train: [] as number[], valid: [] as number[] };
  let best = Infinity;
  let bestIteration = -1;
  const validLoss = (): number => {
    if (nv === 0) return NaN;
    return k === 1 ? logisticLoss(validMargin, data.valid.label, data.valid.weight, nv) : softmaxProbabilities(validMargin, k, data.valid.label, data.valid.weight, new Float64Array(nv * k), nv);
  };
  const trainLoss = async (): Promise<number> => {
    if (k > 1) return softmaxProbabilities(margin, k, data.label, data.weight, prob!, n);
    await ctx.engine.run({ kind: "gradients", jobs: Int32Array.from(gradientJobs), out: gradientSums });
    return blockMean(gradientSums, gradientJobs.length / 2);
  };

  for (let round = 0; round < params.trees; round++) {
    // The gradient pass also yields the loss of the margins so far: the previous round's point.
    const lossBefore = await trainLoss();
    if (round > 0) {
      curves.train.push(lossBefore);
      opts.onRound?.(round - 1, lossBefore, curves.valid[round - 1]);
    }
    for (let c = 0; c < k; c++) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error("aborted");
      if (k > 1) softmaxGradients(prob!, k, c, data.label, data.weight, ctx.gh, n);
      const treeIndex = round * k + c;
      const tree = await grower.grow(treeIndex, margin, c);
      trees.push(tree);
      for (let r = 0; r < nv; r++) validMargin[r * k + c] += tree.value[leafOfBinned(tree, ctx.validBins, r * rowStride(F))];
    }
    const vl = validLoss();
    curves.valid.push(vl);
    if (nv > 0) {
      if (vl < best) {
        best = vl;
        bestIteration = round;
      } else if (params.earlyStopping > 0 && round - bestIteration >= params.earlyStopping) break;
    }
  }
  const rounds = curves.valid.length;
  const lastLoss = k === 1 ? logisticLoss(margin, data.label, data.weight, n) : softmaxProbabilities(margin, k, data.label, data.weight, prob!, n);
  curves.train.push(lastLoss);
  opts.onRound?.(rounds - 1, lastLoss, curves.valid[rounds - 1]);
  if (nv === 0 || params.earlyStopping === 0) bestIteration = rounds - 1;
  return new GbdtModel(F, ctx.classes, trees.slice(0, (bestIteration + 1) * k), bestIteration, params, curves);
}

/** Grows trees on the shared arrays of one training. */
class Grower {
  private readonly size: number;
  private arena: Float64Array;
  private partial: Float64Array;
  private free: number[] = [];
  private slots = 0;
  private readonly sampled: Uint8Array | null;

  constructor(
    private readonly params: GbdtParams,
    private readonly ctx: Ctx,
  ) {
    this.size = ctx.F * HIST_STRIDE;
    this.arena = sharedArray(Float64Array, 0, ctx.shared);
    this.partial = sharedArray(Float64Array, 0, ctx.shared);
    this.sampled = params.subsample < 1 ? new Uint8Array(ctx.n) : null;
  }

  private alloc(): number {
    const s = this.free.pop();
    if (s !== undefined) return s;
    const slot = this.slots++;
    if (this.slots * this.size > this.arena.length) {
      const grown = sharedArray(Float64Array, Math.max(4, this.slots * 2) * this.size, this.ctx.shared);
      grown.set(this.arena);
      this.arena = grown;
    }
    return slot;
  }

  private release(slot: number): void {
    if (slot >= 0) this.free.push(slot);
  }

  /** Sums the histograms of `nodes` (each with its slot) from their rows, in fixed blocks. */
  private async build(nodes: NodeState[]): Promise<void> {
    const jobs: number[] = [];
    const reduce: [number, number][] = [];
    let p = 0;
    for (const node of nodes) {
      const len = node.end - node.start;
      const blocks = Math.max(1, Math.ceil(len / BLOCK_ROWS));
      for (let b = 0; b < blocks; b++) {
        const s = node.start + b * BLOCK_ROWS;
        const e = Math.min(node.end, s + BLOCK_ROWS);
        if (b === 0) jobs.push(s, e, 0, node.slot * this.size);
        else {
          jobs.push(s, e, 1, p * this.size);
          reduce.push([node.slot, p]);
          p++;
        }
      }
    }
    if (p * this.size > this.partial.length) this.partial = sharedArray(Float64Array, p * this.size, this.ctx.shared);
    await this.ctx.engine.run({ kind: "hist", jobs: Int32Array.from(jobs), arena: this.arena, partial: this.partial });
    for (const [slot, q] of reduce) addHist(this.arena, slot * this.size, this.partial, q * this.size, this.size);
  }

  /**
   * Partitions the segments of all `splits` at once, in blocks (tasks.ts): counts of left rows
   * per block, offsets from them in block order, a scatter into tmp, and the copy back. Returns
   * each node's first right row.
   */
  private async partition(splits: { node: NodeState; split: Split }[]): Promise<number[]> {
    const jobs: number[] = [];
    const owner: number[] = [];
    splits.forEach(({ node, split }, x) => {
      for (let s = node.start; s < node.end; s += BLOCK_ROWS) {
        jobs.push(s, Math.min(node.end, s + BLOCK_ROWS), split.feature, split.bin, split.defaultLeft ? 1 : 0);
        owner.push(x);
      }
    });
    const jobArray = Int32Array.from(jobs);
    const counts = sharedArray(Int32Array, owner.length, this.ctx.shared);
    await this.ctx.engine.run({ kind: "count", jobs: jobArray, out: counts });
    const mids = splits.map(({ node }) => node.start);
    for (let b = 0; b < owner.length; b++) mids[owner[b]] += counts[b];
    const pos = sharedArray(Int32Array, 2 * owner.length, this.ctx.shared);
    const left = splits.map(({ node }) => node.start);
    const right = mids.slice();
    for (let b = 0; b < owner.length; b++) {
      const x = owner[b];
      pos[2 * b] = left[x];
      pos[2 * b + 1] = right[x];
      left[x] += counts[b];
      right[x] += jobArray[5 * b + 1] - jobArray[5 * b] - counts[b];
    }
    await this.ctx.engine.run({ kind: "scatter", jobs: jobArray, pos });
    const { rows, tmp } = this.ctx.arrays;
    for (const { node } of splits) rows.set(tmp.subarray(node.start, node.end), node.start);
    return mids;
  }

  private drawFeatures(random: () => number): Int32Array {
    const F = this.ctx.F;
    if (this.params.colsample >= 1) return Int32Array.from({ length: F }, (_, i) => i);
    const take = Math.max(1, Math.round(this.params.colsample * F));
    const all = Array.from({ length: F }, (_, i) => i);
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(random() * (F - i));
      [all[i], all[j]] = [all[j], all[i]];
    }
    return Int32Array.from(all.slice(0, take)).sort();
  }

  async grow(treeIndex: number, margin: Float64Array, c: number): Promise<Tree> {
    const { rows, n, F, k, bins } = this.ctx;
    const p = this.params;
    const random = rng(treeSeed(p.seed, treeIndex));
    let m = 0;
    if (this.sampled) {
      this.sampled.fill(0);
      for (let r = 0; r < n; r++) {
        if (random() < p.subsample) {
          rows[m++] = r;
          this.sampled[r] = 1;
        }
      }
    } else for (let r = 0; r < n; r++) rows[m++] = r;
    const features = this.drawFeatures(random);

    const tb = new TreeBuilder();
    const root: NodeState = { id: 0, start: 0, end: m, G: 0, H: 0, slot: this.alloc() };
    await this.build([root]);
    for (let b = 0; b < SLOTS; b++) {
      root.G += this.arena[root.slot * this.size + 2 * b];
      root.H += this.arena[root.slot * this.size + 2 * b + 1];
    }
    // Without rows the sums above are not the node's: a tree of one zero leaf.
    if (m === 0) root.G = root.H = 0;
    root.id = tb.add(root.H);
    const leaves: NodeState[] = [];
    let level: NodeState[] = [root];
    for (let d = 0; level.length > 0; d++) {
      const next: NodeState[] = [];
      const toBuild: NodeState[] = [];
      const toSubtract: [NodeState, NodeState, NodeState][] = [];
      const splits: { node: NodeState; split: Split }[] = [];
      for (const node of level) {
        const split = d < p.depth && node.slot >= 0 ? bestSplit(this.arena, node.slot * this.size, node.G, node.H, this.ctx.binCount, features, p.lambda, p.minChildWeight, p.gamma) : null;
        if (!split) {
          tb.value[node.id] = leafWeight(node.G, node.H, p.lambda, p.minChildWeight) * p.learningRate;
          leaves.push(node);
          this.release(node.slot);
          continue;
        }
        tb.feature[node.id] = split.feature;
        tb.bin[node.id] = split.bin;
        tb.threshold[node.id] = this.ctx.cuts[split.feature][split.bin];
        tb.defaultLeft[node.id] = split.defaultLeft ? 1 : 0;
        tb.gain[node.id] = split.gain;
        splits.push({ node, split });
      }
      const mids = splits.length > 0 ? await this.partition(splits) : [];
      splits.forEach(({ node, split }, x) => {
        const mid = mids[x];
        const L: NodeState = { id: tb.add(split.HL), start: node.start, end: mid, G: split.GL, H: split.HL, slot: -1 };
        const R: NodeState = { id: tb.add(split.HR), start: mid, end: node.end, G: split.GR, H: split.HR, slot: -1 };
        tb.left[node.id] = L.id;
        tb.right[node.id] = R.id;
        if (d + 1 < p.depth) {
          const [small, large] = mid - node.start <= node.end - mid ? [L, R] : [R, L];
          small.slot = this.alloc();
          large.slot = this.alloc();
          toBuild.push(small);
          toSubtract.push([large, node, small]);
        } else this.release(node.slot);
        next.push(L, R);
      });
      if (toBuild.length > 0) await this.build(toBuild);
      for (const [large, parent, small] of toSubtract) {
        subtractHist(this.arena, large.slot * this.size, this.arena, parent.slot * this.size, this.arena, small.slot * this.size, this.size);
        this.release(parent.slot);
      }
      level = next;
    }
    const tree = tb.finish();
    // Margins: sampled rows from their leaf's segment, the others by walking the tree.
    for (const leaf of leaves) {
      const v = tree.value[leaf.id];
      for (let i = leaf.start; i < leaf.end; i++) margin[rows[i] * k + c] += v;
    }
    if (this.sampled) {
      for (let r = 0; r < n; r++) if (!this.sampled[r]) margin[r * k + c] += tree.value[leafOfBinned(tree, bins, r * rowStride(F))];
    }
    return tree;
  }
}
