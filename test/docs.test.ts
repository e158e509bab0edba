/**
 * The reference docs kept honest.
 *
 * - docs/diagnostics.md and docs/stdlib.md are generated (compiler/docs/generate.ts): they are
 *   rendered here in memory and must equal the committed files.
 * - docs/language.md is hand-written. Its ```hep code blocks must parse; the info string says more:
 *
 *     ```hep                      parsed alone: no syntax error
 *     ```hep check                also compiled as an analysis placed in examples/single-top/, so
 *                                 `files "data/single_top.root"` resolves: no error, and no warning
 *                                 but "never used" (HEP2003, HEP2070), which fragments of an analysis have
 *     ```hep check=zmumu          the same, placed in examples/zmumu/ (any folder of examples/)
 *     ```hep check file=NAME      a file other blocks include: parsed alone, and present as
 *                                 examples/<folder>/NAME (in memory only) while the other check
 *                                 blocks of that folder are compiled
 *
 *   Nothing is written to disk: blocks are compiled through the compiler's overlay.
 * - The grammar in language.md names every terminal the parser uses and nothing else, and the
 *   closed word lists (units, scalings, metrics, model kinds, ...) all appear in it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { TokenType } from "chevrotain";
import { describe, expect, it } from "vitest";
import { compile } from "../compiler/compile.js";
import { DIAGNOSTICS } from "../compiler/core/diagnostics.js";
import { renderDiagnostic } from "../compiler/core/render.js";
import { sourceFile } from "../compiler/core/source.js";
import { generatedDocs, REGENERATE_COMMAND, REGENERATE_COMMAND_LONG } from "../compiler/docs/generate.js";
import { parseText } from "../compiler/syntax/parse.js";
import { nodeHost } from "../cli/host.js";
import { memoryHost } from "./helpers/hosts.js";
import { DataType, modelProto } from "../runtime/models/onnx/index.js";
import * as T from "../grammar/lexer.js";
import { hepParser, UNITS } from "../grammar/parser.js";
import {
  BALANCE_MODES, BUILTINS, FUNCTIONS, HISTOGRAM_SPLITS, METRICS, MODEL_KINDS, REWEIGHT_MODES, SCALINGS,
} from "../stdlib/index.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// Stands for every onnx("...") of the examples: one input of any number of values per event
// ([batch, values]), its sum as the score ([batch, 1]).
const ONNX_MODEL = modelProto({
  irVersion: 8,
  opsets: [{ domain: "", version: 13 }],
  producer: "hepc-docs-test",
  producerVersion: "1",
  graph: {
    name: "sum",
    nodes: [{ op: "ReduceSum", inputs: ["x", "axes"], outputs: ["score"], attrs: [{ name: "keepdims", int: 1 }] }],
    initializers: [{ name: "axes", dims: [1], type: DataType.INT64, values: [1] }],
    inputs: [{ name: "x", type: DataType.FLOAT, shape: ["batch", "values"] }],
    outputs: [{ name: "score", type: DataType.FLOAT, shape: ["batch", 1] }],
  },
});
const read = (rel: string) => fs.readFileSync(path.join(repo, rel), "utf8");

// ---- generated pages ---------------------------------------------------------------------------

describe("generated reference pages", () => {
  const pages = Object.entries(generatedDocs());

  it.each(pages)("%s is up to date", (rel, expected) => {
    const file = path.join(repo, rel);
    const actual = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    if (actual === expected) return;
    let where = "the file is missing";
    if (actual !== undefined) {
      const a = actual.split("\n");
      const e = expected.split("\n");
      const i = a.findIndex((line, k) => line !== e[k]);
      const n = i < 0 ? Math.min(a.length, e.length) : i;
      where = `first difference at line ${n + 1}:\n  committed: ${JSON.stringify(a[n])}\n  generated: ${JSON.stringify(e[n])}`;
    }
    expect.fail(`${rel} is stale: regenerate it with \`${REGENERATE_COMMAND}\` (that is, ${REGENERATE_COMMAND_LONG}) and commit it.\n${where}`);
  });

  it("docs/diagnostics.md has a section for every code, with its severity and message", () => {
    const doc = generatedDocs()["docs/diagnostics.md"];
    for (const [code, def] of Object.entries(DIAGNOSTICS)) {
      const at = doc.indexOf(`\n### ${code}\n`);
      expect(at, code).toBeGreaterThan(0);
      const section = doc.slice(at, doc.indexOf("\n### ", at + 1) >>> 0);
      expect(section).toContain(`**${def.severity}**`);
      expect(section).toContain(def.message);
      expect(section).toContain(def.explanation.trim());
    }
  });

  it("docs/stdlib.md has every function, builtin and model option", () => {
    const doc = generatedDocs()["docs/stdlib.md"];
    for (const f of FUNCTIONS) {
      expect(doc).toContain(`\n### ${f.name}\n`);
      for (const e of f.examples) expect(doc).toContain(e);
    }
    for (const b of BUILTINS) expect(doc).toContain(b.name);
    for (const m of MODEL_KINDS) {
      expect(doc).toContain(`\n### ${m.name}\n`);
      for (const o of m.options) expect(doc).toContain(`| \`${o.name}\` |`);
    }
  });
});

// ---- docs/language.md --------------------------------------------------------------------------

interface Block {
  /** 1-based line of the opening fence in language.md */
  line: number;
  info: string;
  text: string;
  /** folder under examples/ when the block is compiled */
  check?: string;
  file?: string;
}

function hepBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    const info = open[2].trim();
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].startsWith(fence)) body.push(lines[j++]);
    const words = info.split(/\s+/);
    if (words[0] === "hep") {
      const block: Block = { line: i + 1, info, text: body.join("\n") + "\n" };
      for (const w of words.slice(1)) {
        const [key, value] = w.split("=");
        if (key === "check") block.check = value ?? "single-top";
        else if (key === "file" && value) block.file = value;
        else throw new Error(`language.md:${i + 1}: unknown word '${w}' in the info string '${info}'`);
      }
      blocks.push(block);
    }
    i = j;
  }
  return blocks;
}

const language = read("docs/language.md");
const blocks = hepBlocks(language);
const label = (b: Block) => `language.md:${b.line} (${b.info})`;

describe("docs/language.md code blocks", () => {
  it("has code blocks, most of them compiled fully", () => {
    expect(blocks.length).toBeGreaterThan(15);
    expect(blocks.filter((b) => b.check).length).toBeGreaterThan(10);
  });

  it.each(blocks.map((b) => [label(b), b] as const))("%s parses", (_l, b) => {
    const parsed = parseText(`language.md:${b.line}`, b.text);
    const src = sourceFile(parsed.path, b.text);
    expect(parsed.diagnostics.map((d) => renderDiagnostic(d, src))).toEqual([]);
  });

  const compiled = blocks.filter((b) => b.check && !b.file);
  it.each(compiled.map((b) => [label(b), b] as const))("%s compiles cleanly", async (_l, b) => {
    const dir = path.join(repo, "examples", b.check!);
    expect(fs.existsSync(path.join(dir, "analysis.hep")), `examples/${b.check} is not an example folder`).toBe(true);
    const root = path.join(dir, `language-md-line-${b.line}.hep`);
    const overlay = new Map<string, string>([[root, b.text]]);
    for (const f of blocks) if (f.file && f.check === b.check) overlay.set(path.join(dir, f.file), f.text);
    // The ONNX models the blocks name stand for the user's own: a real (tiny) model is put there,
    // in memory, so that the check of the file passes as it would beside a real model.
    const models = [...b.text.matchAll(/onnx\("([^"]+)"\)/g)].map((m): [string, Uint8Array] => [path.join(dir, m[1]), ONNX_MODEL]);
    const host = models.length ? memoryHost({ cwd: repo, fallback: nodeHost(repo), files: models }) : nodeHost(repo);
    const c = await compile(root, host, { overlay });
    const texts = new Map(c.program.files.map((f) => [f.path, f.text]));
    const relevant = c.diagnostics.filter((d) => d.code !== "HEP2003" && d.code !== "HEP2070");
    expect(relevant.map((d) => renderDiagnostic(d, texts.has(d.file) ? sourceFile(d.file, texts.get(d.file)!) : undefined))).toEqual([]);
  });

  it("includes every `file=` block from some compiled block", () => {
    const included = new Set(compiled.flatMap((b) => [...b.text.matchAll(/^\s*include\s+"([^"]+)"/gm)].map((m) => `${b.check}/${m[1]}`)));
    for (const f of blocks.filter((x) => x.file)) {
      expect(f.check, `${label(f)}: a file= block needs check`).toBeDefined();
      expect(included.has(`${f.check}/${f.file}`), `${label(f)} is never included`).toBe(true);
    }
  });
});

// ---- the grammar and word lists in language.md -------------------------------------------------

/** The EBNF block: the ```ebnf fence of language.md. */
function ebnf(): string {
  const m = /```ebnf\n([\s\S]*?)```/.exec(language);
  if (!m) throw new Error("docs/language.md has no ```ebnf block");
  return m[1];
}

/** Walks chevrotain's grammar description (GAST) for the token types the parser consumes. */
function terminalsOfParser(): Set<TokenType> {
  const out = new Set<TokenType>();
  const walk = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    const n = node as { terminalType?: TokenType; separator?: TokenType; definition?: unknown[]; referencedRule?: unknown };
    if (n.terminalType) out.add(n.terminalType);
    if (n.separator) out.add(n.separator); // AT_LEAST_ONE_SEP / MANY_SEP
    // A rule reference: its rule is walked on its own (following it would loop on recursive rules).
    if (n.referencedRule) return;
    if (Array.isArray(n.definition)) n.definition.forEach(walk);
  };
  Object.values(hepParser().getGAstProductions()).forEach(walk);
  return out;
}

/** How a token is spelt in the EBNF: a quoted literal, or one of the named terminals. */
function spelling(t: TokenType): string {
  if (t === T.Identifier) return "IDENT";
  if (t === T.NumberLit) return "NUMBER";
  if (t === T.StringLit) return "STRING";
  const source = (t.PATTERN as RegExp).source;
  const word = /^([A-Za-z_]+)\(\?!/.exec(source);
  return `"${word ? word[1] : source.replace(/\\(.)/g, "$1")}"`;
}

describe("docs/language.md grammar", () => {
  const grammar = ebnf();
  const used = terminalsOfParser();
  // C-style spellings (&& || !) are tokens of the categories and/or/not: the parser never names them.
  for (const t of T.allTokens) if ((t.CATEGORIES ?? []).some((c) => c === T.And || c === T.Or || c === T.Not)) used.add(t);

  it("names every terminal the parser consumes", () => {
    const missing = [...used].map(spelling).filter((s) => !new RegExp(`(^|[^A-Za-z_"])${s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^A-Za-z_"])`).test(grammar));
    expect(missing).toEqual([]);
  });

  it("quotes nothing the parser does not consume (units aside)", () => {
    const known = new Set([...used].map(spelling));
    for (const u of Object.keys(UNITS)) known.add(`"${u.replace(/^\//, "")}"`);
    const quoted = [...grammar.matchAll(/"(?:[^"\\]|\\.)*"/g)].map((m) => m[0]);
    expect([...new Set(quoted)].filter((q) => !known.has(q))).toEqual([]);
  });

  it("lists the reserved words and the soft keywords as the lexer has them", () => {
    const reserved = ["and", "or", "not", "where", "true", "false", "this", ...T.DECLARATION_KEYWORDS];
    const soft = Object.keys(T.KW).filter((w) => !T.DECLARATION_KEYWORDS.includes(w));
    const listed = (heading: string) => {
      const m = new RegExp(`${heading}[^\\n]*\\n\\n((?:.+\\n)+)`).exec(language);
      if (!m) throw new Error(`docs/language.md has no paragraph after '${heading}'`);
      return [...m[1].matchAll(/`([A-Za-z_]+)`/g)].map((x) => x[1]).sort();
    };
    expect(listed("<!-- reserved words -->")).toEqual([...reserved].sort());
    expect(listed("<!-- soft keywords -->")).toEqual([...soft].sort());
  });

  it("mentions every unit, scaling, metric, mode, split, model kind, model option and builtin", () => {
    const words = [
      ...Object.keys(UNITS),
      ...SCALINGS,
      ...METRICS,
      ...BALANCE_MODES,
      ...REWEIGHT_MODES,
      ...HISTOGRAM_SPLITS,
      ...MODEL_KINDS.map((m) => m.name),
      ...MODEL_KINDS.flatMap((m) => m.options.map((o) => o.name)),
      ...BUILTINS.map((b) => b.name),
    ];
    // Mentioned as code: in an inline code span or a code block, not merely as an English word.
    const codeText = [...[...language.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]), ...blocks.map((b) => b.text)].join("\n");
    const missing = [...new Set(words)].filter((w) => !new RegExp(`(^|[^A-Za-z0-9_])${w.replace("/", "\\/")}($|[^A-Za-z0-9_])`, "m").test(codeText));
    expect(missing).toEqual([]);
  });
});
