/**
 * The language features as pure functions of (compilation, document, offset), without an editor.
 * `<|>` in a source marks the cursor. Sources are compiled as if they were files beside the
 * single-top example, so `data/*.root` are its ROOT files.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import { describe, expect, it } from "vitest";
import { nodeHost } from "../../cli/host.js";
import { compile, Compilation } from "../../compiler/compile.js";
import { codeActions } from "../../lsp/features/codeActions.js";
import { completion, resolveCompletion } from "../../lsp/features/completion.js";
import { definition } from "../../lsp/features/definition.js";
import { diagnostics } from "../../lsp/features/diagnostics.js";
import { documentSymbols } from "../../lsp/features/documentSymbols.js";
import { foldingRanges } from "../../lsp/features/foldingRanges.js";
import { formatting } from "../../lsp/features/formatting.js";
import { hover } from "../../lsp/features/hover.js";
import { inlayHints } from "../../lsp/features/inlayHints.js";
import { documentHighlights, references } from "../../lsp/features/references.js";
import { prepareRename, rename } from "../../lsp/features/rename.js";
import { SEMANTIC_LEGEND, semanticTokens } from "../../lsp/features/semanticTokens.js";
import { signatureHelp } from "../../lsp/features/signatureHelp.js";
import { compileVersion, Workspace } from "../../lsp/workspace.js";
import { lex } from "../../lsp/features/tokens.js";
import { HepLexer } from "../../grammar/lexer.js";
import { REPO_ROOT } from "../helpers/repo.js";

const host = nodeHost(REPO_ROOT);
const DIR = path.join(REPO_ROOT, "examples/single-top");
const EXAMPLE = readFileSync(path.join(DIR, "analysis.hep"), "utf8");

const HEADER = `analysis t { lumi 50 /pb }
sample single_top {
  files "data/single_top.root"
  tree "events"
  class signal
  weight EventWeight
}
sample ww {
  files "data/ww.root"
  tree "events"
  class background
}
object muons = Muon where pt > 25 GeV
object jets = Jet where pt > 30 GeV
define ht = ht(jets)
region presel = count(muons) == 1
bins pt_bins = [25, 40, 60]
features kin {
  ht normal
}
model bdt = gbdt(kin)
train bdt { on presel }
`;

interface Setup {
  c: Compilation;
  doc: TextDocument;
  offset: number;
  text: string;
}

/** Compiles `src` (cursor marked `<|>`) as examples/single-top/NAME, with `extra` files beside it. */
async function setup(src: string, name = "__lsp_test__.hep", extra: Record<string, string> = {}): Promise<Setup> {
  const offset = src.indexOf("<|>");
  const text = src.replace("<|>", "");
  const abs = path.join(DIR, name);
  const overlay = new Map<string, string>([[abs, text]]);
  for (const [n, t] of Object.entries(extra)) overlay.set(path.join(DIR, n), t);
  // As the server does: features get the compilation with an unfinished last declaration blanked out.
  const c = (await compileVersion(abs, host, overlay, abs, text)).semantic;
  return { c, doc: TextDocument.create(pathToFileURL(abs).href, "hep", 1, text), offset, text };
}

async function complete(src: string): Promise<string[]> {
  const s = await setup(src);
  return completion(s.c, s.doc, s.offset).items.map((i) => i.label);
}

