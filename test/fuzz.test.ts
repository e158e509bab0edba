/**
 * Fuzzing the compiler with mutations of the examples and the golden cases: tokens deleted,
 * duplicated, swapped or inserted (offsets from the lexer), files truncated, random bytes inserted
 * or replaced (invalid UTF-8 included: the loader decodes bytes), lines deleted, duplicated or
 * swapped. Whatever the input: no exception (compiling up to the plan when there is no error), every
 * diagnostic from the table with a span inside its file, and a file the parser cannot read gets at
 * least one error.
 *
 * Deterministic: case i uses seed BASE + i. HEPC_FUZZ_SEED sets BASE, HEPC_FUZZ_CASES the number of
 * cases. A failure prints the case's seed, the mutations, a shrunk input and the full one.
 * Fast: each ROOT file's schema is read once with the real host, then every case compiles against
 * an in-memory host (test/helpers/hosts.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { compilePlan, Compilation } from "../compiler/compile.js";
import type { CompilerHost } from "../compiler/host.js";
import { HepLexer } from "../grammar/lexer.js";
import { hepParser } from "../grammar/parser.js";
import { nodeHost } from "../cli/host.js";
import { invariantProblems } from "./helpers/compile.js";
import { MemoryHost, recordingHost } from "./helpers/hosts.js";
import { REPO_ROOT, repoRelative } from "./helpers/repo.js";

const BASE = Number(process.env.HEPC_FUZZ_SEED ?? 20240611);
const CASES = Number(process.env.HEPC_FUZZ_CASES ?? 3000);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private readonly next: () => number;
  constructor(readonly seed: number) {
    this.next = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// ---- seeds ---------------------------------------------------------------------------------

function seedFiles(): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(REPO_ROOT, "examples")).sort()) {
    const f = path.join(REPO_ROOT, "examples", e, "analysis.hep");
    if (fs.existsSync(f)) out.push(f);
  }
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== "fmt") walk(p);
      else if (e.isFile() && e.name.endsWith(".hep")) out.push(p);
    }
  };
  walk(path.join(REPO_ROOT, "test/cases"));
  return out;
}

// ---- mutations -----------------------------------------------------------------------------

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: false });

/** Words and symbols worth inserting: the language's own, so mutations reach deep into the parser. */
const VOCABULARY = [
  "analysis", "include", "sample", "group", "object", "define", "region", "bins", "features", "model", "train", "evaluate", "output",
  "where", "and", "or", "not", "this", "true", "false", "files", "tree", "class", "weight", "xsec", "sumw", "lumi", "seed", "title",
  "as", "normal", "clip", "linear", "log", "on", "folds", "by", "balance", "reweight", "in", "to", "metrics", "at", "working_points",
  "reference", "predictions", "friend", "keyed", "histogram", "cutflow", "report", "weighted", "validation", "sample", "group",
  "{", "}", "(", ")", "[", "]", ",", ".", "..", "=", "==", "~=", "<", ">=", "+", "-", "*", "/", "%", "^", "!", "&&", "||",
  "0", "1", "2.5", "1e3", "-1", "25 GeV", "1 /fb", '"x.root"', '"', "#", "\n", "GeV", "pb", "/pb", "Jet", "Muon", "MET", "pt", "entry",
  "count", "pairs", "best", "sort_by", "deltaR", "sum", "max", "p4", "mass", "first", "second", "gbdt", "mlp", "onnx", "cut_and_count",
];
const DECLARATION_WORDS = ["analysis", "include", "sample", "group", "object", "define", "region", "bins", "features", "model", "train", "evaluate", "output"];
const NASTY_BYTES = [0x00, 0x07, 0x09, 0x0b, 0x0c, 0x0d, 0x1b, 0x22, 0x23, 0x5c, 0x7f, 0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf8, 0xfe, 0xff];
/** Valid UTF-8 that is not ASCII: BOM, NBSP, line/paragraph separators, an emoji, a combining mark, a lone-surrogate-free CJK. */
const NASTY_CHARS = ["\ufeff", "\u00a0", "\u2028", "\u2029", "😀", "e\u0301", "η", "µ", "中", "\u200b", "\r", "\t", "\f"];

