/**
 * The bad-input catalogue: each mistake a user can make gets its diagnostic, with its code and
 * position (line:column, 1-based), and never an exception. Sources are compiled in memory as if
 * they were test/cases/check/__inline__.hep, so `../../../examples/...` reaches the examples' data.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile, compilePlan, Compilation } from "../compiler/compile.js";
import { nodeHost } from "../cli/host.js";
import { runCli } from "./helpers/cli-io.js";
import { compileText, invariantProblems, summary, where } from "./helpers/compile.js";
import { REPO_ROOT } from "./helpers/repo.js";

const HEADER = `analysis t { lumi 50 /pb }
sample st {
  files "../../../examples/single-top/data/single_top.root"
  tree "events"
  class signal
}
sample ww {
  files "../../../examples/single-top/data/ww.root"
  tree "events"
  class background
}
`;
/** Lines HEADER takes: positions in the tests below are written relative to the file, so add this. */
const H = HEADER.split("\n").length - 1;

async function check(text: string, extra?: Record<string, string>): Promise<Compilation> {
  const c = await compileText(text, { extra });
  expect(invariantProblems(c)).toEqual([]);
  return c;
}

/** Only the errors (warnings about unused declarations are not what these tests are about). */
function errors(c: Compilation): string[] {
  return summary(c).filter((_, i) => c.diagnostics[i].severity === "error");
}

describe("bad input: names and types", () => {
  it("unknown name", async () => {
    const c = await check(HEADER + "region r = NJet > 0 and nope > 1\n");
    expect(errors(c)).toEqual([`HEP2001@${H + 1}:25`]);
    expect(c.diagnostics[0].message).toBe("unknown name 'nope'");
  });

  it("an unknown name that looks like a branch is an unknown name too, with the nearest branch suggested", async () => {
    const c = await check(HEADER + "region r = sum(Muon_Isoo) < 1 and npfcands > 1\n");
    expect(errors(c)).toEqual([`HEP2001@${H + 1}:16`, `HEP2001@${H + 1}:35`]);
    const d = c.diagnostics[0];
    expect(d.message).toBe("unknown name 'Muon_Isoo'");
    expect(d.suggestion?.message).toBe("did you mean 'Muon_Iso'?");
    expect(d.suggestion?.replacement).toBe("Muon_Iso");
  });

  it("a branch of the first sample's tree that another sample's tree lacks", async () => {
    const c = await check(HEADER + 'sample z {\n  files "../../../examples/zmumu/data/uproot-Zmumu.root"\n  tree "events"\n  class background\n}\nregion r = NJet > 1\n');
    expect(errors(c)).toEqual([`HEP2004@${H + 6}:12`]);
    expect(c.diagnostics.find((d) => d.code === "HEP2004")!.message).toBe("branch 'NJet' is not in tree 'events' of examples/zmumu/data/uproot-Zmumu.root");
  });


  it("wrong argument type", async () => {
    const c = await check(HEADER + "region r = deltaR(NJet, Muon[0]) < 0.4\n");
    expect(errors(c)).toEqual([`HEP3003@${H + 1}:19`]);
    expect(c.diagnostics[0].message).toBe("argument 1 of 'deltaR' expects an object with kinematics (a four-vector), got int");
  });

  it("jagged value used as a feature (HEP3004, with a suggestion)", async () => {
    const c = await check(HEADER + "object jets = Jet where pt > 30 GeV\nfeatures f {\n  NJet\n  jets.pt\n}\nmodel m = gbdt(f)\nregion r = NJet > 0\ntrain m { on r }\n");
    expect(errors(c)).toEqual([`HEP3004@${H + 4}:3`]);
    const d = c.diagnostics.find((x) => x.code === "HEP3004")!;
    expect(d.message).toBe("a feature must be a per-event scalar, but 'jets.pt' is list<float> (a list per event)");
    expect(d.suggestion?.message).toBe("did you mean 'jets[0].pt' or 'sum(jets.pt)' or 'max(jets.pt)'?");
    expect(d.suggestion?.replacement).toBe("jets[0].pt");
  });

  it("cycle between defines", async () => {
    const c = await check(HEADER + "define a = b + 1\ndefine b = a * 2\nregion r = a > 0\n");
    expect(errors(c)).toEqual([`HEP4001@${H + 1}:8`]);
    expect(c.diagnostics[0].message).toBe("define cycle: a → b → a");
  });

  it("duplicate sample", async () => {
    const c = await check(HEADER + 'sample st {\n  files "../../../examples/single-top/data/zz.root"\n  tree "events"\n}\nregion r = NJet > 0\n');
    expect(errors(c)).toEqual([`HEP2002@${H + 1}:8`]);
    expect(c.diagnostics[0].related?.[0].message).toBe("first declared here");
  });
});

