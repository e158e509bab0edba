// The hepc extension: starts `hepc lsp` and hands .hep files to it. Plain CommonJS, no build step.
"use strict";
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

/** @type {LanguageClient | undefined} */
let client;

/** The command that runs the server: `hepc` on the PATH, or a checkout's cli/bin/hepc.js run with node. */
function serverCommand() {
  const cfg = vscode.workspace.getConfiguration("hepc");
  const configured = cfg.get("path") || "hepc";
  const extra = cfg.get("args") || [];
  if (/\.m?js$/.test(configured)) return { command: "node", args: [configured, ...extra, "lsp"] };
  return { command: configured, args: [...extra, "lsp"] };
}

async function start() {
  const { command, args } = serverCommand();
  const run = { command, args, transport: TransportKind.stdio, options: { shell: process.platform === "win32" } };
  client = new LanguageClient(
    "hepc",
    "hepc",
    { run, debug: run },
    {
      documentSelector: [
        { scheme: "file", language: "hep" },
        { scheme: "untitled", language: "hep" },
      ],
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{hep,root}") },
    },
  );
  await client.start();
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("hepc.restartServer", async () => {
      if (client) await client.stop();
      await start();
    }),
  );
  try {
    await start();
  } catch (e) {
    vscode.window.showErrorMessage(`hepc: could not start the language server (${e && e.message ? e.message : e}). Set "hepc.path" to the hepc command or to a checkout's cli/bin/hepc.js.`);
  }
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