interface Mutant {
  bytes: Uint8Array;
  ops: string[];
  /** Only mutations that keep a valid file valid were applied. */
  mild: boolean;
}
const MILD = new Set(["swapDeclarations", "insertComment"]);

function tokenSpans(text: string): Array<{ start: number; end: number }> {
  return HepLexer.tokenize(text).tokens.map((t) => ({ start: t.startOffset, end: t.startOffset + t.image.length }));
}

function tokensOfType(text: string, type: string): Array<{ start: number; end: number; image: string }> {
  return HepLexer.tokenize(text)
    .tokens.filter((t) => t.tokenType.name === type)
    .map((t) => ({ start: t.startOffset, end: t.startOffset + t.image.length, image: t.image }));
}

function lineSpans(text: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  let s = 0;
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") (out.push({ start: s, end: i + 1 }), (s = i + 1));
  if (s < text.length) out.push({ start: s, end: text.length });
  return out;
}

function splice(text: string, start: number, end: number, insert = ""): string {
  return text.slice(0, start) + insert + text.slice(end);
}

type TextOp = (text: string, rng: Rng) => { text: string; op: string } | undefined;
type ByteOp = (bytes: Uint8Array, rng: Rng) => { bytes: Uint8Array; op: string } | undefined;

const textOps: Record<string, TextOp> = {
  deleteToken(text, rng) {
    const ts = tokenSpans(text);
    if (!ts.length) return undefined;
    const n = 1 + (rng.chance(0.2) ? rng.int(4) : 0);
    const i = rng.int(ts.length);
    const last = ts[Math.min(ts.length - 1, i + n - 1)];
    return { text: splice(text, ts[i].start, last.end), op: `delete ${n} token(s) at ${ts[i].start}` };
  },
  duplicateToken(text, rng) {
    const ts = tokenSpans(text);
    if (!ts.length) return undefined;
    const t = rng.pick(ts);
    return { text: splice(text, t.end, t.end, " " + text.slice(t.start, t.end)), op: `duplicate token at ${t.start}` };
  },
  swapTokens(text, rng) {
    const ts = tokenSpans(text);
    if (ts.length < 2) return undefined;
    const i = rng.int(ts.length - 1);
    const j = rng.chance(0.6) ? i + 1 : i + 1 + rng.int(ts.length - i - 1);
    const [a, b] = [ts[i], ts[j]];
    const swapped = text.slice(0, a.start) + text.slice(b.start, b.end) + text.slice(a.end, b.start) + text.slice(a.start, a.end) + text.slice(b.end);
    return { text: swapped, op: `swap tokens at ${a.start} and ${b.start}` };
  },
  insertWord(text, rng) {
    const ts = tokenSpans(text);
    const at = ts.length && rng.chance(0.8) ? rng.pick(ts)[rng.chance(0.5) ? "start" : "end"] : rng.int(text.length + 1);
    const w = rng.pick(VOCABULARY);
    return { text: splice(text, at, at, ` ${w} `), op: `insert ${JSON.stringify(w)} at ${at}` };
  },
  replaceToken(text, rng) {
    const ts = tokenSpans(text);
    if (!ts.length) return undefined;
    const t = rng.pick(ts);
    const w = rng.pick(VOCABULARY);
    return { text: splice(text, t.start, t.end, w), op: `replace token at ${t.start} by ${JSON.stringify(w)}` };
  },
  // Well-formed but different programs: the checker must catch what the plan cannot build.
  swapName(text, rng) {
    const names = tokensOfType(text, "Identifier");
    if (names.length < 2) return undefined;
    const t = rng.pick(names);
    const w = rng.pick(names).image;
    return { text: splice(text, t.start, t.end, w), op: `replace name ${JSON.stringify(t.image)} at ${t.start} by ${JSON.stringify(w)}` };
  },
  replaceNumber(text, rng) {
    const nums = tokensOfType(text, "NumberLit");
    if (!nums.length) return undefined;
    const t = rng.pick(nums);
    const w = rng.pick(["0", "1", "2", "-1", "0.5", "2.5", "1e3", "1e-3", "100000", "65536", "1e30", "0.0"]);
    return { text: splice(text, t.start, t.end, w), op: `replace number ${t.image} at ${t.start} by ${w}` };
  },
  truncate(text, rng) {
    const at = rng.int(text.length + 1);
    return { text: text.slice(0, at), op: `truncate at ${at}` };
  },
  deleteLine(text, rng) {
    const ls = lineSpans(text);
    if (!ls.length) return undefined;
    const l = rng.int(ls.length);
    return { text: splice(text, ls[l].start, ls[l].end), op: `delete line ${l + 1}` };
  },
  duplicateLine(text, rng) {
    const ls = lineSpans(text);
    if (!ls.length) return undefined;
    const l = rng.int(ls.length);
    const line = text.slice(ls[l].start, ls[l].end);
    return { text: splice(text, ls[l].end, ls[l].end, line.endsWith("\n") ? line : "\n" + line), op: `duplicate line ${l + 1}` };
  },
  swapLines(text, rng) {
    const ls = lineSpans(text);
    if (ls.length < 2) return undefined;
    const i = rng.int(ls.length - 1);
    const j = i + 1 + rng.int(Math.min(5, ls.length - i - 1));
    const li = text.slice(ls[i].start, ls[i].end).replace(/\n$/, "");
    const lj = text.slice(ls[j].start, ls[j].end).replace(/\n$/, "");
    const out = text.slice(0, ls[i].start) + lj + "\n" + text.slice(ls[i].end, ls[j].start) + li + (ls[j].end > ls[j].start && text[ls[j].end - 1] === "\n" ? "\n" : "") + text.slice(ls[j].end);
    return { text: out, op: `swap lines ${i + 1} and ${j + 1}` };
  },
  // Mild ones, which keep a valid file valid (declaration order never matters): they reach the plan.
  swapDeclarations(text, rng) {
    const starts = [...text.matchAll(new RegExp(`^(?:${DECLARATION_WORDS.join("|")})\\b`, "gm"))].map((m) => m.index!);
    if (starts.length < 2) return undefined;
    const blocks = starts.map((s, i) => ({ start: s, end: i + 1 < starts.length ? starts[i + 1] : text.length }));
    const i = rng.int(blocks.length - 1);
    const j = i + 1 + rng.int(blocks.length - i - 1);
    const a = text.slice(blocks[i].start, blocks[i].end).replace(/\n*$/, "\n");
    const b = text.slice(blocks[j].start, blocks[j].end).replace(/\n*$/, "\n");
    const out = text.slice(0, blocks[i].start) + b + text.slice(blocks[i].end, blocks[j].start) + a + text.slice(blocks[j].end);
    return { text: out, op: `swap declarations at ${blocks[i].start} and ${blocks[j].start}` };
  },
  insertComment(text, rng) {
    const ls = lineSpans(text);
    const at = ls.length ? rng.pick(ls).start : 0;
    const c = rng.pick(["# a comment\n", "\n", "   \t\n", "# define x = 1 {\n", "#\n"]);
    return { text: splice(text, at, at, c), op: `insert ${JSON.stringify(c)} at ${at}` };
  },
  insertChar(text, rng) {
    const at = rng.int(text.length + 1);
    const c = rng.pick(NASTY_CHARS);
    return { text: splice(text, at, at, c), op: `insert U+${c.codePointAt(0)!.toString(16)} at ${at}` };
  },
};

