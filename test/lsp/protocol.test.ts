/**
 * The server as an editor sees it: `node cli/bin/hepc.js lsp` as a child process, JSON-RPC over
 * stdio (needs the build: `npm test` runs tsc first). Open the single-top example, get its
 * (empty) diagnostics, break it and get the error, complete after `Muon_`, hover, rename, then
 * shut down. Then every example typed in one character at a time, with requests along the way:
 * the server must answer each without an error and stay alive.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/repo.js";
import { LspClient, Message } from "./client.js";

const BIN = path.join(REPO_ROOT, "cli/bin/hepc.js");
const DIST = path.join(REPO_ROOT, "dist/cli/main.js");

function positionAt(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length - 1;
  return { line, character: offset - (before.lastIndexOf("\n") + 1) };
}

async function startClient(): Promise<LspClient> {
  if (!existsSync(DIST)) throw new Error("dist/ is missing: run `npm run build` first (`npm test` does)");
  const client = LspClient.start(process.execPath, [BIN, "lsp"], REPO_ROOT);
  const init = await client.request("initialize", {
    processId: process.pid,
    rootUri: pathToFileURL(REPO_ROOT).href,
    capabilities: { textDocument: { completion: { completionItem: { snippetSupport: true } } } },
  });
  expect(init.error).toBeUndefined();
  client.notify("initialized", {});
  return client;
}

const isDiagnosticsFor = (uri: string, version?: number) => (m: Message) =>
  m.method === "textDocument/publishDiagnostics" && (m.params as { uri: string }).uri === uri && (version === undefined || (m.params as { version?: number }).version === version);

describe("hepc lsp over stdio", () => {
  let client: LspClient;
  const file = path.join(REPO_ROOT, "examples/single-top/analysis.hep");
  const uri = pathToFileURL(file).href;
  const text = readFileSync(file, "utf8");

  beforeAll(async () => {
    client = await startClient();
  });
  afterAll(async () => {
    if (client.exited === undefined) client.proc.kill();
  });

  it("publishes no diagnostics for the example, then the error a change introduces", async () => {
    const first = client.waitFor(isDiagnosticsFor(uri, 1));
    client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "hep", version: 1, text } });
    const d1 = (await first).params as { diagnostics: unknown[] };
    expect(d1.diagnostics).toEqual([]);

    const at = text.indexOf("Muon where pt > 25 GeV");
    const broken = text.slice(0, at) + "Muon where ptt > 25 GeV" + text.slice(at + "Muon where pt > 25 GeV".length);
    const second = client.waitFor(isDiagnosticsFor(uri, 2));
    const range = { start: positionAt(text, 0), end: positionAt(text, text.length) };
    client.notify("textDocument/didChange", { textDocument: { uri, version: 2 }, contentChanges: [{ range, text: broken }] });
    const d2 = (await second).params as { diagnostics: Array<{ code: string; message: string; range: { start: { line: number; character: number } } }> };
    expect(d2.diagnostics.map((d) => d.code)).toEqual(["HEP2013"]);
    expect(d2.diagnostics[0].message).toContain("ptt");
    expect(d2.diagnostics[0].range.start).toEqual(positionAt(broken, broken.indexOf("ptt")));

    // Pull diagnostics agree.
    const pulled = await client.request("textDocument/diagnostic", { textDocument: { uri } });
    expect((pulled.result as { items: Array<{ code: string }> }).items.map((d) => d.code)).toEqual(["HEP2013"]);

    // Back to the original text.
    const third = client.waitFor(isDiagnosticsFor(uri, 3));
    client.notify("textDocument/didChange", { textDocument: { uri, version: 3 }, contentChanges: [{ text }] });
    expect(((await third).params as { diagnostics: unknown[] }).diagnostics).toEqual([]);
  });

  it("completes the file's branches after Muon_", async () => {
    const at = text.indexOf("define met = ");
    const edited = text.slice(0, at) + "define probe = Muon_\n" + text.slice(at);
    client.notify("textDocument/didChange", { textDocument: { uri, version: 4 }, contentChanges: [{ text: edited }] });
    const res = await client.request("textDocument/completion", { textDocument: { uri }, position: positionAt(edited, at + "define probe = Muon_".length) });
    expect(res.error).toBeUndefined();
    const labels = ((res.result as { items: Array<{ label: string }> }).items ?? []).map((i) => i.label);
    expect(labels).toContain("Muon_Px");
    expect(labels).toContain("Muon_Iso");
    // Branches of other prefixes are left out once a prefix is typed.
    expect(labels.filter((l) => /^[A-Z][A-Za-z]*_/.test(l) && !l.startsWith("Muon_"))).toEqual([]);
    client.notify("textDocument/didChange", { textDocument: { uri, version: 5 }, contentChanges: [{ text }] });
  });

  it("hovers a define and a stdlib function", async () => {
    const at = text.indexOf("define ht = ht(jets)");
    const res = await client.request("textDocument/hover", { textDocument: { uri }, position: positionAt(text, at + "define ht = h".length) });
    expect(res.error).toBeUndefined();
    const value = (res.result as { contents: { value: string } }).contents.value;
    expect(value).toContain("ht(objects: collection) -> float");
    const def = await client.request("textDocument/hover", { textDocument: { uri }, position: positionAt(text, text.indexOf("met normal clip") + 1) });
    expect((def.result as { contents: { value: string } }).contents.value).toContain("define met: float");
  });

  it("renames a define everywhere, and refuses a branch", async () => {
    const at = text.indexOf("nbjets = count");
    const res = await client.request("textDocument/rename", { textDocument: { uri }, position: positionAt(text, at + 2), newName: "n_b" });
    expect(res.error).toBeUndefined();
    const edits = (res.result as { changes: Record<string, unknown[]> }).changes[uri];
    expect(edits.length).toBe(text.match(/\bnbjets\b/g)!.length);
    const refused = await client.request("textDocument/prepareRename", { textDocument: { uri }, position: positionAt(text, text.indexOf("MET_px") + 1) });
    expect(refused.error?.message).toMatch(/branch/);
  });

  it("publishes the diagnostics of an included file that is not open", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "hepc-lsp-"));
    try {
      writeFileSync(path.join(dir, "inc.hep"), "define a = 1 +* 2\n");
      const root = 'analysis a {}\ninclude "inc.hep"\nregion r = true\n';
      writeFileSync(path.join(dir, "root.hep"), root);
      const incUri = pathToFileURL(path.join(dir, "inc.hep")).href;
      const got = client.waitFor((m) => m.method === "textDocument/publishDiagnostics" && (m.params as { uri: string }).uri === incUri);
      client.notify("textDocument/didOpen", { textDocument: { uri: pathToFileURL(path.join(dir, "root.hep")).href, languageId: "hep", version: 1, text: root } });
      const ds = ((await got).params as { diagnostics: Array<{ code: string }> }).diagnostics;
      expect(ds.map((d) => d.code)).toEqual(["HEP1003"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("shuts down and exits", async () => {
    const res = await client.request("shutdown", null);
    expect(res.error).toBeUndefined();
    client.notify("exit", null);
    expect(await client.exit()).toBe(0);
  });
});

describe("typing the examples into the server", () => {
  it("answers every request without an error and stays alive", async () => {
    const client = await startClient();
    try {
      for (const name of ["zmumu", "nanoaod", "single-top"]) {
        const file = path.join(REPO_ROOT, "examples", name, "analysis.hep");
        const uri = pathToFileURL(file).href;
        const full = readFileSync(file, "utf8");
        const step = full.length > 2000 ? 3 : 2;
        let version = 1;
        client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "hep", version, text: "" } });
        const requests: Array<Promise<Message>> = [];
        const lengths: number[] = [];
        for (let n = 1; n < full.length; n += step) lengths.push(n);
        lengths.push(full.length);
        for (const n of lengths) {
          const prefix = full.slice(0, n);
          client.notify("textDocument/didChange", { textDocument: { uri, version: ++version }, contentChanges: [{ text: prefix }] });
          const position = positionAt(prefix, prefix.length);
          if (version % 4 === 0) requests.push(client.request("textDocument/completion", { textDocument: { uri }, position }));
          if (version % 25 === 0) requests.push(client.request("textDocument/signatureHelp", { textDocument: { uri }, position }));
          if (version % 40 === 0) {
            const mid = positionAt(prefix, Math.floor(prefix.length * 0.7));
            requests.push(client.request("textDocument/hover", { textDocument: { uri }, position: mid }));
            requests.push(client.request("textDocument/definition", { textDocument: { uri }, position: mid }));
          }
          if (version % 97 === 0) {
            requests.push(client.request("textDocument/diagnostic", { textDocument: { uri } }));
            requests.push(client.request("textDocument/semanticTokens/full", { textDocument: { uri } }));
            requests.push(client.request("textDocument/documentSymbol", { textDocument: { uri } }));
            requests.push(client.request("textDocument/foldingRange", { textDocument: { uri } }));
            requests.push(client.request("textDocument/formatting", { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }));
            requests.push(client.request("textDocument/codeAction", { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: position }, context: { diagnostics: [] } }));
          }
          if (requests.length > 40) {
            for (const r of await Promise.all(requests.splice(0))) expect(r.error, JSON.stringify(r.error)).toBeUndefined();
          }
        }
        for (const r of await Promise.all(requests)) expect(r.error, JSON.stringify(r.error)).toBeUndefined();
        // The whole text compiles cleanly at the end.
        const final = await client.request("textDocument/diagnostic", { textDocument: { uri } });
        expect((final.result as { items: unknown[] }).items).toEqual([]);
        client.notify("textDocument/didClose", { textDocument: { uri } });
      }
      expect(client.exited).toBeUndefined();
      expect(client.stderr).not.toMatch(/failed:/);
    } finally {
      await client.request("shutdown", null);
      client.notify("exit", null);
      await client.exit();
    }
  }, 120_000);
});

describe("malformed input", () => {
  const file = path.join(REPO_ROOT, "examples/single-top/analysis.hep");
  const uri = pathToFileURL(file).href;
  const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body, "utf8")}\r\n\r\n${body}`;
  const isDropped = (m: Message) => m.id === null && m.error !== undefined;

  it("answers a frame it cannot read, drops it, and goes on answering (shutdown included)", async () => {
    const client = await startClient();
    try {
      client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "hep", version: 1, text: readFileSync(file, "utf8") } });
      const symbols = async () => {
        const r = await client.request("textDocument/documentSymbol", { textDocument: { uri } });
        expect(r.error, JSON.stringify(r.error)).toBeUndefined();
        expect((r.result as Array<{ name: string }>).map((s) => s.name)).toContain("muons");
      };
      await symbols();
      const cases: Array<{ bytes: string; code: number; says: RegExp }> = [
        // The body of a bad header is dropped with it: its `shutdown` must not run.
        { bytes: `Content-Length: abc\r\n\r\n{"jsonrpc":"2.0","id":900,"method":"shutdown","params":null}`, code: -32700, says: /Content-Length is not a number of bytes \("abc"\)/ },
        { bytes: `Content-Length: -5\r\n\r\n{}`, code: -32700, says: /not a number of bytes/ },
        { bytes: `Content-Type: application/json\r\n\r\n{"jsonrpc":"2.0","id":901,"method":"shutdown"}`, code: -32700, says: /without Content-Length/ },
        { bytes: `hello\r\n\r\n`, code: -32700, says: /without ':'/ },
        { bytes: `Content-Length: 99999999999999\r\n\r\n{}`, code: -32700, says: /over the .*limit/ },
        { bytes: frame(`{"jsonrpc":"2.0","id":902,"method":"shutdown"`), code: -32700, says: /not JSON/ },
        { bytes: frame(`[{"jsonrpc":"2.0","id":903,"method":"shutdown"}]`), code: -32600, says: /batch/ },
        { bytes: frame(`42`), code: -32600, says: /not a JSON object/ },
      ];
      for (const c of cases) {
        const dropped = client.waitFor(isDropped, 5_000);
        client.writeRaw(c.bytes);
        if (c.bytes.startsWith("Content-Length: ") && !/^Content-Length: \d+\r\n\r\n/.test(c.bytes)) {
          // A bad header's body is skipped up to the next frame: send one so the answer can come.
          await symbols();
        }
        const m = await dropped;
        expect(m.error!.code, c.bytes).toBe(c.code);
        expect(m.error!.message, c.bytes).toMatch(c.says);
        await symbols();
      }
      // A good message split into single bytes still reads as one.
      const body = JSON.stringify({ jsonrpc: "2.0", id: 950, method: "textDocument/documentSymbol", params: { textDocument: { uri } } });
      const answered = new Promise<void>((resolve) => client.proc.stdout.on("data", (b: Buffer) => b.toString().includes('"id":950') && resolve()));
      for (const byte of Buffer.from(frame(body))) client.writeRaw(Buffer.from([byte]));
      await answered;
      expect(client.stderr).toMatch(/dropped a malformed message/);
      expect(client.exited).toBeUndefined();
    } finally {
      const res = await client.request("shutdown", null);
      expect(res.error).toBeUndefined();
      client.notify("exit", null);
      expect(await client.exit()).toBe(0);
    }
  }, 60_000);

  it("answers a request with missing or mistyped params with InvalidParams saying which field", async () => {
    const client = await startClient();
    try {
      const methods = [
        "textDocument/completion", "completionItem/resolve", "textDocument/hover", "textDocument/signatureHelp",
        "textDocument/definition", "textDocument/references", "textDocument/documentHighlight", "textDocument/prepareRename",
        "textDocument/rename", "textDocument/documentSymbol", "textDocument/foldingRange", "textDocument/semanticTokens/full",
        "textDocument/inlayHint", "textDocument/formatting", "textDocument/codeAction", "textDocument/diagnostic",
      ];
      for (const method of methods) {
        const r = await client.request(method, null);
        expect(r.error?.code, method).toBe(-32602);
        expect(r.error?.message, method).toBe(`${method}: params must be an object, not null`);
      }
      const bad = await client.request("textDocument/hover", { textDocument: { uri }, position: { line: "a", character: 0 } });
      expect(bad.error).toMatchObject({ code: -32602, message: 'textDocument/hover: params.position.line must be a non-negative integer, not the string "a"' });
      const noUri = await client.request("textDocument/completion", { textDocument: {}, position: { line: 0, character: 0 } });
      expect(noUri.error?.message).toBe("textDocument/completion: params.textDocument.uri must be a string, not nothing");
      const refs = await client.request("textDocument/references", { textDocument: { uri }, position: { line: 0, character: 0 } });
      expect(refs.error?.message).toBe("textDocument/references: params.context must be an object, not nothing");
      // Well-formed requests still answer.
      const ok = await client.request("textDocument/hover", { textDocument: { uri }, position: { line: 0, character: 0 } });
      expect(ok.error).toBeUndefined();
      expect(client.stderr).not.toMatch(/TypeError|Cannot read properties/);
    } finally {
      await client.request("shutdown", null);
      client.notify("exit", null);
      await client.exit();
    }
  }, 60_000);

  it("refuses an initialize without params and accepts the next one", async () => {
    if (!existsSync(DIST)) throw new Error("dist/ is missing: run `npm run build` first (`npm test` does)");
    const client = LspClient.start(process.execPath, [BIN, "lsp"], REPO_ROOT);
    try {
      const bad = await client.request("initialize", null);
      expect(bad.error).toMatchObject({ code: -32602, message: "initialize: params must be an object, not null" });
      const good = await client.request("initialize", { processId: process.pid, rootUri: pathToFileURL(REPO_ROOT).href, capabilities: {} });
      expect(good.error).toBeUndefined();
      expect((good.result as { serverInfo: { name: string } }).serverInfo.name).toBe("hepc");
    } finally {
      await client.request("shutdown", null);
      client.notify("exit", null);
      await client.exit();
    }
  });
});
