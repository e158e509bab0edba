/**
 * `hepc diff` against git revisions and as git's external diff driver, in a temporary repository,
 * and input files that change under the analysis (kinds of change, never hash values or times).
 *
 * The driver test runs the built CLI (`node cli/bin/hepc.js`, built by `npm test`'s tsc step) the
 * way git does, through a small wrapper script in the temporary repository.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeHost } from "../../cli/host.js";
import type { CliIo } from "../../cli/io.js";
import { main } from "../../cli/main.js";
import { compilePlan } from "../../compiler/compile.js";
import { diffSides, renderText, Side, validateDiff } from "../../compiler/diff/index.js";
import { REPO_ROOT } from "../helpers/repo.js";

const DATA = path.join(REPO_ROOT, "examples/zmumu/data/uproot-Zmumu.root");

const ANALYSIS = `# Z to mu mu, regions in an included file.
analysis zmumu {
  seed 1
}

sample dimuon {
  files "data/uproot-Zmumu.root"
  tree "events"
  class data
}

include "cuts.hep"

define mll = mass(p4(px1, py1, pz1, E1) + p4(px2, py2, pz2, E2))
define ptll = (p4(px1, py1, pz1, E1) + p4(px2, py2, pz2, E2)).pt

output {
  histogram mll in good bins 60 60 .. 120 to "out/zmumu.root"
  histogram ptll in z_window bins 40 0 .. 200 to "out/zmumu.root"
  cutflow in good, z_window to "out/cutflow.json"
}
`;
const CUTS = `# The regions of analysis.hep.
region good = Q1 * Q2 < 0 and pt1 > 20 GeV and pt2 > 20 GeV
region z_window = good and abs(mll - 91.19) < 15
`;

function io(cwd: string): CliIo & { out: string; err: string } {
  const o = { out: "", err: "", isTTY: false, cwd, stdout: (t: string) => void (o.out += t), stderr: (t: string) => void (o.err += t) };
  return o;
}

let repo = "";
const git = (...args: string[]) => {
  const r = spawnSync("git", args, { cwd: repo, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};
const write = (rel: string, text: string) => fs.writeFileSync(path.join(repo, rel), text);

beforeAll(() => {
  repo = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), "hepc-diff-git-")));
  fs.mkdirSync(path.join(repo, "data"));
  fs.copyFileSync(DATA, path.join(repo, "data/uproot-Zmumu.root"));
  git("init", "-q");
  git("config", "user.name", "hepc test");
  git("config", "user.email", "hepc-test@example.invalid");
  git("config", "commit.gpgsign", "false");
  write(".gitignore", "data/\nout/\n");
  write("analysis.hep", ANALYSIS);
  write("cuts.hep", CUTS);
  git("add", ".gitignore", "analysis.hep", "cuts.hep");
  git("commit", "-q", "-m", "v1");
  git("tag", "v1");
  // v2: only the included file changes.
  write("cuts.hep", CUTS.replace("pt2 > 20 GeV", "pt2 > 25 GeV"));
  git("commit", "-q", "-am", "v2");
  git("tag", "v2");
  // The working tree: a histogram's binning.
  write("analysis.hep", ANALYSIS.replace("bins 40 0 .. 200", "bins 20 0 .. 200"));
});
afterAll(() => {
  if (repo) fs.rmSync(repo, { recursive: true, force: true });
});

describe("hepc diff against git revisions", () => {
  it("REV1 REV2 -- FILE reads the analysis and its includes at each revision", async () => {
    const o = io(repo);
    expect(await main(["diff", "v1", "v2", "--", "analysis.hep"], o)).toBe(1);
    expect(o.out).toContain("hepc diff v1:analysis.hep → v2:analysis.hep");
    expect(o.out).toContain("~ region good: cut Q1 * Q2 < 0 and pt1 > 20 GeV and pt2 > 20 GeV → Q1 * Q2 < 0 and pt1 > 20 GeV and pt2 > 25 GeV");
    expect(o.out).not.toContain("histogram ptll");
  });

  it("REV -- FILE compares with the working tree; JSON is valid", async () => {
    const o = io(repo);
    expect(await main(["diff", "v2", "--", "analysis.hep"], o)).toBe(1);
    expect(o.out).toContain("~ histogram ptll: bins 40 0 .. 200 → 20 0 .. 200");
    expect(o.out).not.toContain("region good");
    const j = io(repo);
    expect(await main(["diff", "--format", "json", "v1", "--", "analysis.hep"], j)).toBe(1);
    const diff = JSON.parse(j.out);
    expect(validateDiff(diff)).toEqual({ ok: true });
    expect(diff.changes.map((c: { kind: string; name: string }) => `${c.kind} ${c.name}`).sort()).toEqual(["histogram ptll", "region good"]);
    const same = io(repo);
    expect(await main(["diff", "v1", "v1", "--", "analysis.hep"], same)).toBe(0);
  });

  it("unknown revisions, files missing at a revision and bad arguments exit 2", async () => {
    const bad = io(repo);
    expect(await main(["diff", "no-such-rev", "--", "analysis.hep"], bad)).toBe(2);
    expect(bad.err).toContain("unknown revision 'no-such-rev'");
    write("other.hep", ANALYSIS);
    const missing = io(repo);
    expect(await main(["diff", "HEAD", "--", "other.hep"], missing)).toBe(2);
    expect(missing.err).toContain("other.hep does not exist in HEAD");
    fs.rmSync(path.join(repo, "other.hep"));
    const two = io(repo);
    expect(await main(["diff", "HEAD", "--", "analysis.hep", "cuts.hep"], two)).toBe(2);
  });

  it("a lock file at each revision: a changed input's checksum is a change, even if its size changed since", async () => {
    expect(await main(["lock", "analysis.hep"], io(repo))).toBe(0);
    git("add", "analysis.hep.lock");
    git("commit", "-q", "-m", "lock");
    const data = path.join(repo, "data/uproot-Zmumu.root");
    const before = fs.readFileSync(data);
    try {
      fs.appendFileSync(data, Buffer.alloc(32));
      expect(await main(["lock", "analysis.hep"], io(repo))).toBe(0);
      const o = io(repo);
      expect(await main(["diff", "--format", "json", "HEAD", "--", "analysis.hep"], o)).toBe(1);
      const diff = JSON.parse(o.out);
      expect(validateDiff(diff)).toEqual({ ok: true });
      expect(diff.inputs.map((i: { path: string; change: string }) => [i.path, i.change])).toEqual([["data/uproot-Zmumu.root", "content"]]);
      expect(diff.inputs[0].impact.refill.length).toBe(3);
    } finally {
      fs.writeFileSync(data, before);
      git("rm", "-q", "--cached", "analysis.hep.lock");
      fs.rmSync(path.join(repo, "analysis.hep.lock"));
      git("commit", "-q", "-m", "unlock");
    }
  });

  it("as git's external diff driver: `git diff` shows the semantic diff", () => {
    const cli = path.join(REPO_ROOT, "cli/bin/hepc.js");
    if (!fs.existsSync(path.join(REPO_ROOT, "dist/cli/commands/diff.js"))) expect.fail("dist/ has no hepc diff: build first (npm test runs tsc, or npm run build)");
    write("hepc-diff.sh", `#!/bin/sh\nexec node ${JSON.stringify(cli)} diff --git "$@"\n`);
    fs.chmodSync(path.join(repo, "hepc-diff.sh"), 0o755);
    write(".gitattributes", "*.hep diff=hepc\n");
    git("config", "diff.hepc.command", path.join(repo, "hepc-diff.sh"));
    const shown = git("diff");
    expect(shown).toContain("hepc diff a/analysis.hep → b/analysis.hep");
    expect(shown).toContain("~ histogram ptll: bins 40 0 .. 200 → 20 0 .. 200");
    // An included file on its own is not an analysis: a line diff, with a note.
    const include = git("diff", "v1", "v2", "--", "cuts.hep");
    expect(include).toContain("diff --hepc a/cuts.hep b/cuts.hep");
    expect(include).toContain("does not compile");
    expect(include).toContain("+region good = Q1 * Q2 < 0 and pt1 > 20 GeV and pt2 > 25 GeV");
  });
});

describe("input files that change", () => {
  it("appended bytes and a new modification time are changes of the input, with what reads it", async () => {
    const dir = fs.mkdtempSync(path.join(tmpdir(), "hepc-diff-input-"));
    try {
      fs.mkdirSync(path.join(dir, "data"));
      const data = path.join(dir, "data/uproot-Zmumu.root");
      fs.copyFileSync(DATA, data);
      fs.writeFileSync(path.join(dir, "cuts.hep"), CUTS);
      const file = path.join(dir, "analysis.hep");
      fs.writeFileSync(file, ANALYSIS);
      const side = async (label: string): Promise<Side> => {
        const c = await compilePlan(file, nodeHost(dir));
        expect(c.plan, c.diagnostics.map((d) => d.message).join("; ")).toBeDefined();
        return { compilation: c, plan: c.plan!, label };
      };
      const a = await side("before");
      fs.appendFileSync(data, Buffer.alloc(16));
      const b = await side("appended");
      const grown = diffSides(a, b);
      expect(grown.changes).toEqual([]);
      expect(grown.inputs.map((i) => [i.path, i.change])).toEqual([["data/uproot-Zmumu.root", "size"]]);
      expect(grown.recompute).toBe("refill");
      expect(grown.impact.refill.length).toBe(3);
      expect(renderText(grown)).toContain("! input data/uproot-Zmumu.root: size");
      const later = new Date(Date.now() + 3_600_000);
      fs.utimesSync(data, later, later);
      const touched = diffSides(b, await side("touched"));
      expect(touched.inputs.map((i) => i.change)).toEqual(["modified"]);
      expect(touched.changed).toBe(true);
      expect(JSON.stringify(touched)).not.toMatch(/mtime/i);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
