/**
 * Kinematics: the four-vector of a record (native components by kinematic source, the others
 * derived; see index.ts for the formulas), sums of four-vectors, the per-batch arrays of derived
 * components of jagged collections, four-vector constructors and the two-body functions.
 */
import type { CollectionIR } from "../../plan/types.js";
import { type Gen, indent, sanitize } from "./emit.js";
import { bounds, column, read } from "./access.js";
import { type Block, type Kin, KernelError, type KinSource, NATIVE, type NumV, type P4V, type Val } from "./values.js";

/** The four-vector of a record with kinematics. */
export function kinOf(g: Gen, v: Val): Kin {
  switch (v.k) {
    case "p4":
      return v.kin;
    case "obj": {
      const k = v.coll.kinematics;
      if (!k) throw new KernelError(`collection '${v.coll.name}' has no kinematics in the plan`);
      const source = k.source as KinSource;
      if (!NATIVE[source]) throw new KernelError(`unknown kinematics source '${k.source}'`);
      for (const c of NATIVE[source]) {
        if (!k.fields[c]) throw new KernelError(`collection '${v.coll.name}': kinematics ${k.source} without a branch for ${c}`);
      }
      const kin: Kin = { source, native: (c) => read(g, v, k.fields[c], "num", c).js, home: v.home, hint: sanitize(v.coll.name) };
      // Inside a loop an element's derived kinematics would be recomputed wherever the loop
      // runs (a muon's η for every jet it is compared with): read them through a per-batch
      // array that computes each element's value once, where first read (flatDerived). An
      // element used once per event (muons[0]) computes its own, unless such an array is there
      // anyway: reading it is cheaper than asinh or atan2, and it holds the same expression's bits.
      if (v.coll.shape === "jagged" && g.flatPassDepth === 0) kin.element = { coll: v.coll, idx: v.idx, missing: v.missing, inLoop: v.home.depth > g.declCx.block.depth };
      return kin;
    }
    case "pair": {
      const a = kinOf(g, v.a);
      const b = kinOf(g, v.b);
      return sumKin(g, a, b, "pair");
    }
    case "tuple":
      return v.items.map((x) => kinOf(g, x)).reduce((a, b) => sumKin(g, a, b, "cand"));
    default:
      throw new KernelError(`a ${v.k} value is not a four-vector`);
  }
}

export function sumKin(g: Gen, a: Kin, b: Kin, hint: string): Kin {
  const home = g.deeper(a.home, b.home);
  return { source: "pxpypzE", native: (c) => g.cse(home, `${kinField(g, a, c).js} + ${kinField(g, b, c).js}`, `${hint}_${c}`), home, hint };
}

