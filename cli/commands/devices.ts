/**
 * `hepc devices`: the WebGPU adapters models can train on (vendor, architecture, backend, the
 * limits that bound what fits), or why there is none and how to get one.
 */
import { adapterLabel, listAdapters, releaseDevices, takeDriverLog, type AdapterInfo } from "../../runtime/devices/index.js";
import { CliIo, EXIT_ERRORS, EXIT_OK, parseArgs, UsageError } from "../io.js";

export const HELP = `usage: hepc devices [--json] [--verbose]

Lists the GPU adapters WebGPU finds (through the optional \`webgpu\` package): vendor,
architecture, backend and the limits that bound what fits on them. A software adapter (Mesa's
lavapipe) runs every GPU code path on the CPU: \`--device gpu\` uses it, \`--device auto\` does not.
Without an adapter it says why and how to get one, and exits with 1.

options:
  --json      one JSON document: {"adapters": [...]} or {"adapters": [], "reason", "hint"}
  --verbose   every limit, and the driver's own messages
`;

/** The limits that decide whether a network and a batch fit. */
const SHOWN = ["maxStorageBufferBindingSize", "maxBufferSize", "maxComputeWorkgroupStorageSize", "maxComputeInvocationsPerWorkgroup", "maxStorageBuffersPerShaderStage"];

function bytes(n: number): string {
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(0)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(0)} KiB` : String(n);
}

function describe(a: AdapterInfo, verbose: boolean): string {
  const lines = [`${adapterLabel(a)}${a.software ? "  [software: correct, not fast]" : ""}`, `  vendor ${a.vendor}, architecture ${a.architecture}, backend ${a.backend}${a.description ? `, ${a.description}` : ""}`];
  for (const k of verbose ? Object.keys(a.limits).sort() : SHOWN) if (k in a.limits) lines.push(`  ${k} ${/Size$/.test(k) ? bytes(a.limits[k]) : a.limits[k]}`);
  return lines.join("\n") + "\n";
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { flags: ["help", "json", "verbose"], options: [] });
  if (args.flags.has("help")) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  if (args.positionals.length) throw new UsageError(`takes no arguments\n\n${HELP}`);
  const verbose = args.flags.has("verbose");
  try {
    const found = await listAdapters();
    const noise = takeDriverLog();
    if (args.flags.has("json")) {
      io.stdout(JSON.stringify(Array.isArray(found) ? { adapters: found, driver: noise } : { adapters: [], reason: found.reason, hint: found.hint, driver: noise }, null, 2) + "\n");
      return Array.isArray(found) ? EXIT_OK : EXIT_ERRORS;
    }
    if (!Array.isArray(found)) {
      io.stdout(`no GPU adapter: ${found.reason}\nto get one: ${found.hint}\nmodels train on the CPU (--device auto or cpu)\n`);
      if (verbose) for (const l of noise) io.stdout(`driver: ${l}\n`);
      return EXIT_ERRORS;
    }
    for (const a of found) io.stdout(describe(a, verbose));
    if (verbose) for (const l of noise) io.stdout(`driver: ${l}\n`);
    return EXIT_OK;
  } finally {
    await releaseDevices();
  }
}
