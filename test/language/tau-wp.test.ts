/**
 * examples/tau-wp run from the command line with parameters: the outputs land where `${campaign}`
 * says, the cut is the one given, and the classes come from the one sample's conditions in the
 * block's order.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli-io.js";
import { repoPath } from "../helpers/repo.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-tau-wp-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("examples/tau-wp", () => {
  it("runs with --set: outputs named by the campaign, the tau cut applied, classes fake then genuine", async () => {
    // the example reads the data of examples/nanoaod, beside it
    for (const name of ["tau-wp", "nanoaod"]) {
      const from = repoPath("examples", name);
      cpSync(from, path.join(tmp, name), { recursive: true, filter: (src) => !path.relative(from, src).split(path.sep).some((p) => p === ".hepc" || p === "out") });
    }
    const dir = path.join(tmp, "tau-wp");
    const runWith = async (sets: string[]) => {
      const r = await runCli(["run", "analysis.hep", "--json", ...sets.flatMap((s) => ["--set", s])], dir);
      expect(r.code, r.out + r.err).toBe(0);
      return JSON.parse(r.out);
    };
    const loose = await runWith(["campaign=pt20"]);
    const tight = await runWith(["campaign=pt25", "tau_pt=25"]);
    expect(existsSync(path.join(dir, "out/pt20/scores.root"))).toBe(true);
    expect(existsSync(path.join(dir, "out/pt25/scores.root"))).toBe(true);
    const steps = (c: string) => JSON.parse(readFileSync(path.join(dir, `out/${c}/cutflow.json`), "utf8")).cutflows[0].samples[0].regions["count(taus) >= 1"].raw as number;
    // a harder tau cut keeps fewer events, never more
    expect(steps("pt25")).toBeLessThan(steps("pt20"));
    expect(steps("pt25")).toBeGreaterThan(0);
    for (const s of [loose, tight]) expect(s.models[0].classes).toEqual(["fake", "genuine"]);
    // the working points' evaluation ran on the events with a tau
    expect(loose.evaluations[0].region).toBe("one_tau");
    expect(loose.evaluations[0].auc).toBeGreaterThan(0);
    // another parameter value: another plan, so another run directory
    expect(loose.runDir).not.toBe(tight.runDir);
  });
});
