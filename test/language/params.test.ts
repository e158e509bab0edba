/**
 * Parameters end to end: declared values and `--set` overrides in strings (paths, globs, titles)
 * and expressions, type errors of overrides, and the plan recording the values (a different value,
 * a different plan hash, the same value, the same hash).
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { nodeHost } from "../../cli/host.js";
import { main } from "../../cli/main.js";
import { compilePlan } from "../../compiler/compile.js";
import { hashOf } from "../../plan/canonical.js";
import type { Plan } from "../../plan/types.js";
import { parseOverride } from "../../compiler/check/rules/params.js";
import { REPO_ROOT } from "../helpers/repo.js";
import { summary } from "../helpers/compile.js";

const REL = "test/cases/check/__params__.hep";
const SOURCE = `analysis p { title "muons in \${year}" lumi 50 /pb }
param year = "2018"
param ptmin = 25
param kinds = ["ww", "wz"]
sample st {
  files "../../../examples/single-top/data/single_top.root"
  tree "events"
  class signal
}
sample db {
  files "../../../examples/single-top/data/\${kinds}.root"
  tree "events"
  class background
}
define nmu = count(Muon where pt > ptmin)
region r = nmu > 0
output {
  histogram nmu in r bins 5 0 .. 5 to "out/\${year}/h.root"
}
`;

async function plan(params: Record<string, string> = {}, text = SOURCE) {
  const abs = path.join(REPO_ROOT, REL);
  return compilePlan(REL, nodeHost(REPO_ROOT), { overlay: new Map([[abs, text]]), params: new Map(Object.entries(params)) });
}

function node<K extends Plan["nodes"][number]["kind"]>(p: Plan, id: string): Extract<Plan["nodes"][number], { kind: K }> {
  return p.nodes.find((n) => n.id === id) as Extract<Plan["nodes"][number], { kind: K }>;
}

describe("parameters", () => {
  it("substitute declared values in titles, output paths, globs (a list: one pattern per item) and expressions", async () => {
    const c = await plan();
    expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const p = c.plan!;
    expect(p.params).toEqual({ kinds: ["ww", "wz"], ptmin: 25, year: "2018" });
    expect(p.analysis.title).toBe("muons in 2018");
    expect(p.nodes.some((n) => n.id === "write:out/2018/h.root")).toBe(true);
    expect(node<"read">(p, "read:db").files.map((f) => path.posix.basename(f))).toEqual(["ww.root", "wz.root"]);
    // `pt > ptmin` holds the constant 25
    expect(JSON.stringify(node<"define">(p, "define:nmu").expr)).toContain('{"op":"const","type":"int","value":25}');
  });

  it("take --set values, recorded in the plan: another value, another hash; the same, the same", async () => {
    const base = (await plan()).plan!;
    const same = (await plan({ year: "2018" })).plan!;
    const other = (await plan({ year: "2017", ptmin: "30", kinds: "zz" })).plan!;
    expect(hashOf(same)).toBe(hashOf(base));
    expect(hashOf(other)).not.toBe(hashOf(base));
    expect(other.params).toEqual({ kinds: ["zz"], ptmin: 30, year: "2017" });
    expect(other.analysis.title).toBe("muons in 2017");
    expect(other.nodes.some((n) => n.id === "write:out/2017/h.root")).toBe(true);
    expect(node<"read">(other, "read:db").files.map((f) => path.posix.basename(f))).toEqual(["zz.root"]);
    // the cut value is in the define's content hash, and so in every node downstream
    expect(node<"define">(other, "define:nmu").hash).not.toBe(node<"define">(base, "define:nmu").hash);
    // a parameter used only in an output path leaves the event selection's hashes alone
    const year = (await plan({ year: "2016" })).plan!;
    expect(node<"define">(year, "define:nmu").hash).toBe(node<"define">(base, "define:nmu").hash);
    expect(hashOf(year)).not.toBe(hashOf(base));
  });

  it("name the type an override must have, and unknown parameters with a suggestion", async () => {
    const c = await plan({ ptmin: "abc", kinds: "1,x", yeer: "2017" });
    expect(c.plan).toBeUndefined();
    const msgs = c.diagnostics.map((d) => `${d.code} ${d.message}${d.suggestion ? ` | ${d.suggestion.message}` : ""}`);
    expect(msgs).toContain("HEP4066 --set ptmin=abc: parameter 'ptmin' takes an integer");
    expect(msgs).toContain("HEP2050 unknown parameter 'yeer' (in --set yeer=2017) | did you mean 'year'? (--set year=2017)");
    // strings take any text: a list of strings takes any items
    expect(msgs.filter((m) => m.includes("kinds"))).toEqual([]);
    expect(parseOverride("list<int>", "1,x")).toEqual({ error: "a list of integers (item 'x' is not an integer)" });
    expect(parseOverride("list<number>", "[1.5, 2]")).toEqual({ value: [1.5, 2] });
    expect(parseOverride("bool", "yes")).toEqual({ error: "true or false" });
    expect(parseOverride("number", "2.5e3")).toEqual({ value: 2500 });
  });

  it("report unknown names in strings, lists where one value is needed, unclosed references and non-literal values", async () => {
    const text = SOURCE.replace('"out/${year}/h.root"', '"out/${yeer}/${kinds}/h.root"').replace('title "muons in ${year}"', 'title "muons in ${year"').replace("param ptmin = 25", "param ptmin = 25 + 1");
    const c = await plan({}, text);
        // `year` is then used nowhere: a warning
    expect(summary(c)).toEqual(["HEP4068@1:30", "HEP2003@2:7", "HEP4065@3:15", "HEP2050@18:46", "HEP4067@18:54"]);
    expect(c.diagnostics[3].suggestion?.replacement).toBe("year");
  });

  it("--set reaches `hepc check` and `hepc plan` from the command line", async () => {
    const io = (cwd = REPO_ROOT) => {
      const o = { out: "", err: "", isTTY: false, cwd, stdout: (t: string) => void (o.out += t), stderr: (t: string) => void (o.err += t) };
      return o;
    };
    const a = io();
    expect(await main(["check", "examples/zmumu/analysis.hep", "--set", "nope=1"], a)).toBe(1);
    expect(a.out + a.err).toContain("HEP2050");
    const b = io();
    expect(await main(["check", "examples/zmumu/analysis.hep", "--set", "bad"], b)).not.toBe(0);
    expect(b.out + b.err).toContain("--set takes NAME=VALUE");
    // hepc diff: --set applies to both sides, so two files that differ only in a default agree under it
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(path.join(tmpdir(), "hepc-params-diff-"));
    try {
      const text = (pt: number) => SOURCE.replace("param ptmin = 25", `param ptmin = ${pt}`).replaceAll("../../../examples", path.relative(dir, path.join(REPO_ROOT, "examples")).split(path.sep).join("/"));
      writeFileSync(path.join(dir, "a.hep"), text(25));
      writeFileSync(path.join(dir, "b.hep"), text(30));
      const d1 = io(dir);
      expect(await main(["diff", "a.hep", "b.hep"], d1)).toBe(1);
      expect(d1.out).toContain("param ptmin: value 25 → 30");
      const d2 = io(dir);
      expect(await main(["diff", "a.hep", "b.hep", "--set", "ptmin=40"], d2)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("parameters in the editor", () => {
  it("completes `${` with the parameters and hovers a reference with its value", async () => {
    const { TextDocument } = await import("vscode-languageserver-textdocument");
    const { pathToFileURL } = await import("node:url");
    const { completion } = await import("../../lsp/features/completion.js");
    const { hover } = await import("../../lsp/features/hover.js");
    const { compile } = await import("../../compiler/compile.js");
    const abs = path.join(REPO_ROOT, REL);
    const c = await compile(REL, nodeHost(REPO_ROOT), { overlay: new Map([[abs, SOURCE]]), params: new Map([["year", "2017"]]) });
    const doc = TextDocument.create(pathToFileURL(abs).href, "hep", 1, SOURCE);
    const at = SOURCE.indexOf("out/${year}") + "out/${".length;
    const typing = SOURCE.slice(0, at) + SOURCE.slice(at + "year}".length);
    const typed = TextDocument.create(doc.uri, "hep", 2, typing);
    const items = completion(c, typed, at).items;
    expect(items.map((i) => i.label).sort()).toEqual(["kinds", "ptmin", "year"]);
    expect(items.find((i) => i.label === "year")?.detail).toBe("param year: string");
    // not inside a `${`: no parameters
    expect(completion(c, doc, SOURCE.indexOf("out/") + 2).items.map((i) => i.label)).not.toContain("year");
    const h = hover(c, doc, at + 1);
    const md = (h?.contents as { value: string }).value;
    expect(md).toContain('param year: string = "2017"');
    expect(md).toContain("set to");
  });
});
