/**
 * Writing a run's results. Everything is written into the run's own directory first; only when all
 * of it succeeded are the declared outputs (paths relative to the analysis) replaced, each by an
 * atomic rename. A failed or interrupted run changes nothing the user sees.
 *
 * Layout in ROOT files, as combine and ROOT users expect: one directory per region, a histogram per
 * variable, and for split histograms a directory per variable holding one histogram per
 * sample/class/group: `sr/ht/single_top` (combine's `$CHANNEL/ht/$PROCESS`).
 */
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, renameSync } from "node:fs";
import * as path from "node:path";
import { canonicalJson } from "../../plan/canonical.js";
import type { Plan } from "../../plan/types.js";
import { createRootFile, type FileStamp } from "../io/index.js";
import { RunError } from "./errors.js";
import { buildMetricsDocument } from "../evaluate/index.js";
import { exportOnnx } from "../models/index.js";
import { writeDataset } from "../train/index.js";
import type { FriendResult } from "./runners/friend.js";
import { writeNtupleArrow, writeNtupleParquet, writeNtupleRoot } from "./ntuple-write.js";
import type { RenderedReport, RunResult } from "./types.js";
import { atomicWrite } from "./cache.js";
import { stageFitOutput } from "./fit-outputs.js";

export interface WrittenOutput {
  /** Declared path, relative to the analysis folder. */
  path: string;
  /** Absolute path of the copy in the run directory. */
  staged: string;
  /** root: histograms; tree: a friend tree (objects: its entries); json */
  kind: "root" | "tree" | "json" | "arrow" | "onnx" | "html" | "svg" | "ntuple" | "datacard";
  objects: number;
}

/**
 * What a ROOT output records besides its objects, fixed so that the same plan on the same inputs
 * writes the same bytes: the UUID comes from the plan's hash and the output's path, the dates from
 * SOURCE_DATE_EPOCH (seconds, the reproducible-builds convention) when set, else from the newest
 * input file's modification time in the plan (a locked plan has none: then 1995-01-01, TDatime's
 * first day).
 */
export function outputStamp(plan: Plan, planHash: string, outputPath: string, env: NodeJS.ProcessEnv = process.env): FileStamp {
  const uuid = createHash("sha256").update(`${planHash}\0${outputPath}`).digest().subarray(0, 16);
  uuid[6] = (uuid[6] & 0x0f) | 0x80; // RFC 9562 version 8: a UUID made by the application's own rule
  uuid[8] = (uuid[8] & 0x3f) | 0x80;
  const epoch = env.SOURCE_DATE_EPOCH?.trim();
  let ms: number;
  if (epoch && /^\d+$/.test(epoch)) ms = Number(epoch) * 1000;
  else {
    const mtimes = plan.inputs.map((i) => i.mtimeMs).filter((m): m is number => typeof m === "number");
    ms = mtimes.length ? Math.max(...mtimes) : Date.UTC(1995, 0, 1);
  }
  return { uuid: new Uint8Array(uuid), date: new Date(ms) };
}

/** Where a ROOT output keeps the analysis header's metadata, one TNamed per field. */
export const METADATA_DIR = "analysis_metadata";

/**
 * The analysis header's metadata as text (name, then experiment, sqrts with its unit, doi, arxiv:
 * those written), for ROOT files (TNamed titles), metrics.json and the report.
 */
export function analysisMetadata(plan: Plan): Record<string, string> {
  const a = plan.analysis;
  const out: Record<string, string> = {};
  if (a.experiment === undefined && a.sqrts === undefined && a.doi === undefined && a.arxiv === undefined) return out;
  out.name = a.name;
  if (a.experiment !== undefined) out.experiment = a.experiment;
  if (a.sqrts !== undefined) out.sqrts = a.sqrts >= 1000 ? `${a.sqrts / 1000} TeV` : `${a.sqrts} GeV`;
  if (a.doi !== undefined) out.doi = a.doi;
  if (a.arxiv !== undefined) out.arxiv = a.arxiv;
  return out;
}

/**
 * A histogram's titles: as ROOT's TH1::SetTitle reads "title;x axis;y axis;z axis", parts left out
 * (or with no title written) keep what hepc writes by default: the name with its region and split,
 * and the variables' names on the axes.
 */
export function histogramTitles(written: string | undefined, title: string, x: string, y: string): { title: string; x: string; y: string; z: string } {
  if (written === undefined) return { title, x, y, z: "" };
  const [t, ...axes] = written.split(";");
  return { title: t, x: axes[0] ?? x, y: axes[1] ?? y, z: axes[2] ?? "" };
}

/**
 * Writes the run's outputs into `stageDir` (mirroring the declared paths). Nothing outside it is
 * touched. Histograms are written in the order their nodes are declared in the plan, whatever
 * order the executor produced them in.
 */
