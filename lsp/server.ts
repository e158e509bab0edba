/**
 * The language server: LSP over a connection (stdio for `hepc lsp`), wired to the workspace (one
 * compilation per document version) and the features in features/, each a pure function of
 * (compilation, document, offset). Must not import runtime/exec, runtime/columns or onnxruntime:
 * the only runtime code it loads is the ROOT metadata reader behind host/ (the disk host).
 *
 * Diagnostics are pushed (textDocument/publishDiagnostics) on open and after each change, unless
 * the client pulls them (it advertises textDocument.diagnostic); textDocument/diagnostic is always
 * answered.
 */
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  CodeActionKind,
  Connection,
  DocumentDiagnosticReportKind,
  InitializeParams,
  InitializeResult,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
} from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import { nodeHost } from "../host/index.js";
import type { Compilation } from "../compiler/compile.js";
import type { CompilerHost } from "../compiler/host.js";
import { codeActions } from "./features/codeActions.js";
import { documentPath, fileAt, uriOf } from "./features/common.js";
import { completion, CompletionOptions, resolveCompletion } from "./features/completion.js";
import { definition } from "./features/definition.js";
import { diagnostics, DiagnosticOptions, toLspDiagnostic } from "./features/diagnostics.js";
import { documentSymbols } from "./features/documentSymbols.js";
import { foldingRanges } from "./features/foldingRanges.js";
import { formatting } from "./features/formatting.js";
import { hover } from "./features/hover.js";
import { inlayHints } from "./features/inlayHints.js";
import { documentHighlights, references } from "./features/references.js";
import { prepareRename, rename } from "./features/rename.js";
import { SEMANTIC_LEGEND, semanticTokens } from "./features/semanticTokens.js";
import { signatureHelp } from "./features/signatureHelp.js";
import { Workspace } from "./workspace.js";

export interface ServerOptions {
  /** Debounce of compilations after a change, in ms (default 150). */
  debounceMs?: number;
  /** A host to use instead of the disk (tests). */
  host?: (cwd: string) => CompilerHost;
}

