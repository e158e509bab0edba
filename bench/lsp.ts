/**
 * Language-server latency on a generated 2,000-line analysis over the single-top example data
 * (bench/check.ts's generator): time from a change to its diagnostics, and completion and hover
 * latency (median and p95 over many positions). Run: `npm run build && node dist/bench/lsp.js`.
 *
 * Measured in process, through the server's own pieces (lsp/workspace.ts and the feature
 * functions), without the JSON-RPC transport. Diagnostics: the workspace compiles right away
 * (debounce 0) and the time runs from the change to the diagnostics being ready; the server adds its
 * 150 ms debounce on top while the user types. Completion runs on a text the latest compilation has
 * not seen (probe lines typed one character at a time at random places, a completion after each
 * keystroke, as an editor asks while compilations are debounced), hover on the settled document.
 * Targets: p95 < 50 ms for completion and hover, < 200 ms for diagnostics.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import { nodeHost } from "../cli/host.js";
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

  const result = {
    lines,
    coldOpenMs: Math.round(coldMs),
    diagnosticsAfterChange: stats(diag),
    debounceMs: 150,
    completion: { ...stats(comp), meanItems: Math.round(items / comp.length) },
    hover: { ...stats(hov), answered },
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
  mkdirSync(path.join(repo, "bench", "results"), { recursive: true });
  writeFileSync(path.join(repo, "bench", "results", "lsp.json"), JSON.stringify(result, null, 2) + "\n");
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[1]?.endsWith("lsp.js")) await main();