describe("bad input: files", () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hepc-bad-input-"));
  });
  afterAll(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const sample = (files: string) => `analysis t { lumi 50 /pb }\nsample s {\n  files ${files}\n  tree "events"\n  class signal\n}\nregion r = NJet > 0\n`;

  it("missing input file", async () => {
    const c = await check(sample('"../../../examples/single-top/data/nope.root"'));
    expect(summary(c)).toEqual(["HEP2005@3:9"]);
    expect(c.diagnostics[0].message).toBe("cannot read input file 'examples/single-top/data/nope.root': no such file");
  });

  it("a glob that matches nothing", async () => {
    const c = await check(sample('"../../../examples/single-top/data/*.nope"'));
    expect(summary(c)).toEqual(["HEP2006@3:9"]);
  });

  it("a file that is not a ROOT file", async () => {
    fs.writeFileSync(path.join(tmp, "x.root"), "just some text, not ROOT\n");
    fs.writeFileSync(path.join(tmp, "a.hep"), sample('"x.root"'));
    const c = await compile("a.hep", nodeHost(tmp));
    expect(invariantProblems(c)).toEqual([]);
    expect(summary(c)).toEqual(["HEP2007@3:9"]);
    expect(c.diagnostics[0].message).toMatch(/^'x\.root' is not a ROOT file: /);
  });

  it("an empty file named .root", async () => {
    fs.writeFileSync(path.join(tmp, "empty.root"), "");
    fs.writeFileSync(path.join(tmp, "b.hep"), sample('"empty.root"'));
    const c = await compile("b.hep", nodeHost(tmp));
    expect(invariantProblems(c)).toEqual([]);
    expect(summary(c)).toEqual(["HEP2007@3:9"]);
  });

  it("a directory given as input", async () => {
    fs.mkdirSync(path.join(tmp, "dir.root"), { recursive: true });
    fs.writeFileSync(path.join(tmp, "c.hep"), sample('"dir.root"'));
    const c = await compile("c.hep", nodeHost(tmp));
    expect(invariantProblems(c)).toEqual([]);
    expect(summary(c)).toEqual(["HEP2005@3:9"]);
  });

  it("an include cycle", async () => {
    const c = await check(HEADER + 'include "__cycle_b__.hep"\nregion r = NJet > 0\n', {
      "test/cases/check/__cycle_b__.hep": 'include "__inline__.hep"\nregion r2 = NJet > 1\n',
    });
    expect(c.diagnostics.map((d) => `${d.file} ${d.code}@${where(c, d)}`)).toEqual(["test/cases/check/__cycle_b__.hep HEP2010@1:9"]);
    expect(c.diagnostics[0].message).toBe("include cycle: test/cases/check/__inline__.hep → test/cases/check/__cycle_b__.hep → test/cases/check/__inline__.hep");
  });

  it("a file that includes itself", async () => {
    const c = await check(HEADER + 'include "__inline__.hep"\nregion r = NJet > 0\n');
    expect(summary(c)).toEqual([`HEP2010@${H + 1}:9`]);
  });

  it("a missing include", async () => {
    const c = await check(HEADER + 'include "nope/none.hep"\nregion r = NJet > 0\n');
    expect(summary(c)).toEqual([`HEP2009@${H + 1}:9`]);
  });
});

