/**
 * The open documents and one compilation per document version. A change is compiled after a short
 * pause (debounced), or at once when a feature needs the current version; compilations read open
 * buffers instead of the disk (the compiler's overlay), and ROOT metadata comes from the host's
 * cache, so a keystroke re-parses and re-checks but never re-reads a ROOT file.
 *
 * A document without an `analysis` header is usually an included file: it is compiled through the
 * analysis that includes it (an open one, or a .hep file beside it or one folder up), so names from
 * the rest of the analysis resolve and its diagnostics are the ones `hepc check` prints for it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { compile, Compilation } from "../compiler/compile.js";
import type { CompilerHost } from "../compiler/host.js";
import { documentPath } from "./features/common.js";
import { lex, structure } from "./features/tokens.js";

export interface WorkspaceOptions {
  host: CompilerHost;
  /** Pause after a change before compiling, in ms (default 150). */
  debounceMs?: number;
  /** Called when the compilation of a document's current version is ready. */
  onCompiled?: (doc: TextDocument, c: Compilation) => void;
  log?: (message: string) => void;
}

/**
 * A document version's compilation, and the one features use. They differ when the parser lost
 * every declaration to an unfinished one at the end of the file (it cannot resynchronise at the
 * end): then features use a compilation of the text with that last declaration blanked out
 * (same length, so earlier offsets hold), while diagnostics stay those of the real text.
 */
export interface Compiled {
  version: number;
  compilation: Compilation;
  semantic: Compilation;
}

interface Entry {
  /** Updated in place by the server's TextDocuments: `seen` is the version last told about. */
  doc: TextDocument;
  seen: number;
  abs: string;
  compiled?: Compiled;
  inflight?: { version: number; promise: Promise<Compiled | undefined> };
  timer?: ReturnType<typeof setTimeout>;
  /** When the pending debounced compilation is due (ms since the epoch). */
  dueAt?: number;
}

/** Whether the text (of a file in `dir`) has an include of `target`. */
function includes(text: string, dir: string, target: string): boolean {
  for (const m of text.matchAll(INCLUDE)) if (path.resolve(dir, m[1]) === target) return true;
  return false;
}

/**
 * Compiles one version of a document (at `abs`, text `text`) as part of the analysis `root`, with
 * the open buffers in `overlay`; and, when the parse lost every declaration to an unfinished one at
 * the end, again with that declaration blanked out, for the features.
 */
export async function compileVersion(
  root: string,
  host: CompilerHost,
  overlay: ReadonlyMap<string, string>,
  abs: string,
  text: string,
  version = 0,
  /** Called with the real compilation before the second one starts (diagnostics need no more). */
  onCompilation?: (c: Compilation) => void,
): Promise<Compiled> {
  const over = new Map(overlay);
  over.set(abs, text);
  const compilation = await compile(root, host, { overlay: over });
  onCompilation?.(compilation);
  let semantic = compilation;
  const cut = lostToTheEnd(compilation, abs, text);
  if (cut !== undefined) {
    over.set(abs, text.slice(0, cut) + text.slice(cut).replace(/[^\r\n]/g, " "));
    semantic = await compile(root, host, { overlay: over });
  }
  return { version, compilation, semantic };
}

/**
 * Where the last top-level declaration starts when the parse of the document kept no declaration
 * although the text has some (an unfinished declaration at the end of the file); else undefined.
 */
function lostToTheEnd(c: Compilation, abs: string, text: string): number | undefined {
  const i = c.program.absPaths.indexOf(abs);
  if (i < 0 || c.program.files[i].ast.decls.length > 0) return undefined;
  const l = lex(text);
  const starts = structure(l).starts;
  if (starts.length === 0) return undefined;
  return l.tokens[starts[starts.length - 1]].startOffset;
}

const HEADER = /(^|\n)[ \t]*analysis[ \t]+[A-Za-z_]/;
const INCLUDE = /(?:^|\n)[ \t]*include[ \t]+"((?:[^"\\\n]|\\.)*)"/g;

export class Workspace {
  private readonly entries = new Map<string, Entry>();
  private readonly debounceMs: number;

  constructor(private readonly options: WorkspaceOptions) {
    this.debounceMs = options.debounceMs ?? 150;
  }

  get host(): CompilerHost {
    return this.options.host;
  }

  open(doc: TextDocument): void {
    const e: Entry = { doc, seen: doc.version, abs: documentPath(doc.uri) };
    this.entries.set(doc.uri, e);
    void this.compileNow(e);
    this.dependentsChanged(e);
  }

  update(doc: TextDocument): void {
    const e = this.entries.get(doc.uri);
    if (!e) return this.open(doc);
    if (e.doc === doc && e.seen === doc.version) return;
    e.doc = doc;
    e.seen = doc.version;
    this.schedule(e);
    this.dependentsChanged(e);
  }

