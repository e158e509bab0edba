/** Every example analysis compiles with the real host and has no diagnostic at all, not even a warning. */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { compileRepoFile, renderAll } from "./helpers/compile.js";
import { REPO_ROOT } from "./helpers/repo.js";

const examples = fs
  .readdirSync(path.join(REPO_ROOT, "examples"), { withFileTypes: true })
  .filter((e) => e.isDirectory() && fs.existsSync(path.join(REPO_ROOT, "examples", e.name, "analysis.hep")))
  .map((e) => e.name)
  .sort();

describe("examples", () => {
  it("there are examples", () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });

  for (const name of examples) {
    it(`examples/${name}/analysis.hep compiles cleanly`, async () => {
      const c = await compileRepoFile(`examples/${name}/analysis.hep`);
      expect(renderAll(c)).toBe("No diagnostics.\n");
      expect(c.program.files.length).toBeGreaterThanOrEqual(1);
      // Every sample's inputs were read: names were checked against real schemas.
      expect(c.checked.samples.length).toBeGreaterThan(0);
      for (const s of c.checked.samples) expect(s.schema, `sample ${s.name}`).toBeDefined();
    });
  }
});
