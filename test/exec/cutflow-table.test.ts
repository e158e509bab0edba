/** The cutflow table `hepc run` prints: samples as columns while they fit the width, else a row per sample. */
import { describe, expect, it } from "vitest";
import { formatCutflow, type SampleCutflow } from "../../runtime/exec/cutflow.js";

const count = (raw: number) => ({ raw, weighted: raw * 0.5, sumw2: raw * 0.25 });
const sample = (k: number, regions: string[]): SampleCutflow => ({
  sample: `sample_number_${k}`,
  class: null,
  entries: 1000 + k,
  selected: count(900 + k),
  regions: Object.fromEntries(regions.map((r, j) => [r, count(100 * (j + 1) + k)])),
});

describe("formatCutflow", () => {
  it("keeps samples as columns when the table fits", () => {
    const regions = ["r1", "r2"];
    const text = formatCutflow(regions, [sample(1, regions), sample(2, regions)], false, 120);
    const lines = text.trimEnd().split("\n");
    expect(lines[0].trim().split(/\s+/)).toEqual(["sample_number_1", "sample_number_2", "total"]);
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(["", "entries", "selected", "r1", "r2"]);
    expect(lines[3].trim().split(/\s+/)).toEqual(["r1", "101", "102", "203"]);
  });

  it("51 samples: one row per sample, no line wider than the terminal, every count present", () => {
    const regions = Array.from({ length: 12 }, (_, j) => `region_${j}`);
    const samples = Array.from({ length: 51 }, (_, k) => sample(k, regions));
    const unlimited = formatCutflow(regions, samples, true);
    expect(Math.max(...unlimited.split("\n").map((l) => l.length))).toBeGreaterThan(900);
    const text = formatCutflow(regions, samples, true, 80);
    const lines = text.split("\n");
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
    // blocks of columns, each headed by "sample" and listing every sample and the total once
    const blocks = text.trimEnd().split("\n\n");
    expect(blocks.length).toBeGreaterThan(1);
    for (const b of blocks) {
      const rows = b.split("\n");
      expect(rows[0].startsWith("sample")).toBe(true);
      expect(rows.slice(1).map((r) => r.split(/\s{2,}/)[0].trim())).toEqual([...samples.map((s) => s.sample), "total"]);
    }
    // every region's column is in some block, with the weighted count of sample 7
    const header = blocks.map((b) => b.split("\n")[0]).join(" ");
    for (const r of ["entries", "selected", ...regions]) expect(header).toContain(r);
    const row7 = blocks.map((b) => b.split("\n").find((l) => l.startsWith("sample_number_7 "))!).join(" ");
    expect(row7).toContain("1007");
    expect(row7).toContain("1207  (603.500)");
  });
});
