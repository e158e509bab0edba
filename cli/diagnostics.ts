/** Printing a compilation's diagnostics in the CLI's two formats. */
import type { Compilation } from "../compiler/compile.js";
import type { Diagnostic } from "../compiler/core/diagnostics.js";
import { diagnosticToJson, renderDiagnostic, summaryLine } from "../compiler/core/render.js";
import { sourceFile, SourceFile } from "../compiler/core/source.js";
import type { CliIo } from "./io.js";

export function sourcesOf(c: Pick<Compilation, "program">): Map<string, SourceFile> {
  return new Map(c.program.files.map((f) => [f.path, sourceFile(f.path, f.text)]));
}

export function printDiagnostics(io: CliIo, diags: readonly Diagnostic[], sources: Map<string, SourceFile>, format: "text" | "json"): void {
  if (format === "json") {
    io.stdout(JSON.stringify({ diagnostics: diags.map((d) => diagnosticToJson(d, sources.get(d.file))) }, null, 2) + "\n");
    return;
  }
  for (const d of diags) io.stderr(renderDiagnostic(d, sources.get(d.file), { color: io.isTTY }) + "\n");
  if (diags.length) io.stderr(summaryLine(diags) + "\n");
}
