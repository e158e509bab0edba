/**
 * Histogram nodes: each sample fills its own accumulators, in its entry order, from the events of
 * the histogram's regions; after the pass they are normalised and added together in plan order,
 * per split (sample, class or group). That order, not the threads', fixes the sums' bits.
 *
 * Systematic variations (the node's `systematics`) fill copies named NAME_SYSTUp / NAME_SYSTDown
 * in the same pass: a weight variation from the same events and values with the weight times the
 * varied factor (one more kernel output per direction, nothing else recomputed); a normalisation
 * as the nominal scaled by K and 1/K; a shape variation from its world (variations.ts): the
 * events, weights and variables recomputed there when the plan says the variation touches the
 * histogram, the nominal otherwise; alternative samples by the alternatives' own nominal fills,
 * which the merge puts in the copies of the sample they replace. Samples the variation is not
 * for give their nominal to both copies; a one-sided variation's down copy is the nominal
 * mirrored (2·nominal − up).
 */
import { hashOf } from "../../../plan/canonical.js";
import type { HistogramNode, ReadNode, SystematicIR } from "../../../plan/types.js";
import { withDerived } from "../derived.js";
import { Hist1D, Hist2D } from "../histogram.js";
import type { HistogramResult } from "../types.js";
import type { CachedOutput } from "../stream.js";
import { isAlternative, varying, World, WorldEvents } from "../variations.js";
import { type Events, SELECTED, type Runner } from "./types.js";
import { checkVariedWeight } from "./varied-weight.js";

type Hist = Hist1D | Hist2D;
type Regions = Map<string, Hist>; // region → this sample's histogram
type Local = Map<string, Regions>; // histogram name (nominal, then its copies) → regions

const copyName = (h: HistogramNode, s: SystematicIR, dir: "Up" | "Down") => `${h.name}_${s.name}${dir}`;

function empty(h: HistogramNode, name: string): Hist {
  return h.vars.length === 1 ? new Hist1D(name, Float64Array.from(h.edges[0])) : new Hist2D(name, Float64Array.from(h.edges[0]), Float64Array.from(h.edges[1]));
}

/** a·x + b·y as a new histogram named `name` (x, y of one binning). */
function combine(h: HistogramNode, name: string, a: number, x: Hist, b = 0, y?: Hist): Hist {
  const out = empty(h, name);
  const part = (f: number, src: Hist) => {
    const t = empty(h, name);
    (t as Hist1D).add(src as Hist1D);
    t.scale(f);
    (out as Hist1D).add(t as Hist1D);
  };
  part(a, x);
  if (y) part(b, y);
  return out;
}