describe("bad input: syntax", () => {
  it("unterminated string", async () => {
    const c = await check('analysis t {\n  title "no end\n}\n');
    expect(summary(c)).toEqual(["HEP1002@2:9"]);
  });

  it("an unterminated string in a sample's files", async () => {
    const c = await check('analysis t { lumi 1 /fb }\nsample s {\n  files "../../../examples/single-top/data/ww.root\n  tree "events"\n}\n');
    expect(errors(c)).toEqual(["HEP1002@3:9"]);
  });

  it("unbalanced braces: one never closed", async () => {
    const c = await check(HEADER + "features f {\n  NJet\nregion r = NJet > 0\n");
    expect(summary(c)).toEqual([`HEP1004@${H + 1}:12`]);
    expect(c.diagnostics[0].message).toBe("'{' is never closed");
  });

  it("unbalanced braces: one closed twice", async () => {
    const c = await check(HEADER + "region r = NJet > 0\n}\n");
    expect(summary(c)).toEqual([`HEP1005@${H + 2}:1`]);
  });

  it("an empty file", async () => {
    const c = await check("");
    expect(summary(c)).toEqual(["HEP1006@1:1"]);
  });

  it("a file of blanks and comments", async () => {
    const c = await check("\n   \n# nothing here\n\t\n");
    expect(summary(c)).toEqual(["HEP1006@1:1"]);
  });

  describe("one syntax error gives exactly one diagnostic", () => {
    const variants: Array<[string, string, string]> = [
      ["missing operand", "define x = NJet +\nregion r = x > 0\n", `HEP1003@${H + 2}:1`],
      ["missing operand in parentheses", "define x = (NJet * )\nregion r = x > 0\n", `HEP1003@${H + 1}:20`],
      ["stray token between declarations", "define x = NJet\n)\nregion r = x > 0\n", `HEP1005@${H + 2}:1`],
      ["stray string between declarations", 'define x = NJet\n"stray"\nregion r = x > 0\n', `HEP1003@${H + 2}:1`],
      ["stray word in an expression", "define x = NJet NMuon\nregion r = x > 0\n", `HEP1003@${H + 1}:17`],
      ["misspelt property in a sample block", 'sample zz {\n  files "../../../examples/single-top/data/zz.root"\n  tre "events"\n  class background\n}\nregion r = NJet > 0\n', `HEP1003@${H + 3}:3`],
      ["misspelt property in a train block", "features f { NJet }\nmodel m = gbdt(f)\nregion r = NJet > 0\ntrain m {\n  on r\n  fold 5 by entry % 5\n}\n", `HEP1003@${H + 6}:3`],
      ["missing '}' before the next declaration", "features f {\n  NJet\nmodel m = gbdt(f)\nregion r = NJet > 0\ntrain m { on r }\n", `HEP1004@${H + 1}:12`],
      ["missing '=' in a define", "define x NJet + 1\nregion r = x > 0\n", `HEP1003@${H + 1}:10`],
      ["missing name of a define", "define = NJet + 1\nregion r = NJet > 0\n", `HEP1003@${H + 1}:8`],
      ["missing ')' of a call", "define x = count(Jet\nregion r = x > 0\n", `HEP1004@${H + 1}:17`],
      ["missing argument of a call", "define x = max(Jet.btag, )\nregion r = x > 0\n", `HEP1003@${H + 1}:26`],
      ["broken index in a call", "define x = max(Jet[0.btag)\nregion r = x > 0\n", `HEP1004@${H + 1}:19`],
      ["broken argument of a model", "features f { NJet }\nmodel m = gbdt(f +)\nregion r = NJet > 0\ntrain m { on r }\n", `HEP1003@${H + 2}:19`],
      ["an unknown character", "define x = NJet # 2\nregion r = x ? 1\n", `HEP1001@${H + 2}:14`],
      ["a keyword as a name", "define where = 1\nregion r = NJet > 0\n", `HEP1003@${H + 1}:8`],
      ["comparisons chained", "region r = 0 < NJet < 5\n", `HEP1003@${H + 1}:21`],
      ["an include without its path", "include\nregion r = NJet > 0\n", `HEP1003@${H + 2}:1`],
      ["folds without their number", "features f { NJet }\nmodel m = gbdt(f)\nregion r = NJet > 0\ntrain m { on r folds by entry % 5 }\n", `HEP1003@${H + 4}:22`],
      ["a member without its field", "define x = Jet[0].\nregion r = x > 0\n", `HEP1003@${H + 2}:1`],
    ];
    for (const [name, body, expected] of variants) {
      it(name, async () => {
        const c = await check(HEADER + body);
        expect(summary(c)).toEqual([expected]);
      });
    }
  });

  it("a luminosity unit without its word", async () => {
    const c = await check('analysis t { lumi 50 / }\nsample s {\n  files "../../../examples/single-top/data/ww.root"\n  tree "events"\n}\nregion r = NJet > 0\n');
    expect(summary(c)).toEqual(["HEP1003@1:24"]);
  });

  it("tokens left between declarations: a declaration is expected", async () => {
    const c = await check(HEADER + "define x = NJet\n= 2\nregion r = x > 0\n");
    expect(summary(c)).toEqual([`HEP1003@${H + 2}:1`]);
    expect(c.diagnostics[0].message).toMatch(/^expected a declaration \(analysis, include, .*\) but found '='$/);
  });

  it("a misspelt property is reported with the nearest property", async () => {
    const c = await check(HEADER + 'sample zz {\n  files "../../../examples/single-top/data/zz.root"\n  tre "events"\n}\nregion r = NJet > 0\n');
    expect(summary(c)).toEqual([`HEP1003@${H + 3}:3`]);
    expect(c.diagnostics[0].suggestion?.message).toBe("did you mean 'tree'?");
  });

  it("a syntax error in a define does not make its uses unknown names", async () => {
    const c = await check(HEADER + "define ht = sum(Jet.Px +)\ndefine ht2 = ht * 2\nregion r = ht > 100 and ht2 > 0\noutput {\n  histogram ht in r bins 10 0 .. 500 to \"out/h.root\"\n}\n");
    expect(summary(c)).toEqual([`HEP1003@${H + 1}:25`]);
  });

  it("a syntax error in an object does not make its uses unknown names", async () => {
    const c = await check(HEADER + "object jets = Jet where pt > > 30\nregion r = count(jets) > 0 and jets[0].pt > 30\n");
    expect(summary(c)).toEqual([`HEP1003@${H + 1}:30`]);
  });
});