const byteOps: Record<string, ByteOp> = {
  insertBytes(bytes, rng) {
    const at = rng.int(bytes.length + 1);
    const n = 1 + rng.int(3);
    const ins = Array.from({ length: n }, () => (rng.chance(0.6) ? rng.pick(NASTY_BYTES) : rng.int(256)));
    const out = new Uint8Array(bytes.length + n);
    out.set(bytes.subarray(0, at));
    out.set(ins, at);
    out.set(bytes.subarray(at), at + n);
    return { bytes: out, op: `insert bytes [${ins.map((b) => b.toString(16)).join(" ")}] at byte ${at}` };
  },
  replaceBytes(bytes, rng) {
    if (!bytes.length) return undefined;
    const out = bytes.slice();
    const n = 1 + rng.int(3);
    const at = rng.int(bytes.length);
    const ops: string[] = [];
    for (let k = 0; k < n && at + k < out.length; k++) {
      out[at + k] = rng.chance(0.5) ? rng.pick(NASTY_BYTES) : rng.int(256);
      ops.push(out[at + k].toString(16));
    }
    return { bytes: out, op: `replace bytes at ${at} by [${ops.join(" ")}]` };
  },
  truncateBytes(bytes, rng) {
    // Cuts inside multi-byte characters too.
    const at = rng.int(bytes.length + 1);
    return { bytes: bytes.slice(0, at), op: `truncate at byte ${at}` };
  },
};