describe("completion", () => {
  it("offers declaration keywords at the top level", async () => {
    const labels = await complete(HEADER + "\n<|>");
    expect(labels).toEqual(expect.arrayContaining(["analysis", "sample", "define", "region", "features", "model", "train", "evaluate", "output"]));
    expect(labels).not.toContain("Muon_Px");
  });

  it("offers samples, groups and parameters in a derived histogram, and `histogram` at the top level", async () => {
    expect(await complete(HEADER + "\n<|>")).toContain("histogram");
    const names = await complete(HEADER + "group bkg = ww\nhistogram pseudo = 0.5 * <|>");
    expect(names).toEqual(expect.arrayContaining(["single_top", "ww", "bkg"]));
    expect(names).not.toContain("presel");
    expect(names).not.toContain("Muon_Px");
  });

  it("offers a block's own properties", async () => {
    expect(await complete(HEADER + 'sample zz {\n  files "data/zz.root"\n  <|>\n}')).toEqual(expect.arrayContaining(["tree", "class", "weight", "where", "xsec", "sumw", "title"]));
    const train = await complete(HEADER + "train bdt {\n  <|>\n}");
    expect(train).toEqual(expect.arrayContaining(["on", "folds", "balance", "reweight", "validation"]));
    expect(train).not.toContain("metrics");
    expect(await complete(HEADER + "evaluate bdt {\n  in presel\n  <|>\n}")).toEqual(expect.arrayContaining(["bins", "metrics", "working_points", "reference"]));
    expect(await complete(HEADER + 'output {\n  cutflow to "out/c.json"\n  <|>\n}')).toEqual(expect.arrayContaining(["predictions", "histogram", "cutflow", "report"]));
  });

  it("offers names of the kind a clause wants", async () => {
    expect(await complete(HEADER + "train bdt {\n  on <|>\n}")).toEqual(["presel"]);
    expect(await complete(HEADER + "train bdt {\n  reweight to <|>\n}")).toEqual(expect.arrayContaining(["single_top", "ww"]));
    expect(await complete(HEADER + "train bdt {\n  on presel\n  <|>\n}")).toEqual(expect.arrayContaining(["test", "class_weights", "negative_weights"]));
    expect(await complete(HEADER + "train bdt {\n  negative_weights <|>\n}")).toEqual(["keep", "abs", "drop"]);
    expect(await complete(HEADER + "evaluate <|>")).toEqual(["bdt"]);
    expect(await complete(HEADER + "group g = ww, <|>")).toEqual(expect.arrayContaining(["single_top", "ww"]));
    expect(await complete(HEADER + 'output {\n  histogram ht in <|>\n}')).toEqual(["presel"]);
    expect(await complete(HEADER + 'output {\n  histogram ht by <|>\n}')).toEqual(expect.arrayContaining(["sample", "class", "group"]));
    expect(await complete(HEADER + 'output {\n  histogram ht bins <|>\n}')).toContain("pt_bins");
    expect(await complete(HEADER + "evaluate bdt {\n  metrics auc, <|>\n}")).toEqual(expect.arrayContaining(["roc", "significance", "efficiency"]));
  });

  it("offers the element's fields inside a sequence features list and after its `sorted by`", async () => {
    expect(await complete(HEADER + "features seq per jets sorted by -pt length 4 {\n  abs(<|>)\n}")).toEqual(expect.arrayContaining(["Px"]));
    expect(await complete(HEADER + "features seq per jets sorted by -<|> length 4 { Px }")).toEqual(expect.arrayContaining(["Px"]));
    // a plain features list has no element in scope
    expect(await complete(HEADER + "features f2 {\n  abs(<|>)\n}")).not.toContain("Px");
  });

  it("offers scalings after a feature and model options by kind", async () => {
    const after = await complete(HEADER + "features f {\n  ht <|>\n}");
    expect(after).toEqual(expect.arrayContaining(["normal", "linear", "categorical", "log", "none", "shift", "as"]));
    expect(await complete(HEADER + "model m = <|>")).toEqual(expect.arrayContaining(["gbdt", "mlp", "cut_and_count", "onnx"]));
    const gbdt = await complete(HEADER + "model m = gbdt(kin) { trees 10 <|> }");
    expect(gbdt).toEqual(expect.arrayContaining(["depth", "learning_rate", "bins"]));
    expect(gbdt).not.toContain("trees");
    expect(gbdt).not.toContain("epochs");
    expect(await complete(HEADER + "model m = mlp(kin) { <|> }")).toEqual(expect.arrayContaining(["layers", "activation", "epochs"]));
    expect(await complete(HEADER + "model m = mlp(kin) { activation <|> }")).toEqual(expect.arrayContaining(["relu", "tanh"]));
    expect(await complete(HEADER + "model m = gbdt(<|>)")).toEqual(["kin"]);
    expect(await complete(HEADER + "model m = gbdt(k<|>)\ntrain m { on presel }")).toEqual(["kin"]);
  });

  it("completes ntuples: the item, its clauses, regions, and columns (names, collections' fields)", async () => {
    expect(await complete(HEADER + 'output {\n  <|>\n}')).toContain("ntuple");
    expect(await complete(HEADER + "output <|>")).toEqual(expect.arrayContaining(["ntuple", "histogram"]));
    expect(await complete(HEADER + 'output {\n  ntuple "out/s.root" <|>\n}')).toEqual(expect.arrayContaining(["in", "keep"]));
    expect(await complete(HEADER + 'output ntuple "out/s.root" in <|>')).toEqual(["presel"]);
    const cols = await complete(HEADER + 'output ntuple "out/s.root" in presel keep <|>');
    expect(cols).toEqual(expect.arrayContaining(["ht", "jets", "muons", "NJet", "EventWeight", "bdt", "entry"]));
    expect(await complete(HEADER + 'output ntuple "out/s.root" keep ht, jets.<|>')).toEqual(expect.arrayContaining(["pt", "eta", "btag", "E"]));
    expect(await complete(HEADER + 'output {\n  ntuple "out/s.root" keep ht, <|>\n}')).toEqual(expect.arrayContaining(["ht", "jets", "NJet"]));
    // a kept name is a use of its declaration: found by references (and renamed with it)
    const s = await setup(HEADER + 'output ntuple "out/s.root" keep h<|>t, jets.pt as jpt');
    const refs = references(s.c, s.doc, s.offset, true);
    const lastLine = s.text.split("\n").length - 1;
    expect(refs.some((r) => r.range.start.line === lastLine)).toBe(true);
    expect(refs.some((r) => r.range.start.line !== lastLine)).toBe(true);
    // the column's name after `as` is coloured as a declared variable, the keywords as keywords
    const data = semanticTokens(s.c, s.doc).data;
    const lines = s.text.split("\n");
    const decoded: string[] = [];
    for (let i = 0, line = 0, ch = 0; i < data.length; i += 5) {
      line += data[i];
      ch = data[i] === 0 ? ch + data[i + 1] : data[i + 1];
      if (line === lastLine) decoded.push(`${lines[line].slice(ch, ch + data[i + 2])}:${SEMANTIC_LEGEND.tokenTypes[data[i + 3]]}`);
    }
    expect(decoded).toEqual(expect.arrayContaining(["ntuple:keyword", "keep:keyword", "ht:variable", "as:keyword", "jpt:variable"]));
  });

  it("lists the file's branches after a prefix, and names in scope", async () => {
    const labels = await complete(HEADER + "define x = Muon_<|>");
    expect(labels).toEqual(expect.arrayContaining(["Muon_Px", "Muon_Py", "Muon_Iso", "Muon_Charge"]));
    expect(labels.filter((l) => l.startsWith("Jet_"))).toEqual([]);
    const any = await complete(HEADER + "define x = <|>");
    expect(any).toEqual(expect.arrayContaining(["muons", "jets", "ht", "presel", "Muon", "Jet", "deltaR", "hypot", "entry"]));
    expect(any).not.toContain("x");
    // a model's name is its score, a value; a features list is not
    expect(any).toContain("bdt");
    expect(any).not.toContain("kin");
  });

  it("lists a record's fields after '.', inside 'where' and in per-element arguments", async () => {
    const fields = ["Px", "Iso", "Charge", "pt", "eta", "phi", "mass"];
    expect(await complete(HEADER + "define x = muons.<|>")).toEqual(expect.arrayContaining(fields));
    expect(await complete(HEADER + "define x = Muon.<|>")).toEqual(expect.arrayContaining(fields));
    expect(await complete(HEADER + "define x = muons[0].<|>")).toEqual(expect.arrayContaining(fields));
    expect(await complete(HEADER + "define x = first(jets).<|>")).toEqual(expect.arrayContaining(["btag", "ID", "pt"]));
    expect(await complete(HEADER + "define x = MET.<|>")).toEqual(expect.arrayContaining(["px", "py"]));
    const where = await complete(HEADER + "object m = Muon where pt > 10 and <|>");
    expect(where).toEqual(expect.arrayContaining([...fields, "this", "muons"]));
    expect(await complete(HEADER + "define x = sort_by(jets, <|>)")).toEqual(expect.arrayContaining(["btag", "pt"]));
    // Outside the where's argument list the fields are not in scope.
    expect(await complete(HEADER + "define x = count(Muon where pt > 1) + <|>")).not.toContain("Iso");
  });

  it("types expressions inside blocks the same way", async () => {
    const muon = ["Px", "Iso", "Charge", "pt"];
    expect(await complete(HEADER + 'sample zz {\n  files "data/ww.root"\n  tree "events"\n  where count(Muon where <|>')).toEqual(expect.arrayContaining(muon));
    expect(await complete(HEADER + 'sample zz {\n  files "data/ww.root"\n  weight muons[0].<|>\n}')).toEqual(expect.arrayContaining(muon));
    expect(await complete(HEADER + "features f {\n  ht normal\n  muons[0].<|>\n}")).toEqual(expect.arrayContaining(muon));
    expect(await complete(HEADER + 'output {\n  histogram first(jets).<|>')).toEqual(expect.arrayContaining(["btag", "ID"]));
    expect(await complete(HEADER + "train bdt {\n  on presel\n  folds 2 by first(muons).<|>\n}")).toEqual(expect.arrayContaining(muon));
    // Items are one a line; an operator at a line's end or start carries the expression over.
    expect(await complete(HEADER + "features f {\n  ht\n  muons[0].<|>\n}")).toEqual(expect.arrayContaining(muon));
    expect(await complete(HEADER + 'sample zz {\n  files "data/ww.root"\n  where count(muons) > 0 and\n    first(jets).<|>')).toEqual(expect.arrayContaining(["btag", "ID"]));
    expect(await complete(HEADER + 'output {\n  histogram ht, first(muons).<|>')).toEqual(expect.arrayContaining(muon));
    expect(await complete(HEADER + 'output {\n  histogram ht bins 10 0 .. 100 to "h.root"\n  histogram sort_by(Jet where pt > 20, <|>')).toEqual(expect.arrayContaining(["btag"]));
  });

  it("types the text before the cursor as the checker does (cases the old token walker got wrong)", async () => {
    const muon = ["Px", "Iso", "Charge", "pt", "eta"];
    // A pair (stdlib `pairs`) is a record the walker never typed: fields first, second and the sum's kinematics.
    const pair = ["first", "second", "pt", "eta", "phi", "mass"];
    expect(await complete(HEADER + "define x = best(pairs(muons), mass ~= 91.2).<|>")).toEqual(expect.arrayContaining(pair));
    expect(await complete(HEADER + "define x = best(pairs(muons), <|>)")).toEqual(expect.arrayContaining(pair));
    expect(await complete(HEADER + "object zs = pairs(muons, jets) where <|>")).toEqual(expect.arrayContaining(pair));
    expect(await complete(HEADER + "define x = pairs(muons, jets)[0].first.<|>")).toEqual(expect.arrayContaining(muon));
    expect(await complete(HEADER + "define x = pairs(muons, jets)[0].second.<|>")).toEqual(expect.arrayContaining(["btag", "ID"]));
    // A collection argument that ends in something other than a name (`… > 20`).
    expect(await complete(HEADER + "define x = first(Jet where pt > 20).<|>")).toEqual(expect.arrayContaining(["btag", "ID", "pt"]));
    expect(await complete(HEADER + "define x = sort_by(Jet where pt > 20, <|>)")).toEqual(expect.arrayContaining(["btag", "pt"]));
    // What the checker refuses has no fields: a scalar has none, and a declaration reaching itself is
    // a cycle (the walker offered the old `muons`'s fields).
    expect(await complete(HEADER + "define x = ht.<|>")).not.toContain("pt");
    expect(await complete(HEADER + "object muons = muons.<|>")).not.toContain("Iso");
    expect(await complete(HEADER + "define x = count(jets) where <|>")).not.toContain("btag");
  });

  it("answers without a compilation, and never inside comments or strings", async () => {
    const text = "define x = de";
    const doc = TextDocument.create("file:///nowhere/a.hep", "hep", 1, text);
    const labels = completion(undefined, doc, text.length).items.map((i) => i.label);
    expect(labels).toEqual(expect.arrayContaining(["deltaR", "deltaPhi"]));
    expect(await complete(HEADER + "# a comm<|>")).toEqual([]);
    expect(await complete(HEADER + 'sample s { files "da<|>" }')).toEqual([]);
  });

  it("completes paths in files and include strings", async () => {
    const s = await setup(HEADER + 'sample zz {\n  files "data/<|>"\n}');
    const listDir = (dir: string) => readdirSync(dir, { withFileTypes: true }).map((e) => ({ name: e.name, dir: e.isDirectory() }));
    const labels = completion(s.c, s.doc, s.offset, { listDir }).items.map((i) => i.label);
    expect(labels).toEqual(expect.arrayContaining(["single_top.root", "ww.root", "wz.root", "zz.root"]));
    expect(labels).not.toContain("LICENSE");
    const inc = await setup(HEADER + 'include "<|>"');
    expect(completion(inc.c, inc.doc, inc.offset, { listDir }).items.map((i) => i.label)).toEqual(expect.arrayContaining(["analysis.hep", "data/"]));
  });

  it("resolves an item's documentation", async () => {
    const s = await setup(HEADER + "define x = hyp<|>");
    const item = completion(s.c, s.doc, s.offset).items.find((i) => i.label === "hypot")!;
    expect(JSON.stringify(resolveCompletion(s.c, item).documentation)).toContain("hypot(x: number, y: number)");
  });
});

