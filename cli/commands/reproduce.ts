/** `hepc reproduce RUN`: placeholder until written. */
import { CliIo, UsageError } from "../io.js";
export async function run(_argv: string[], _io: CliIo): Promise<number> {
  throw new UsageError("reproduce is not available yet");
}
