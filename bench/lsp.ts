/**
 * Language-server latency on a generated 2,000-line analysis over the single-top example data
 * (bench/check.ts's generator): time from a change to its diagnostics, and completion and hover
 * latency (median and p95 over many positions). Run: `npm run build && node dist/bench/lsp.js`.
 *
 * Measured twice: in process, through the server's own pieces (lsp/workspace.ts and the feature
 * functions), without the JSON-RPC transport; then end to end through `hepc lsp` over stdio. Diagnostics: the workspace compiles right away
 * (debounce 0) and the time runs from the change to the diagnostics being ready; the server adds its
 * 150 ms debounce on top while the user types. Completion runs on a text the latest compilation has
 * not seen (probe lines typed one character at a time at random places, a completion after each
 * keystroke, as an editor asks while compilations are debounced), hover on the settled document.
 * Targets: p95 < 50 ms for completion and hover, < 200 ms for diagnostics.
 */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import { nodeHost } from "../host/index.js";
import type { Compilation } from "../compiler/compile.js";
import { completion } from "../lsp/features/completion.js";
import { diagnostics } from "../lsp/features/diagnostics.js";
import { hover } from "../lsp/features/hover.js";
import { Workspace } from "../lsp/workspace.js";
import { generateAnalysis } from "./check.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function stats(xs: number[]) {
  const r = (x: number) => Math.round(x * 100) / 100;
  return { n: xs.length, medianMs: r(quantile(xs, 0.5)), p95Ms: r(quantile(xs, 0.95)), maxMs: r(Math.max(...xs)) };
}

/** A deterministic sequence for choosing positions. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** A bare LSP client over a child's stdio, enough for timing round trips. */
function stdioClient(cwd: string) {
  const proc = spawn(process.execPath, [path.join(repo, "cli/bin/hepc.js"), "lsp"], { cwd, stdio: ["pipe", "pipe", "inherit"] });
  let buf = Buffer.alloc(0);
  let id = 0;
  const pending = new Map<number, (r: unknown) => void>();
  const listeners: Array<(m: { method: string; params: { uri: string; version?: number } }) => void> = [];
  proc.stdout.on("data", (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, end).toString())![1]);
      if (buf.length < end + 4 + len) return;
      const m = JSON.parse(buf.subarray(end + 4, end + 4 + len).toString("utf8"));
      buf = buf.subarray(end + 4 + len);
      if (m.id !== undefined && m.method === undefined) pending.get(m.id)?.(m.result);
      else if (m.method) for (const l of [...listeners]) l(m);
    }
  });
  const send = (m: object) => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...m }), "utf8");
    proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    proc.stdin.write(body);
  };
  return {
    request: (method: string, params: unknown) => new Promise<unknown>((resolve) => {
      pending.set(++id, resolve);
      send({ id, method, params });
    }),
    notify: (method: string, params: unknown) => send({ method, params }),
    diagnosticsOf: (version: number) => new Promise<void>((resolve) => {
      const l = (m: { method: string; params: { version?: number } }) => {
        if (m.method !== "textDocument/publishDiagnostics" || m.params.version !== version) return;
        listeners.splice(listeners.indexOf(l), 1);
        resolve();
      };
      listeners.push(l);
    }),
    close: async () => {
      await new Promise((resolve) => {
        pending.set(++id, resolve);
        send({ id, method: "shutdown", params: null });
      });
      send({ method: "exit", params: null });
    },
  };
}

function positionAt(text: string, offset: number) {
  const before = text.slice(0, offset);
  const line = before.split("\n").length - 1;
  return { line, character: offset - (before.lastIndexOf("\n") + 1) };
}

