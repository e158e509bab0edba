/**
 * Every command's JSON mode puts exactly one JSON document on stdout, on success and on failure,
 * so `hepc ... --json > out.json` always gives a file a JSON parser reads.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyExample } from "../helpers/examples.js";
import { runCli } from "../helpers/cli-io.js";
import { haveDist, spawnCli } from "../helpers/spawn-cli.js";
import { repoPath } from "../helpers/repo.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-json-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Throws (failing the test) unless `text` is one JSON document. */
function oneDocument(text: string): any {
  expect(text.trim()).not.toBe("");
  return JSON.parse(text);
}

describe("one JSON document per command", () => {
  const zmumu = copyExample(tmp, "zmumu");
  const good = path.join(zmumu, "analysis.hep");
  const broken = path.join(zmumu, "broken.hep");
  writeFileSync(broken, readFileSync(good, "utf8").replace("define ptll = (mu1 + mu2).pt", "define ptll = (mu1 + mu2).pt + nosuch"));
  const warned = path.join(zmumu, "warned.hep");
  writeFileSync(warned, readFileSync(good, "utf8") + "\ndefine unused_thing = pt1 * 2\n");
  const root = repoPath("test/fixtures/root/scikit-hep-testdata/uproot-HZZ.root");

  const cases: [string, string[], number][] = [
    ["check, clean", ["check", good, "--format", "json"], 0],
    ["check, errors", ["check", broken, "--format", "json"], 1],
    ["plan --json", ["plan", good, "--json"], 0],
    ["plan --format json with a warning", ["plan", warned, "--format", "json"], 0],
    ["plan --format json with errors", ["plan", broken, "--format", "json"], 1],
    ["run --json", ["run", good, "--json", "--threads", "1"], 0],
    ["run --json with errors", ["run", broken, "--json"], 1],
    ["diff --format json", ["diff", good, warned, "--format", "json"], 1],
    ["diff --format json, a side with errors", ["diff", good, broken, "--format", "json"], 2],
    ["inspect --json, objects", ["inspect", root, "--json"], 0],
    ["inspect --json, a tree", ["inspect", root, "events", "--json"], 0],
    ["inspect --json, values", ["inspect", root, "events", "--values", "NMuon", "--entries", "0:5", "--json"], 0],
    ["inspect --json, no such tree", ["inspect", root, "nosuch", "--json"], 1],
  ];
  for (const [name, argv, code] of cases) {
    it(name, async () => {
      const r = await runCli(argv, tmp);
      expect(r.code).toBe(code);
      oneDocument(r.out);
    });
  }

  it("run --json: the summary carries the (empty) diagnostics; a failed compile is the diagnostics alone", async () => {
    const ok = oneDocument((await runCli(["run", good, "--json", "--threads", "1"], tmp)).out);
    expect(ok.diagnostics).toEqual([]);
    expect(ok.status).toBe("ok");
    expect(ok.outputs.map((o: { path: string }) => o.path)).toContain("out/zmumu.root");
    const bad = oneDocument((await runCli(["run", broken, "--json"], tmp)).out);
    expect(bad.diagnostics.map((d: { code: string }) => d.code)).toContain("HEP2001");
  });

  it("plan --format json: the plan is stdout's document, the warning goes to stderr as JSON", async () => {
    const r = await runCli(["plan", warned, "--format", "json"], tmp);
    expect(oneDocument(r.out).nodes.length).toBeGreaterThan(0);
    expect(oneDocument(r.err).diagnostics.map((d: { code: string }) => d.code)).toEqual(["HEP2003"]);
  });

  it.skipIf(!haveDist)("through a real process: `hepc run --json > summary.json` gives a parseable file", async () => {
    const r = await spawnCli(["run", "analysis.hep", "--json", "--threads", "1"], zmumu);
    expect(r.code).toBe(0);
    expect(oneDocument(r.out).analysis).toBe("zmumu");
  });
});
