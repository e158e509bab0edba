/**
 * Completion by context. The document's current text is lexed (cheap, tolerant of any text) and
 * the parser's own content assist (chevrotain's computeContentAssist over the tokens of the current
 * declaration, or of the current item of a block) says which tokens may come next and in which
 * grammar rule: declaration keywords at the top level, a block's properties, scalings after a
 * feature, a model kind's options, names of the kind the rule wants (regions after `on`, models
 * after `train`, samples after `reweight to`, bins in a binning), or an expression operand: names
 * in scope, stdlib functions, and the branches and collections of the samples' ROOT files.
 *
 * The types of what is before the cursor (fields after `.`, the element in scope inside `where`)
 * are the checker's own (cursorTypes.ts): the text is parsed and typed by the compiler, never
 * guessed from tokens. Names, types and schemas come from the latest compilation available,
 * whatever its version: a keystroke is never made to wait for a compilation (with none yet, the
 * answer has keywords, functions and the names declared in the text).
 */
import * as path from "node:path";
import type { IToken, TokenType } from "chevrotain";
import { CompletionItem, CompletionItemKind, CompletionList, InsertTextFormat, MarkupKind } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import * as T from "../../grammar/lexer.js";
import { hepParser } from "../../grammar/parser.js";
import type { Env } from "../../compiler/check/env.js";
import type { SymbolKind as HepSymbolKind } from "../../compiler/check/symbols.js";
import type { Compilation } from "../../compiler/compile.js";
import { typeToString } from "../../compiler/core/types.js";
import {
  BALANCE_MODES, BUILTINS, FUNCTION_BY_NAME, FUNCTIONS, HISTOGRAM_SPLITS, METRICS, MODEL_KIND_BY_NAME, MODEL_KINDS,
  REWEIGHT_MODES, signatureText,
} from "../../stdlib/index.js";
import { NEGATIVE_WEIGHT_MODES, TRAIN_DEVICES } from "../../plan/types.js";
import { documentPath } from "./common.js";
import { CursorTypes, typesAtCursor } from "./cursorTypes.js";
import { branchMarkdown, builtinMarkdown, collectionMarkdown, functionMarkdown, symbolMarkdown, symbolType } from "./docs.js";
import { declarationStart, isIdentifierToken, lastTokenBefore, lex, Lexed, structure, tokenEnd } from "./tokens.js";

// ---- what may come next -------------------------------------------------------------------------

const BLOCK_ITEMS: Record<string, ReadonlySet<string>> = {
  analysis: new Set(["lumi", "seed", "title"]),
  sample: new Set(["files", "tree", "class", "weight", "where", "xsec", "sumw", "title", "classes", "friend"]),
  defaults: new Set(["tree", "class", "weight", "where", "xsec", "sumw", "title"]),
  train: new Set(["on", "folds", "balance", "reweight", "validation", "test", "class_weights", "negative_weights", "device", "classes"]),
  evaluate: new Set(["in", "bins", "metrics", "working_points", "reference"]),
  output: new Set(["predictions", "histogram", "histograms", "cutflow", "report", "dataset", "onnx", "ntuple", "datacard", "workspace"]),
};

const CONTINUATION = new Set<TokenType>([
  T.Dot, T.DotDot, T.Comma, T.RParen, T.RBracket, T.EqEq, T.NotEq, T.LtEq, T.GtEq, T.Lt, T.Gt, T.Tilde,
  T.Plus, T.Minus, T.Star, T.Slash, T.Percent, T.Caret, T.And, T.Or, T.AmpAmp, T.PipePipe, T.Where, T.QuestionQuestion,
]);

