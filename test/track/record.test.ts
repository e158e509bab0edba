/**
 * Runs recorded by `hepc run` on the examples: what run.json holds (source, git, checksums,
 * params, metrics with steps, models), failed runs, compare with the semantic diff, and the
 * MLflow file-store export checked file by file against FileStore's reading rules.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { copyExample } from "../helpers/examples.js";
import { runCli } from "../helpers/cli-io.js";
import { exportFileStore, loadStore, readHistory } from "../../track/index.js";
import { readFileStore } from "./filestore-reader.js";
import { writeFakeRun } from "./fake.js";

const root = mkdtempSync(path.join(os.tmpdir(), "hepc-track-runs-"));

function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, "-c", "user.email=t@example.org", "-c", "user.name=t", ...args], { encoding: "utf8" }).trim();
}

function sha(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

function treeDigest(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name), `${rel}${e.name}/`);
      else out[`${rel}${e.name}`] = sha(path.join(d, e.name));
    }
  };
  walk(dir, "");
  return out;
}

describe("runs of zmumu in a git repository", () => {
  let dir: string;
  beforeAll(async () => {
    dir = copyExample(root, "zmumu");
    git(dir, "init", "-q");
    git(dir, "add", ".");
    git(dir, "commit", "-qm", "analysis");
    expect((await runCli(["run", "analysis.hep", "--quiet"], dir)).code).toBe(0);
    const src = path.join(dir, "analysis.hep");
    writeFileSync(src, readFileSync(src, "utf8").replace("pt1 > 20 GeV", "pt1 > 25 GeV"));
    expect((await runCli(["run", "analysis.hep", "--quiet"], dir)).code).toBe(0);
  }, 120_000);

  it("records source, git commit and dirtiness with the diff, checksums, host and versions", () => {
    const store = loadStore(path.join(dir, ".hepc", "runs"));
    expect(store.problems).toEqual([]);
    const [second, first] = store.runs;
    const head = git(dir, "rev-parse", "HEAD");
    expect(first.record.git).toEqual({ commit: head, branch: git(dir, "rev-parse", "--abbrev-ref", "HEAD"), dirty: false });
    expect(second.record.git).toMatchObject({ commit: head, dirty: true });
    expect(readFileSync(path.join(second.dir, "git.diff"), "utf8")).toMatch(/^\+.*pt1 > 25 GeV/m);
    expect(readFileSync(path.join(first.dir, "source.hep"), "utf8")).toContain("pt1 > 20 GeV");
    expect(readFileSync(path.join(second.dir, "source.hep"), "utf8")).toContain("pt1 > 25 GeV");
    expect(first.record.status).toBe("ok");
    expect(first.record.exitCode).toBe(0);
    for (const i of first.record.inputs) expect(i.sha256).toBe(sha(path.join(dir, i.path)));
    expect(first.record.inputs.length).toBeGreaterThan(0);
    expect(first.record.host.hostname).toBe(os.hostname());
    expect(first.record.peakRssBytes).toBeGreaterThan(10 << 20);
    expect(first.record.id).toMatch(/^[0-9a-f]{32}$/);
    expect(first.record.id).not.toBe(second.record.id);
  });

  it("compares two runs with the semantic diff of their analyses", async () => {
    const [second, first] = loadStore(path.join(dir, ".hepc", "runs")).runs;
    const doc = JSON.parse((await runCli(["runs", "compare", first.record.id, second.record.id, "--json"], dir)).out);
    expect(doc.runs.map((r: { id: string }) => r.id)).toEqual([first.record.id, second.record.id]);
    expect(doc.analysisDiff.changed).toBe(true);
    expect(JSON.stringify(doc.analysisDiff)).toContain("good");
    const text = await runCli(["runs", "compare", first.record.id.slice(0, 8), second.record.id.slice(0, 8)], dir);
    expect(text.out).toContain("analysis diff");
    expect(text.out).toContain("good");
  });

  it("records a failed run with its status, exit code and error, and lists it with --status failed", async () => {
    const plan = await runCli(["plan", "analysis.hep", "--json"], dir);
    writeFileSync(path.join(dir, "plan.json"), plan.out);
    const data = readdirSync(path.join(dir, "data")).find((f) => f.endsWith(".root"))!;
    renameSync(path.join(dir, "data", data), path.join(dir, "data", `${data}.moved`));
    try {
      const r = await runCli(["run", "plan.json", "--quiet"], dir);
      expect(r.code).toBe(1);
    } finally {
      renameSync(path.join(dir, "data", `${data}.moved`), path.join(dir, "data", data));
    }
    const failed = JSON.parse((await runCli(["runs", "--status", "failed", "--json"], dir)).out);
    expect(failed.runs).toHaveLength(1);
    const show = JSON.parse((await runCli(["runs", "show", failed.runs[0].id, "--json"], dir)).out);
    expect(show.status).toBe("failed");
    expect(show.exitCode).toBe(1);
    expect(show.error).toContain(data);
    // a plan file has no .hep source to store
    expect(show.source.sha256).toBeNull();
  });
});

describe("a run of single-top (a trained BDT) and its MLflow export", () => {
  let dir: string;
  let store: string;
  beforeAll(async () => {
    dir = copyExample(root, "single-top");
    store = path.join(dir, ".hepc", "runs");
    expect((await runCli(["run", "analysis.hep", "--quiet"], dir)).code).toBe(0);
  }, 180_000);

  it("records hyperparameters as params, the evaluation as metrics, loss curves with steps, and the model as an artefact", () => {
    const [run] = loadStore(store).runs;
    const rec = run.record;
    const plan = JSON.parse(readFileSync(path.join(run.dir, "plan.json"), "utf8"));
    const train = plan.nodes.find((n: { kind: string; model: string }) => n.kind === "train" && n.model === "bdt");
    for (const [k, v] of Object.entries(train.options)) expect(rec.params[`bdt.${k}`]).toBe(typeof v === "string" ? v : JSON.stringify(v));
    expect(rec.params.seed).toBe("2024");
    const metrics = JSON.parse(readFileSync(path.join(run.dir, "metrics.json"), "utf8"));
    const auc = metrics.figures.find((f: { model: string; metric: string; fold: unknown; bin: unknown; at?: unknown }) => f.model === "bdt" && f.metric === "auc" && f.fold === "all" && f.bin === null);
    expect(rec.metrics["bdt/auc"]).toBe(auc.value);
    const model = JSON.parse(readFileSync(path.join(run.dir, "models", "bdt.json"), "utf8"));
    // every model the example trains, each with its train node's hash
    const trains = plan.nodes.filter((n: { kind: string }) => n.kind === "train");
    expect(rec.models).toEqual(expect.arrayContaining([{ model: "bdt", kind: "gbdt", hash: train.hash }]));
    expect(rec.models.map((m: { model: string }) => m.model).sort()).toEqual(trains.map((t: { model: string }) => t.model).sort());
    const history = readHistory(run).filter((m) => m.key === "bdt/fold0/loss_train");
    expect(history.length).toBeGreaterThan(10);
    const curve = model.folds.find((f: { fold: number }) => f.fold === 0).curves.train as Array<number | null>;
    expect(history.map((m) => m.step)).toEqual(curve.map((_, i) => i).filter((i) => curve[i] !== null));
    expect(history.map((m) => m.value)).toEqual(curve.filter((v) => v !== null));
    expect(rec.artifacts).toEqual(expect.arrayContaining(["models/bdt.json", "metrics.json", "summary.json", "source.hep"]));
  });

  it("exports in MLflow's file-store layout, every file as FileStore reads it, incrementally and idempotently", async () => {
    const out = path.join(root, `mlruns-${Math.random().toString(36).slice(2)}`);
    const r = await runCli(["runs", "export", "--mlflow", out, "--json"], dir);
    expect(r.code).toBe(0);
    const first = readFileStore(out);
    expect(first.problems).toEqual([]);
    const [run] = loadStore(store).runs;
    expect(first.experiments.map((e) => e.name).sort()).toEqual(["Default", "single_top_vs_diboson"]);
    expect(first.runs).toHaveLength(1);
    const m = first.runs[0];
    expect(m.runId).toBe(run.record.id);
    expect(m.meta.status).toBe(3);
    expect(m.meta.start_time).toBe(Date.parse(run.record.startedAt));
    expect(m.params).toEqual(run.record.params);
    expect(m.tags["mlflow.runName"]).toBe(run.record.name);
    expect(m.tags["hepc.plan_hash"]).toBe(run.record.planHash);
    expect(m.metrics["bdt/auc"]).toEqual([[Date.parse(run.record.endedAt), run.record.metrics["bdt/auc"], 0]]);
    const curve = readHistory(run).filter((x) => x.key === "bdt/fold1/loss_train");
    expect(curve.length).toBeGreaterThan(10);
    expect(m.metrics["bdt/fold1/loss_train"]).toEqual(curve.map((x) => [x.timestamp, x.value, x.step]));
    expect(sha(path.join(out, m.experimentId, m.runId, "artifacts", "models", "bdt.json"))).toBe(sha(path.join(run.dir, "models", "bdt.json")));

    // again: nothing changes, byte for byte
    const before = treeDigest(out);
    const again = JSON.parse((await runCli(["runs", "export", "--mlflow", out, "--json"], dir)).out);
    expect(again.written).toEqual([]);
    expect(again.unchanged).toEqual([run.record.id]);
    expect(treeDigest(out)).toEqual(before);

    // a new run (merged from elsewhere, failed) is added beside the first, in the same experiment
    const fake = writeFakeRun(store, { name: "20260101-000000-abababab", startedAt: "2026-01-01T00:00:00.000Z", analysis: "single_top_vs_diboson", status: "failed", metrics: { "bdt/auc": 0.5 } });
    const third = exportFileStore(out, loadStore(store).runs);
    expect(third.written).toEqual([fake.id]);
    const read = readFileStore(out);
    expect(read.problems).toEqual([]);
    expect(read.runs.map((x) => x.experimentId)).toEqual([m.experimentId, m.experimentId]);
    expect(read.runs.find((x) => x.runId === fake.id)!.meta.status).toBe(4);
    for (const [f, digest] of Object.entries(before)) if (f.includes(m.runId)) expect(sha(path.join(out, f)), f).toBe(digest);
    expect(statSync(path.join(out, ".trash")).isDirectory()).toBe(true);
  });
});

describe("hepc reproduce", () => {
  let dir: string;
  beforeAll(async () => {
    dir = copyExample(root, "single-top");
    expect((await runCli(["run", "analysis.hep", "--quiet"], dir)).code).toBe(0);
  }, 180_000);

  it("reruns a run with a trained model from scratch and its outputs are byte-identical", async () => {
    const store = path.join(dir, ".hepc", "runs");
    const [original] = loadStore(store).runs;
    const outsBefore = treeDigest(path.join(dir, "out"));
    const r = await runCli(["reproduce", original.record.id.slice(0, 10), "--json"], dir);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.identical).toBe(true);
    expect(doc.outputs.identical).toEqual(expect.arrayContaining(["out/shapes.root", "out/metrics.json"]));
    expect(doc.outputs.different).toEqual([]);
    const again = loadStore(store).runs.find((x) => x.record.id === doc.run)!;
    expect(again.record.reproduces).toBe(original.record.id);
    // the model was trained again (fresh caches), not taken from the original's cache
    const summary = JSON.parse(readFileSync(path.join(again.dir, "summary.json"), "utf8"));
    expect(summary.models.find((m: { model: string }) => m.model === "bdt").cached).toBe(false);
    expect(sha(path.join(again.dir, "models", "bdt.json"))).toBe(sha(path.join(original.dir, "models", "bdt.json")));
    // the user's outputs were not touched, and no scratch folder is left
    expect(treeDigest(path.join(dir, "out"))).toEqual(outsBefore);
    expect(readdirSync(path.join(dir, ".hepc", "tmp"))).toEqual([]);
  }, 180_000);

  it("refuses when an input's checksum changed, naming the file", async () => {
    const [original] = loadStore(path.join(dir, ".hepc", "runs")).runs;
    const file = path.join(dir, "data", "ww.root");
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(file, bytes);
    const r = await runCli(["reproduce", original.record.id], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`refusing to reproduce ${original.record.id.slice(0, 12)}`);
    expect(r.err).toMatch(/data\/ww\.root: sha256 [0-9a-f]{12}…, was [0-9a-f]{12}…/);
    const unknown = await runCli(["reproduce", "feedfacefeed"], dir);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("no run 'feedfacefeed'");
  });
});
