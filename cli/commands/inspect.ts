/**
 * `hepc inspect FILE.root [TREE] [--json]`
 * `hepc inspect FILE.root TREE --values B1[,B2...] [--entries START:STOP] [--json]`
 *
 * Lists a ROOT file's objects, a tree's branches (type, entries, compression, sizes), or branch
 * values (jagged branches as lists per entry), like uproot's `show`.
 */
import { EXIT_ERRORS, EXIT_OK, parseArgs, UsageError, type CliIo } from "../io.js";
import { openRoot, readHistogram, RootIoError, type BranchInfo, type Column, type Histogram1D, type RootFile } from "../../runtime/io/index.js";

const HELP = `usage: hepc inspect FILE.root [TREE] [--json]
       hepc inspect FILE.root TREE --values BRANCH[,BRANCH...] [--entries START:STOP] [--json]

Without TREE: the objects in the file (trees, histograms, directories).
With TREE: its branches with C++ type, entries, compression and sizes.
With the path of a TH1 histogram instead of TREE: its bins and contents.
--values     print the values of these branches (jagged ones as one list per entry)
--entries    entry range START:STOP (either side may be left out); without it, --values shows
             the first ${20} entries, or all of them with --json
--json       machine-readable output
`;

const HUMAN_DEFAULT_ROWS = 20;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { flags: ["json", "help"], options: ["values", "entries"] });
  if (args.flags.has("help")) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  const [file, tree, ...extra] = args.positionals;
  if (!file) throw new UsageError(`missing FILE.root\n\n${HELP}`);
  if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const json = args.flags.has("json");
  const values = args.options.get("values");
  const entries = args.options.get("entries");
  if (values !== undefined && !tree) throw new UsageError("--values needs a TREE");
  if (entries !== undefined && values === undefined) throw new UsageError("--entries goes with --values");
  const range = entries !== undefined ? parseRange(entries) : undefined;
  const branches = values?.split(",").map((s) => s.trim()).filter(Boolean);
  if (values !== undefined && (!branches || branches.length === 0)) throw new UsageError("--values needs at least one branch name");

  let f: RootFile | null = null;
  try {
    f = await openRoot(file);
    if (!tree) io.stdout(json ? JSON.stringify(await objectsJson(f), null, 2) + "\n" : await objectsTable(f));
    else if (!branches && isHistogram(f, tree)) {
      const h = await readHistogram(file, tree);
      io.stdout(json ? JSON.stringify(histJson(h), null, 2) + "\n" : histTable(h));
    } else if (!branches) {
      const info = await f.tree(tree);
      io.stdout(json ? JSON.stringify(info, null, 2) + "\n" : treeTable(info.path, info.entries, info.branches));
    } else {
      const info = await f.tree(tree);
      const start = Math.min(range?.start ?? 0, info.entries);
      const stop = Math.min(range?.stop ?? (json ? info.entries : start + HUMAN_DEFAULT_ROWS), info.entries);
      if (stop < start) throw new UsageError(`--entries ${entries}: STOP is before START`);
      const cols = await f.read(tree, branches, { start, stop });
      if (json) {
        const out: Record<string, unknown[]> = {};
        for (const b of branches) out[b] = toRows(cols.get(b)!);
        io.stdout(JSON.stringify(out) + "\n");
      } else {
        io.stdout(valuesTable(branches, cols, start, stop, info.entries, range !== undefined));
      }
    }
    return EXIT_OK;
  } catch (e) {
    if (e instanceof RootIoError) {
      io.stderr(`hepc inspect: ${e.message}\n`);
      // JSON readers get one document on stdout whatever happened.
      if (json) io.stdout(JSON.stringify({ error: { file, message: e.message } }, null, 2) + "\n");
      return EXIT_ERRORS;
    }
    throw e;
  } finally {
    await f?.close();
  }
}

function isHistogram(f: RootFile, path: string): boolean {
  const name = path.split(";")[0].replace(/^\/+/, "");
  return f.objects().some((o) => o.path === name && /^TH1[CSIFDL]?$/.test(o.className));
}

function histJson(h: Histogram1D): unknown {
  return { ...h, edges: Array.from(h.edges), valuesWithFlow: Array.from(h.valuesWithFlow) };
}

function histTable(h: Histogram1D): string {
  const n = h.edges.length - 1;
  // Edges are computed from the axis range; 12 digits hide the last-bit noise of that arithmetic.
  const e = (x: number): string => String(Number(x.toPrecision(12)));
  const rows: string[][] = [["bin", "low", "high", "content"]];
  rows.push(["underflow", "-inf", e(h.edges[0]), String(h.valuesWithFlow[0])]);
  for (let i = 1; i <= n; i++) rows.push([String(i), e(h.edges[i - 1]), e(h.edges[i]), String(h.valuesWithFlow[i])]);
  rows.push(["overflow", e(h.edges[n]), "inf", String(h.valuesWithFlow[n + 1])]);
  let sum = 0;
  for (const v of h.valuesWithFlow) sum += v;
  return `${h.className} ${h.path}: ${h.title ? `'${h.title}', ` : ""}${n} bins, ${h.entries} entries, sum with flow ${sum}\n${table(rows, [true, true, true, true])}`;
}

