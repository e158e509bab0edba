/**
 * A model's scores inside shape variations' worlds (variations.ts): where a world changes what a
 * model's features read (`vary Jet.pt` under features of the leading jets, or of each candidate
 * of `permutations(jets[:4], 4)`), the scorer computes the features again in the world and runs
 * the same fitted model on them, in the same pass as the nominal scores, under the model's name
 * inside the world (`assign~jesUp`), where the world's expressions read them (World.rewrite).
 *
 * Nothing is retrained: a variation moves the events, not the model. Which fold scores an event is
 * the nominal's choice (the folds that did not train on the event, whose nominal version the
 * training saw; the mean of all folds for an event training did not see), so a world's score of
 * an event differs from its nominal score only through the features.
 *
 * The world's features are computed only where the world's histograms and cutflows can count the
 * event (its guard: variations.ts, guardOf); elsewhere a per-event feature is missing and a
 * candidate list empty, which no reader reads.
 */
import { hashOf } from "../../../plan/canonical.js";
import type { ExprIR, PredictNode } from "../../../plan/types.js";
import type { CachedOutput } from "../stream.js";
import { guardOf, varying, World, worldsOf } from "../variations.js";
import type { RunState, SampleScope } from "./types.js";

export class ScoringWorld {
  /** The model's name inside the world: its score columns' name. */
  readonly model: string;
  private readonly when: ExprIR | undefined;
  private readonly whenKey: string | null;

  constructor(
    readonly world: World,
    model: string,
    private readonly scope: SampleScope,
    run: RunState,
  ) {
    this.model = world.within(model);
    this.when = guardOf(run.plan, world);
    this.whenKey = this.when ? scope.keyOf(this.when) : null;
  }

  /** A kernel output computing `expr` (a nominal expression, per event or per element of `per`) in the world. */
  output(key: string, expr: ExprIR, as: "f64" | "list", per?: ExprIR): CachedOutput {
    const w = this.world;
    const cacheKey = hashOf({ world: w.name, vary: w.syst.vary, dir: w.dir, v: this.scope.keyOf(expr), per: per ? this.scope.keyOf(per) : null, when: this.whenKey, as });
    return { key: `${key}~${w.name}`, expr: w.rewrite(expr), as, ...(per ? { per: w.rewrite(per) } : {}), ...(this.when ? { when: this.when } : {}), cacheKey };
  }
}

/**
 * The worlds in which a predict node's scores change for one sample and are read: the shape
 * variations of the plan's histograms and cutflows that vary the sample (variations.ts,
 * `varying`), touch the model's features, and have a histogram or cutflow that reads the score
 * (a model only evaluated, or histogrammed without that systematic, is not scored again).
 */
export function scoringWorlds(p: PredictNode, scope: SampleScope, run: RunState): ScoringWorld[] {
  const readers = run.plan.nodes.filter((n) => n.kind === "histogram" || n.kind === "cutflow");
  const mine = new Set(varying(readers.flatMap((n) => n.systematics ?? []), scope.read).map((s) => s.name));
  return worldsOf(run.plan)
    .filter((w) => w.touches(p.id) && mine.has(w.syst.name) && readers.some((n) => w.touches(n.id) && n.systematics?.some((s) => s.name === w.syst.name) && reads(run, n.id, p.id)))
    .map((w) => new ScoringWorld(w, p.model, scope, run));
}

/** Whether node `from` reads node `target`, directly or through its inputs. */
function reads(run: RunState, from: string, target: string, seen = new Set<string>()): boolean {
  if (from === target) return true;
  if (seen.has(from)) return false;
  seen.add(from);
  return (run.byId.get(from)?.inputs ?? []).some((i) => reads(run, i, target, seen));
}