/** Tokens to run content assist on: the declaration's header plus the current item, so the cost stays small in big blocks. */
function contextSlice(l: Lexed, d: number, last: number): IToken[] {
  const toks = l.tokens;
  const { depth } = structure(l);
  const kw = toks[d].image;
  const after = depth[last] + (isOpen(toks[last]) ? 1 : isClose(toks[last]) ? -1 : 0);
  let brace = -1;
  for (let k = d + 1; k <= last; k++) {
    if (depth[k] === 0 && toks[k].tokenType === T.LBrace) {
      brace = k;
      break;
    }
  }
  if (brace >= 0 && after >= 1) {
    const header = toks.slice(d, brace + 1);
    if (kw === "model") return toks.slice(d, last + 1);
    let start = -1;
    if (kw === "features") {
      for (let k = last; k > brace; k--) {
        if (depth[k] !== 1) continue;
        const firstOnLine = k === brace + 1 || /[\n\r]/.test(l.text.slice(tokenEnd(toks[k - 1]), toks[k].startOffset));
        if (firstOnLine && !CONTINUATION.has(toks[k].tokenType)) {
          start = k;
          break;
        }
      }
    } else {
      const items = BLOCK_ITEMS[kw];
      for (let k = last; k > brace && items; k--) {
        if (depth[k] === 1 && items.has(toks[k].image) && !(toks[k].tokenType === T.Identifier)) {
          start = k;
          break;
        }
      }
    }
    return start < 0 ? header : [...header, ...toks.slice(start, last + 1)];
  }
  let slice = toks.slice(d, last + 1);
  if (slice.length > 120 && (kw === "define" || kw === "object" || kw === "region")) {
    // A long expression: what follows its last top-level `and`/`or` is read as a whole expression.
    for (let k = last; k > d + 3; k--) {
      if (depth[k] === 0 && (toks[k].tokenType === T.And || toks[k].tokenType === T.Or)) {
        slice = [...toks.slice(d, d + 3), ...toks.slice(k + 1, last + 1)];
        break;
      }
    }
  }
  return slice;
}

function isOpen(t: IToken): boolean {
  return t.tokenType === T.LParen || t.tokenType === T.LBracket || t.tokenType === T.LBrace;
}
function isClose(t: IToken): boolean {
  return t.tokenType === T.RParen || t.tokenType === T.RBracket || t.tokenType === T.RBrace;
}

// ---- items ---------------------------------------------------------------------------------------

const SYMBOL_ITEM: Record<HepSymbolKind, CompletionItemKind> = {
  sample: CompletionItemKind.Module,
  group: CompletionItemKind.Module,
  object: CompletionItemKind.Struct,
  define: CompletionItemKind.Variable,
  region: CompletionItemKind.Event,
  bins: CompletionItemKind.Enum,
  features: CompletionItemKind.Interface,
  model: CompletionItemKind.Class,
  param: CompletionItemKind.Constant,
};

const DECL_KIND: Record<string, HepSymbolKind> = {
  sample: "sample",
  group: "group",
  object: "object",
  define: "define",
  region: "region",
  bins: "bins",
  features: "features",
  model: "model",
};

interface Names {
  /** name → kind: the compilation's symbols and the declarations in the current text. */
  byName: Map<string, HepSymbolKind>;
}

function declaredNames(c: Compilation | undefined, l: Lexed, exclude?: string): Names {
  const byName = new Map<string, HepSymbolKind>();
  for (const s of c?.checked.symbols.values() ?? []) byName.set(s.name, s.kind);
  for (const k of structure(l).starts) {
    const kind = DECL_KIND[l.tokens[k].image];
    const n = l.tokens[k + 1];
    if (kind && n && isIdentifierToken(n)) byName.set(n.image, kind);
  }
  if (exclude) byName.delete(exclude);
  return { byName };
}

function keywordOf(tt: TokenType): string | undefined {
  if (tt.name.startsWith("Kw_")) return tt.name.slice(3);
  const hard: Record<string, string> = { And: "and", Or: "or", Not: "not", Where: "where", True: "true", False: "false", This: "this" };
  return hard[tt.name];
}

/** sortText groups: scope fields, declarations, file names, functions, keywords. */
const RANK = { field: "0", symbol: "1", input: "2", fn: "3", keyword: "4" };

export interface CompletionOptions {
  /** The client takes snippets: a function is inserted as `name($1)`. */
  snippets?: boolean;
  /** The client is VS Code: its commands (signature help after a function, suggestions after a folder) may be attached. */
  parameterHintsCommand?: boolean;
  /** Lists a folder (absolute path), for paths in `files` and `include` strings; none: no path completion. */
  listDir?: (dir: string) => Array<{ name: string; dir: boolean }>;
}

