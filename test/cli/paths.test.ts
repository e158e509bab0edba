/**
 * One path style in every diagnostic, as tsc and rustc print them: relative to the working
 * directory (`../` included), for the `.hep` file a diagnostic points into and for the data files
 * it names, at check time and at run time alike.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli-io.js";
import { copyExample } from "../helpers/examples.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-paths-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("paths in diagnostics are relative to the working directory", () => {
  it("check, from a folder below the analysis: the .hep file and the data file with ../", async () => {
    const dir = copyExample(tmp, "zmumu");
    writeFileSync(path.join(dir, "missing.hep"), readFileSync(path.join(dir, "analysis.hep"), "utf8").replace("data/uproot-Zmumu.root", "data/missing.root"));
    const below = path.join(dir, "below");
    mkdirSync(below);
    const r = await runCli(["check", "../missing.hep"], below);
    expect(r.code).toBe(1);
    expect(r.err).toContain("../missing.hep:11:9: error[HEP2005]: cannot read input file '../data/missing.root'");
    // The same from the analysis's parent folder.
    const above = await runCli(["check", path.join(path.basename(dir), "missing.hep")], path.dirname(dir));
    expect(above.err).toContain(`${path.basename(dir)}/missing.hep:11:9: error[HEP2005]: cannot read input file '${path.basename(dir)}/data/missing.root'`);
  });

  it("run, from the analysis's parent folder: the origin and the changed input file both relative to it", async () => {
    const dir = copyExample(tmp, "zmumu");
    const name = path.basename(dir);
    const plan = await runCli(["plan", "analysis.hep"], dir);
    writeFileSync(path.join(dir, "plan.json"), plan.out);
    appendFileSync(path.join(dir, "data/uproot-Zmumu.root"), Buffer.alloc(4));
    const r = await runCli(["run", `${name}/plan.json`], path.dirname(dir));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${name}/analysis.hep:10:1: error[HEP6004]: '${name}/data/uproot-Zmumu.root' changed since the plan was made`);
    // From a sibling folder: ../ for both.
    const sibling = path.join(tmp, `sibling-${name}`);
    mkdirSync(sibling);
    const s = await runCli(["run", `../${name}/plan.json`], sibling);
    expect(s.err).toContain(`../${name}/analysis.hep:10:1: error[HEP6004]: '../${name}/data/uproot-Zmumu.root' changed`);
  });
});