/** A kinematic component: native, or derived from the native ones (see index.ts for the formulas). */
export function kinField(g: Gen, kin: Kin, name: string): NumV {
  if (NATIVE[kin.source].includes(name)) return g.num(kin.native(name), kin.home);
  const el = kin.element;
  const fromArray = (get: string) => (el!.missing ? `(${el!.idx} < 0 ? NaN : ${get}(${el!.idx}))` : `${get}(${el!.idx})`);
  if (el?.inLoop) return g.num(g.cse(kin.home, fromArray(flatDerived(g, el.coll, name)), `${kin.hint}_${name}`), kin.home);
  const f = (c: string) => kinField(g, kin, c).js;
  const anchor = f(NATIVE[kin.source][0]);
  const zero = `(${anchor} === ${anchor} ? 0 : NaN)`;
  let js: string;
  switch (`${kin.source}.${name}`) {
    case "pxpypzE.pt":
    case "pxpy.pt":
      js = `Math.sqrt(${f("px")} * ${f("px")} + ${f("py")} * ${f("py")})`;
      break;
    case "pxpypzE.phi":
    case "pxpy.phi":
      js = `__atan2(${f("py")}, ${f("px")})`;
      break;
    case "pxpypzE.eta":
      js = `Math.asinh(${f("pz")} / ${f("pt")})`;
      break;
    case "pxpypzE.mass": {
      // ROOT's and scikit-hep vector's sign convention: m² < 0 gives −√(−m²)
      const m2 = g.cse(kin.home, `${f("E")} * ${f("E")} - (${f("px")} * ${f("px")} + ${f("py")} * ${f("py")} + ${f("pz")} * ${f("pz")})`, `${kin.hint}_m2`);
      js = `(${m2} >= 0 ? Math.sqrt(${m2}) : -Math.sqrt(-${m2}))`;
      break;
    }
    case "ptetaphim.px":
    case "ptetaphi.px":
    case "ptphi.px":
      js = `${f("pt")} * Math.cos(${f("phi")})`;
      break;
    case "ptetaphim.py":
    case "ptetaphi.py":
    case "ptphi.py":
      js = `${f("pt")} * Math.sin(${f("phi")})`;
      break;
    case "ptetaphim.pz":
    case "ptetaphi.pz":
      js = `${f("pt")} * Math.sinh(${f("eta")})`;
      break;
    case "ptetaphim.E":
      js = `Math.sqrt(${f("pt")} * ${f("pt")} + ${f("pz")} * ${f("pz")} + ${f("mass")} * ${f("mass")})`;
      break;
    case "ptetaphi.E":
      js = `Math.sqrt(${f("pt")} * ${f("pt")} + ${f("pz")} * ${f("pz")})`;
      break;
    case "ptetaphi.mass":
    case "pxpy.pz":
    case "pxpy.eta":
    case "pxpy.mass":
    case "ptphi.pz":
    case "ptphi.eta":
    case "ptphi.mass":
      js = zero;
      break;
    case "pxpy.E":
    case "ptphi.E":
      js = f("pt");
      break;
    default:
      throw new KernelError(`cannot derive ${name} from ${kin.source}`);
  }
  if (el) {
    // Outside a loop: the per-batch array if some loop makes one, even one compiled later, else
    // the expression itself; which of the two is settled when the source is assembled.
    const key = flatDerivedKey(el.coll, name);
    js = g.flatPasses.has(key) ? fromArray(g.flatPasses.get(key)!) : g.deferred(key, js, fromArray);
  }
  return g.num(g.cse(kin.home, js, `${kin.hint}_${name}`), kin.home);
}

/**
 * A derived kinematic component (η from px, py, pz, ...) of the elements of a jagged collection
 * in the batch, read through a getter: computed where an element's value is first read, then
 * kept in an array (NaN: not computed yet) that is kept from batch to batch. The same expression
 * as inline, so the same bits. Lazily because most events of a batch often never read it: the
 * AGC's jets' px and py are read by the trijet sums of 4j2b events only, where a pass over every
 * jet of the batch spent more time on their cosines and sines than the rest of the kernel.
 */
export function flatDerived(g: Gen, coll: CollectionIR, name: string): string {
  const key = flatDerivedKey(coll, name);
  const known = g.flatPasses.get(key);
  if (known) return known;
  bounds(g, coll);
  const block: Block = { lines: [], depth: 2, memo: new Map() };
  const j = g.fresh("j");
  // px = pt cos φ, py = pt sin φ: the cosine and sine of a φ branch are computed once per element
  // for every collection reading it (a shape variation's collections share the nominal's φ), and
  // pt times them gives the same bits as the expression inline
  const phi = coll.kinematics?.fields.phi;
  const trig = (name === "px" || name === "py") && phi && TRIG_SOURCES.has(coll.kinematics!.source) ? flatTrig(g, coll, name === "px" ? "cos" : "sin", phi) : undefined;
  g.flatPassDepth++;
  let v: NumV;
  try {
    const kin = kinOf(g, { k: "obj", coll, idx: j, missing: false, home: block });
    v = trig ? g.num(`${kinField(g, kin, "pt").js} * ${trig}(${j})`, block) : kinField(g, kin, name);
  } finally {
    g.flatPassDepth--;
  }
  return lazyArray(g, key, `${coll.name}.${name}`, `${sanitize(coll.name)}_${name}`, coll, j, [...block.lines, `__v = ${v.js};`]);
}
export function makeP4(g: Gen, source: KinSource, parts: Record<string, Val>): P4V {
  const comp: Record<string, string> = {};
  const homes: Block[] = [];
  for (const [c, v] of Object.entries(parts)) {
    comp[c] = g.numJs(v);
    homes.push(g.homeOf(v));
  }
  return { k: "p4", kin: { source, native: (c) => comp[c], home: g.deeper(...homes), hint: "p4" } };
}