export function completion(c: Compilation | undefined, doc: TextDocument, offset: number, options: CompletionOptions = { snippets: true }): CompletionList {
  const text = doc.getText();
  const empty: CompletionList = { isIncomplete: false, items: [] };
  offset = Math.max(0, Math.min(offset, text.length));
  const where = inCommentOrString(text, offset);
  if (where === "string") {
    const params = paramCompletion(c, doc, text, offset);
    if (params) return params;
    return options.listDir ? pathCompletion(doc, text, offset, options.listDir, options.parameterHintsCommand === true) : empty;
  }
  if (where) return empty;
  let prefixStart = offset;
  while (prefixStart > 0 && /[A-Za-z0-9_]/.test(text[prefixStart - 1])) prefixStart--;
  const prefix = text.slice(prefixStart, offset);
  if (/^[0-9]/.test(prefix)) return empty;

  const l = lex(text, doc.uri);
  const toks = l.tokens;
  const last = lastTokenBefore(toks, prefixStart);
  const items = new Map<string, CompletionItem>();
  const add = (item: CompletionItem, rank: string) => {
    if (!items.has(item.label)) items.set(item.label, { ...item, sortText: rank + item.label });
  };
  const addKeyword = (w: string) => add({ label: w, kind: CompletionItemKind.Keyword }, RANK.keyword);

  const d = last >= 0 ? declarationStart(l, last) : -1;
  if (d < 0) {
    for (const k of T.DECLARATION_KEYWORDS) addKeyword(k);
    addKeyword("histogram"); // a derived histogram; a soft keyword, so not among the declaration keywords
    return { isIncomplete: false, items: [...items.values()] };
  }
  const slice = contextSlice(l, d, last);
  let paths: ReturnType<ReturnType<typeof hepParser>["computeContentAssist"]> = [];
  try {
    paths = hepParser().computeContentAssist("file", slice);
  } catch {
    paths = [];
  }

  const kw = toks[d].image;
  const declName = toks[d + 1] && isIdentifierToken(toks[d + 1]) ? toks[d + 1].image : undefined;
  const env = envFor(c, kw, declName);
  let cursorTypes: CursorTypes | undefined;
  const typesHere = (): CursorTypes => (cursorTypes ??= c ? typesAtCursor(c, l, d, last, prefixStart) : {});
  const names = declaredNames(c, l, kw === "object" || kw === "define" || kw === "region" ? declName : undefined);
  const prev = toks[last];
  let filtered = false;

  const addNamesOf = (kinds: HepSymbolKind[]) => {
    for (const [n, k] of names.byName) if (kinds.includes(k)) add({ label: n, kind: SYMBOL_ITEM[k], detail: k, data: { symbol: n } }, RANK.symbol);
  };
  const addWords = (ws: readonly string[], kind: CompletionItemKind = CompletionItemKind.EnumMember) => {
    for (const w of ws) add({ label: w, kind }, RANK.symbol);
  };
  const addExpression = () => {
    const el = typesHere().element;
    if (el?.kind === "record") {
      for (const [f, t] of el.record.fields) add({ label: f, kind: CompletionItemKind.Field, detail: `${el.record.name}.${f}: ${typeToString(t)}` }, RANK.field);
      addKeyword("this");
    }
    for (const [n, k] of names.byName) {
      if (k === "model") {
        // a model's name is its score (multiclass: `MODEL.CLASS`, offered after the dot)
        const decl = c?.checked.symbols.get(n)?.decl;
        const kind = decl?.kind === "Model" ? ` (${decl.modelKind.name})` : "";
        add({ label: n, kind: SYMBOL_ITEM[k], detail: `score of model ${n}${kind}`, data: { symbol: n } }, RANK.symbol);
        continue;
      }
      if (k !== "object" && k !== "define" && k !== "region") continue;
      const sym = c?.checked.symbols.get(n);
      const t = sym && c ? symbolType(c, sym) : undefined;
      add({ label: n, kind: SYMBOL_ITEM[k], detail: t ? `${k}: ${typeToString(t)}` : k, data: { symbol: n } }, RANK.symbol);
    }
    if (env) {
      for (const [p, coll] of env.collections) add({ label: p, kind: CompletionItemKind.Struct, detail: coll.shape === "jagged" ? `collection<${p}>` : p, data: { collection: p } }, RANK.input);
      // A file may have thousands of branches: with a prefix typed, only those starting with it.
      const lower = prefix.toLowerCase();
      if (prefix || env.branches.size <= 300) {
        for (const [b, e] of env.branches) {
          if (prefix && !b.toLowerCase().startsWith(lower)) continue;
          add({ label: b, kind: CompletionItemKind.Field, detail: `${e.schema.typename}${e.type ? " → " + typeToString(e.type) : ""}`, data: { branch: b } }, RANK.input);
        }
        if (prefix) filtered = true;
      } else filtered = true;
    }
    for (const b of BUILTINS) add({ label: b.name, kind: CompletionItemKind.Variable, detail: b.type, data: { builtin: b.name } }, RANK.input);
    for (const fn of FUNCTIONS) {
      add({
        label: fn.name,
        kind: CompletionItemKind.Function,
        detail: fn.signatures.map((s) => signatureText(fn.name, s)).join(" | "),
        ...(options.snippets ? { insertText: `${fn.name}($1)`, insertTextFormat: InsertTextFormat.Snippet } : {}),
        ...(options.parameterHintsCommand ? { command: { title: "signature help", command: "editor.action.triggerParameterHints" } } : {}),
        data: { function: fn.name },
      }, RANK.fn);
    }
  };

  const ruleOf = (p: (typeof paths)[number]) => p.ruleStack[p.ruleStack.length - 1];
  const parentOf = (p: (typeof paths)[number]) => p.ruleStack[p.ruleStack.length - 2];
  let expression = false;
  for (const p of paths) {
    const tt = p.nextTokenType;
    const rule = ruleOf(p);
    const word = keywordOf(tt);
    if (word && tt !== T.Identifier) {
      if (rule === "modelOption") continue; // `bins`/`output` as option names come from the kind below
      if (word === "this") continue; // offered with the element's fields
      addKeyword(word);
      continue;
    }
    if (tt !== T.Identifier) continue;
    const pv = prev?.image;
    switch (rule) {
      case "primary":
        expression = true;
        break;
      case "postfix":
        if (prev?.tokenType === T.Dot) {
          const t = typesHere().target;
          const rec = t?.kind === "record" ? t.record : t?.kind === "list" && t.element.kind === "record" ? t.element.record : undefined;
          if (rec) for (const [f, ft] of rec.fields) add({ label: f, kind: CompletionItemKind.Field, detail: `${rec.name}.${f}: ${typeToString(ft)}` }, RANK.field);
        }
        break;
      case "numberWithUnit":
        addWords(["GeV", "MeV", "TeV"], CompletionItemKind.Unit);
        break;
      case "quantity":
        addWords(kw === "analysis" ? ["/pb", "/fb", "/nb"].map((u) => (prev?.tokenType === T.Slash ? u.slice(1) : u)) : ["pb", "fb", "nb"], CompletionItemKind.Unit);
        break;
      case "identList": {
        const parent = parentOf(p);
        if (parent === "groupDecl") addNamesOf(["sample"]);
        else if (parent === "trainDecl" || parent === "evaluateDecl") addNamesOf(["model"]);
        else if (parent === "outputItem") {
          const lastKw = [...slice].reverse().find((t) => t.image === "in" || t.image === "keyed");
          if (lastKw?.image === "keyed") expression = true;
          else addNamesOf(["region"]);
        }
        break;
      }
      case "trainProp":
        if (pv === "on") addNamesOf(["region"]);
        else if (pv === "balance") addWords(BALANCE_MODES);
        else if (pv === "reweight") addWords(REWEIGHT_MODES.filter((m) => m !== "to"));
        else if (pv === "to") addNamesOf(["sample"]);
        else if (pv === "negative_weights") addWords(NEGATIVE_WEIGHT_MODES);
        else if (pv === "device") addWords(TRAIN_DEVICES);
        break;
      case "evaluateProp":
        if (pv === "in") addNamesOf(["region"]);
        else if (pv === "metrics" || pv === ",") addWords(METRICS);
        else if (pv === "reference") {
          const brace = slice.findIndex((t) => t.tokenType === T.LBrace);
          addWords(slice.slice(1, brace < 0 ? 1 : brace).filter(isIdentifierToken).map((t) => t.image), CompletionItemKind.Class);
        } else addWords(["loose", "medium", "tight"], CompletionItemKind.Variable);
        break;
      case "sampleProp":
        if (pv === "class") addWords(["signal", "background", "data"]);
        break;
      case "modelDecl":
        if (pv === "=") for (const m of MODEL_KINDS) add({ label: m.name, kind: CompletionItemKind.Class, detail: m.summary, documentation: m.options.length ? "Options: " + m.options.map((o) => o.name).join(", ") : undefined }, RANK.symbol);
        else if (pv === "(") addNamesOf(["features"]);
        break;
      case "modelOption": {
        const kind = MODEL_KIND_BY_NAME.get(modelKindOf(slice) ?? "");
        const given = new Set(slice.filter((t, i) => i > 0 && slice[i - 1].tokenType !== T.Identifier).map((t) => t.image));
        for (const o of kind?.options ?? []) {
          if (given.has(o.name) && o.name !== prefix) continue;
          add({ label: o.name, kind: CompletionItemKind.Property, detail: `${o.type}${o.default !== undefined ? " = " + JSON.stringify(o.default) : ""}`, documentation: o.summary }, RANK.symbol);
        }
        break;
      }
      case "optionValue": {
        const spec = MODEL_KIND_BY_NAME.get(modelKindOf(slice) ?? "")?.options.find((o) => o.name === pv);
        if (spec?.values) addWords(spec.values);
        break;
      }
      case "binSpec":
        addNamesOf(["bins"]);
        break;
      case "outputItem":
        if (pv === "by") addWords(HISTOGRAM_SPLITS);
        else if (pv === "dataset" || pv === "onnx") addNamesOf(["model"]);
        break;
      default:
        break;
    }
  }
  // After `MODEL.`: a multiclass model's classes, whose scores no record type describes.
  if (prev?.tokenType === T.Dot && toks[last - 2]?.tokenType !== T.Dot && c?.checked.symbols.get(toks[last - 1]?.image ?? "")?.kind === "model") {
    const model = toks[last - 1].image;
    const classes = c.checked.classOrder;
    if (classes.length > 2) for (const k of classes) add({ label: k, kind: CompletionItemKind.Field, detail: `score of class ${k} of model ${model}` }, RANK.field);
  }
  // A `(` of a features-taking model: `gbdt(` wants a features name (expression rule otherwise).
  if (expression && kw === "model" && slice.filter((t) => t.tokenType === T.LBrace).length === 0) {
    const kind = MODEL_KIND_BY_NAME.get(modelKindOf(slice) ?? "");
    if (kind?.argument === "features") {
      items.clear();
      addNamesOf(["features"]);
      expression = false;
    }
  }
  // `histogram NAME = EXPR` (a derived histogram) combines samples and groups, scaled by numbers
  if (expression && kw === "histogram") {
    addNamesOf(["sample", "group", "param"]);
    expression = false;
  }
  if (expression) addExpression();
  if (paths.length === 0) {
    // The parser could not read what is before the cursor: offer what is most likely.
    const lineStart = text.lastIndexOf("\n", prefixStart - 1) + 1;
    if (text.slice(lineStart, prefixStart).trim() === "" && structure(l).depth[last] === 0 && !isOpen(toks[last])) for (const k of T.DECLARATION_KEYWORDS) addKeyword(k);
    else addExpression();
  }
  // The grammar reads a defaults block with the sample table; the checker refuses `files` there (HEP4060).
  if (kw === "defaults" && items.get("files")?.kind === CompletionItemKind.Keyword) items.delete("files");
  return { isIncomplete: filtered, items: [...items.values()] };
}

