/**
 * `--set NAME=VALUE`, the one option given any number of times: taken out of the arguments before
 * the rest are parsed, as a map from parameter name to the text given. The checker reads each value
 * as its parameter's type (compiler/check/rules/params.ts).
 */
import { UsageError } from "./io.js";

export const SET_HELP = `  --set NAME=VALUE  the value of parameter NAME (\`param NAME = ...\`) for this command; may be
                   given more than once. Lists: --set years=2017,2018`;

export function takeSets(argv: string[]): { argv: string[]; params: Map<string, string> } {
  const rest: string[] = [];
  const params = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (a !== "--set" && !a.startsWith("--set=")) {
      rest.push(a);
      continue;
    }
    const value = a === "--set" ? argv[++i] : a.slice("--set=".length);
    if (value === undefined) throw new UsageError("option --set needs NAME=VALUE");
    const eq = value.indexOf("=");
    const name = eq > 0 ? value.slice(0, eq).trim() : "";
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`--set takes NAME=VALUE, not '${value}'`);
    if (params.has(name)) throw new UsageError(`--set ${name} is given twice`);
    params.set(name, value.slice(eq + 1));
  }
  return { argv: rest, params };
}