/** Histograms outside any region are kept under SELECTED; their directory in the file is "all". */
export const histogramRunner: Runner<HistogramNode, Local> = {
  sample(h, scope, run) {
    const when = scope.condition(h.regions);
    const column = (key: string, v: HistogramNode["vars"][number]) => ({
      key,
      expr: v,
      as: "f64" as const,
      // computed only for the events of its regions: the condition is part of the cache key
      when: when?.expr,
      cacheKey: when ? hashOf({ v: scope.keyOf(v), when: when.hash }) : scope.keyOf(v),
    });
    const outputs: CachedOutput[] = h.vars.map((v, k) => column(`v:${h.id}:${k}`, v));
    const systematics = h.systematics ?? [];
    // an alternative sample fills its nominal only: the merge makes it the copy of the sample it replaces
    const alternative = !!isAlternative(systematics, scope.read.sample);
    const mine = varying(systematics, scope.read);
    const varied: Array<{ s: SystematicIR; dir: "Up" | "Down"; key: string }> = [];
    for (const s of mine) {
      if (!s.weight) continue;
      for (const [dir, e] of [["Up", s.weight.up], ["Down", s.weight.down]] as const) {
        if (!e) continue;
        const key = `sw:${h.id}:${s.name}:${dir}`;
        outputs.push(column(key, e));
        varied.push({ s, dir, key });
      }
    }
    const regions = h.regions.length ? h.regions : [SELECTED];
    // shape variations that change this histogram: their worlds' events and variables
    const worlds: Array<{ s: SystematicIR; dir: "Up" | "Down"; events: WorldEvents; keys: string[] }> = [];
    for (const s of mine) {
      if (!s.vary || !s.vary.touches.includes(h.id)) continue;
      for (const dir of World.twoSided(s) ? (["Up", "Down"] as const) : (["Up"] as const)) {
        const world = new World(s, dir);
        const events = new WorldEvents(world, scope, run.byId);
        const cond = events.condition(h.regions);
        outputs.push(...events.outputs(regions));
        const keys = h.vars.map((v, k) => {
          const key = `wv:${world.name}:${h.id}:${k}`;
          outputs.push({ key, expr: world.rewrite(v), as: "f64", ...(cond ? { when: cond } : {}), cacheKey: hashOf({ v: events.cacheKey(v), when: when ? events.cacheKey(when.expr) : null }) });
          return key;
        });
        worlds.push({ s, dir, events, keys });
      }
    }
    const nominal: Regions = new Map(regions.map((r) => [r, empty(h, h.name)]));
    const copies = new Map<string, Regions>([...varied, ...worlds].map((v) => [copyName(h, v.s, v.dir), new Map(regions.map((r) => [r, empty(h, copyName(h, v.s, v.dir))]))]));
    let scratch = new Float64Array(0);
    const binArrays = new Map<string, Int32Array>();
    const binScratch = (r: string, n: number): Int32Array => {
      let a = binArrays.get(r);
      if (!a || a.length < n) binArrays.set(r, (a = new Int32Array(Math.max(n, 1024))));
      return a;
    };
    const fill = (hist: Hist, ev: Events, r: string, w: Float64Array | null) => {
      const x = ev.columns.get(`v:${h.id}:0`) as Float64Array;
      const y = ev.columns.get(`v:${h.id}:1`) as Float64Array | undefined;
      const { idx, count } = ev.passing(r);
      if (y) (hist as Hist2D).fillIndexed(count, idx, x, y, w);
      else (hist as Hist1D).fillIndexed(count, idx, x, w);
    };
    return {
      outputs,
      regions,
      chunk(ev) {
        // a region's weights include its own `{ weight ... }` (and those of the regions it builds on)
        for (const [r, hist] of nominal) fill(hist, ev, r, h.weighted ? ev.weightsIn(r) : null);
        // weight variations: the nominal's events and values with other weights; in one dimension
        // each value's bin is found once per chunk and region, for all of them
        const x = ev.columns.get(`v:${h.id}:0`) as Float64Array;
        const binsOf = new Map<string, Int32Array>();
        for (const v of varied) {
          const f = ev.columns.get(v.key) as Float64Array;
          for (const [r, hist] of copies.get(copyName(h, v.s, v.dir))!) {
            checkVariedWeight(ev, f, r, v.s, v.dir, scope.read.sample);
            const hw = h.weighted ? ev.weightsIn(r) : null;
            const { idx, count } = ev.passing(r);
            if (hist instanceof Hist1D) {
              let bins = binsOf.get(r);
              if (!bins) {
                bins = binScratch(r, count);
                hist.binsIndexed(count, idx, x, bins);
                binsOf.set(r, bins);
              }
              hist.fillBinned(count, idx, bins, x, hw, f);
              continue;
            }
            if (scratch.length < ev.n) scratch = new Float64Array(ev.n);
            for (let q = 0; q < count; q++) {
              const i = idx[q];
              scratch[i] = hw ? hw[i] * f[i] : f[i];
            }
            fill(hist, ev, r, scratch);
          }
        }
        for (const v of worlds) {
          const x = ev.columns.get(v.keys[0]) as Float64Array;
          const y = ev.columns.get(v.keys[1] ?? "") as Float64Array | undefined;
          for (const [r, hist] of copies.get(copyName(h, v.s, v.dir))!) {
            const { idx, count, w } = v.events.events(ev, r);
            const hw = h.weighted ? w : null;
            if (y) (hist as Hist2D).fillIndexed(count, idx, x, y, hw);
            else (hist as Hist1D).fillIndexed(count, idx, x, hw);
          }
        }
      },
      finish() {
        const local: Local = new Map([[h.name, nominal]]);
        if (alternative) return local;
        for (const s of systematics) {
          const up = copyName(h, s, "Up");
          const down = copyName(h, s, "Down");
          const applies = mine.includes(s);
          const byRegion = (name: string, make: (nom: Hist, r: string) => Hist): Regions => new Map([...nominal].map(([r, nom]) => [r, make(nom, r)]));
          // the sample the alternatives replace: its copies come from them (merge)
          if (s.alternatives && applies) continue;
          if (!applies || (s.vary && !copies.has(up))) {
            local.set(up, byRegion(up, (nom) => combine(h, up, 1, nom)));
            local.set(down, byRegion(down, (nom) => combine(h, down, 1, nom)));
          } else if (s.weight || s.vary) {
            local.set(up, copies.get(up)!);
            local.set(down, copies.get(down) ?? byRegion(down, (nom, r) => combine(h, down, 2, nom, -1, copies.get(up)!.get(r)!)));
          } else {
            const k = s.normalisation ?? 1;
            local.set(up, byRegion(up, (nom) => combine(h, up, k, nom)));
            local.set(down, byRegion(down, (nom) => combine(h, down, 1 / k, nom)));
          }
        }
        return local;
      },
    };
  },

  merge(h, partials, run) {
    const groupOf = new Map<string, string>();
    for (const [g, members] of Object.entries(run.plan.groups ?? {})) for (const m of members) if (!groupOf.has(m)) groupOf.set(m, g);
    const merged = new Map<string, Map<string, Map<string, Hist>>>(); // name → region → split → sum
    const splitOf = (read: ReadNode) => (h.by === "sample" ? read.sample : h.by === "class" ? read.class ?? "unclassified" : h.by === "group" ? groupOf.get(read.sample) ?? read.sample : "");
    const systematics = h.systematics ?? [];
    for (const { scope, totals, partial } of partials) {
      // an alternative sample's nominal is the copy of the sample it replaces, in that sample's split
      const alt = isAlternative(systematics, scope.read.sample);
      const replaced = alt ? (run.byId.get(`read:${alt.alternatives!.sample}`) as ReadNode | undefined) : undefined;
      const read = replaced ?? scope.read;
      const split = splitOf(read);
      for (const [own, regions] of partial) {
        const name = alt ? copyName(h, alt, alt.alternatives!.up === scope.read.sample ? "Up" : "Down") : own;
        let byRegion = merged.get(name);
        if (!byRegion) merged.set(name, (byRegion = new Map()));
        for (const [r, hist] of regions) {
          if (h.weighted && totals.norm !== 1) hist.scale(totals.norm);
          let bySplit = byRegion.get(r);
          if (!bySplit) byRegion.set(r, (bySplit = new Map()));
          const target = bySplit.get(split);
          if (target) (target as Hist1D).add(hist as Hist1D);
          // an alternative's nominal becomes the copy under the copy's name (fit outputs find copies by it)
          else bySplit.set(split, name === own ? hist : combine(h, name, 1, hist));
        }
      }
    }
    // one-sided alternatives: the down copy is the nominal mirrored, split by split
    for (const s of systematics) {
      if (!s.alternatives || s.alternatives.down !== null) continue;
      const nom = merged.get(h.name);
      const up = merged.get(copyName(h, s, "Up"));
      const downName = copyName(h, s, "Down");
      if (!nom) continue;
      // splits without the replaced sample keep their nominal (mirroring it against itself would add its sumw2 five times)
      const replaced = run.byId.get(`read:${s.alternatives.sample}`) as ReadNode | undefined;
      const varied = replaced ? splitOf(replaced) : undefined;
      const down = new Map<string, Map<string, Hist>>();
      for (const [r, bySplit] of nom) {
        const d = new Map<string, Hist>();
        for (const [split, hist] of bySplit) {
          const u = up?.get(r)?.get(split);
          d.set(split, u && split === varied ? combine(h, downName, 2, hist, -1, u) : combine(h, downName, 1, hist));
        }
        down.set(r, d);
      }
      merged.set(downName, down);
    }
    const out: HistogramResult[] = [];
    // the nominal first, then the copies in the order of the systematics, as before per region and split
    const order = [h.name, ...systematics.flatMap((s) => [copyName(h, s, "Up"), copyName(h, s, "Down")])];
    for (const name of order) {
      const byRegion = merged.get(name);
      if (!byRegion) continue;
      for (const [r, bySplit] of byRegion) {
        for (const [split, hist] of [...bySplit].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
          const dir = r === SELECTED ? "all" : r;
          out.push({ node: h.id, origin: h.origin, file: run.fileOf.get(h.id) ?? "", key: split ? `${dir}/${name}/${split}` : `${dir}/${name}`, region: dir, split: split || null, data: hist.data() });
        }
      }
    }
    run.results.set(h.id, withDerived(h, out));
  },
};