function modelKindOf(slice: IToken[]): string | undefined {
  // model NAME = KIND ( ...
  return slice[0]?.image === "model" && slice[2]?.tokenType === T.Equals ? slice[3]?.image : undefined;
}

/** Inside a sample block the sample's own tree; elsewhere the environment names resolve in. */
function envFor(c: Compilation | undefined, kw: string, name: string | undefined): Env | undefined {
  if (!c) return undefined;
  if (kw === "sample" && name) {
    const s = c.checked.samples.find((x) => x.name === name);
    if (s?.env) return s.env;
  }
  return c.checked.env;
}

function inCommentOrString(text: string, offset: number): "comment" | "string" | undefined {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  let inString = false;
  for (let i = lineStart; i < offset; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "#") return "comment";
  }
  return inString ? "string" : undefined;
}

/**
 * After `${` in a string: the parameters, from the latest compilation or, without one, the
 * `param NAME` declarations of the text. Undefined when the cursor is not in a `${...}`.
 */
function paramCompletion(c: Compilation | undefined, doc: TextDocument, text: string, offset: number): CompletionList | undefined {
  const open = text.lastIndexOf("${", offset);
  const quote = text.lastIndexOf('"', offset - 1);
  if (open < 0 || open < quote || !/^[A-Za-z0-9_]*$/.test(text.slice(open + 2, offset))) return undefined;
  const range = { start: doc.positionAt(open + 2), end: doc.positionAt(offset) };
  const closed = text[offset] === "}";
  const items: CompletionItem[] = [];
  const known = c ? [...c.checked.params.values()].map((p) => ({ name: p.name, detail: `param ${p.name}: ${p.type}` })) : [...text.matchAll(/\bparam\s+([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => ({ name: m[1], detail: "param" }));
  for (const p of known) items.push({ label: p.name, kind: CompletionItemKind.Constant, detail: p.detail, textEdit: { range, newText: closed ? p.name : `${p.name}}` }, data: { symbol: p.name } });
  return { isIncomplete: false, items };
}

/** Inside the string of `files` (ROOT files) or `include` (.hep files): the folder's entries, relative to the document. */
function pathCompletion(doc: TextDocument, text: string, offset: number, listDir: NonNullable<CompletionOptions["listDir"]>, vscodeCommands: boolean): CompletionList {
  const empty: CompletionList = { isIncomplete: false, items: [] };
  const quote = text.lastIndexOf('"', offset - 1);
  const l = lex(text, doc.uri);
  const i = lastTokenBefore(l.tokens, quote);
  const before = l.tokens[i];
  if (!before) return empty;
  let k = i;
  while (k > 0 && (l.tokens[k].tokenType === T.Comma || l.tokens[k].tokenType === T.StringLit)) k--;
  const key = l.tokens[k]?.image;
  const ext = key === "files" ? ".root" : key === "include" ? ".hep" : undefined;
  if (!ext) return empty;
  const written = text.slice(quote + 1, offset);
  const slash = written.lastIndexOf("/");
  const folder = path.resolve(path.dirname(documentPath(doc.uri)), written.slice(0, slash + 1) || ".");
  const range = { start: doc.positionAt(quote + 1 + slash + 1), end: doc.positionAt(offset) };
  const items: CompletionItem[] = [];
  for (const e of listDir(folder)) {
    if (e.name.startsWith(".")) continue;
    if (e.dir) items.push({ label: e.name + "/", kind: CompletionItemKind.Folder, textEdit: { range, newText: e.name + "/" }, ...(vscodeCommands ? { command: { title: "more", command: "editor.action.triggerSuggest" } } : {}) });
    else if (e.name.endsWith(ext)) items.push({ label: e.name, kind: CompletionItemKind.File, textEdit: { range, newText: e.name } });
  }
  return { isIncomplete: false, items };
}

/** Documentation for an item, looked up when the client asks for it (completionItem/resolve). */
export function resolveCompletion(c: Compilation | undefined, item: CompletionItem): CompletionItem {
  const data = item.data as Record<string, string> | undefined;
  if (!data) return item;
  let md: string | undefined;
  if (data.function) {
    const fn = FUNCTION_BY_NAME.get(data.function);
    if (fn) md = functionMarkdown(fn);
  } else if (data.builtin) md = builtinMarkdown(data.builtin);
  else if (c && data.symbol) {
    const sym = c.checked.symbols.get(data.symbol);
    if (sym) md = symbolMarkdown(c, sym);
  } else if (c && data.branch) md = branchMarkdown(c, data.branch);
  else if (c && data.collection) {
    const coll = c.checked.env?.collections.get(data.collection);
    if (coll) md = collectionMarkdown(coll);
  }
  return md ? { ...item, documentation: { kind: MarkupKind.Markdown, value: md } } : item;
}

