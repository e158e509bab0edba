/**
 * Compiler speed: `hepc check` of a generated 5,000-line analysis over the single-top example data
 * (cold: first compile in the process; warm: median of repeated compiles with ROOT metadata cached),
 * and parse throughput in lines per second. Run: `npm run build && node dist/bench/check.js`.
 * The generated analysis is realistic in shape: objects, chains of defines, regions on regions,
 * features, models, histograms — every line checked against the real files' schemas.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { nodeHost } from "../host/index.js";
import { compile } from "../compiler/compile.js";
import { parseText } from "../compiler/syntax/parse.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));

export function generateAnalysis(targetLines: number, dataDir: string): string {
  const out: string[] = [
    "analysis generated {",
    "  lumi 50 /pb",
    "  seed 1",
    "}",
    "",
  ];
  for (const s of ["single_top", "ww", "wz", "zz"]) {
    out.push(`sample ${s} {`, `  files "${dataDir}/${s}.root"`, `  tree "events"`, `  class ${s === "single_top" ? "signal" : "background"}`, "  weight EventWeight", "}", "");
  }
  out.push("object muons = Muon where pt > 25 and abs(eta) < 2.1", "object jets = Jet where pt > 30 and abs(eta) < 2.4 and all(deltaR(this, muons) > 0.4)", "");
  let i = 0;
  const features: string[] = [];
  while (out.length < targetLines - 40) {
    const prev = i === 0 ? "sum(jets.pt)" : `d${i - 1}`;
    out.push(`# block ${i}`);
    out.push(`define d${i} = ${prev} * 0.5 + hypot(MET_px, MET_py) / ${i + 1}`);
    out.push(`define e${i} = min(deltaR(muons[0], jets)) + count(jets where btag > ${(i % 7) * 0.3}) + d${i}`);
    out.push(`object j${i} = jets where pt > ${20 + (i % 50)} and abs(eta) < ${1 + (i % 14) / 10}`);
    out.push(`region r${i} = count(muons) >= 1 and count(j${i}) >= ${1 + (i % 4)} and e${i} > ${i % 100}`);
    out.push(`region s${i} = r${i} and d${i} < ${1000 + i}`);
    out.push(`define m${i} = mass(j${i}[0] + j${i}[1])`);
    out.push("");
    if (i % 10 === 0) features.push(`  d${i} normal clip 5`, `  m${i} linear 0 .. 1000`);
    if (i % 5 === 0) out.push(`define h${i} = ifelse(count(j${i}) > 0, j${i}[0].pt, 0)`, "");
    i++;
  }
  out.push("features all {", ...features, "}", "");
  out.push("model bdt = gbdt(all) { trees 100 depth 4 }", "train bdt { on r0 folds 5 by entry % 5 balance classes }", "evaluate bdt { in s0 metrics auc, roc }", "");
  out.push("output {");
  for (let k = 0; k < i; k++) out.push(`  histogram e${k} in s${k} bins 20 0 .. 200 to "out/h.root"`);
  for (let k = 0; k < i; k += 5) out.push(`  histogram m${k}, h${k} in r${k} bins 20 0 .. 500, 20 0 .. 500 to "out/h.root"`);
  out.push('  cutflow to "out/cutflow.json"', "}");
  return out.join("\n") + "\n";
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const dir = path.join(repo, "bench", "results", "check-work");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "generated.hep");
  const text = generateAnalysis(5000, path.relative(dir, path.join(repo, "examples/single-top/data")));
  writeFileSync(file, text);
  const lines = text.split("\n").length - 1;
  const host = nodeHost(dir);

  let t = performance.now();
  const first = await compile(file, host);
  const cold = performance.now() - t;
  const errors = first.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(`generated analysis has errors: ${errors.slice(0, 3).map((d) => d.message).join("; ")}`);

  const warm: number[] = [];
  for (let k = 0; k < 15; k++) {
    t = performance.now();
    await compile(file, host);
    warm.push(performance.now() - t);
  }
  const parse: number[] = [];
  for (let k = 0; k < 15; k++) {
    t = performance.now();
    parseText("generated.hep", text);
    parse.push(performance.now() - t);
  }
  const result = {
    lines,
    coldMs: Math.round(cold),
    warmMedianMs: Math.round(median(warm)),
    warmMinMs: Math.round(Math.min(...warm)),
    parseMedianMs: Math.round(median(parse) * 10) / 10,
    parseLinesPerSecond: Math.round(lines / (median(parse) / 1000)),
    warnings: first.diagnostics.length,
  };
  console.log(`hepc check of a generated ${lines}-line analysis (4 samples, real ROOT metadata)`);
  console.log(`  cold (first compile in process)   ${result.coldMs} ms`);
  console.log(`  warm (median of 15)               ${result.warmMedianMs} ms   (target < 300 ms)`);
  console.log(`  parse only (median of 15)         ${result.parseMedianMs} ms = ${result.parseLinesPerSecond.toLocaleString("en")} lines/s`);
  mkdirSync(path.join(repo, "bench", "results"), { recursive: true });
  writeFileSync(path.join(repo, "bench", "results", "check.json"), JSON.stringify(result, null, 2) + "\n");
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[1]?.endsWith("check.js")) await main();
