/**
 * Samples: their properties, their input files (globs, existence, ROOT-ness, the tree) and the
 * schemas names are checked against. Reading schemas is the only I/O of checking, and it reads
 * tree metadata only.
 */
import * as path from "node:path";
import { warnMissingWeight } from "../missing.js";
import type * as A from "../../../grammar/ast.js";
import { UNITS } from "../../../grammar/parser.js";
import { BOOL, FLOAT } from "../../core/types.js";
import type { CompilerHost } from "../../host.js";
import { hasGlob } from "../../load/glob.js";
import { displayPath } from "../../load/program.js";
import type { CheckContext, SampleInput } from "../context.js";
import { buildEnv } from "../env.js";
import type { ExprChecker } from "../expr.js";
import { interpolate, textOf } from "./params.js";
import { joinFriend } from "./friends.js";

type Prop = A.SampleProp;

export function propertiesOnce<P extends { prop: string; key: A.Ident }>(ctx: CheckContext, file: string, block: string, props: P[]): Map<string, P> {
  const seen = new Map<string, P>();
  for (const p of props) {
    if (seen.has(p.prop)) ctx.report("HEP4004", file, p.key.span, { property: p.prop, block });
    else seen.set(p.prop, p);
  }
  return seen;
}

export async function checkSamples(ctx: CheckContext, host: CompilerHost, rootAbs: string): Promise<void> {
  for (const { decl, file } of ctx.declsOf("Sample")) {
    if (!decl.name.name || ctx.symbol(decl.name.name)?.decl !== decl) continue;
    const props = propertiesOnce(ctx, file, `sample '${decl.name.name}'`, decl.props as Array<Prop & { prop: string }>);
    const filesProp = props.get("files") as Extract<Prop, { prop: "files" }> | undefined;
    const treeProp = props.get("tree") as Extract<Prop, { prop: "tree" }> | undefined;
    if (!filesProp) ctx.report("HEP4002", file, decl.name.span, { name: decl.name.name, property: "files" });
    if (!treeProp) ctx.report("HEP4002", file, decl.name.span, { name: decl.name.name, property: "tree" });
    const klass = props.get("class") as Extract<Prop, { prop: "class" }> | undefined;
    const xsec = props.get("xsec") as Extract<Prop, { prop: "xsec" }> | undefined;
    // an inherited property is reported where it is written, once (with the defaults)
    const own = (p: A.Node) => !ctx.inheritedFrom.has(p);
    if (xsec && own(xsec)) checkQuantity(ctx, file, xsec.value, "area", "a cross section");
    const sumw = props.get("sumw") as Extract<Prop, { prop: "sumw" }> | undefined;
    if (sumw && own(sumw) && sumw.value.kind === "Number" && !(sumw.value.value > 0)) ctx.report("HEP4023", file, sumw.value.span, { what: "the sum of generated weights", value: sumw.value.raw });
    if (xsec && own(xsec) && !lumiOf(ctx)) ctx.report("HEP4018", file, xsec.key.span);

    const titleProp = props.get("title") as Extract<Prop, { prop: "title" }> | undefined;
    if (titleProp?.title.kind === "String") textOf(ctx, file, titleProp.title);
    const input: SampleInput = { name: decl.name.name, decl, file, files: [], tree: treeProp?.tree.kind === "String" ? textOf(ctx, file, treeProp.tree) : "", klass: klass?.klass.name || undefined };
    ctx.samples.push(input);
    if (!filesProp) {
      ctx.schemasComplete = false;
      continue;
    }
    // Sample files are relative to the file that declares the sample.
    const declAbs = ctx.program.absPaths[ctx.program.files.findIndex((f) => f.path === file)] ?? rootAbs;
    const baseDir = path.dirname(declAbs);
    let ok = true;
    // a pattern naming a list parameter stands for one pattern per item
    const patterns = filesProp.files.flatMap((lit): Array<{ lit: A.StringLit; written: string | undefined }> => (lit.kind === "String" ? interpolate(ctx, file, lit, true).map((written) => ({ lit, written })) : [{ lit, written: undefined }]));
    for (const { lit, written } of patterns) {
      if (written === undefined) {
        ok = false;
        continue;
      }
      if (path.isAbsolute(written) || /^[a-z][a-z0-9+.-]*:\/\//i.test(written)) {
        ctx.report("HEP2017", file, lit.span, { path: written });
        ok = false;
        continue;
      }
      const abs = path.resolve(baseDir, written);
      if (hasGlob(written)) {
        const matches = host.glob(abs);
        if (matches.length === 0) {
          ctx.report("HEP2006", file, lit.span, { pattern: written });
          ok = false;
        }
        for (const m of matches) input.files.push({ path: displayPath(m, host.cwd), abs: m });
      } else input.files.push({ path: displayPath(abs, host.cwd), abs });
    }
    // An empty tree name is looked up like any other, so it is reported (HEP2008) rather than skipped.
    if (!treeProp || treeProp.tree.kind !== "String") {
      ctx.schemasComplete = false;
      continue;
    }
    // the literal that names each file (a glob names all it matches), found once per literal: a
    // search per file would be quadratic in chains of thousands of files
    const literalOf = new Map<string, (typeof filesProp.files)[number]>();
    for (const { lit: l, written } of [...patterns].reverse()) {
      if (written === undefined) continue;
      if (hasGlob(written)) for (const f of input.files) literalOf.set(f.abs, l);
      else literalOf.set(path.resolve(baseDir, written), l);
    }
    const entries: number[] = [];
    for (const f of input.files) {
      const lit = literalOf.get(f.abs) ?? filesProp.files[0];
      const res = await host.treeSchema(f.abs, input.tree);
      if (res.ok) {
        input.schema ??= res.schema;
        entries.push(res.schema.entries);
        continue;
      }
      ok = false;
      if (res.error === "missing") ctx.report("HEP2005", file, lit.span, { file: f.path, reason: res.message });
      else if (res.error === "no-tree") {
        const near = res.suggestions ?? [];
        ctx.report("HEP2008", ctx.inheritedFrom.get(treeProp) ?? file, treeProp.tree.span, { tree: input.tree, file: f.path }, near.length ? { suggestion: { message: `the file has ${near.map((n) => `'${n}'`).join(", ")}`, replacement: JSON.stringify(near[0]), span: treeProp.tree.span } } : {});
      } else if (res.error === "not-root") ctx.report("HEP2007", file, lit.span, { file: f.path, reason: res.message });
      else ctx.report("HEP2005", file, lit.span, { file: f.path, reason: res.message });
      break; // one diagnostic per sample is enough to act on
    }
    const friend = props.get("friend") as Extract<Prop, { prop: "friend" }> | undefined;
    if (ok && input.schema && friend) {
      // the friend's branches are names of this sample like its own
      const joined = await joinFriend(ctx, host, input, friend, file, baseDir, entries);
      if (joined) input.schema = joined;
      else ok = false;
    }
    if (ok && input.schema) input.env = buildEnv(input.schema);
    else ctx.schemasComplete = false;
  }
  ctx.env = ctx.samples.find((s) => s.env)?.env;
}

