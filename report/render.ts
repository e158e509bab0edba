/**
 * Plots to SVG with vega (and vega-lite to compile the specs), loaded on first use so that
 * nothing which merely imports the report (the executor, hence `hepc check`) pays for them.
 * vega's headless renderer ('none') draws SVG as a string without a DOM or a canvas.
 */
import type { Spec } from "./specs.js";

interface Vega {
  parse(spec: unknown): unknown;
  View: new (runtime: unknown, opts: { renderer: string }) => { toSVG(scale?: number): Promise<string>; toCanvas(scale?: number): Promise<unknown>; finalize(): void };
}
interface VegaLite { compile(spec: unknown): { spec: unknown } }

let libs: Promise<{ vega: Vega; vl: VegaLite }> | null = null;

function load(): Promise<{ vega: Vega; vl: VegaLite }> {
  libs ??= Promise.all([import("vega"), import("vega-lite")]).then(([vega, vl]) => ({ vega: vega as unknown as Vega, vl: vl as unknown as VegaLite }));
  return libs;
}

async function view(spec: Spec) {
  const { vega, vl } = await load();
  return new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
}

/**
 * A plot as SVG. vega numbers its clip paths with a counter global to the process (clip1,
 * clip2, …): the ids are renamed after `prefix` and their order in this plot, so the same plot
 * gives the same SVG in any run and the plots inlined in one page never share an id.
 */
export async function renderSvg(spec: Spec, prefix = "p"): Promise<string> {
  const v = await view(spec);
  let svg: string;
  try {
    svg = await v.toSVG();
  } finally {
    v.finalize();
  }
  return renameIds(svg, prefix);
}

export function renameIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\bid="([^"]+)"/g)) if (!ids.has(m[1])) ids.set(m[1], `${prefix}-${ids.size + 1}`);
  if (!ids.size) return svg;
  const names = [...ids.keys()].map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  return svg.replace(new RegExp(`(\\bid="|url\\(#|href="#)(${names})(?=[")])`, "g"), (_, before: string, id: string) => before + ids.get(id));
}

/**
 * A PNG of a plot, through vega's node-canvas path (the `canvas` package, here @napi-rs/canvas
 * under that name); null when no canvas is installed. Text is drawn with the system's fonts: a
 * machine without any renders the plot without labels, so SVG stays the reference output.
 */
export async function renderPng(spec: Spec, scale = 2): Promise<Uint8Array | null> {
  try {
    await import("canvas");
  } catch {
    return null;
  }
  const v = await view(spec);
  try {
    const c = (await v.toCanvas(scale)) as { toBuffer?: (mime: string) => Uint8Array } | null;
    return c && typeof c.toBuffer === "function" ? c.toBuffer("image/png") : null;
  } finally {
    v.finalize();
  }
}
