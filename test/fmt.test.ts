/**
 * The formatter (compiler/fmt) and `hepc fmt`.
 *
 * - Corpus: every examples/**\/*.hep and test/cases/**\/*.hep that parses without syntax errors
 *   formats to a fixed point (formatting twice equals once), means the same (syntax trees equal
 *   with ids, spans and string spellings aside) and keeps every comment, in order. Files with
 *   syntax errors are refused.
 * - Golden layouts: test/cases/fmt/NAME.hep formats to test/cases/fmt/NAME.formatted.hep
 *   (HEPC_ACCEPT=1 writes the expected files; review them with git diff).
 * - Focused cases, comment fuzzing (comments inserted between random tokens of the examples), random
 *   expressions, and the CLI: in-place rewrite, --check exit codes, stdin, syntax errors.
 */
import * as fs from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../cli/main.js";
import type { CliIo } from "../cli/io.js";
import { commentTexts, formatText, syntaxShape } from "../compiler/fmt/index.js";
import { parseText } from "../compiler/syntax/parse.js";
import { printExpr } from "../compiler/syntax/print.js";
import * as T from "../grammar/lexer.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ACCEPT = process.env.HEPC_ACCEPT === "1";

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile() && e.name.endsWith(".hep")) out.push(p);
  }
  return out;
}

const rel = (abs: string) => path.relative(ROOT, abs).split(path.sep).join("/");
const hasSyntaxErrors = (text: string) => parseText("x.hep", text).diagnostics.some((d) => d.severity === "error" && d.code !== "HEP1006");