export function lumiOf(ctx: CheckContext): A.NumberLit | undefined {
  const p = ctx.analysis?.decl.props.find((x) => "lumi" in x.value);
  return p ? (p.value as { lumi: A.NumberLit }).lumi : undefined;
}

export function checkQuantity(ctx: CheckContext, file: string, n: A.NumberLit, dimension: "area" | "inverse area", what: string): void {
  if (n.kind !== "Number") return;
  if (!(n.value > 0)) ctx.report("HEP4023", file, n.span, { what, value: n.raw });
  if (!n.unit) return;
  const u = UNITS[n.unit.name];
  if (!u) ctx.report("HEP1009", file, n.unit.span, { unit: n.unit.name });
  else if (u.dimension !== dimension) ctx.report("HEP3008", file, n.unit.span, { unit: n.unit.name, actual: u.dimension, what, expected: dimension === "area" ? "an area (fb, pb, nb)" : "an inverse area (/fb, /pb, /nb)" });
}

/** An energy with an optional unit (GeV without one): positive, and in MeV, GeV or TeV. */
export function checkEnergy(ctx: CheckContext, file: string, n: A.NumberLit, what: string): void {
  if (n.kind !== "Number") return;
  if (!(n.value > 0)) ctx.report("HEP4023", file, n.span, { what, value: n.raw });
  if (!n.unit) return;
  const u = UNITS[n.unit.name];
  if (!u) ctx.report("HEP1009", file, n.unit.span, { unit: n.unit.name });
  else if (u.dimension !== "energy") ctx.report("HEP3008", file, n.unit.span, { unit: n.unit.name, actual: u.dimension, what, expected: "an energy (MeV, GeV, TeV)" });
}

/** Per-event expressions of samples: weight (a number) and selection (a condition). */
export function checkSampleExprs(ctx: CheckContext, exprs: ExprChecker): void {
  for (const { decl, file } of ctx.declsOf("Defaults")) {
    for (const p of decl.props) {
      if (p.prop === "xsec") checkQuantity(ctx, file, p.value, "area", "a cross section");
      if (p.prop === "xsec" && !lumiOf(ctx)) ctx.report("HEP4018", file, p.key.span);
      if (p.prop === "sumw" && p.value.kind === "Number" && !(p.value.value > 0)) ctx.report("HEP4023", file, p.value.span, { what: "the sum of generated weights", value: p.value.raw });
    }
  }
  for (const { decl, file } of [...ctx.declsOf("Sample"), ...ctx.declsOf("Defaults")]) {
    for (const p of decl.props) {
      if (decl.kind === "Sample" && ctx.inheritedFrom.has(p)) continue; // checked with the defaults
      if (p.prop === "weight") {
        exprs.requireScalar(p.expr, exprs.check(p.expr, { file, owner: undefined, elements: [] }), file, "a sample weight", FLOAT);
        warnMissingWeight(ctx, file, p.expr, decl.kind === "Sample" ? `the weight of sample '${decl.name.name}'` : "the samples' default weight");
      }
      if (p.prop === "where") exprs.requireScalar(p.expr, exprs.check(p.expr, { file, owner: undefined, elements: [] }), file, "a sample selection", BOOL);
    }
  }
}
