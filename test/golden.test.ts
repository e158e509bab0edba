/**
 * Golden diagnostics: every test/cases/**\/*.hep (except the formatter's test/cases/fmt) is compiled
 * with the real host from the repository root, and all its diagnostics, rendered as the CLI renders
 * them without colour, are compared with test/baselines/<path under test/cases without .hep>.errors.txt.
 *
 *   npm run baselines        (HEPC_ACCEPT=1) writes or updates the baselines; review them with git diff.
 *
 * Cases that need ROOT data reference the examples' files (../../../examples/*\/data/*.root) or the
 * small files in test/cases/data.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readTreeSchema } from "../runtime/io/index.js";
import { CASE_DATA, writeCaseData } from "./helpers/case-data.js";
import { compileRepoFile, invariantProblems, renderAll } from "./helpers/compile.js";
import { REPO_ROOT, repoRelative } from "./helpers/repo.js";

const CASES = path.join(REPO_ROOT, "test/cases");
const BASELINES = path.join(REPO_ROOT, "test/baselines");
/** Owned by the formatter's tests, with baselines of their own. */
const EXCLUDED = new Set(["fmt"]);
const ACCEPT = process.env.HEPC_ACCEPT === "1";

function walk(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!(rel === "" && EXCLUDED.has(e.name))) out.push(...walk(path.join(dir, e.name), r));
    } else out.push(r);
  }
  return out;
}

/** Case paths relative to test/cases, e.g. `check/unknown-branch.hep`. */
const cases = walk(CASES).filter((f) => f.endsWith(".hep"));
const baselineOf = (rel: string) => path.join(BASELINES, rel.replace(/\.hep$/, ".errors.txt"));

describe("golden case data", () => {
  for (const f of CASE_DATA) {
    it(`test/cases/data/${f.name}`, async () => {
      const abs = path.join(CASES, "data", f.name);
      if (!fs.existsSync(abs)) {
        if (!ACCEPT) expect.fail(`test/cases/data/${f.name} is missing; \`npm run baselines\` writes it`);
        await writeCaseData(f, abs);
      }
      const schema = await readTreeSchema(abs, f.tree);
      expect(schema.branches.map((b) => [b.name, b.dtype])).toEqual(f.columns.map((c) => [c.name, c.dtype]));
    });
  }
});

describe("golden diagnostics", () => {
  it("has cases", () => {
    expect(cases.length).toBeGreaterThan(30);
  });

  for (const rel of cases) {
    it(rel, async () => {
      const file = path.join(CASES, rel);
      const bytes = fs.readFileSync(file);
      // Each case says what it shows in a first-line comment.
      expect(bytes[0], `${rel} must start with a '#' comment saying what it shows`).toBe(0x23);
      const c = await compileRepoFile(repoRelative(file));
      expect(invariantProblems(c)).toEqual([]);
      const actual = renderAll(c);
      const baseline = baselineOf(rel);
      if (ACCEPT) {
        const old = fs.existsSync(baseline) ? fs.readFileSync(baseline, "utf8") : undefined;
        if (old !== actual) {
          fs.mkdirSync(path.dirname(baseline), { recursive: true });
          fs.writeFileSync(baseline, actual);
        }
        return;
      }
      if (!fs.existsSync(baseline)) {
        expect.fail(`no baseline ${repoRelative(baseline)} for ${rel}. This is its output:\n\n${actual}\nIf it is right, accept it with \`npm run baselines\` and commit the file.`);
      }
      const expected = fs.readFileSync(baseline, "utf8");
      expect(actual, `${rel} differs from ${repoRelative(baseline)}; if the change is intended run \`npm run baselines\` and review the diff`).toBe(expected);
    });
  }

  it("has no baseline without a case", () => {
    if (!fs.existsSync(BASELINES)) return;
    const wanted = new Set(cases.map(baselineOf));
    const orphans = walk(BASELINES)
      .filter((f) => f.endsWith(".errors.txt"))
      .map((f) => path.join(BASELINES, f))
      .filter((f) => !wanted.has(f));
    if (ACCEPT) {
      for (const f of orphans) fs.rmSync(f);
      return;
    }
    expect(orphans.map(repoRelative), "baselines whose case is gone: delete them (`npm run baselines` does)").toEqual([]);
  });
});