const TEXT_OPS = Object.keys(textOps);
const BYTE_OPS = Object.keys(byteOps);

function mutate(original: Uint8Array, rng: Rng): Mutant {
  let bytes = original;
  const ops: string[] = [];
  let mild = true;
  const rounds = 1 + (rng.chance(0.3) ? rng.int(3) : 0);
  for (let r = 0; r < rounds; r++) {
    if (rng.chance(0.75)) {
      const name = rng.pick(TEXT_OPS);
      const m = textOps[name](decoder.decode(bytes), rng);
      if (m) (bytes = encoder.encode(m.text)), ops.push(m.op), (mild &&= MILD.has(name));
    } else {
      const name = rng.pick(BYTE_OPS);
      const m = byteOps[name](bytes, rng);
      if (m) (bytes = m.bytes), ops.push(m.op), (mild = false);
    }
  }
  return { bytes, ops, mild };
}

// ---- running -------------------------------------------------------------------------------

/** The host a case compiles with: the recorded files and schemas, with the root file's bytes replaced. */
function hostWith(base: MemoryHost, abs: string, bytes: Uint8Array): CompilerHost {
  return {
    cwd: base.cwd,
    readFile: (p) => (p === abs ? bytes : base.readFile(p)),
    identity: (p) => (p === abs ? { size: bytes.length, mtimeMs: 0 } : base.identity(p)),
    glob: (pattern) => base.glob(pattern),
    treeSchema: (p, tree) => base.treeSchema(p, tree),
  };
}

/** What the parser alone makes of the text: an oracle independent of the syntax stage's filtering. */
function parserSeesErrors(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return true;
  }
  const lexed = HepLexer.tokenize(text);
  if (lexed.errors.length) return true;
  if (lexed.tokens.length === 0) return true; // an empty file is an error too
  if (lexed.tokens.some((t) => t.tokenType.name === "UnterminatedString")) return true;
  const p = hepParser();
  p.resetIds();
  p.input = lexed.tokens;
  p.file();
  return p.errors.length > 0;
}

