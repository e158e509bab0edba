/** Inputs must still be what the plan recorded, checked before any work. */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, statSync } from "node:fs";
import * as path from "node:path";
import type { Plan } from "../../plan/types.js";
import { RunError } from "./errors.js";

/** Inputs must still be what the plan recorded: size and modification time, or the locked sha256. */
export async function verifyInputs(plan: Plan, dir: string): Promise<void> {
  const readNode = (p: string) => plan.nodes.find((n) => n.kind === "read" && (n.files.includes(p) || (n.friend?.files.includes(p) ?? false)));
  for (const input of plan.inputs) {
    const abs = path.resolve(dir, input.path);
    const origin = readNode(input.path)?.origin;
    if (!existsSync(abs)) throw new RunError("HEP6004", { file: input.path, detail: "it no longer exists" }, origin);
    const st = statSync(abs);
    if (st.size !== input.size) throw new RunError("HEP6004", { file: input.path, detail: `size ${st.size}, planned ${input.size}` }, origin);
    if (input.sha256) {
      const h = createHash("sha256");
      for await (const c of createReadStream(abs)) h.update(c as Buffer);
      const actual = h.digest("hex");
      if (actual !== input.sha256) throw new RunError("HEP6004", { file: input.path, detail: `sha256 ${actual.slice(0, 12)}…, locked ${input.sha256.slice(0, 12)}…` }, origin);
    } else if (input.mtimeMs !== undefined && Math.floor(st.mtimeMs) !== input.mtimeMs) {
      throw new RunError("HEP6004", { file: input.path, detail: "modified after the plan was made" }, origin);
    }
  }
}