/** Formats and checks the promises on the way: a fixed point, the same meaning, the same comments. */
function fmt(text: string, name = "case.hep"): string {
  const r = formatText(name, text);
  if (r.text === undefined) throw new Error(`not formatted: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  expectSameMeaning(text, r.text);
  const again = formatText(name, r.text);
  expect(again.text, "formatting twice equals formatting once").toBe(r.text);
  return r.text;
}

function expectSameMeaning(before: string, after: string): void {
  const a = parseText("a.hep", before);
  const b = parseText("b.hep", after);
  expect(b.diagnostics.filter((d) => d.code !== "HEP1006")).toEqual([]);
  expect(syntaxShape(b.ast)).toBe(syntaxShape(a.ast));
  expect(commentTexts(b.ast)).toEqual(commentTexts(a.ast));
}

// ---- corpus --------------------------------------------------------------------------------

describe("every example and test case", () => {
  const files = [...walk(path.join(ROOT, "examples")), ...walk(path.join(ROOT, "test/cases"))];

  it("finds files", () => {
    expect(files.filter((f) => rel(f).startsWith("examples/")).length).toBeGreaterThanOrEqual(3);
  });

  for (const file of files) {
    it(rel(file), () => {
      const text = fs.readFileSync(file, "utf8");
      if (hasSyntaxErrors(text)) {
        const r = formatText(rel(file), text);
        expect(r.text).toBeUndefined();
        expect(r.diagnostics.some((d) => d.severity === "error")).toBe(true);
        return;
      }
      fmt(text, rel(file));
    });
  }
});

describe("golden layouts (test/cases/fmt)", () => {
  const dir = path.join(ROOT, "test/cases/fmt");
  const inputs = walk(dir).filter((f) => !f.endsWith(".formatted.hep"));

  it("has cases", () => {
    expect(inputs.length).toBeGreaterThanOrEqual(3);
  });

  for (const input of inputs) {
    it(rel(input), () => {
      const expectedPath = input.replace(/\.hep$/, ".formatted.hep");
      const out = fmt(fs.readFileSync(input, "utf8"), rel(input));
      if (ACCEPT) fs.writeFileSync(expectedPath, out);
      expect(fs.existsSync(expectedPath), `${rel(expectedPath)} is missing; HEPC_ACCEPT=1 writes it`).toBe(true);
      expect(out).toBe(fs.readFileSync(expectedPath, "utf8"));
    });
  }
});

// ---- focused cases -------------------------------------------------------------------------

describe("layout", () => {
  it("spaces operators and normalises messy spacing", () => {
    expect(fmt("define   x=a+b*c\nregion  r=x>1&&y<=2\n")).toBe("define x = a + b * c\n\nregion r = x > 1 and y <= 2\n");
  });

  it("writes C-style operators as words", () => {
    expect(fmt("region r = a && !b || !(c && d)\n")).toBe("region r = a and not b or not (c and d)\n");
  });

  it("keeps parentheses that are needed and drops redundant ones", () => {
    expect(fmt("define x = (a + b) * c\n")).toBe("define x = (a + b) * c\n");
    expect(fmt("define x = (a * b) + c\n")).toBe("define x = a * b + c\n");
    expect(fmt("define x = a - (b - c) + ((d))\n")).toBe("define x = a - (b - c) + d\n");
    expect(fmt("region r = (a or b) and c\n")).toBe("region r = (a or b) and c\n");
    expect(fmt("region r = (a and b) or c\n")).toBe("region r = a and b or c\n");
    expect(fmt("define x = (a < b) == c\n")).toBe("define x = (a < b) == c\n");
  });

  it("handles unary minus and ^", () => {
    expect(fmt("define x = -a^2\n")).toBe("define x = -a ^ 2\n");
    expect(fmt("define x = (-a)^2\n")).toBe("define x = (-a) ^ 2\n");
    expect(fmt("define x = a^b^c + (a^b)^c\n")).toBe("define x = a ^ b ^ c + (a ^ b) ^ c\n");
    expect(fmt("define x = 2^-1 + 2^(-1)\n")).toBe("define x = 2 ^ -1 + 2 ^ -1\n");
    expect(fmt("define x = -(-a) - -b\n")).toBe("define x = - -a - -b\n");
  });

  it("handles nested where", () => {
    expect(fmt("object o = (jets where pt>30) where eta<2\n")).toBe("object o = (jets where pt > 30) where eta < 2\n");
    expect(fmt("define n = count(jets where pt > 30 and any(this.c where x))\n")).toBe("define n = count(jets where pt > 30 and any(this.c where x))\n");
    expect(fmt("define n = (jets where pt > 30)[0].pt\n")).toBe("define n = (jets where pt > 30)[0].pt\n");
    expect(fmt("object o = jets where (eta < 2 where x)\n")).toBe("object o = jets where (eta < 2 where x)\n");
    // A sample's `where`/`weight` takes no `where` unparenthesized: it would end the property.
    expect(fmt("sample s { weight (w where x) where (a where b) }\n")).toBe("sample s {\n  weight (w where x)\n  where (a where b)\n}\n");
  });

  it("keeps numbers as written and units after one space; re-escapes strings", () => {
    expect(fmt("define x = 1e3 + 0.10 + .5 + 25GeV\n")).toBe("define x = 1e3 + 0.10 + .5 + 25 GeV\n");
    expect(fmt('analysis a { lumi 50/pb title "a \\q \\"b\\" c\\\\" }\n')).toBe('analysis a {\n  lumi 50 /pb\n  title "a q \\"b\\" c\\\\"\n}\n');
    expect(fmt('define s = f("tab\there")\n')).toBe('define s = f("tab\\there")\n');
  });

  it("keeps what the grammar needs to tell constructs apart", () => {
    // `x [0, 1]` is a binning, `x[0]` an index.
    expect(fmt("evaluate m { bins x [0, 1], y[0] 2 0 .. 1 }\n")).toBe("evaluate m {\n  bins x [0, 1], y[0] 2 0 .. 1\n}\n");
    // A binning named like a unit after a number: parenthesized, or it would be read as `2 GeV`.
    expect(fmt("bins GeV = [0, 1]\nevaluate m { bins (x * 2) GeV }\n")).toBe("bins GeV = [0, 1]\n\nevaluate m {\n  bins (x * 2) GeV\n}\n");
    // `1.x` would be read as the number `1.` and a name.
    expect(fmt("define d = (1).x + (1.).y + 1.5.z\n")).toBe("define d = (1).x + (1.).y + 1.5.z\n");
  });

  it("writes bins and comma lists canonically", () => {
    expect(fmt("bins a = [ 25,40 ,60]\nbins b = 24 -2.4..2.4\ngroup g = x,y\n")).toBe("bins a = [25, 40, 60]\nbins b = 24 -2.4 .. 2.4\n\ngroup g = x, y\n");
  });

  it("writes blocks one property per line, and empty blocks as {}", () => {
    expect(fmt('sample s { files "a.root","b.root" tree "t" class signal }\nsample e {}\n')).toBe(
      'sample s {\n  files "a.root", "b.root"\n  tree "t"\n  class signal\n}\n\nsample e {}\n',
    );
  });

  it("keeps short model option blocks on one line and breaks long ones", () => {
    expect(fmt("model m = gbdt(f) {\n  trees 300\n  depth 4\n}\n")).toBe("model m = gbdt(f) { trees 300 depth 4 }\n");
    const long = "model m = gbdt(features_with_a_long_name) { trees 300 depth 4 learning_rate 0.1 subsample 0.8 colsample 0.8 }\n";
    expect(fmt(long)).toBe(
      "model m = gbdt(features_with_a_long_name) {\n  trees 300\n  depth 4\n  learning_rate 0.1\n  subsample 0.8\n  colsample 0.8\n}\n",
    );
    expect(fmt("model m = gbdt(f) {}\n")).toBe("model m = gbdt(f)\n");
  });

  it("puts blank lines between groups of declarations and around blocks, and keeps at most one of the author's", () => {
    const src = "define a = 1\n\n\n\ndefine b = 2\ndefine c = 3\nregion r = a\nsample s { tree \"t\" }\nsample t { tree \"t\" }\n";
    expect(fmt(src)).toBe('define a = 1\n\ndefine b = 2\ndefine c = 3\n\nregion r = a\n\nsample s {\n  tree "t"\n}\n\nsample t {\n  tree "t"\n}\n');
  });

  it("uses the input's line breaks (CRLF stays CRLF) and ends with one", () => {
    expect(fmt("define a = 1\r\n# c\r\ndefine b = 2")).toBe("define a = 1\r\n# c\r\ndefine b = 2\r\n");
    expect(fmt("define a = 1\n\n\n")).toBe("define a = 1\n");
  });

  it("formats files without declarations to their comments", () => {
    expect(formatText("e.hep", "").text).toBe("");
    expect(formatText("e.hep", "\n\n").text).toBe("");
    expect(fmt("  # only\n\n\n   # comments   \n")).toBe("# only\n\n# comments\n");
  });

  it("refuses files with syntax errors", () => {
    for (const bad of ["define x = \n", "region r = a < b < c\n", 'sample s { files "a.root" \n', "define s = \"open\n", "define x = a $ b\n"]) {
      const r = formatText("bad.hep", bad);
      expect(r.text, bad).toBeUndefined();
      expect(r.diagnostics.length, bad).toBeGreaterThan(0);
    }
  });
});

describe("comments", () => {
  it("keeps own-line comments before what follows and trailing ones at the end of their line", () => {
    const src = "# head\ndefine a = 1   # trailing\n  # before b\ndefine b = 2\n# tail\n";
    expect(fmt(src)).toBe("# head\ndefine a = 1 # trailing\n# before b\ndefine b = 2\n# tail\n");
  });

  it("keeps comments at the end of a block inside it, indented like its items", () => {
    expect(fmt("features f { ht normal\n# last\n}\n")).toBe("features f {\n  ht normal\n  # last\n}\n");
    expect(fmt("output {\n# nothing yet\n}\n")).toBe("output {\n  # nothing yet\n}\n");
    expect(fmt("evaluate m { working_points { loose 0.9\n # wp\n } }\n")).toBe("evaluate m {\n  working_points {\n    loose 0.9\n    # wp\n  }\n}\n");
  });

  it("keeps a comment after a block's { or } on that line", () => {
    expect(fmt('sample s { # the sample\n tree "t" } # done\n')).toBe('sample s { # the sample\n  tree "t"\n} # done\n');
  });

  it("moves comments inside a one-line construct above it", () => {
    expect(fmt("define # odd\n x = f(a, # arg\n b) # end\n")).toBe("# odd\n# arg\ndefine x = f(a, b) # end\n");
    expect(fmt('sample s {\n  files "a.root", # first\n    "b.root"\n}\n')).toBe('sample s {\n  # first\n  files "a.root", "b.root"\n}\n');
  });

  it("breaks an and/or chain with comments one operand per line", () => {
    const src = "region r = a   # why a\n  && b\n  # before c\n  && c # last\n";
    expect(fmt(src)).toBe("region r = a # why a\n  and b\n  # before c\n  and c # last\n");
    const nested = "object m = Muon where pt > 20 GeV # kinematic\n  and abs(eta) < 2.4 or tight # or tight\n";
    expect(fmt(nested)).toBe("object m = Muon where pt > 20 GeV # kinematic\n    and abs(eta) < 2.4\n  or tight # or tight\n");
    expect(fmt('sample s {\n  where a # one\n    and b\n  tree "t"\n}\n')).toBe('sample s {\n  where a # one\n    and b\n  tree "t"\n}\n');
  });

  it("keeps the model options multi-line when a comment is inside the braces", () => {
    expect(fmt("model m = gbdt(f) { trees 300 # many\n depth 4 }\n")).toBe("model m = gbdt(f) {\n  trees 300 # many\n  depth 4\n}\n");
  });

  it("survives comments inserted between any two tokens of the examples", () => {
    let state = 12345;
    const rand = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    const sources = walk(path.join(ROOT, "examples")).map((f) => fs.readFileSync(f, "utf8"));
    for (const name of ["layout.hep", "comments.hep"]) sources.push(fs.readFileSync(path.join(ROOT, "test/cases/fmt", name), "utf8"));
    let tried = 0;
    for (const src of sources) {
      const tokens = T.HepLexer.tokenize(src).tokens;
      for (let round = 0; round < 15; round++) {
        // Between two tokens, never right before `[` (`x[0]` is an index only without a gap).
        const cuts = new Set<number>();
        for (let k = 0; k < 6; k++) {
          const i = rand(tokens.length);
          if (tokens[i + 1]?.tokenType === T.LBracket) continue;
          cuts.add(tokens[i].startOffset + tokens[i].image.length);
        }
        let text = src;
        for (const at of [...cuts].sort((a, b) => b - a)) {
          const c = rand(3) === 0 ? `\n# own ${at}\n` : rand(2) ? ` # trailing ${at}\n` : `\n\n# spaced ${at}\n\n`;
          text = text.slice(0, at) + c + text.slice(at);
        }
        if (hasSyntaxErrors(text)) continue;
        tried++;
        fmt(text, `fuzz-${round}.hep`);
      }
    }
    expect(tried).toBeGreaterThan(30);
  });
});

