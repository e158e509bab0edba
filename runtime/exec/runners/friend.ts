/**
 * Friend trees of predictions (`output { predictions "DIR" friend keyed ... }`): per sample, every
 * entry's scores from the predict nodes that ran, with the key columns, kept in entry order and
 * split by input file after the pass, so that each input file gets a tree with exactly its
 * entries (ROOT's AddFriend and uproot line them up by entry).
 */
import type { WriteNode } from "../../../plan/types.js";
import { GrowableF64 } from "./growable.js";
import { scoredModel } from "./imported.js";
import { scoreColumn, scoreNames } from "./predict.js";
import type { Runner } from "./types.js";

export interface FriendColumns {
  sample: string;
  /** The sample's files, in order, with their entries. */
  files: Array<{ file: string; entries: number }>;
  /** Branch name → one value per entry of the sample, in order: keys first, then scores. */
  columns: Array<{ name: string; values: Float64Array; integer: boolean }>;
}

export interface FriendResult {
  path: string;
  samples: FriendColumns[];
}

export const friendRunner: Runner<WriteNode, FriendColumns> = {
  sample(w, scope, run) {
    if (w.format !== "friend") return null;
    const models = w.inputs.filter((i) => i.startsWith("predict:") && !run.notRun.has(i)).map((i) => i.slice("predict:".length));
    const keys = (w.keys ?? []).map((e, k) => ({ name: keyName(e, k), expr: e, integer: e.type === "int" || e.type === "bool" }));
    const scores = models.flatMap((m) => {
      const model = scoredModel(run, m);
      return scoreNames(m, model.outputs > 1 ? model.classes : []).map((name, k) => ({ name, key: scoreColumn(m, k) }));
    });
    const keyCols = keys.map(() => new GrowableF64());
    const scoreCols = scores.map(() => new GrowableF64());
    const files = scope.read.files.map((file) => ({ file, entries: 0 }));
    let fileAt = 0;
    return {
      outputs: keys.map((k, i) => ({ key: `key:${w.id}:${i}`, expr: k.expr, as: "f64" as const, cacheKey: scope.keyOf(k.expr) })),
      regions: [],
      chunk(ev) {
        keyCols.forEach((g, i) => g.append(ev.columns.get(`key:${w.id}:${i}`) as Float64Array, ev.n));
        scoreCols.forEach((g, i) => g.append(ev.columns.get(scores[i].key) as Float64Array, ev.n));
        // entries per file: chunks come in entry order, and one from the cache may span files
        for (let i = 0; i < ev.n; ) {
          const file = ev.locate(i).file;
          while (fileAt < files.length - 1 && files[fileAt].file !== file) fileAt++;
          const last = ev.locate(ev.n - 1).file === file ? ev.n : i + 1;
          files[fileAt].entries += last - i;
          i = last;
        }
      },
      finish: () => ({
        sample: scope.read.sample,
        files,
        columns: [...keys.map((k, i) => ({ name: k.name, values: keyCols[i].values(), integer: k.integer })), ...scores.map((s, i) => ({ name: s.name, values: scoreCols[i].values(), integer: false }))],
      }),
    };
  },
  merge(w, partials, run) {
    if (w.format !== "friend") return;
    const result: FriendResult = { path: w.path, samples: partials.map((p) => p.partial) };
    run.results.set(w.id, result);
  },
};

/** A key's branch name: the builtin or branch it reads (`entry`, `event`), else key0, key1 ... */
function keyName(e: NonNullable<WriteNode["keys"]>[number], k: number): string {
  if (e.op === "builtin" || e.op === "branch") return e.name;
  return `key${k}`;
}

