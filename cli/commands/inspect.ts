import type { CliIo } from "../io.js";
export async function run(_argv: string[], _io: CliIo): Promise<number> {
  return 0;
}
