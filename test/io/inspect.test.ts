/** `hepc inspect`, run in-process through cli/main.ts with a capturing CliIo. */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";
import type { CliIo } from "../../cli/io.js";
import { openRoot } from "../../runtime/io/index.js";

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/root/scikit-hep-testdata/${name}`, import.meta.url));

async function hepc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false, cwd: process.cwd() };
  const code = await main(["inspect", ...argv], io);
  return { code, out, err };
}

describe("hepc inspect", () => {
  it("lists the objects of a file, through nested directories, with tree entries", async () => {
    const r = await hepc(fixture("uproot-nesteddirs.root"));
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const lines = r.out.split("\n");
    const row = lines.find((l) => l.startsWith("one/two/tree "))!;
    expect(row.split(/\s{2,}/)).toEqual(["one/two/tree", "TTree", "100", "my tree title"]);
    expect(lines.some((l) => /^three\s+TDirectory/.test(l))).toBe(true);
    const json = JSON.parse((await hepc(fixture("uproot-histograms.root"), "--json")).out);
    expect(json.map((o: { path: string; className: string }) => `${o.path}:${o.className}`)).toEqual(["one:TH1F", "two:TH1F", "three:TH1F"]);
  });

  it("shows a tree's branches as an aligned table", async () => {
    const r = await hepc(fixture("uproot-small-dy-withoffsets.root"), "tree");
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^tree tree: 501 entries, 8 branches/);
    const header = lines[1];
    const rows = lines.slice(3);
    expect(rows).toHaveLength(8);
    // every row's type column starts where the header's does
    const typeAt = header.indexOf("type");
    for (const row of rows) expect(row[typeAt - 1]).toBe(" ");
    const jet = rows.find((l) => l.startsWith("Jet_pt "))!;
    expect(jet.split(/\s{2,}/).slice(0, 6)).toEqual(["Jet_pt", "float[]", "jagged[nJet]", "501", "3", "ZLIB-6"]);
  });

  it("lists unsupported branches with the reason", async () => {
    const r = await hepc(fixture("uproot-HZZ-objects.root"), "events");
    expect(r.out).toMatch(/not readable as columns:\n(.*\n)*  jetp4 \(std::vector<TLorentzVector>\): /);
  });

  it("shows a histogram's bins, with under- and overflow", async () => {
    const r = await hepc(fixture("uproot-histograms.root"), "one");
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TH1F one: .*10 bins, .*sum with flow 10000$/);
    expect(lines).toHaveLength(3 + 12);
    expect(lines[3].trim().split(/\s+/)[0]).toBe("underflow");
    expect(lines[4].trim().split(/\s+/)).toEqual(["1", expect.any(String), expect.any(String), "68"]);
    const j = JSON.parse((await hepc(fixture("uproot-histograms.root"), "one", "--json")).out);
    expect(j.valuesWithFlow.slice(0, 3)).toEqual([0, 68, 285]);
    expect(j.edges).toHaveLength(11);
  });

  it("--json gives the TreeInfo", async () => {
    const r = await hepc(fixture("uproot-HZZ.root"), "events", "--json");
    const info = JSON.parse(r.out);
    const f = await openRoot(fixture("uproot-HZZ.root"));
    expect(info).toEqual(await f.tree("events"));
    await f.close();
  });

  it("--values prints one array per branch, jagged as lists, matching a direct read", async () => {
    const file = fixture("uproot-small-dy-withoffsets.root");
    const r = await hepc(file, "tree", "--values", "nJet,Jet_pt,event", "--entries", "198:203", "--json");
    expect(r.code).toBe(0);
    const got = JSON.parse(r.out);
    const f = await openRoot(file);
    const cols = await f.read("tree", ["nJet", "Jet_pt", "event"], { start: 198, stop: 203 });
    await f.close();
    const nJet = Array.from(cols.get("nJet")!.values as Uint32Array);
    expect(got.nJet).toEqual(nJet);
    const jet = cols.get("Jet_pt")!;
    if (jet.kind !== "jagged") throw new Error("jagged expected");
    expect(got.Jet_pt.map((r: number[]) => r.length)).toEqual(nJet);
    got.Jet_pt.flat().forEach((v: number, i: number) => expect(Math.fround(v)).toBe(jet.values[i]));
    expect(got.event).toEqual(Array.from(cols.get("event")!.values as BigUint64Array, Number));
  });

  it("--values nests fixed-size arrays and shows human tables with the entry numbers", async () => {
    const r = await hepc(fixture("uproot-nesteddirs.root"), "one/two/tree", "--values", "ArrayInt32,Float64", "--entries", "2:4");
    const lines = r.out.trimEnd().split("\n");
    expect(lines[0].split(/\s+/)).toEqual(["entry", "ArrayInt32", "Float64"]);
    expect(lines[2]).toMatch(/^\s*2\s+\[2, 2, 2, 2, 2, 2, 2, 2, 2, 2\]\s+2$/);
    expect(lines).toHaveLength(4);
  });

  it("errors are one line naming file, tree and branch, exit 1, no stack", async () => {
    const file = fixture("uproot-HZZ.root");
    const r = await hepc(file, "events", "--values", "Jet_PX");
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err.trimEnd().split("\n")).toHaveLength(1);
    expect(r.err).toContain(file);
    expect(r.err).toContain("tree 'events'");
    expect(r.err).toContain("branch 'Jet_PX'");
    expect(r.err).toContain("did you mean 'Jet_Px'");
    expect(r.err).not.toMatch(/\n\s+at /);

    const missing = await hepc("/nonexistent/dir/x.root");
    expect(missing.code).toBe(1);
    expect(missing.err).toBe("hepc inspect: /nonexistent/dir/x.root: no such file\n");

    const tree = await hepc(file, "event");
    expect(tree.code).toBe(1);
    expect(tree.err).toContain("no tree 'event'");
  });

  it("usage errors exit 2", async () => {
    expect((await hepc()).code).toBe(2);
    expect((await hepc(fixture("uproot-HZZ.root"), "events", "--values", "NJet", "--entries", "5")).code).toBe(2);
    expect((await hepc(fixture("uproot-HZZ.root"), "events", "--entries", "0:5")).code).toBe(2);
    const unknown = await hepc(fixture("uproot-HZZ.root"), "--colour");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown option --colour/);
    const help = await hepc("--help");
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^usage: hepc inspect/);
  });
});