describe("completion in new blocks", () => {
  it("offers sample properties but files in defaults, and histograms in output", async () => {
    const d = await complete(HEADER + "defaults {\n  <|>\n}\n");
    expect(d).toEqual(expect.arrayContaining(["tree", "weight", "class"]));
    expect(d).not.toContain("files");
    expect(await complete(HEADER + "output {\n  <|>\n}\n")).toContain("histograms");
  });
});

describe("hover", () => {
  const hoverAt = async (src: string) => {
    const s = await setup(src);
    const h = hover(s.c, s.doc, s.offset);
    return h ? (h.contents as { value: string }).value : "";
  };

  it("shows a stdlib function's signature and docs", async () => {
    const v = await hoverAt(HEADER + "define x = delta<|>R(muons[0], jets[0])");
    expect(v).toContain("deltaR(a: p4, b: p4) -> float");
    expect(v).toContain("angular distance");
  });

  it("shows a define's expression and type, and a branch's type and file", async () => {
    expect(await hoverAt(HEADER + "define x = h<|>t * 2")).toMatch(/define ht: float\n {2}= ht\(jets\)/);
    const b = await hoverAt(HEADER + "define x = MET_p<|>x");
    expect(b).toContain("branch MET_px: float");
    expect(b).toContain("examples/single-top/data/single_top.root");
    expect(b).toContain("grouped by its prefix `MET_` as field `px` of the record `MET`");
    expect(await hoverAt(HEADER + "define x = count(Mu<|>on)")).toContain("grouped from the jagged branches named `Muon_*`");
  });

  it("shows a sample's files and entries, a collection's fields, a field's type", async () => {
    const s = await hoverAt(HEADER + "group g = single_t<|>op");
    expect(s).toContain("data/single_top.root");
    expect(s).toContain("entries: 5,684");
    expect(await hoverAt(HEADER + "define x = count(Mu<|>on)")).toContain("Iso: float");
    expect(await hoverAt(HEADER + "define x = muons[0].I<|>so")).toContain("Muon.Iso: float");
  });

  it("explains the fallback and membership operators, with their result type", async () => {
    const f = await hoverAt(HEADER + "define x = max(muons.pt) ?<|>? 0");
    expect(f).toContain("??: float");
    expect(f).toContain("where `a` is missing");
    const i = await hoverAt(HEADER + "define x = count(jets) not i<|>n [2, 3]");
    expect(i).toContain("not in: bool");
    expect(i).toContain("equal to none of the values");
  });
});

