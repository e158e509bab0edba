/** The VS Code extension's files hang together, and `hepc lsp --help` answers. */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli-io.js";
import { REPO_ROOT } from "../helpers/repo.js";

const EXT = path.join(REPO_ROOT, "editors/vscode");
const json = (p: string) => JSON.parse(readFileSync(path.join(EXT, p), "utf8"));

describe("editors/vscode", () => {
  it("declares the language, its grammar and configuration, and the client", () => {
    const pkg = json("package.json");
    expect(pkg.contributes.languages[0]).toMatchObject({ id: "hep", extensions: [".hep"] });
    for (const p of [pkg.main, pkg.contributes.languages[0].configuration, pkg.contributes.grammars[0].path]) expect(existsSync(path.join(EXT, p))).toBe(true);
    expect(pkg.dependencies["vscode-languageclient"]).toBeDefined();
    expect(existsSync(path.join(EXT, "package-lock.json"))).toBe(true);
    expect(readFileSync(path.join(EXT, pkg.main), "utf8")).toContain('"lsp"');
    expect(json("language-configuration.json").comments.lineComment).toBe("#");
  });

  it("has a TextMate grammar whose patterns compile", () => {
    const grammar = json("syntaxes/hep.tmLanguage.json");
    expect(grammar.scopeName).toBe("source.hep");
    const patterns: string[] = [];
    JSON.stringify(grammar, (k, v) => {
      if ((k === "match" || k === "begin" || k === "end") && typeof v === "string") patterns.push(v);
      return v;
    });
    expect(patterns.length).toBeGreaterThan(10);
    for (const p of patterns) expect(() => new RegExp(p)).not.toThrow();
    const comment = new RegExp(grammar.repository.comment.match);
    expect(comment.test("# a comment")).toBe(true);
  });
});

describe("hepc lsp", () => {
  it("prints its help", async () => {
    const r = await runCli(["lsp", "--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("usage: hepc lsp");
  });
});
