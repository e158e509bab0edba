import { cpSync, mkdtempSync, readFileSync, writeFileSync, appendFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { nodeHost } from "../cli/host.js";
import { main } from "../cli/main.js";
import type { CliIo } from "../cli/io.js";
import { compilePlan } from "../compiler/compile.js";
import { canonicalJson } from "../plan/canonical.js";
import type { Plan } from "../plan/types.js";
import { validatePlan } from "../plan/validate.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const examples = ["zmumu", "single-top", "nanoaod"];
const tmp = mkdtempSync(path.join(tmpdir(), "hepc-plan-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A private copy of an example, so tests may edit and lock it. */
function copyExample(name: string): string {
  const dir = path.join(tmp, `${name}-${Math.random().toString(36).slice(2)}`);
  cpSync(path.join(root, "examples", name), dir, { recursive: true });
  return dir;
}

async function planOf(file: string, text?: string): Promise<Plan> {
  if (text !== undefined) writeFileSync(file, text);
  const c = await compilePlan(file, nodeHost(path.dirname(file)));
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  expect(c.plan).toBeDefined();
  return c.plan!;
}

const hashes = (p: Plan) => new Map(p.nodes.map((n) => [n.id, n.hash]));

function io(cwd: string): CliIo & { out: string; err: string } {
  const o = { out: "", err: "", isTTY: false, cwd, stdout: (t: string) => void (o.out += t), stderr: (t: string) => void (o.err += t) };
  return o;
}

describe("plans of the examples", () => {
  for (const name of examples) {
    it(`${name}: valid against the schema and canonical`, async () => {
      const file = path.join(root, "examples", name, "analysis.hep");
      const a = await planOf(file);
      const b = await planOf(file);
      expect(validatePlan(a)).toEqual({ ok: true });
      expect(canonicalJson(a)).toBe(canonicalJson(b));
      // Every node's inputs exist, and ids are unique.
      const ids = new Set(a.nodes.map((n) => n.id));
      expect(ids.size).toBe(a.nodes.length);
      for (const n of a.nodes) for (const i of n.inputs) expect(ids.has(i), `${n.id} reads ${i}`).toBe(true);
    });
  }

  it("the schema rejects a plan that breaks the contract", async () => {
    const p = JSON.parse(JSON.stringify(await planOf(path.join(root, "examples/zmumu/analysis.hep"))));
    p.nodes[0].hash = "not-a-hash";
    expect(validatePlan(p).ok).toBe(false);
    const q = JSON.parse(JSON.stringify(await planOf(path.join(root, "examples/zmumu/analysis.hep"))));
    q.nodes.find((n: { kind: string }) => n.kind === "histogram").vars[0].op = "eval";
    expect(validatePlan(q).ok).toBe(false);
  });

  it("reads only the branches the analysis uses, with kinematics from the file's own components", async () => {
    const p = await planOf(path.join(root, "examples/single-top/analysis.hep"));
    const read = p.nodes.find((n) => n.kind === "read")!;
    expect(read.kind === "read" && read.branches).toEqual(
      ["EventWeight", "Jet_E", "Jet_ID", "Jet_Px", "Jet_Py", "Jet_Pz", "Jet_btag", "MET_px", "MET_py", "Muon_E", "Muon_Iso", "Muon_Px", "Muon_Py", "Muon_Pz", "NJet", "NMuon", "triggerIsoMu24"],
    );
    const muon = p.collections.find((c) => c.name === "Muon")!;
    expect(muon.kinematics).toEqual({ source: "pxpypzE", fields: { px: "Muon_Px", py: "Muon_Py", pz: "Muon_Pz", E: "Muon_E" } });
    const nano = await planOf(path.join(root, "examples/nanoaod/analysis.hep"));
    expect(nano.collections.find((c) => c.name === "Muon")!.kinematics?.source).toBe("ptetaphim");
    expect(nano.collections.find((c) => c.name === "MET")!.shape).toBe("single");
  });
});

describe("training options", () => {
  it("every train node carries them: defaults when not written, the written values otherwise", async () => {
    const plain = await planOf(path.join(root, "examples/single-top/analysis.hep"));
    for (const n of plain.nodes) {
      if (n.kind !== "train") continue;
      expect([n.test, n.classWeights, n.negativeWeights]).toEqual([null, null, "keep"]);
      expect([n.reweight?.merge, n.reweight?.maxWeight]).toEqual([null, null]);
    }

    const dir = copyExample("single-top");
    const file = path.join(dir, "analysis.hep");
    const text = readFileSync(file, "utf8")
      .replace("reweight flat in muons[0].pt pt_bins\n", "reweight flat in muons[0].pt pt_bins merge signal + background max_weight 20\n  test entry % 10 == 0\n  class_weights background 2.5\n  negative_weights abs\n")
      .replace("  ht normal clip 5\n", "  ht shift 100 scale 0.01 clip -5 .. 5\n")
      .replace("  met normal clip 5\n", "  met shift 20 scale 0.1\n");
    const p = await planOf(file, text);
    expect(validatePlan(p)).toEqual({ ok: true });
    const train = p.nodes.find((n) => n.kind === "train" && n.model === "bdt");
    if (train?.kind !== "train") throw new Error("no train node for bdt");
    expect(train.classWeights).toEqual({ background: 2.5 });
    expect(train.negativeWeights).toBe("abs");
    expect(train.reweight?.merge).toEqual([["signal", "background"]]);
    expect(train.reweight?.maxWeight).toBe(20);
    expect(train.test && "expr" in train.test && train.test.expr.type).toBe("bool");
    const scale = p.nodes.find((n) => n.kind === "scale");
    if (scale?.kind !== "scale") throw new Error("no scale node");
    expect(scale.features.find((f) => f.name === "ht")!.scaling).toEqual({ kind: "manual", shift: 100, scale: 0.01, low: -5, high: 5 });
    expect(scale.features.find((f) => f.name === "met")!.scaling).toEqual({ kind: "manual", shift: 20, scale: 0.1 });

    // A fraction is a fraction; every option is part of the training's hash.
    const fraction = await planOf(file, text.replace("test entry % 10 == 0", "test 0.1"));
    const fTrain = fraction.nodes.find((n) => n.kind === "train" && n.model === "bdt");
    expect(fTrain?.kind === "train" && fTrain.test).toEqual({ fraction: 0.1 });
    expect(fTrain?.hash).not.toBe(train.hash);
    const keep = await planOf(file, text.replace("negative_weights abs", "negative_weights keep"));
    const kTrain = keep.nodes.find((n) => n.kind === "train" && n.model === "bdt");
    expect(kTrain?.hash).not.toBe(train.hash);
    const unwritten = await planOf(file, text.replace("negative_weights abs", ""));
    expect(unwritten.nodes.find((n) => n.kind === "train" && n.model === "bdt")?.hash).toBe(kTrain?.hash);
  });

  it("the schema refuses a train node without them, or with a test fraction outside (0, 1)", async () => {
    const p = JSON.parse(JSON.stringify(await planOf(path.join(root, "examples/single-top/analysis.hep"))));
    const train = p.nodes.find((n: { kind: string }) => n.kind === "train");
    delete train.negativeWeights;
    expect(validatePlan(p).ok).toBe(false);
    train.negativeWeights = "keep";
    expect(validatePlan(p).ok).toBe(true);
    train.test = { fraction: 1.5 };
    expect(validatePlan(p).ok).toBe(false);
  });
});

describe("content hashes", () => {
  it("ignore layout, comments and declaration order", async () => {
    const dir = copyExample("zmumu");
    const file = path.join(dir, "analysis.hep");
    const text = readFileSync(file, "utf8");
    const before = hashes(await planOf(file));
    const lines = text.split("\n");
    const defines = lines.filter((l) => l.startsWith("define "));
    const shuffled = lines.filter((l) => !l.startsWith("define ")).concat(["# moved to the end", ...defines.reverse()]);
    const reformatted = shuffled.map((l) => (l.startsWith("#") ? l : l.replace(/ and /g, "\n    and ").replace(/ = /g, "   =   "))).join("\n");
    const after = hashes(await planOf(file, reformatted));
    expect(after).toEqual(before);
  });

  it("survive a rename: a renamed define keeps its hash and so do its users", async () => {
    const dir = copyExample("zmumu");
    const file = path.join(dir, "analysis.hep");
    const text = readFileSync(file, "utf8");
    const before = hashes(await planOf(file));
    const after = hashes(await planOf(file, text.replace(/\bmll\b/g, "m_ll").replace("histogram m_ll in", "histogram m_ll as mll in")));
    expect(after.get("define:m_ll")).toBe(before.get("define:mll"));
    expect(after.get("filter:z_window")).toBe(before.get("filter:z_window"));
    expect(after.get("histogram:out/zmumu.root/mll")).toBe(before.get("histogram:out/zmumu.root/mll"));
  });

  it("change only downstream of an edit: a binning refills one histogram; a cut re-runs its dependents", async () => {
    const dir = copyExample("zmumu");
    const file = path.join(dir, "analysis.hep");
    const text = readFileSync(file, "utf8");
    const before = hashes(await planOf(file));
    const rebinned = hashes(await planOf(file, text.replace("histogram ptll in z_window bins 40 0 .. 200", "histogram ptll in z_window bins 20 0 .. 200")));
    const changed = [...before.keys()].filter((id) => before.get(id) !== rebinned.get(id)).sort();
    expect(changed).toEqual(["histogram:out/zmumu.root/ptll", "write:out/zmumu.root"]);

    const recut = hashes(await planOf(file, text.replace("abs(mll - 91.19) < 15", "abs(mll - 91.19) < 10")));
    const changedByCut = [...before.keys()].filter((id) => before.get(id) !== recut.get(id)).sort();
    expect(changedByCut).toEqual(["cutflow:out/cutflow.json", "filter:z_window", "histogram:out/zmumu.root/eta1_vs_eta2", "histogram:out/zmumu.root/ptll", "write:out/cutflow.json", "write:out/zmumu.root"]);
    expect(recut.get("read:dimuon")).toBe(before.get("read:dimuon"));
    expect(recut.get("define:mll")).toBe(before.get("define:mll"));
  });

  it("take in the input files: a changed file changes everything that reads it", async () => {
    const dir = copyExample("zmumu");
    const file = path.join(dir, "analysis.hep");
    const before = hashes(await planOf(file));
    appendFileSync(path.join(dir, "data/uproot-Zmumu.root"), Buffer.alloc(16));
    const after = hashes(await planOf(file));
    expect(after.get("read:dimuon")).not.toBe(before.get("read:dimuon"));
    expect(after.get("define:mll")).not.toBe(before.get("define:mll"));
  });
});

describe("hepc lock", () => {
  it("pins sha256 checksums; the plan then uses them; a changed input is refused", async () => {
    const dir = copyExample("zmumu");
    const cli = io(dir);
    expect(await main(["lock", "analysis.hep"], cli)).toBe(0);
    const lock = JSON.parse(readFileSync(path.join(dir, "analysis.hep.lock"), "utf8"));
    const sha = lock.inputs["data/uproot-Zmumu.root"].sha256;
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    const plan = await planOf(path.join(dir, "analysis.hep"));
    expect(plan.locked).toBe(true);
    expect(plan.inputs).toEqual([{ path: "data/uproot-Zmumu.root", size: lock.inputs["data/uproot-Zmumu.root"].size, sha256: sha }]);

    appendFileSync(path.join(dir, "data/uproot-Zmumu.root"), Buffer.alloc(8));
    const planCli = io(dir);
    expect(await main(["plan", "analysis.hep"], planCli)).toBe(1);
    expect(planCli.err).toContain("HEP5002");
    expect(planCli.out).toBe("");
  });

  it("a locked plan is the same bytes on any machine: golden", async () => {
    const dir = copyExample("zmumu");
    expect(await main(["lock", "analysis.hep"], io(dir))).toBe(0);
    const cli = io(dir);
    expect(await main(["plan", "analysis.hep"], cli)).toBe(0);
    const golden = path.join(root, "test/baselines/plans/zmumu.plan.json");
    if (process.env.HEPC_ACCEPT) writeFileSync(golden, cli.out);
    expect(cli.out).toBe(readFileSync(golden, "utf8"));
  });

  it("plan --yaml prints the same plan as YAML", async () => {
    const cli = io(root);
    expect(await main(["plan", "--yaml", "examples/zmumu/analysis.hep"], cli)).toBe(0);
    expect(cli.out).toMatch(/^analysis:\n/);
    expect(cli.out).toContain("format: hepc-plan/1");
  });
});