describe("random expressions", () => {
  it("print with the fewest parentheses and parse back to the same tree", () => {
    let state = 99;
    const rand = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % n;
    };
    const leaf = () => ["a", "b", "1", "2.5", "25 GeV", "x.pt", "jets[0]", "f(a, b)", "true", '"s"'][rand(10)];
    const gen = (depth: number): string => {
      if (depth === 0) return leaf();
      const paren = (s: string) => (rand(2) ? `(${s})` : s);
      switch (rand(6)) {
        case 0:
          return `${paren(gen(depth - 1))} ${["+", "-", "*", "/", "%", "^", "and", "or", "&&", "||"][rand(10)]} ${paren(gen(depth - 1))}`;
        case 1:
          return `${["-", "not ", "!"][rand(3)]}${paren(gen(depth - 1))}`;
        case 2:
          return `(${gen(depth - 1)}) ${["<", "==", ">=", "~="][rand(4)]} (${gen(depth - 1)})`;
        case 3:
          return `(${gen(depth - 1)}) where (${gen(depth - 1)})`;
        case 4:
          return `g(${gen(depth - 1)}, ${gen(depth - 1)})`;
        default:
          return `(${gen(depth - 1)})${rand(2) ? ".m" : "[0]"}`;
      }
    };
    let tried = 0;
    for (let i = 0; i < 400; i++) {
      const src = `define d = ${gen(1 + rand(4))}\n`;
      if (hasSyntaxErrors(src)) continue;
      tried++;
      const out = fmt(src);
      // The formatter writes what printExpr writes (strings aside).
      const decl = parseText("d.hep", src).ast.decls[0];
      if (decl.kind === "Define") expect(out).toBe(`define d = ${printExpr(decl.expr)}\n`);
    }
    expect(tried).toBeGreaterThan(200);
  });
});

