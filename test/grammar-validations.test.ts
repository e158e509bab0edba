/** The grammar passes chevrotain's own validations (the commands build the parser without them, for speed). */
import { describe, expect, it } from "vitest";
import { HepParser } from "../grammar/parser.js";

describe("grammar", () => {
  it("builds with chevrotain's validations on: no ambiguity, left recursion or missing rule", () => {
    expect(() => new HepParser(true)).not.toThrow();
    expect(new HepParser(true).definitionErrors).toEqual([]);
  });
});