describe("bad input: limits", () => {
  const inline = (text: string) => new Map([[path.join(REPO_ROOT, "test/cases/check/__inline__.hep"), text]]);

  it("a number too large to have a value: HEP1008, and planning does not throw", async () => {
    const c = await check(HEADER + "define x = 1e999\nregion r = x > 0\n");
    expect(summary(c)).toEqual([`HEP1008@${H + 1}:12`]);
    const p = await compilePlan("test/cases/check/__inline__.hep", nodeHost(REPO_ROOT), { overlay: inline(HEADER + "define x = 1e999\nregion r = x > 0\n") });
    expect(p.plan).toBeUndefined();
  });

  it("60 nested parentheses", async () => {
    const c = await check(HEADER + `define x = ${"(".repeat(60)}NJet${")".repeat(60)}\nregion r = x > 0\n`);
    expect(summary(c)).toEqual([]);
  });

  it("an expression of 500 terms, planned", async () => {
    const text = HEADER + `define x = NJet${" + 1".repeat(500)}\nregion r = x > 0\n`;
    const c = await check(text);
    expect(summary(c)).toEqual([]);
    const p = await compilePlan("test/cases/check/__inline__.hep", nodeHost(REPO_ROOT), { overlay: inline(text) });
    expect(p.plan).toBeDefined();
  });

  // Known compiler bugs, reported to the compiler's owner: these inputs throw instead of giving a
  // diagnostic. The tests pin the current failure; when one is fixed its test fails, and should then
  // assert the diagnostic instead.

  it("2000 nested parentheses: HEP1010 at the deepest one, not a stack overflow", async () => {
    const text = HEADER + `define x = ${"(".repeat(2000)}NJet${")".repeat(2000)}\nregion r = x > 0\n`;
    const codes = (await compileText(text)).diagnostics.map((d) => d.code);
    expect(codes).toContain("HEP1010");
  });

  it("a chain of 5000 defines: HEP1010, not a stack overflow", async () => {
    const chain = Array.from({ length: 5000 }, (_, i) => `define d${i} = d${i + 1} + 1`).join("\n");
    const codes = (await compileText(HEADER + chain + "\ndefine d5000 = NJet\nregion r = d0 > 0\n")).diagnostics.map((d) => d.code);
    expect(codes).toEqual(["HEP1010"]);
  });

  it("a uniform binning of 4e9 bins is refused without expanding it", async () => {
    // Checking used to build the edges: an out-of-memory crash of the whole process (hepc check, the language server).
    const c = await check(HEADER + 'region r = NJet > 0\noutput {\n  histogram NJet in r bins 4000000000 0 .. 1 to "out/h.root"\n}\n');
    expect(summary(c).map((d) => d.split("@")[0])).toEqual(["HEP4030"]);
  });

  it("a uniform binning of 1e11 bins is refused by the checker (HEP4030), so planning never expands it", async () => {
    const text = HEADER + 'region r = NJet > 0\noutput {\n  histogram NJet in r bins 100000000000 0 .. 1 to "out/h.root"\n}\n';
    expect((await compileText(text)).diagnostics.map((d) => d.code)).toEqual(["HEP4030"]);
  });

  it("bin edges near the largest double (6 bins 6 .. 1e308) stay finite in the plan", async () => {
    const text = HEADER + 'region r = NJet > 0\noutput {\n  histogram NJet in r bins 6 6 .. 1e308 to "out/h.root"\n}\n';
    const c = await compilePlan("test/cases/check/__inline__.hep", nodeHost(REPO_ROOT), { overlay: inline(text) });
    expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const h = c.plan!.nodes.find((n) => n.kind === "histogram")!;
    expect(h.kind === "histogram" && h.edges[0].every(Number.isFinite)).toBe(true);
  });

  it("an expression of 20000 terms: HEP1010 while checking or planning, not a stack overflow", async () => {
    const text = HEADER + `define x = NJet${" + 1".repeat(20000)}\nregion r = x > 0\n`;
    const c = await compilePlan("test/cases/check/__inline__.hep", nodeHost(REPO_ROOT), { overlay: inline(text) });
    expect(c.diagnostics.map((d) => d.code)).toContain("HEP1010");
    expect(c.plan).toBeUndefined();
  });
});