export async function stageOutputs(plan: Plan, result: RunResult, stageDir: string, planHash: string, render?: () => Promise<RenderedReport>): Promise<WrittenOutput[]> {
  const written: WrittenOutput[] = [];
  const declared = new Map(plan.nodes.map((n, i) => [n.id, i]));
  const ordered = result.histograms
    .map((h, i) => ({ h, i }))
    .sort((a, b) => (declared.get(a.h.node) ?? Infinity) - (declared.get(b.h.node) ?? Infinity) || a.i - b.i)
    .map(({ h }) => h);
  const titles = new Map(plan.nodes.flatMap((n) => (n.kind === "histogram" && n.title !== undefined ? [[n.id, n.title] as const] : [])));
  for (const w of plan.nodes) {
    if (w.kind !== "write" || result.notRun.includes(w.id)) continue;
    const staged = path.join(stageDir, w.path);
    try {
      mkdirSync(path.dirname(staged), { recursive: true });
      if (w.format === "root") {
        const hists = ordered.filter((h) => h.file === w.path);
        const file = await createRootFile(staged, { stamp: outputStamp(plan, planHash, w.path) });
        try {
          for (const h of hists) {
            const d = h.data;
            const written = titles.get(h.node);
            const [xt, yt] = d.edges.length === 1 ? [d.name, ""] : d.name.split("_vs_");
            const t = histogramTitles(written, h.split ? `${d.name} (${h.split}, ${h.region})` : `${d.name} (${h.region})`, xt, yt ?? "");
            const title = t.title;
            if (d.edges.length === 1) {
              file.histogram({ path: h.key, title, kind: "TH1D", edges: Float64Array.from(d.edges[0]), contents: Float64Array.from(d.sumw), sumw2: Float64Array.from(d.sumw2), entries: d.entries, xtitle: t.x, ytitle: t.y, stats: { sumw: d.stats.sumw, sumw2: d.stats.sumw2, sumwx: d.stats.sumwx, sumwx2: d.stats.sumwx2 } });
            } else {
              file.histogram2d({ path: h.key, title, kind: "TH2D", xedges: Float64Array.from(d.edges[0]), yedges: Float64Array.from(d.edges[1]), contents: Float64Array.from(d.sumw), sumw2: Float64Array.from(d.sumw2), entries: d.entries, xtitle: t.x, ytitle: t.y, ztitle: t.z, stats: { sumw: d.stats.sumw, sumw2: d.stats.sumw2, sumwx: d.stats.sumwx, sumwx2: d.stats.sumwx2, sumwy: d.stats.sumwy ?? 0, sumwy2: d.stats.sumwy2 ?? 0, sumwxy: d.stats.sumwxy ?? 0 } });
            }
          }
          const meta = analysisMetadata(plan);
          for (const [k, v] of Object.entries(meta)) file.named(`${METADATA_DIR}/${k}`, v);
          await file.close();
        } catch (e) {
          await file.abort();
          throw e;
        }
        written.push({ path: w.path, staged, kind: "root", objects: hists.length });
        // The same histograms as JSON beside it, for tools that do not read ROOT.
        atomicWrite(`${staged}.json`, canonicalJson({ histograms: hists.map((h) => ({ key: h.key, region: h.region, split: h.split, ...h.data })) }));
        written.push({ path: `${w.path}.json`, staged: `${staged}.json`, kind: "json", objects: hists.length });
      } else if (w.format === "datacard" || w.format === "workspace") {
        written.push(...(await stageFitOutput(plan, result, w, stageDir, (rel) => outputStamp(plan, planHash, rel))));
      } else if (w.format === "friend") {
        const friend = result.friends.find((f) => f.path === w.path);
        if (friend) written.push(...(await stageFriendTrees(friend, stageDir, (rel) => outputStamp(plan, planHash, rel))));
      } else if (w.format === "ntuple") {
        const nt = result.ntuples.find((x) => x.node === w.id);
        if (!nt) continue;
        const rows = nt.samples.reduce((a, x) => a + x.rows, 0);
        if (/\.root$/i.test(w.path)) await writeNtupleRoot(nt, staged, outputStamp(plan, planHash, w.path), `hepc ntuple ${w.path}`);
        else if (/\.(arrow|feather)$/i.test(w.path)) await writeNtupleArrow(nt, staged);
        else if (/\.parquet$/i.test(w.path)) await writeNtupleParquet(nt, staged);
        else throw new RunError("HEP6006", { path: w.path, reason: "only .root, .arrow, .feather and .parquet ntuples are written" }, w.origin);
        written.push({ path: w.path, staged, kind: "ntuple", objects: rows });
      } else if ((w.format as string) === "arrow") {
        const rows = result.datasets.find((d) => d.node === w.inputs[0])?.rows;
        if (!rows) continue;
        const made = await writeDataset(staged, rows);
        const error = made.problems.find((p) => p.severity === "error");
        if (error || !made.value) throw new RunError(error?.code ?? "HEP6006", error?.args ?? { path: w.path, reason: "the dataset could not be written" }, w.origin);
        written.push({ path: w.path, staged, kind: "arrow", objects: rows.n });
      } else if ((w.format as string) === "onnx") {
        const trained = result.trained.find((m) => `train:${m.model}` === w.inputs[0]);
        if (!trained) continue;
        const onnx = exportOnnx(trained);
        if ("error" in onnx) throw new RunError("HEP6006", { path: w.path, reason: onnx.error }, w.origin);
        atomicWrite(staged, onnx.bytes);
        written.push({ path: w.path, staged, kind: "onnx", objects: trained.folds.length });
      } else if (w.format === "html") {
        // The page and its plots (report/, through the caller), then the figures as data beside it.
        if (render) {
          const r = await render();
          atomicWrite(staged, r.html);
          written.push({ path: w.path, staged, kind: "html", objects: r.plots.length });
          const dir = path.posix.join(path.posix.dirname(w.path), "plots");
          for (const plot of r.plots) {
            for (const [ext, text] of [["svg", plot.svg], ["vl.json", canonicalJson(plot.spec)]] as const) {
              const rel = path.posix.join(dir, `${plot.name}.${ext}`);
              const at = path.join(stageDir, rel);
              mkdirSync(path.dirname(at), { recursive: true });
              atomicWrite(at, text);
              written.push({ path: rel, staged: at, kind: ext === "svg" ? "svg" : "json", objects: 1 });
            }
          }
        }
        if (result.evaluations.length) {
          const rel = path.posix.join(path.posix.dirname(w.path), "metrics.json");
          const at = path.join(stageDir, rel);
          atomicWrite(at, canonicalJson(buildMetricsDocument(result.evaluations, { analysis: analysisMetadata(plan) })));
          written.push({ path: rel, staged: at, kind: "json", objects: result.evaluations.length });
        }
      } else if (w.format === "json") {
        const flows = result.cutflows.filter((c) => c.file === w.path);
        atomicWrite(staged, canonicalJson({ cutflows: flows.map((c) => ({ regions: c.regions, samples: c.samples })) }));
        written.push({ path: w.path, staged, kind: "json", objects: flows.length });
      }
    } catch (e) {
      if (e instanceof RunError) throw e;
      throw new RunError("HEP6006", { path: w.path, reason: (e as Error).message }, w.origin);
    }
  }
  return written;
}