/** JSON, with the control characters JSON leaves alone (DEL, C1) escaped too: a failure message shows every byte. */
function show(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

let planned = 0;

/** Problems with one input, or an empty list. `mustStayClean`: a valid file after mutations that keep it valid. */
async function problemsOf(host: MemoryHost, abs: string, bytes: Uint8Array, mustStayClean = false): Promise<string[]> {
  let c: Compilation & { plan?: unknown };
  try {
    // Up to the plan: inputs without errors are planned (and the plan validated) too.
    c = await compilePlan(repoRelative(abs), hostWith(host, abs, bytes));
  } catch (e) {
    return [`threw: ${(e as Error)?.stack?.split("\n").slice(0, 6).join("\n") ?? String(e)}`];
  }
  if (c.plan) planned++;
  const problems = invariantProblems(c);
  if (parserSeesErrors(bytes) && !c.diagnostics.some((d) => d.severity === "error")) problems.push("the parser found errors but the compilation reports none");
  if (mustStayClean && c.diagnostics.some((d) => d.severity === "error")) {
    problems.push(`declarations reordered or comments added, and errors appeared: ${c.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  }
  return problems;
}

/** Greedy shrinking: drop lines, then single characters, while the first problem stays the same kind. */
async function shrink(host: MemoryHost, abs: string, bytes: Uint8Array, problem: string, mustStayClean: boolean): Promise<string> {
  // A reordering problem is shown as it is: shrinking would not keep it a reordering.
  if (mustStayClean) return decoder.decode(bytes);
  const kind = problem.split(":")[0];
  // Shrinking works on text: bytes that are not UTF-8 become U+FFFD, which keeps most failures.
  const fails = async (b: Uint8Array) => (await problemsOf(host, abs, b)).some((p) => p.split(":")[0] === kind);
  let cur = bytes;
  for (const unit of ["line", "char"] as const) {
    let changed = true;
    while (changed) {
      changed = false;
      const text = decoder.decode(cur);
      const spans = unit === "line" ? lineSpans(text) : [...text].map((_, i) => ({ start: i, end: i + 1 }));
      for (let i = spans.length - 1; i >= 0; i--) {
        const t = decoder.decode(cur);
        if (spans[i].end > t.length) continue;
        const cand = encoder.encode(splice(t, spans[i].start, spans[i].end));
        if (cand.length < cur.length && (await fails(cand))) {
          cur = cand;
          changed = true;
        }
      }
      if (unit === "char" && cur.length > 400) break;
    }
  }
  return decoder.decode(cur);
}

describe("fuzz", () => {
  it(`survives ${CASES} mutated inputs (seeds ${BASE}..${BASE + CASES - 1})`, async () => {
    const seeds = seedFiles();
    // Read every file and schema once with the real host, then replay them from memory.
    const recorder = recordingHost(nodeHost(REPO_ROOT));
    const clean = new Set<string>();
    for (const f of seeds) {
      const c = await compilePlan(repoRelative(f), recorder);
      if (!c.diagnostics.some((d) => d.severity === "error")) clean.add(f);
    }
    const host = recorder.replay();
    const originals = seeds.map((f) => ({ abs: f, bytes: new Uint8Array(fs.readFileSync(f)) }));
    // Half the cases start from a file without errors, so mutants that stay valid reach the plan.
    const cleanOriginals = originals.filter((o) => clean.has(o.abs));

    const failures: string[] = [];
    const started = Date.now();
    for (let i = 0; i < CASES && failures.length < 10; i++) {
      const seed = BASE + i;
      const rng = new Rng(seed);
      const src = cleanOriginals.length && rng.chance(0.5) ? rng.pick(cleanOriginals) : rng.pick(originals);
      const m = mutate(src.bytes, rng);
      const mustStayClean = m.mild && clean.has(src.abs);
      const problems = await problemsOf(host, src.abs, m.bytes, mustStayClean);
      if (problems.length === 0) continue;
      const small = await shrink(host, src.abs, m.bytes, problems[0], mustStayClean);
      failures.push(
        [
          `seed ${seed} (HEPC_FUZZ_SEED=${seed} HEPC_FUZZ_CASES=1): ${repoRelative(src.abs)} after ${m.ops.join("; ")}`,
          ...problems.map((p) => "  " + p),
          `  shrunk input: ${show(small)}`,
          `  full input: ${show(decoder.decode(m.bytes))}`,
        ].join("\n"),
      );
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(`fuzz: ${CASES} cases from ${seeds.length} files in ${seconds.toFixed(1)} s (${planned} planned)`);
    expect(failures, failures.join("\n\n")).toEqual([]);
  }, Math.max(120_000, CASES * 100));
});