describe("navigation", () => {
  const included = "define lead_pt = muons[0].pt\n";
  const root = HEADER + 'include "__lsp_inc__.hep"\ndefine y = lead_pt * 2\nregion r = lead_pt > 30 and y > 1\n';

  it("goes to a declaration across includes", async () => {
    const s = await setup(root.replace("define y = lead_pt", "define y = lead_<|>pt"), "__lsp_test__.hep", { "__lsp_inc__.hep": included });
    const locs = definition(s.c, s.doc, s.offset)!;
    expect(locs).toHaveLength(1);
    expect(locs[0].uri.endsWith("/__lsp_inc__.hep")).toBe(true);
    expect(locs[0].range).toEqual({ start: { line: 0, character: 7 }, end: { line: 0, character: 14 } });
  });

  it("finds references and renames them across includes", async () => {
    const s = await setup(root.replace("define y = lead_pt", "define y = lead_<|>pt"), "__lsp_test__.hep", { "__lsp_inc__.hep": included });
    const refs = references(s.c, s.doc, s.offset, true);
    expect(refs).toHaveLength(3);
    expect(references(s.c, s.doc, s.offset, false)).toHaveLength(2);
    expect(documentHighlights(s.c, s.doc, s.offset)).toHaveLength(2);
    const edit = rename(s.c, s.doc, s.offset, "leading_pt");
    expect("changes" in edit).toBe(true);
    const changes = (edit as { changes: Record<string, Array<{ newText: string }>> }).changes;
    expect(Object.keys(changes)).toHaveLength(2);
    expect(Object.values(changes).flat().every((e) => e.newText === "leading_pt")).toBe(true);
  });

  it("refuses to rename functions, branches and fields, and to a taken name", async () => {
    const fn = await setup(HEADER + "define x = hyp<|>ot(MET_px, MET_py)");
    expect(prepareRename(fn.c, fn.doc, fn.offset)).toEqual({ error: expect.stringMatching(/standard-library function/) });
    const br = await setup(HEADER + "define x = hypot(MET_<|>px, MET_py)");
    expect(prepareRename(br.c, br.doc, br.offset)).toEqual({ error: expect.stringMatching(/branch/) });
    const fld = await setup(HEADER + "define x = muons[0].I<|>so");
    expect(prepareRename(fld.c, fld.doc, fld.offset)).toEqual({ error: expect.stringMatching(/field/) });
    const ok = await setup(HEADER + "define x = h<|>t");
    expect(prepareRename(ok.c, ok.doc, ok.offset)).toMatchObject({ placeholder: "ht" });
    expect(rename(ok.c, ok.doc, ok.offset, "presel")).toEqual({ error: expect.stringMatching(/already declared/) });
    expect(rename(ok.c, ok.doc, ok.offset, "where")).toEqual({ error: expect.stringMatching(/reserved/) });
    expect(rename(ok.c, ok.doc, ok.offset, "MET_px")).toEqual({ error: expect.stringMatching(/branch/) });
  });

  it("helps with a call's signature on unfinished text", async () => {
    const s = await setup(HEADER + "define x = deltaR(muons[0], <|>");
    const h = signatureHelp(s.c, s.doc, s.offset)!;
    expect(h.signatures[0].label).toBe("deltaR(a: p4, b: p4) -> float");
    expect(h.activeParameter).toBe(1);
    const nested = await setup(HEADER + "define x = min(deltaR(muons[0], jets)<|>");
    expect(signatureHelp(nested.c, nested.doc, nested.offset)!.signatures[0].label).toMatch(/^min\(/);
  });
});

describe("document features", () => {
  it("lists declarations in the outline and folds blocks and comment runs", async () => {
    const s = await setup(EXAMPLE);
    const names = documentSymbols(s.c, s.doc).map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(["single_top_vs_diboson", "single_top", "diboson", "muons", "met", "presel", "pt_bins", "kinematics", "bdt", "train bdt, nn, cuts", "output"]));
    const kin = documentSymbols(s.c, s.doc).find((x) => x.name === "kinematics")!;
    expect(kin.children!.map((x) => x.name)).toContain("mu_pt");
    const folds = foldingRanges(s.c, s.doc);
    expect(folds.some((f) => f.startLine === 0 && f.kind === "comment")).toBe(true);
    expect(folds.length).toBeGreaterThan(8);
  });

  it("colours names by what they resolve to", async () => {
    const s = await setup(HEADER + "define x = hypot(MET_px, MET_py) + ht\n");
    const data = semanticTokens(s.c, s.doc).data;
    const decoded: Array<{ text: string; type: string }> = [];
    let line = 0;
    let ch = 0;
    const lines = s.text.split("\n");
    for (let i = 0; i < data.length; i += 5) {
      line += data[i];
      ch = data[i] === 0 ? ch + data[i + 1] : data[i + 1];
      decoded.push({ text: lines[line].slice(ch, ch + data[i + 2]), type: SEMANTIC_LEGEND.tokenTypes[data[i + 3]] });
    }
    const last = decoded.slice(-7);
    expect(last).toEqual([
      { text: "define", type: "keyword" },
      { text: "x", type: "variable" },
      { text: "hypot", type: "function" },
      { text: "MET_px", type: "property" },
      { text: "MET_py", type: "property" },
      { text: "+", type: "operator" },
      { text: "ht", type: "variable" },
    ]);
  });

  it("shows the types of objects, defines and regions as inlay hints", async () => {
    const s = await setup(EXAMPLE);
    const hints = inlayHints(s.c, s.doc).map((h) => h.label);
    expect(hints).toEqual(expect.arrayContaining([": collection<Muon>", ": float", ": int", ": bool"]));
    // 13: the example's objects, defines and regions (its `tight` region included)
    expect(hints).toHaveLength(13);
  });

  it("formats like hepc fmt, and leaves a broken file alone", async () => {
    const messy = await setup("analysis  a{seed 1}\ndefine   x=1+2\n");
    const edits = formatting(messy.doc);
    expect(edits).toHaveLength(1);
    expect(edits[0].newText).toBe("analysis a {\n  seed 1\n}\n\ndefine x = 1 + 2\n");
    const broken = await setup("analysis a { seed 1 }\ndefine x = (1 +\n");
    expect(formatting(broken.doc)).toEqual([]);
  });

  it("reports the CLI's diagnostics with 0-based ranges and codes", async () => {
    const s = await setup(HEADER + "define x = hypott(MET_px, MET_py)\n");
    const ds = diagnostics(s.c, s.doc, { docsUrl: "file:///docs/diagnostics.md" });
    const cli = s.c.diagnostics;
    expect(ds.map((d) => [d.code, d.message])).toEqual(cli.map((d) => [d.code, d.message]));
    const e = ds.find((d) => d.code === "HEP2014")!;
    const line = HEADER.split("\n").length - 1;
    expect(e.range).toEqual({ start: { line, character: 11 }, end: { line, character: 17 } });
    expect(e.codeDescription?.href).toBe("file:///docs/diagnostics.md#hep2014");
  });

  it("offers the did-you-mean replacement and removing an unused declaration", async () => {
    const s = await setup(HEADER + "define x = hypott(MET_px, MET_py)\n");
    const at = s.text.indexOf("hypott");
    const fixes = codeActions(s.c, s.doc, { start: at, end: at });
    const replace = fixes.find((f) => f.title === "Replace with 'hypot'")!;
    expect(replace.edit!.changes![s.doc.uri][0].newText).toBe("hypot");
    const unused = await setup(HEADER + "define unused_one = 1  # not used\ndefine z = 2\n");
    const u = unused.text.indexOf("unused_one");
    const removal = codeActions(unused.c, unused.doc, { start: u, end: u }).find((f) => f.title.startsWith("Remove unused define"))!;
    const edit = removal.edit!.changes![unused.doc.uri][0];
    const line = HEADER.split("\n").length - 1;
    expect(edit.range).toEqual({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  });
});

describe("workspace", () => {
  it("compiles an included file through the analysis that includes it", async () => {
    const ws = new Workspace({ host, debounceMs: 0 });
    const rootUri = pathToFileURL(path.join(DIR, "__lsp_ws_root__.hep")).href;
    const incUri = pathToFileURL(path.join(DIR, "__lsp_ws_inc__.hep")).href;
    ws.open(TextDocument.create(rootUri, "hep", 1, HEADER + 'include "__lsp_ws_inc__.hep"\nregion r2 = lead_pt > 30\n'));
    await ws.settle();
    const inc = TextDocument.create(incUri, "hep", 1, "define lead_pt = muons[0].pt\n");
    ws.open(inc);
    const r = (await ws.current(incUri))!;
    expect(diagnostics(r.compilation, inc).map((d) => d.message)).toEqual([]);
    expect((hover(r.semantic, inc, 20)!.contents as { value: string }).value).toContain("muons: collection<Muon>");
  });

  it("keeps names and schemas for completion while the last declaration is unfinished", async () => {
    const ws = new Workspace({ host, debounceMs: 0 });
    const uri = pathToFileURL(path.join(DIR, "__lsp_ws_eof__.hep")).href;
    const text = HEADER + "define x = abs(Muon_";
    const doc = TextDocument.create(uri, "hep", 1, text);
    ws.open(doc);
    const r = (await ws.current(uri))!;
    // The other declarations are kept (an unused one may be warned about); the only error is the open bracket.
    expect(r.compilation.diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).toEqual(["HEP1004"]);
    const labels = completion(ws.latest(uri), doc, text.length).items.map((i) => i.label);
    expect(labels).toContain("Muon_Iso");
  });
});

describe("incremental lexing", () => {
  it("gives the tokens a full lex gives, edit after edit", () => {
    let text = EXAMPLE;
    let seed = 7;
    const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const pieces = ["", "a", "_", " ", "\n", "#", '"', "..", "(", "muons.", "Muon_Px", "\r\n", "1.5e3"];
    const shape = (ts: Array<{ image: string; startOffset: number; tokenType: { name: string } }>) => ts.map((t) => `${t.tokenType.name}:${t.startOffset}:${t.image}`);
    for (let k = 0; k < 300; k++) {
      const at = Math.floor(random() * (text.length + 1));
      const del = random() < 0.5 ? Math.floor(random() * 6) : 0;
      text = text.slice(0, at) + pieces[k % pieces.length] + text.slice(Math.min(text.length, at + del));
      expect(shape(lex(text, "test:incremental").tokens)).toEqual(shape(HepLexer.tokenize(text).tokens));
    }
  });
});

describe("robustness", () => {
  it("every feature answers on prefixes of the examples", async () => {
    for (const name of ["zmumu", "nanoaod", "single-top"]) {
      const full = readFileSync(path.join(REPO_ROOT, "examples", name, "analysis.hep"), "utf8");
      const abs = path.join(REPO_ROOT, "examples", name, "__lsp_prefix__.hep");
      let c: Compilation | undefined;
      for (let n = 0; n <= full.length; n += 7) {
        const text = full.slice(0, n);
        const doc = TextDocument.create(pathToFileURL(abs).href, "hep", n, text);
        // Completion and signature help run on a compilation of an older version, as in the server.
        completion(c, doc, text.length);
        signatureHelp(c, doc, text.length);
        if (n % 210 !== 0 && n + 7 <= full.length) continue;
        c = await compile(abs, host, { overlay: new Map([[abs, text]]) });
        for (const at of [0, Math.floor(n / 3), Math.floor(n / 2), n]) {
          hover(c, doc, at);
          definition(c, doc, at);
          references(c, doc, at);
          prepareRename(c, doc, at);
          completion(c, doc, at);
          codeActions(c, doc, { start: 0, end: at });
        }
        diagnostics(c, doc);
        documentSymbols(c, doc);
        foldingRanges(c, doc);
        semanticTokens(c, doc);
        formatting(doc);
      }
    }
  });
});

describe("model scores and training outputs", () => {
  const MULTI = HEADER.replace("model bdt", `sample zz {
  files "data/zz.root"
  tree "events"
  class diboson
}
model bdt`);

  it("offer models after dataset and onnx, and the outputs' words in an output block", async () => {
    expect(await complete(HEADER + 'output {\n  cutflow to "out/c.json"\n  <|>\n}')).toEqual(expect.arrayContaining(["dataset", "onnx"]));
    expect(await complete(HEADER + "output {\n  dataset <|>\n}")).toEqual(["bdt"]);
    expect(await complete(HEADER + "output {\n  onnx <|>\n}")).toEqual(["bdt"]);
  });

  it("offer a model's name in expressions, and a multiclass model's classes after the dot", async () => {
    const s = await setup(HEADER + "region tight = presel and <|>");
    const item = completion(s.c, s.doc, s.offset).items.find((i) => i.label === "bdt");
    expect(item?.detail).toBe("score of model bdt (gbdt)");
    expect(await complete(MULTI + "region tight = presel and bdt.<|>")).toEqual(["background", "diboson", "signal"]);
    // a binary model has no class members
    expect(await complete(HEADER + "region tight = presel and bdt.<|>")).toEqual([]);
  });

  it("hover a score with its model and kind, and a class's score", async () => {
    const at = async (src: string) => {
      const s = await setup(src);
      const h = hover(s.c, s.doc, s.offset);
      return h ? (h.contents as { value: string }).value : "";
    };
    expect(await at(HEADER + "region tight = presel and b<|>dt > 0.8")).toContain("score of model bdt (gbdt)");
    expect(await at(MULTI + "region tight = presel and b<|>dt.signal > 0.8")).toContain("score of class signal of model bdt (gbdt)");
    expect(await at(MULTI + "region tight = presel and bdt.sig<|>nal > 0.8")).toContain("score of class signal of model bdt (gbdt)");
    // a field of a record is not a score
    expect(await at(HEADER + "define x = muons[0].I<|>so")).not.toContain("score of");
    // the model's declaration itself is no score
    expect(await at(HEADER.replace("model bdt", "model b<|>dt"))).not.toContain("score of");
  });

  it("go to the model from its score and rename it there", async () => {
    const s = await setup(HEADER + "region tight = presel and bd<|>t > 0.8\noutput {\n  onnx bdt \"out/bdt.onnx\"\n}");
    const d = definition(s.c, s.doc, s.offset);
    expect(JSON.stringify(d)).toContain(`"line":${HEADER.split("\n").findIndex((l) => l.startsWith("model bdt"))}`);
    const r = rename(s.c, s.doc, s.offset, "classifier");
    const edits = Object.values(r?.changes ?? {}).flat();
    // the declaration, the train block, the score and the export
    expect(edits.length).toBe(4);
  });
});