/** docs/diagnostics.md of this installation, as a file: URL, when it is there. */
function diagnosticsDocsUrl(): string | undefined {
  try {
    const here = path.dirname(fileURLToPath(import.meta.url));
    for (const up of ["../..", "../../.."]) {
      const p = path.resolve(here, up, "docs", "diagnostics.md");
      if (existsSync(p)) return pathToFileURL(p).href;
    }
  } catch {
    // no link then
  }
  return undefined;
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  let workspace: Workspace | undefined;
  let push = true;
  let lastCompletionUri: string | undefined;
  const completionOptions: CompletionOptions = {
    listDir: (dir) => {
      try {
        return readdirSync(dir, { withFileTypes: true }).map((e) => ({ name: e.name, dir: e.isDirectory() }));
      } catch {
        return [];
      }
    },
  };
  const diagOptions: DiagnosticOptions = { docsUrl: diagnosticsDocsUrl() };
  const log = (m: string) => connection.console.error(m);

  /** Files of an analysis that are not open, by the open document whose compilation published for them. */
  const publishedFor = new Map<string, Set<string>>();
  const publish = (doc: TextDocument, c: Compilation) => {
    if (!push) return;
    safe("publishDiagnostics", () => {
      void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: diagnostics(c, doc, diagOptions) });
      // The analysis's other files (includes not open in the editor) get theirs too, as `hepc check` shows them.
      const own = documentPath(doc.uri);
      const now = new Set<string>();
      c.program.absPaths.forEach((abs, i) => {
        const uri = uriOf(abs);
        if (abs === own || documents.get(uri)) return;
        const f = fileAt(c, i);
        const ds = c.diagnostics.filter((d) => d.file === f.parsed.path).map((d) => toLspDiagnostic(c, f, d, diagOptions));
        if (ds.length || publishedFor.get(doc.uri)?.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: ds });
        if (ds.length) now.add(uri);
      });
      for (const uri of publishedFor.get(doc.uri) ?? []) if (!now.has(uri) && !documents.get(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
      publishedFor.set(doc.uri, now);
    }, undefined);
  };

  /** Runs a feature; an exception is logged and answered with `fallback`, never a crash. */
  function safe<T>(what: string, f: () => T, fallback: T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof ResponseError) throw e;
      log(`hepc lsp: ${what} failed: ${(e as Error)?.stack ?? String(e)}`);
      return fallback;
    }
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    const cwd = folder && folder.startsWith("file:") ? documentPath(folder) : process.cwd();
    const host = options.host ? options.host(cwd) : nodeHost(cwd);
    push = !params.capabilities.textDocument?.diagnostic;
    completionOptions.snippets = params.capabilities.textDocument?.completion?.completionItem?.snippetSupport === true;
    completionOptions.parameterHintsCommand = /visual studio code|vscode/i.test(params.clientInfo?.name ?? "");
    workspace = new Workspace({ host, debounceMs: options.debounceMs, onCompiled: publish, log });
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: ["."], resolveProvider: true },
        hoverProvider: true,
        signatureHelpProvider: { triggerCharacters: ["(", ","], retriggerCharacters: [","] },
        definitionProvider: true,
        referencesProvider: true,
        documentHighlightProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        semanticTokensProvider: { legend: SEMANTIC_LEGEND, full: true },
        documentFormattingProvider: true,
        inlayHintProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        diagnosticProvider: { interFileDependencies: true, workspaceDiagnostics: false },
      },
      serverInfo: { name: "hepc" },
    };
  });

  documents.onDidOpen((e) => workspace?.open(e.document));
  // Also fired on open; the workspace ignores a version it has seen.
  documents.onDidChangeContent((e) => workspace?.update(e.document));
  documents.onDidClose((e) => {
    workspace?.close(e.document.uri);
    if (push) void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  /** The document and the compilation features use for its current version. */
  // The client watches .hep and .root files (the VS Code extension asks it to): recompile on a change.
  connection.onDidChangeWatchedFiles(() => workspace?.refresh());

  const current = async (uri: string) => {
    const doc = documents.get(uri);
    const r = doc ? await workspace?.current(uri) : undefined;
    return doc && r ? { doc, c: r.semantic, diagnosticsOf: r.compilation } : undefined;
  };

  connection.languages.diagnostics.on(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    const r = doc ? await workspace?.settled(params.textDocument.uri) : undefined;
    const items = doc && r ? safe("diagnostics", () => diagnostics(r.compilation, doc, diagOptions), []) : [];
    return { kind: DocumentDiagnosticReportKind.Full, items };
  });

  connection.onCompletion((params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    const c = workspace?.latest(doc.uri);
    lastCompletionUri = doc.uri;
    return safe("completion", () => completion(c, doc, doc.offsetAt(params.position), completionOptions), null);
  });

  connection.onCompletionResolve((item) => safe("completionItem/resolve", () => resolveCompletion(lastCompletionUri ? workspace?.latest(lastCompletionUri) : undefined, item), item));

  connection.onHover(async (params) => {
    const x = await current(params.textDocument.uri);
    return x ? safe("hover", () => hover(x.c, x.doc, x.doc.offsetAt(params.position)), null) : null;
  });

  connection.onSignatureHelp((params) => {
    const doc = documents.get(params.textDocument.uri);
    return doc ? safe("signatureHelp", () => signatureHelp(workspace?.latest(doc.uri), doc, doc.offsetAt(params.position)), null) : null;
  });

  connection.onDefinition(async (params) => {
    const x = await current(params.textDocument.uri);
    return x ? safe("definition", () => definition(x.c, x.doc, x.doc.offsetAt(params.position)), null) : null;
  });

  connection.onReferences(async (params) => {
    const x = await current(params.textDocument.uri);
    return x ? safe("references", () => references(x.c, x.doc, x.doc.offsetAt(params.position), params.context.includeDeclaration), []) : [];
  });

  connection.onDocumentHighlight(async (params) => {
    const x = await current(params.textDocument.uri);
    return x ? safe("documentHighlight", () => documentHighlights(x.c, x.doc, x.doc.offsetAt(params.position)), []) : [];
  });

  connection.onPrepareRename(async (params) => {
    const x = await current(params.textDocument.uri);
    if (!x) return null;
    const r = safe("prepareRename", () => prepareRename(x.c, x.doc, x.doc.offsetAt(params.position)), null);
    if (r && "error" in r) throw new ResponseError(-32803, r.error);
    return r;
  });

  connection.onRenameRequest(async (params) => {
    const x = await current(params.textDocument.uri);
    if (!x) return null;
    const r = safe("rename", () => rename(x.c, x.doc, x.doc.offsetAt(params.position), params.newName), null);
    if (r && "error" in r) throw new ResponseError(-32803, r.error);
    return r;
  });

  connection.onDocumentSymbol(async (params) => {
    const x = await current(params.textDocument.uri);
    return x ? safe("documentSymbol", () => documentSymbols(x.c, x.doc), []) : [];
  });

  connection.onFoldingRanges(async (params) => {
    const x = await current(params.textDocument.uri);
    return x ? safe("foldingRange", () => foldingRanges(x.c, x.doc), []) : [];
  });

  connection.languages.semanticTokens.on(async (params) => {
    const x = await current(params.textDocument.uri);
    return x ? safe("semanticTokens", () => semanticTokens(x.c, x.doc), { data: [] }) : { data: [] };
  });

  connection.languages.inlayHint.on(async (params) => {
    const x = await current(params.textDocument.uri);
    if (!x) return [];
    const range = { start: x.doc.offsetAt(params.range.start), end: x.doc.offsetAt(params.range.end) };
    return safe("inlayHint", () => inlayHints(x.c, x.doc, range), []);
  });

  connection.onDocumentFormatting((params) => {
    const doc = documents.get(params.textDocument.uri);
    return doc ? safe("formatting", () => formatting(doc), []) : [];
  });

  connection.onCodeAction(async (params) => {
    const x = await current(params.textDocument.uri);
    if (!x) return [];
    const range = { start: x.doc.offsetAt(params.range.start), end: x.doc.offsetAt(params.range.end) };
    return safe("codeAction", () => codeActions(x.diagnosticsOf, x.doc, range), []);
  });

  documents.listen(connection);
  connection.listen();
}