/** The same measurements through `hepc lsp` over stdio, as an editor sees them (JSON-RPC, the 150 ms debounce). */
async function overStdio(dir: string, file: string, text: string, lineStarts: number[], random: () => number) {
  const client = stdioClient(dir);
  const uri = pathToFileURL(file).href;
  await client.request("initialize", { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {} });
  client.notify("initialized", {});
  let version = 1;
  let t = performance.now();
  const opened = client.diagnosticsOf(1);
  client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "hep", version, text } });
  await opened;
  const openMs = performance.now() - t;
  const diag: number[] = [];
  const anchor = text.indexOf("define d7 = d6 * 0.5");
  for (let k = 0; k < 10; k++) {
    const edited = text.slice(0, anchor) + `define d7 = d6 * 0.${k + 1}` + text.slice(anchor + "define d7 = d6 * 0.5".length);
    const done = client.diagnosticsOf(++version);
    t = performance.now();
    client.notify("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text: edited }] });
    await done;
    diag.push(performance.now() - t);
  }
  const settled = client.diagnosticsOf(++version);
  client.notify("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text }] });
  await settled;
  const comp: number[] = [];
  for (let k = 0; k < 20; k++) {
    const at = lineStarts[Math.floor(random() * (lineStarts.length - 1))];
    const probe = k % 2 ? "define probe = muons." : "define probe = Muon_";
    for (let n = 1; n <= probe.length; n += 3) {
      const edited = text.slice(0, at) + probe.slice(0, n) + "\n" + text.slice(at);
      // An incremental change, as editors send: the inserted character(s).
      client.notify("textDocument/didChange", { textDocument: { uri, version: ++version }, contentChanges: [{ text: edited }] });
      t = performance.now();
      await client.request("textDocument/completion", { textDocument: { uri }, position: positionAt(edited, at + n) });
      comp.push(performance.now() - t);
    }
    client.notify("textDocument/didChange", { textDocument: { uri, version: ++version }, contentChanges: [{ text }] });
  }
  const names = [...text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)].map((m) => m.index!);
  const hov: number[] = [];
  await client.request("textDocument/hover", { textDocument: { uri }, position: positionAt(text, 0) });
  for (let k = 0; k < 100; k++) {
    const at = names[Math.floor(random() * names.length)] + 1;
    t = performance.now();
    await client.request("textDocument/hover", { textDocument: { uri }, position: positionAt(text, at) });
    hov.push(performance.now() - t);
  }
  await client.close();
  return { openMs: Math.round(openMs), diagnosticsAfterChangeWithDebounce: stats(diag), completion: stats(comp), hover: stats(hov) };
}