export function twoBody(g: Gen, fn: string, a: Kin, b: Kin): NumV {
  const home = g.deeper(a.home, b.home);
  const f = (k: Kin, c: string) => kinField(g, k, c).js;
  const dphi = () => g.cse(home, `__dphi(${f(a, "phi")} - ${f(b, "phi")})`, "dphi");
  const deta = () => g.cse(home, `${f(a, "eta")} - ${f(b, "eta")}`, "deta");
  switch (fn) {
    case "deltaPhi":
      return g.num(dphi(), home);
    case "deltaEta":
      return g.num(deta(), home);
    case "deltaR": {
      const p = dphi();
      const e = deta();
      return g.num(`Math.sqrt(${e} * ${e} + ${p} * ${p})`, home);
    }
    case "mT":
      return g.num(`Math.sqrt(2 * ${f(a, "pt")} * ${f(b, "pt")} * (1 - Math.cos(${f(a, "phi")} - ${f(b, "phi")})))`, home);
  }
  throw new KernelError(`unknown function '${fn}'`);
}

/** The key of a derived component's per-batch array among the flat passes. */
const TRIG_SOURCES = new Set(["ptetaphim", "ptetaphi", "ptphi"]);

/** Math.cos (or sin) of a jagged branch's values, through a getter computing each where first read (lazyArray). */
function flatTrig(g: Gen, coll: CollectionIR, fn: "cos" | "sin", branch: string): string {
  const key = `trig:${fn}:${branch}`;
  const known = g.flatPasses.get(key);
  if (known) return known;
  const local = column(g, branch, "jagged");
  const j = g.fresh("j");
  return lazyArray(g, key, `Math.${fn} of ${branch}`, `${fn}_${sanitize(branch)}`, coll, j, [`__v = Math.${fn}(${local}[${j}]);`]);
}

/**
 * A per-element value of a jagged collection, as a getter `GET(j)` (j: the element's index in the
 * batch): the value kept in an array from batch to batch, NaN until computed (a NaN value is
 * simply computed again), `compute` run where it is NaN (its lines set `__v`, from `j`).
 */
function lazyArray(g: Gen, key: string, what: string, hint: string, coll: CollectionIR, j: string, compute: string[]): string {
  bounds(g, coll);
  const { off } = g.bounded.get(coll.name)!;
  const kept = g.fresh(`kept_${hint}`);
  const arr = g.fresh(`all_${hint}`);
  const get = g.fresh(`get_${hint}`);
  const total = g.fresh("total");
  g.flatPasses.set(key, get);
  g.persistent.push(`let ${kept} = new Float64Array(0); // ${what} per element, kept from batch to batch`);
  g.root.lines.push(
    `// ${what} per element of the batch, computed where first read (NaN: not yet)`,
    `const ${total} = ${off}[n];`,
    `if (${kept}.length < ${total}) ${kept} = new Float64Array(${total} + (${total} >> 2));`,
    `const ${arr} = ${kept};`,
    `${arr}.fill(NaN, 0, ${total});`,
    `const ${get} = (${j}) => {`,
    `  let __v = ${arr}[${j}];`,
    `  if (__v === __v) return __v;`,
    ...indent(compute),
    `  ${arr}[${j}] = __v;`,
    `  return __v;`,
    `};`,
  );
  return get;
}

function flatDerivedKey(coll: CollectionIR, name: string): string {
  return `kin:${coll.name}:${name}`;
}