// ---- the command ---------------------------------------------------------------------------

function captureIo(cwd: string, stdin?: string): CliIo & { out: string; err: string; readStdin?: () => Promise<string> } {
  const io = {
    out: "",
    err: "",
    isTTY: false,
    cwd,
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    readStdin: stdin === undefined ? undefined : async () => stdin,
  };
  return io;
}

describe("hepc fmt", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "hepc-fmt-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const UGLY = "define x=a+b\n";
  const PRETTY = "define x = a + b\n";
  const BROKEN = "define x = a +\nregion r = \n";

  it("--check lists files that would change, writes nothing, and exits 1", async () => {
    await writeFile(path.join(dir, "ugly.hep"), UGLY);
    await writeFile(path.join(dir, "pretty.hep"), PRETTY);
    const io = captureIo(dir);
    expect(await main(["fmt", "--check", "ugly.hep", "pretty.hep"], io)).toBe(1);
    expect(io.out).toBe("ugly.hep\n");
    expect(await readFile(path.join(dir, "ugly.hep"), "utf8")).toBe(UGLY);

    const clean = captureIo(dir);
    expect(await main(["fmt", "--check", "pretty.hep"], clean)).toBe(0);
    expect(clean.out).toBe("");
  });

  it("rewrites files in place, only when they change, and leaves no temporary file", async () => {
    await writeFile(path.join(dir, "ugly.hep"), UGLY);
    await writeFile(path.join(dir, "pretty.hep"), PRETTY);
    const before = await stat(path.join(dir, "pretty.hep"));
    const io = captureIo(dir);
    expect(await main(["fmt", "ugly.hep", "pretty.hep"], io)).toBe(0);
    expect(io.err).toBe("");
    expect(await readFile(path.join(dir, "ugly.hep"), "utf8")).toBe(PRETTY);
    const after = await stat(path.join(dir, "pretty.hep"));
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(fs.readdirSync(dir).sort()).toEqual(["pretty.hep", "ugly.hep"]);
    expect(await main(["fmt", "--check", "ugly.hep"], captureIo(dir))).toBe(0);
  });

  it("formats the .hep files under a directory", async () => {
    fs.mkdirSync(path.join(dir, "sub"));
    await writeFile(path.join(dir, "sub", "a.hep"), UGLY);
    await writeFile(path.join(dir, "sub", "notes.txt"), UGLY);
    const io = captureIo(dir);
    expect(await main(["fmt", "--check", "."], io)).toBe(1);
    expect(io.out).toBe(`${path.join("sub", "a.hep")}\n`);
    expect(await main(["fmt", "sub"], captureIo(dir))).toBe(0);
    expect(await readFile(path.join(dir, "sub", "a.hep"), "utf8")).toBe(PRETTY);
    expect(await readFile(path.join(dir, "sub", "notes.txt"), "utf8")).toBe(UGLY);
  });

  it("reports syntax errors, exits 1 and does not touch the file", async () => {
    await writeFile(path.join(dir, "broken.hep"), BROKEN);
    await writeFile(path.join(dir, "ugly.hep"), UGLY);
    const io = captureIo(dir);
    expect(await main(["fmt", "broken.hep", "ugly.hep"], io)).toBe(1);
    expect(io.err).toMatch(/broken\.hep:\d+:\d+: error\[HEP1003\]/);
    expect(await readFile(path.join(dir, "broken.hep"), "utf8")).toBe(BROKEN);
    // The other file is still formatted.
    expect(await readFile(path.join(dir, "ugly.hep"), "utf8")).toBe(PRETTY);

    const check = captureIo(dir);
    expect(await main(["fmt", "--check", "broken.hep"], check)).toBe(1);
    expect(check.out).toBe("");
    expect(await readFile(path.join(dir, "broken.hep"), "utf8")).toBe(BROKEN);
  });

  it("reports unreadable files and bad arguments with exit code 2", async () => {
    const io = captureIo(dir);
    expect(await main(["fmt", "missing.hep"], io)).toBe(2);
    expect(io.err).toContain("cannot read missing.hep");
    expect(await main(["fmt"], captureIo(dir))).toBe(2);
    expect(await main(["fmt", "--bogus", "a.hep"], captureIo(dir))).toBe(2);
    expect(await main(["fmt", "-", "a.hep"], captureIo(dir))).toBe(2);
  });

  it("reports files that are not UTF-8 without touching them", async () => {
    const bytes = Buffer.from([0x64, 0x65, 0x66, 0xff, 0x0a]);
    await writeFile(path.join(dir, "bin.hep"), bytes);
    const io = captureIo(dir);
    expect(await main(["fmt", "bin.hep"], io)).toBe(1);
    expect(io.err).toContain("HEP1007");
    expect(Buffer.compare(await readFile(path.join(dir, "bin.hep")), bytes)).toBe(0);
  });

  it("formats standard input to standard output with - or --stdin", async () => {
    const io = captureIo(dir, UGLY);
    expect(await main(["fmt", "-"], io)).toBe(0);
    expect(io.out).toBe(PRETTY);
    const io2 = captureIo(dir, UGLY);
    expect(await main(["fmt", "--stdin", "--check"], io2)).toBe(1);
    expect(io2.out).toBe("<stdin>\n");
    const io3 = captureIo(dir, BROKEN);
    expect(await main(["fmt", "--stdin"], io3)).toBe(1);
    expect(io3.out).toBe("");
    expect(io3.err).toMatch(/<stdin>:\d+:\d+: error\[HEP1003\]/);
  });

  it("writes through a symbolic link to the file it points to", async () => {
    await writeFile(path.join(dir, "real.hep"), UGLY);
    fs.symlinkSync("real.hep", path.join(dir, "link.hep"));
    expect(await main(["fmt", "link.hep"], captureIo(dir))).toBe(0);
    expect(fs.lstatSync(path.join(dir, "link.hep")).isSymbolicLink()).toBe(true);
    expect(await readFile(path.join(dir, "real.hep"), "utf8")).toBe(PRETTY);
  });

  it("keeps a byte-order mark", async () => {
    await writeFile(path.join(dir, "bom.hep"), "\ufeff" + UGLY);
    expect(await main(["fmt", "bom.hep"], captureIo(dir))).toBe(0);
    expect(await readFile(path.join(dir, "bom.hep"), "utf8")).toBe("\ufeff" + PRETTY);
  });
});