async function main(): Promise<void> {
  const dir = path.join(repo, "bench", "results", "lsp-work");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "generated.hep");
  const text = generateAnalysis(2000, path.relative(dir, path.join(repo, "examples/single-top/data")));
  writeFileSync(file, text);
  const lines = text.split("\n").length - 1;
  const uri = pathToFileURL(file).href;

  let ready: ((c: Compilation) => void) | undefined;
  const ws = new Workspace({ host: nodeHost(dir), debounceMs: 0, onCompiled: (_doc, c) => ready?.(c) });
  let version = 1;
  let doc = TextDocument.create(uri, "hep", version, text);
  let t = performance.now();
  ws.open(doc);
  const first = (await ws.current(uri))!;
  const coldMs = performance.now() - t;
  const errors = first.compilation.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(`generated analysis has errors: ${errors.slice(0, 3).map((d) => d.message).join("; ")}`);

  // ---- diagnostics after a change: edit a constant in a define, wait for the diagnostics
  const diag: number[] = [];
  const anchor = text.indexOf("define d7 = d6 * 0.5");
  for (let k = 0; k < 20; k++) {
    const edited = text.slice(0, anchor) + `define d7 = d6 * 0.${k + 1}` + text.slice(anchor + "define d7 = d6 * 0.5".length);
    doc = TextDocument.create(uri, "hep", ++version, edited);
    const done = new Promise<Compilation>((resolve) => (ready = resolve));
    t = performance.now();
    ws.update(doc);
    const c = await done;
    diagnostics(c, doc);
    diag.push(performance.now() - t);
  }
  doc = TextDocument.create(uri, "hep", ++version, text);
  ws.update(doc);
  const settled = (await ws.current(uri))!.semantic;

  // ---- completion: a probe typed on a new line somewhere in the file, answered from the latest compilation
  const probes = ["define probe = Muon_", "define probe = muons.", "define probe = jets[0].", "object probe = Jet where ", "define probe = ", "region probe = r1 and ", "\n"];
  const random = rng(42);
  const lineStarts: number[] = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const comp: number[] = [];
  let items = 0;
  for (let k = 0; k < 35; k++) {
    // Type the probe on a new line one character at a time, asking for completion at each; then undo.
    const at = lineStarts[Math.floor(random() * (lineStarts.length - 1))];
    const probe = probes[k % probes.length];
    for (let n = 1; n <= probe.length; n++) {
      const edited = text.slice(0, at) + probe.slice(0, n) + "\n" + text.slice(at);
      const d = TextDocument.create(uri, "hep", ++version, edited);
      t = performance.now();
      const res = completion(ws.latest(uri), d, at + n);
      comp.push(performance.now() - t);
      items += res.items.length;
    }
    completion(ws.latest(uri), TextDocument.create(uri, "hep", ++version, text), 0);
  }

  // ---- hover: on names all over the settled document
  const names = [...text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)].map((m) => m.index!);
  const hov: number[] = [];
  let answered = 0;
  for (let k = 0; k < 300; k++) {
    const at = names[Math.floor(random() * names.length)] + 1;
    t = performance.now();
    const h = hover(settled, doc, at);
    hov.push(performance.now() - t);
    if (h) answered++;
  }

  const stdio = await overStdio(dir, file, text, lineStarts, random);

  const result = {
    lines,
    coldOpenMs: Math.round(coldMs),
    diagnosticsAfterChange: stats(diag),
    debounceMs: 150,
    completion: { ...stats(comp), meanItems: Math.round(items / comp.length) },
    hover: { ...stats(hov), answered },
    stdio,
    targets: { completionP95Ms: 50, hoverP95Ms: 50, diagnosticsMs: 200 },
  };
  const row = (what: string, s: { medianMs: number; p95Ms: number; maxMs: number; n: number }, target: string) =>
    `  ${what.padEnd(34)} ${String(s.medianMs).padStart(8)} ${String(s.p95Ms).padStart(8)} ${String(s.maxMs).padStart(8)} ${String(s.n).padStart(5)}   ${target}`;
  console.log(`hepc lsp on a generated ${lines}-line analysis (4 samples, real ROOT metadata), in process`);
  console.log(`  open (first compilation, cold)     ${result.coldOpenMs} ms`);
  console.log(`  ${"".padEnd(34)} ${"median".padStart(8)} ${"p95".padStart(8)} ${"max".padStart(8)} ${"n".padStart(5)}   target`);
  console.log(row("diagnostics after a change (ms)", result.diagnosticsAfterChange, "< 200 ms (+150 ms debounce while typing)"));
  console.log(row("completion (ms)", result.completion, "p95 < 50 ms"));
  console.log(row("hover (ms)", result.hover, "p95 < 50 ms"));
  console.log(`over stdio (node cli/bin/hepc.js lsp, JSON-RPC, full-text changes): open to diagnostics ${stdio.openMs} ms`);
  console.log(row("diagnostics after a change (ms)", stdio.diagnosticsAfterChangeWithDebounce, "includes the 150 ms debounce"));
  console.log(row("completion round trip (ms)", stdio.completion, "p95 < 50 ms"));
  console.log(row("hover round trip (ms)", stdio.hover, "p95 < 50 ms"));
  mkdirSync(path.join(repo, "bench", "results"), { recursive: true });
  writeFileSync(path.join(repo, "bench", "results", "lsp.json"), JSON.stringify(result, null, 2) + "\n");
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[1]?.endsWith("lsp.js")) await main();