describe("bad input: the CLI", () => {
  it("`hepc check` without a file: exit 2 and the usage on stderr", async () => {
    const r = await runCli(["check"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("usage: hepc check FILE.hep");
    expect(r.out).toBe("");
  });

  it("`hepc` without a command: exit 2 and the usage on stderr", async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("usage: hepc <command>");
  });

  it("an unknown option: exit 2, no stack trace", async () => {
    const r = await runCli(["check", "examples/zmumu/analysis.hep", "--colour"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown option --colour");
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("a .hep file that does not exist: a diagnostic, exit 1, no stack trace", async () => {
    const r = await runCli(["check", "no/such/analysis.hep"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("no/such/analysis.hep: error[HEP2019]: cannot read the analysis file");
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("--format json output parses, with code, line and column", async () => {
    const r = await runCli(["check", "test/cases/check/unknown-branch.hep", "--format", "json"]);
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.out) as { diagnostics: Array<Record<string, unknown>> };
    expect(parsed.diagnostics.length).toBeGreaterThan(0);
    const d = parsed.diagnostics[0];
    expect(d).toMatchObject({ code: "HEP2001", severity: "error", file: "test/cases/check/unknown-branch.hep", line: 8, column: 16 });
    for (const x of parsed.diagnostics) {
      expect(typeof x.code).toBe("string");
      expect(typeof x.line).toBe("number");
      expect(typeof x.column).toBe("number");
    }
  });

  it("--format json for a file that does not exist", async () => {
    const r = await runCli(["check", "nope.hep", "--format=json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).diagnostics).toMatchObject([{ code: "HEP2019", file: "nope.hep", line: 1, column: 1 }]);
  });

  it("a clean analysis: exit 0 and nothing printed", async () => {
    const r = await runCli(["check", "examples/zmumu/analysis.hep"]);
    expect(r).toEqual({ code: 0, out: "", err: "" });
  });
});