function parseRange(text: string): { start?: number; stop?: number } {
  const m = /^\s*(\d*)\s*:\s*(\d*)\s*$/.exec(text);
  if (!m || (m[1] === "" && m[2] === "")) throw new UsageError(`--entries expects START:STOP (e.g. 0:10), got '${text}'`);
  const r: { start?: number; stop?: number } = {};
  if (m[1] !== "") r.start = Number(m[1]);
  if (m[2] !== "") r.stop = Number(m[2]);
  if (r.start !== undefined && r.stop !== undefined && r.stop < r.start) {
    throw new UsageError(`--entries ${text}: STOP is before START`);
  }
  return r;
}

async function objectsJson(f: RootFile): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const o of f.objects()) {
    const row: Record<string, unknown> = { ...o };
    if (o.className === "TTree") row.entries = (await f.tree(`${o.path};${o.cycle}`)).entries;
    out.push(row);
  }
  return out;
}

async function objectsTable(f: RootFile): Promise<string> {
  const rows: string[][] = [["path", "class", "entries", "title"]];
  for (const o of f.objects()) {
    const entries = o.className === "TTree" ? String((await f.tree(`${o.path};${o.cycle}`)).entries) : "";
    rows.push([o.cycle > 1 ? `${o.path};${o.cycle}` : o.path, o.className, entries, o.title]);
  }
  return `${f.path}\n${table(rows, [false, false, true, false])}`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function treeTable(path: string, entries: number, branches: BranchInfo[]): string {
  const rows: string[][] = [["branch", "type", "kind", "entries", "baskets", "compression", "compressed", "uncompressed", "ratio"]];
  let zipped = 0;
  let total = 0;
  for (const b of branches) {
    // a leaf-list leaf shares its branch's baskets: count them once
    if (!b.leafListOf) {
      zipped += b.compressedBytes;
      total += b.uncompressedBytes;
    }
    const kind = b.kind === "jagged" && b.countBranch ? `jagged[${b.countBranch}]` : b.kind;
    rows.push([
      b.name,
      b.typename,
      kind,
      String(b.entries),
      String(b.baskets),
      b.compression ?? "",
      bytes(b.compressedBytes),
      bytes(b.uncompressedBytes),
      b.compressedBytes > 0 ? (b.uncompressedBytes / b.compressedBytes).toFixed(2) : "",
    ]);
  }
  const unsupported = branches.filter((b) => b.kind === "unsupported");
  let out = `tree ${path}: ${entries} entries, ${branches.length} branches, ${bytes(zipped)} compressed, ${bytes(total)} uncompressed\n`;
  out += table(rows, [false, false, false, true, true, false, true, true, true]);
  if (unsupported.length) {
    out += `\nnot readable as columns:\n`;
    for (const b of unsupported) out += `  ${b.name} (${b.typename}): ${b.unsupportedReason}\n`;
  }
  return out;
}

function table(rows: string[][], right: boolean[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]): string =>
    r
      .map((cell, c) => (right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join("  ")
      .trimEnd();
  return [line(rows[0]), line(widths.map((w) => "-".repeat(w))), ...rows.slice(1).map(line)].join("\n") + "\n";
}

/** Shortest decimal that reads back as the same float32: 8.589953, not 8.589953422546387. */
function f32(x: number): number {
  if (!Number.isFinite(x)) return x;
  for (let p = 1; p <= 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

function scalar(c: Column, v: number | bigint): number | string | boolean {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (c.dtype === "bool") return v !== 0;
  if (c.dtype === "f4") return f32(v);
  return v;
}

type Cell = number | string | boolean | null | Cell[];

function toRows(c: Column): Cell[] {
  const vals = c.values as ArrayLike<number | bigint>;
  const enc = (v: number | bigint): Cell => {
    const s = scalar(c, v);
    // JSON has no NaN or infinities: they are written as strings, as Python's json module would not.
    return typeof s === "number" && !Number.isFinite(s) ? String(s) : s;
  };
  if (c.kind === "flat") return Array.from({ length: vals.length }, (_, i) => enc(vals[i]));
  if (c.kind === "jagged") {
    return Array.from({ length: c.offsets.length - 1 }, (_, i) => {
      const row: Cell[] = [];
      for (let k = c.offsets[i]; k < c.offsets[i + 1]; k++) row.push(enc(vals[k]));
      return row;
    });
  }
  const w = c.shape.reduce((a, b) => a * b, 1);
  const nest = (flat: Cell[], shape: number[]): Cell[] => {
    if (shape.length <= 1) return flat;
    const inner = shape.slice(1).reduce((a, b) => a * b, 1);
    return Array.from({ length: shape[0] }, (_, j) => nest(flat.slice(j * inner, (j + 1) * inner), shape.slice(1)));
  };
  return Array.from({ length: vals.length / w }, (_, i) => {
    const flat: Cell[] = [];
    for (let k = i * w; k < (i + 1) * w; k++) flat.push(enc(vals[k]));
    return nest(flat, c.shape);
  });
}

function show(cell: Cell): string {
  if (Array.isArray(cell)) return `[${cell.map(show).join(", ")}]`;
  return String(cell);
}

function valuesTable(
  names: string[],
  cols: Map<string, Column>,
  start: number,
  stop: number,
  total: number,
  explicit: boolean,
): string {
  const data = names.map((n) => toRows(cols.get(n)!));
  const rows: string[][] = [["entry", ...names]];
  for (let i = 0; i < stop - start; i++) rows.push([String(start + i), ...data.map((d) => show(d[i]))]);
  let out = table(rows, [true, ...names.map((n) => cols.get(n)!.kind === "flat")]);
  if (!explicit && stop < total) out += `... ${total - stop} more entries (use --entries START:STOP)\n`;
  return out;
}