/**
 * One ROOT file per input file, `DIR/SAMPLE/FILE.root`, holding a tree `predictions` with one
 * entry per entry of the input's tree: the key branches, then one branch per score.
 */
async function stageFriendTrees(friend: FriendResult, stageDir: string, stampOf: (rel: string) => FileStamp): Promise<WrittenOutput[]> {
  const written: WrittenOutput[] = [];
  for (const s of friend.samples) {
    let start = 0;
    for (const { file, entries } of s.files) {
      const rel = path.posix.join(friend.path, s.sample, path.basename(file));
      const staged = path.join(stageDir, rel);
      mkdirSync(path.dirname(staged), { recursive: true });
      const out = await createRootFile(staged, { stamp: stampOf(rel) });
      try {
        const tree = out.tree(FRIEND_TREE, `hepc predictions for ${path.basename(file)} (sample ${s.sample})`, s.columns.map((c) => ({ name: c.name, dtype: c.integer ? ("i8" as const) : ("f8" as const) })));
        const cols: Record<string, ArrayLike<number | bigint>> = {};
        for (const c of s.columns) {
          const slice = c.values.subarray(start, start + entries);
          cols[c.name] = c.integer ? BigInt64Array.from(slice, (v) => BigInt(Math.trunc(v))) : slice;
        }
        if (entries > 0) await tree.append(cols);
        await out.close();
      } catch (e) {
        await out.abort();
        throw e;
      }
      written.push({ path: rel, staged, kind: "tree", objects: entries });
      start += entries;
    }
  }
  return written;
}

/** The friend trees' name: `tree.AddFriend("predictions", FILE)` in ROOT. */
export const FRIEND_TREE = "predictions";

/** Puts staged outputs at their declared paths: each a copy to a temporary name, then a rename. */
export function publishOutputs(outputs: WrittenOutput[], analysisDir: string): void {
  for (const o of outputs) {
    const dest = path.join(analysisDir, o.path);
    try {
      mkdirSync(path.dirname(dest), { recursive: true });
      // Unique per run, not only per process: runs in one process (tests, the language server) too.
      const tmp = `${dest}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
      copyFileSync(o.staged, tmp);
      renameSync(tmp, dest);
    } catch (e) {
      throw new RunError("HEP6006", { path: o.path, reason: (e as Error).message });
    }
  }
}
