/**
 * What a node does when the plan is interpreted. A runner per node kind: in a pass over the
 * samples it gives each sample a task (the per-event columns it needs from the kernel, then its
 * chunks in entry order), and after the pass it merges the samples' partial results in plan order.
 * Runners never read files or start threads themselves: the interpreter streams, they consume.
 */
import type { ExprIR, FilterNode, Plan, PlanNode, ReadNode, WeightNode } from "../../../plan/types.js";
import type { CachedOutput } from "../stream.js";
import type { RunOptions } from "../types.js";

/** One chunk of a sample once the events link has run: weights checked, regions resolved. */
export interface Events {
  n: number;
  /** Entry index of the chunk's first event within its sample. */
  entry0: number;
  /** Kernel outputs by key, and columns added by earlier links of the chain (scores). Valid for this call only. */
  columns: Map<string, Float64Array | Uint8Array>;
  /** The file and entry within it of the chunk's i-th event. */
  locate(i: number): { file: string; entry: number };
  /** Event weights, or null when the sample has no weight expression (all 1). */
  w: Float64Array | null;
  /** Ascending indices of the chunk's events in a region (SELECTED: the sample's selection). */
  passing(region: string): { idx: Int32Array; count: number };
  /**
   * The weights of the events in a region: the sample's, times the region's weight (`{ weight ... }`,
   * with those of the regions it is built on) where it has one. Valid at the indices `passing(region)`
   * gives; null when all are 1.
   */
  weightsIn(region: string): Float64Array | null;
}

/** The events of the sample's own selection (all events without one). */
export const SELECTED = "";

/** A sample as the runners see it during a pass. */
export interface SampleScope {
  read: ReadNode;
  weight: WeightNode | undefined;
  select: FilterNode | undefined;
  /** Content address of an expression evaluated on this sample: survives renames. */
  keyOf(expr: ExprIR): string;
  /** The events in any of `regions` (or, with none, the sample's selection), as a kernel condition. */
  condition(regions: string[]): { expr: ExprIR; hash: string } | undefined;
}

/** What the events link learnt of a sample over a whole pass. */
export interface SampleTotals {
  entries: number;
  /** Sum of event weights over all entries (before any selection). */
  sumw: number;
  /** xsec × lumi / sum of generated weights, or 1. */
  norm: number;
  /** Whether its ROOT files were read (false: every column came from the cache). */
  read: boolean;
}

/** A node's work on one sample in one pass. */
export interface SampleTask<P = unknown> {
  /** Per-event columns the kernel computes for this task. */
  outputs: CachedOutput[];
  /** Regions whose event indices `chunk` asks for. */
  regions: string[];
  /**
   * Every chunk, in entry order. Arrays in `ev` are reused afterwards: copy what is kept. A
   * returned promise (an imported model's inference) is awaited before the next link and chunk.
   */
  chunk(ev: Events): void | Promise<void>;
  /** The sample's partial result, once its last chunk is consumed. */
  finish(totals: SampleTotals): P;
}

/** State shared by the runners of one run: the plan, the options, and what earlier stages made. */
export interface RunState {
  plan: Plan;
  opts: RunOptions;
  byId: ReadonlyMap<string, PlanNode>;
  /** Output file of each node a write node takes, by node id. */
  fileOf: ReadonlyMap<string, string>;
  /** Things that did not stop the run but should be known. */
  warnings: string[];
  /** Nodes that do not run (HEP6001) and everything that needs them. */
  notRun: ReadonlySet<string>;
  /** Models whose scores expressions read, and each sample's score columns once scored (by column key). */
  scoresRead: ReadonlySet<string>;
  scoreColumns: Map<string, Map<string, Float64Array>>;
  /** Results by node id, as each runner's merge leaves them. */
  results: Map<string, unknown>;
}

export interface Runner<N extends PlanNode = PlanNode, P = unknown> {
  /** Before a pass the node takes part in: what `sample` needs ready (an imported model opened). */
  prepare?(node: N, run: RunState): Promise<void>;
  /** Once the run is over, done or failed: what `prepare` holds is let go. */
  release?(node: N, run: RunState): Promise<void>;
  /** The node's task on one sample of a pass (null: nothing to do on that sample). */
  sample?(node: N, scope: SampleScope, run: RunState): SampleTask<P> | null;
  /** After the pass: the partial results of the samples that had a task, in plan order. */
  merge?(node: N, partials: Array<{ scope: SampleScope; totals: SampleTotals; partial: P }>, run: RunState): void | Promise<void>;
}

/**
 * A value derived once per run and node (whether a train block gathers rows, a model's loaded
 * folds), kept beside the run rather than among its results.
 */
export function perRun<T>(): (run: RunState, id: string, make: () => T) => T {
  const memo = new WeakMap<RunState, Map<string, T>>();
  return (run, id, make) => {
    let m = memo.get(run);
    if (!m) memo.set(run, (m = new Map()));
    if (!m.has(id)) m.set(id, make());
    return m.get(id)!;
  };
}
