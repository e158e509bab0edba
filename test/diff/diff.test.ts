/**
 * `hepc diff`: golden outputs for pairs of analyses, both directions, and the CLI's contract.
 *
 * Each test/diff/cases/<name>/ holds old.hep and new.hep (each starting with a comment saying what
 * the case shows; data from examples/ by relative path, includes beside them). Both sides are
 * compiled once; the diff is taken both ways (old → new and new → old), checked against the
 * schema and for symmetry, and rendered as text and Markdown into
 * test/baselines/diff/<name>.txt and <name>.md. Cases named same-* must show no change.
 *
 *   HEPC_ACCEPT=1 npx vitest run test/diff     writes or updates the baselines; review with git diff.
 *
 * Goldens never contain modification times (the diff never prints them), so they hold on any clone.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { nodeHost } from "../../cli/host.js";
import type { CliIo } from "../../cli/io.js";
import { main } from "../../cli/main.js";
import { compilePlan } from "../../compiler/compile.js";
import { Diff, diffSides, renderMarkdown, renderText, Side, validateDiff } from "../../compiler/diff/index.js";
import { REPO_ROOT } from "../helpers/repo.js";

const CASES = path.join(REPO_ROOT, "test/diff/cases");
const BASELINES = path.join(REPO_ROOT, "test/baselines/diff");
const ACCEPT = process.env.HEPC_ACCEPT === "1";
const host = nodeHost(REPO_ROOT);

const names = fs
  .readdirSync(CASES, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

async function side(rel: string, label: string): Promise<Side> {
  const c = await compilePlan(rel, host);
  expect(c.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return { compilation: c, plan: c.plan!, label };
}

function golden(file: string, actual: string): void {
  if (ACCEPT) {
    const old = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    if (old !== actual) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, actual);
    }
    return;
  }
  if (!fs.existsSync(file)) expect.fail(`no baseline ${path.relative(REPO_ROOT, file)}; this is the output:\n\n${actual}\nAccept it with HEPC_ACCEPT=1.`);
  expect(actual).toBe(fs.readFileSync(file, "utf8"));
}

const MIRROR = { added: "removed", removed: "added", changed: "changed", renamed: "renamed" } as const;

function expectMirrored(ab: Diff, ba: Diff): void {
  const key = (c: Diff["changes"][number], flip: boolean) => `${c.kind} ${flip ? MIRROR[c.change] : c.change} ${c.change === "renamed" || c.change === "changed" ? [c.oldName ?? c.name, c.name].sort().join("/") : ""}`;
  expect(ab.changes.map((c) => key(c, true)).sort()).toEqual(ba.changes.map((c) => key(c, false)).sort());
  expect(ab.inputs.map((i) => i.path)).toEqual(ba.inputs.map((i) => i.path));
  expect(ab.changed).toBe(ba.changed);
}

describe("hepc diff golden cases", () => {
  it("has cases", () => expect(names.length).toBeGreaterThanOrEqual(15));

  for (const name of names) {
    it(name, async () => {
      const dir = `test/diff/cases/${name}`;
      for (const f of ["old.hep", "new.hep"]) expect(fs.readFileSync(path.join(REPO_ROOT, dir, f), "utf8").startsWith("#"), `${dir}/${f} starts with a comment`).toBe(true);
      const a = await side(`${dir}/old.hep`, "old.hep");
      const b = await side(`${dir}/new.hep`, "new.hep");
      const ab = diffSides(a, b);
      const ba = diffSides(b, a);
      for (const d of [ab, ba]) expect(validateDiff(JSON.parse(JSON.stringify(d)))).toEqual({ ok: true });
      expectMirrored(ab, ba);
      expect(ab.changed, name.startsWith("same-") ? "no semantic change" : "a semantic change").toBe(!name.startsWith("same-"));
      golden(path.join(BASELINES, `${name}.txt`), `$ hepc diff old.hep new.hep\n${renderText(ab)}\n$ hepc diff new.hep old.hep\n${renderText(ba)}`);
      golden(path.join(BASELINES, `${name}.md`), `<!-- hepc diff old.hep new.hep --format markdown -->\n${renderMarkdown(ab)}\n<!-- hepc diff new.hep old.hep --format markdown -->\n${renderMarkdown(ba)}`);
    });
  }
});

function io(cwd: string, isTTY = false): CliIo & { out: string; err: string } {
  const o = { out: "", err: "", isTTY, cwd, stdout: (t: string) => void (o.out += t), stderr: (t: string) => void (o.err += t) };
  return o;
}

describe("hepc diff CLI", () => {
  const cases = path.join(REPO_ROOT, "test/diff/cases");

  it("exit codes: 1 for a change, 0 for none; JSON valid against the schema; colour only on a TTY", async () => {
    const changed = io(cases, true);
    expect(await main(["diff", "model-options/old.hep", "model-options/new.hep"], changed)).toBe(1);
    expect(changed.out).toContain("\x1b[");
    expect(changed.out).toContain("model bdt: trees 300 → 500; depth 4 → 6");
    const same = io(cases);
    expect(await main(["diff", "same-reordered/old.hep", "same-reordered/new.hep", "--format", "json"], same)).toBe(0);
    const json = JSON.parse(same.out);
    expect(validateDiff(json)).toEqual({ ok: true });
    expect(json.changed).toBe(false);
  });

  it("usage errors and a side that does not compile exit 2, with no diff", async () => {
    const one = io(cases);
    expect(await main(["diff", "region-cut/old.hep"], one)).toBe(2);
    expect(one.err).toContain("usage: hepc diff");
    const fmt = io(cases);
    expect(await main(["diff", "region-cut/old.hep", "region-cut/new.hep", "--format", "yaml"], fmt)).toBe(2);
    const broken = io(REPO_ROOT);
    // A case of the golden diagnostics with an error: the new side does not compile.
    expect(await main(["diff", "test/diff/cases/region-cut/old.hep", "test/cases/check/unknown-branch.hep"], broken)).toBe(2);
    expect(broken.err).toContain("the new side (test/cases/check/unknown-branch.hep) does not compile");
    expect(broken.err).toMatch(/HEP\d{4}/);
    expect(broken.out).toBe("");
  });

  it("git's seven arguments (with or without --git): the file's two versions, exit 0 when a diff is shown", async () => {
    const sem = io(cases);
    expect(await main(["diff", "region-cut/old.hep", "region-cut/old.hep", "1111111", "100644", "region-cut/new.hep", "2222222", "100644"], sem)).toBe(0);
    expect(sem.out).toContain("hepc diff a/region-cut/old.hep → b/region-cut/old.hep");
    expect(sem.out).toContain("~ region z_window: cut good and abs(mll - 91.19) < 15 → good and abs(mll - 91.19) < 10");
    const added = io(cases);
    expect(await main(["diff", "--git", "x.hep", "/dev/null", "0000000", "0000000", "region-cut/new.hep", "2222222", "100644"], added)).toBe(0);
    expect(added.out).toContain("new file x.hep");
    const opts = io(cases);
    expect(await main(["diff", "HEAD", "--", "region-cut/old.hep", "--format", "json"], opts)).toBe(2);
    expect(opts.err).toContain("options go before --");
  });
});