  close(uri: string): void {
    const e = this.entries.get(uri);
    if (e?.timer) clearTimeout(e.timer);
    this.entries.delete(uri);
  }

  document(uri: string): TextDocument | undefined {
    return this.entries.get(uri)?.doc;
  }

  documents(): TextDocument[] {
    return [...this.entries.values()].map((e) => e.doc);
  }

  /** The newest compilation available without waiting (possibly of an older version). */
  latest(uri: string): Compilation | undefined {
    return this.entries.get(uri)?.compiled?.semantic;
  }

  /** The compilations of the document's current version, compiling now if it is pending. */
  async current(uri: string): Promise<Compiled | undefined> {
    const e = this.entries.get(uri);
    if (!e) return undefined;
    return this.compileNow(e);
  }

  /**
   * The compilations of the current version once the debounce has passed: what a diagnostics pull
   * waits for, so a client pulling after every keystroke does not compile every keystroke.
   */
  async settled(uri: string): Promise<Compiled | undefined> {
    const e = this.entries.get(uri);
    if (!e) return undefined;
    const wait = e.timer && e.dueAt !== undefined ? e.dueAt - Date.now() : 0;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const now = this.entries.get(uri);
    return now ? this.compileNow(now) : undefined;
  }

  /** Files changed on disk (an include, a ROOT file): every open document is compiled again. */
  refresh(): void {
    for (const e of this.entries.values()) {
      e.compiled = undefined;
      this.schedule(e);
    }
  }

  /** Waits for every pending compilation (tests and benchmarks). */
  async settle(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => this.compileNow(e)));
  }

  private schedule(e: Entry): void {
    if (e.timer) clearTimeout(e.timer);
    if (this.debounceMs <= 0) {
      void this.compileNow(e);
      return;
    }
    e.dueAt = Date.now() + this.debounceMs;
    e.timer = setTimeout(() => {
      e.timer = undefined;
      void this.compileNow(e);
    }, this.debounceMs);
  }

  /** Open documents whose last compilation read this one (it is included by them) are compiled again. */
  private dependentsChanged(changed: Entry): void {
    for (const e of this.entries.values()) {
      if (e === changed || !e.compiled) continue;
      const program = e.compiled.compilation.program;
      if (program.absPaths.includes(changed.abs) || includes(e.doc.getText(), path.dirname(e.abs), changed.abs)) this.schedule(e);
    }
  }

  private compileNow(e: Entry): Promise<Compiled | undefined> {
    if (e.timer) {
      clearTimeout(e.timer);
      e.timer = undefined;
    }
    const version = e.doc.version;
    if (e.compiled?.version === version) return Promise.resolve(e.compiled);
    if (e.inflight?.version === version) return e.inflight.promise;
    const overlay = new Map<string, string>();
    for (const x of this.entries.values()) overlay.set(x.abs, x.doc.getText());
    const root = this.rootFor(e);
    const text = e.doc.getText();
    const publish = (c: Compilation) => {
      if (e.doc.version === version && this.entries.get(e.doc.uri) === e) this.options.onCompiled?.(e.doc, c);
    };
    const run = () => compileVersion(root, this.options.host, overlay, e.abs, text, version, publish);
    const promise = run().then(
      (r) => {
        if (!e.compiled || e.compiled.version <= version) e.compiled = r;
        if (e.inflight?.version === version) e.inflight = undefined;
        return r;
      },
      (err: unknown) => {
        if (e.inflight?.version === version) e.inflight = undefined;
        this.options.log?.(`hepc lsp: compiling ${root} failed: ${(err as Error)?.stack ?? String(err)}`);
        return e.compiled;
      },
    );
    e.inflight = { version, promise };
    return promise;
  }

  /** The analysis a document is compiled as part of: itself, or the analysis including it. */
  private rootFor(e: Entry): string {
    const text = e.doc.getText();
    if (HEADER.test(text)) return e.abs;
    for (const x of this.entries.values()) {
      if (x === e) continue;
      const files = x.compiled?.compilation.program.absPaths ?? [];
      if (files.includes(e.abs) && files[0] !== e.abs) return files[0];
      const t = x.doc.getText();
      if (HEADER.test(t) && includes(t, path.dirname(x.abs), e.abs)) return x.abs;
    }
    const dir = path.dirname(e.abs);
    for (const d of [dir, path.dirname(dir)]) {
      let names: string[];
      try {
        names = fs.readdirSync(d).filter((n) => n.endsWith(".hep")).sort();
      } catch {
        continue;
      }
      for (const n of names) {
        const abs = path.join(d, n);
        if (abs === e.abs) continue;
        const open = [...this.entries.values()].find((x) => x.abs === abs);
        let t: string;
        try {
          t = open ? open.doc.getText() : fs.readFileSync(abs, "utf8");
        } catch {
          continue;
        }
        if (HEADER.test(t) && includes(t, d, e.abs)) return abs;
      }
    }
    return e.abs;
  }
}
