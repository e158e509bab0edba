/**
 * Typing of expressions. Each expression gets a type in `ctx.types`; each name what it resolved
 * to in `ctx.resolutions`. Defines, objects and regions are typed on first use (so order never
 * matters), and a define reached again while it is being typed is a cycle.
 */
import type * as A from "../../grammar/ast.js";
import { UNITS } from "../../grammar/parser.js";
import { BUILTIN_BY_NAME, FUNCTION_BY_NAME, MODEL_KIND_BY_NAME, Param, Signature } from "../../stdlib/index.js";
import { suggest } from "../core/suggest.js";
import {
  BOOL, ERROR, FLOAT, INT, KINEMATIC_FIELDS, P4, RecordType, STRING, Type,
  describe, isError, isLorentz, isNumeric, list, list as list_, numericJoin, typeToString,
} from "../core/types.js";
import { exprPrecedence, PRECEDENCE, printExpr } from "../syntax/print.js";
import type { CheckContext } from "./context.js";
import { neverMissing, warnMissingWeight } from "./missing.js";
import type { SymbolInfo } from "./symbols.js";
import { workingPointsOf } from "./rules/working-points.js";
import { candidateClassNames, candidateListOfModel } from "./rules/candidates.js";

/** Where an expression is typed: its file, the declaration it belongs to, and the element scopes it is inside. */
export interface Scope {
  file: string;
  /** The declaration whose dependencies uses are recorded under (undefined: a root such as an output). */
  owner?: string;
  /** Innermost last: the element types of enclosing `where`/per-element arguments. */
  elements: Type[];
  /** In a shape variation of a collection's field: the collection's name, which means the element varied (the innermost). */
  varied?: string;
  /** In a systematic family's expressions: its index's name (an int). */
  index?: string;
  /**
   * Parallel to `elements` (absent entries: unknown): the declaration or collection each element
   * scope's list is, by name, when it is one (or a `where` of one), so a per-candidate model's
   * score finds its list's element.
   */
  over?: Array<string | undefined>;
}

/** `scope` with one more element scope, of type `el`, over the list `target`. */
function inElement(scope: Scope, el: Type, over: string | undefined): Scope {
  const prev = Array.from({ length: scope.elements.length }, (_, i) => scope.over?.[i]);
  return { ...scope, elements: [...scope.elements, el], over: [...prev, over] };
}

export class ExprChecker {
  private readonly declTypes = new Map<string, Type>();
  private readonly visiting: string[] = [];

  constructor(private readonly ctx: CheckContext) {}

  /** The type of a named declaration usable in expressions (object, define, region). */
  typeOfSymbol(sym: SymbolInfo): Type {
    const known = this.declTypes.get(sym.name);
    if (known) return known;
    if (this.visiting.includes(sym.name)) {
      const cycle = [...this.visiting.slice(this.visiting.indexOf(sym.name)), sym.name].join(" → ");
      this.ctx.report("HEP4001", sym.file, sym.nameSpan, { cycle });
      for (const n of this.visiting.slice(this.visiting.indexOf(sym.name))) this.declTypes.set(n, ERROR);
      return ERROR;
    }
    const d = sym.decl;
    if (d.kind !== "Object" && d.kind !== "Define" && d.kind !== "Region") return ERROR;
    this.visiting.push(sym.name);
    let t = this.check(d.expr, { file: sym.file, owner: sym.name, elements: [] });
    this.visiting.pop();
    if (this.declTypes.get(sym.name) === ERROR) return ERROR; // part of a cycle reported above
    if (d.kind === "Object" && !isError(t) && !(t.kind === "list" && t.element.kind === "record")) {
      this.ctx.report("HEP3001", sym.file, d.expr.span, { what: "an object", expected: "a collection of objects (e.g. `Muon where pt > 25`)", actual: describe(t) });
      t = ERROR;
    }
    if (d.kind === "Region") t = this.requireScalar(d.expr, t, sym.file, "a region's selection", BOOL);
    if (d.weight) {
      if (d.kind === "Region") {
        this.requireScalar(d.weight.expr, this.check(d.weight.expr, { file: sym.file, owner: sym.name, elements: [] }), sym.file, "a region weight", FLOAT);
        warnMissingWeight(this.ctx, sym.file, d.weight.expr, `the weight of region '${sym.name}'`);
      } else this.ctx.report("HEP4073", sym.file, d.weight.key.span, { kind: d.kind.toLowerCase(), name: sym.name });
    }
    this.declTypes.set(sym.name, t);
    return t;
  }

  check(e: A.Expr, scope: Scope): Type {
    const t = this.infer(e, scope);
    this.ctx.types.set(e, t);
    return t;
  }

  /**
   * Requires a per-event scalar (optionally of one kind); reports HEP3004 with suggestions for a
   * list and HEP3001 for a wrong scalar. Returns the type, or ERROR after reporting.
   */
  requireScalar(e: A.Expr, t: Type, file: string, what: string, want?: Type): Type {
    if (isError(t)) return ERROR;
    if (t.kind === "list" || t.kind === "record") {
      const suggestion = scalarSuggestion(e, t);
      this.ctx.report("HEP3004", file, e.span, { what, expr: printExpr(e), actual: describe(t) }, suggestion ? { suggestion } : {});
      return ERROR;
    }
    if (want && !(want.kind === "scalar" && t.kind === "scalar" && (t.scalar === want.scalar || (want.scalar === "float" && t.scalar === "int")))) {
      this.ctx.report("HEP3001", file, e.span, { what, expected: typeToString(want), actual: typeToString(t) });
      return ERROR;
    }
    if (!want && t.kind !== "scalar") {
      this.ctx.report("HEP3001", file, e.span, { what, expected: "a number or a condition", actual: typeToString(t) });
      return ERROR;
    }
    return t;
  }

  private infer(e: A.Expr, scope: Scope): Type {
    switch (e.kind) {
      case "Missing":
        return ERROR;
      case "Number":
        return this.number(e, scope);
      case "String":
        return STRING;
      case "Bool":
        return BOOL;
      case "This": {
        const el = scope.elements[scope.elements.length - 1];
        if (!el) {
          this.ctx.report("HEP3010", scope.file, e.span);
          return ERROR;
        }
        return el;
      }
      case "Name":
        return this.name(e, scope);
      case "Unary": {
        const t = this.check(e.operand, scope);
        if (isError(t)) return ERROR;
        const base = t.kind === "list" ? t.element : t;
        const ok = e.op === "not" ? base.kind === "scalar" && base.scalar === "bool" : isNumeric(base);
        if (!ok) {
          this.ctx.report("HEP3005", scope.file, e.span, { op: e.op, left: typeToString(t), right: "nothing" });
          return ERROR;
        }
        return t;
      }
      case "Binary":
        return this.binary(e, scope);
      case "Call":
        return this.call(e, scope);
      case "Index": {
        const t = this.check(e.target, scope);
        const i = this.check(e.index, scope);
        if (!isError(i) && !(i.kind === "scalar" && i.scalar === "int")) {
          this.ctx.report("HEP3007", scope.file, e.index.span, { actual: describe(i) });
        }
        if (isError(t)) return ERROR;
        if (t.kind !== "list") {
          this.ctx.report("HEP3006", scope.file, e.target.span, { actual: describe(t) });
          return ERROR;
        }
        return t.element;
      }
      case "Slice": {
        const t = this.check(e.target, scope);
        for (const b of [e.low, e.high]) {
          if (!b) continue;
          const i = this.check(b, scope);
          if (!isError(i) && !(i.kind === "scalar" && i.scalar === "int")) this.ctx.report("HEP3007", scope.file, b.span, { actual: describe(i) });
        }
        if (isError(t)) return ERROR;
        if (t.kind !== "list") {
          this.ctx.report("HEP3006", scope.file, e.target.span, { actual: describe(t) });
          return ERROR;
        }
        return t;
      }
      case "Member":
        return this.member(e, scope);
      case "Where": {
        const t = this.check(e.target, scope);
        if (isError(t)) {
          this.check(e.cond, { ...scope, elements: [...scope.elements, ERROR] });
          return ERROR;
        }
        if (t.kind !== "list") {
          this.ctx.report("HEP3009", scope.file, e.target.span, { actual: describe(t) });
          return ERROR;
        }
        const c = this.check(e.cond, inElement(scope, t.element, this.listSource(e.target)));
        this.requirePerElementBool(e.cond, c, scope.file);
        return t;
      }
      case "In":
        return this.membership(e, scope);
      case "List": {
        for (const it of e.items) this.check(it, scope);
        this.ctx.report("HEP3001", scope.file, e.span, { what: "an expression", expected: "a value", actual: "a literal list (lists are only for options)" });
        return ERROR;
      }
    }
  }

  private requirePerElementBool(cond: A.Expr, t: Type, file: string): void {
    if (isError(t)) return;
    if (!(t.kind === "scalar" && t.scalar === "bool")) {
      const hint = t.kind === "list" && t.element.kind === "scalar" && t.element.scalar === "bool" ? " — reduce it with all(...) or any(...)" : "";
      this.ctx.report("HEP3001", file, cond.span, { what: "a 'where' condition", expected: "one condition per element", actual: describe(t) + hint });
    }
  }

  private number(e: A.NumberLit, scope: Scope): Type {
    if (!e.unit) return e.isInt ? INT : FLOAT;
    const u = UNITS[e.unit.name];
    if (!u) {
      this.ctx.report("HEP1009", scope.file, e.unit.span, { unit: e.unit.name });
      return ERROR;
    }
    if (u.dimension !== "energy") {
      this.ctx.report("HEP3008", scope.file, e.unit.span, { unit: e.unit.name, actual: u.dimension, what: "an expression", expected: "an energy (MeV, GeV, TeV)" });
      return ERROR;
    }
    return FLOAT;
  }

  private use(scope: Scope, name: string): void {
    if (scope.owner) {
      let s = this.ctx.deps.get(scope.owner);
      if (!s) this.ctx.deps.set(scope.owner, (s = new Set()));
      s.add(name);
    } else this.ctx.used.add(name);
  }

  private name(e: A.NameRef, scope: Scope): Type {
    if (scope.index === e.name) {
      this.ctx.resolutions.set(e, { kind: "index", name: e.name });
      return INT;
    }
    if (scope.varied === e.name && scope.elements.length) {
      this.ctx.resolutions.set(e, { kind: "element" });
      return scope.elements[0];
    }
    // Fields of the innermost element shadow everything else.
    for (let i = scope.elements.length - 1; i >= 0; i--) {
      const el = scope.elements[i];
      if (el.kind === "error") return ERROR;
      if (el.kind === "record") {
        const f = el.record.fields.get(e.name);
        if (f) {
          this.ctx.resolutions.set(e, { kind: "field", field: e.name, record: el.record.name });
          return this.fieldInEverySample(el.record.name, e, scope) ? f : ERROR;
        }
      }
      break; // only the innermost element's fields are bare names
    }
    const sym = this.ctx.symbol(e.name);
    if (sym) {
      this.ctx.resolutions.set(e, { kind: "symbol", symbol: sym });
      this.use(scope, sym.name);
      if (sym.kind === "object" || sym.kind === "define" || sym.kind === "region") return this.typeOfSymbol(sym);
      if (sym.kind === "model") return this.score(e, sym, scope);
      if (sym.kind === "param") {
        const p = this.ctx.params.get(sym.name);
        if (!p) return ERROR; // its declaration was reported
        if (p.type === "int") return INT;
        if (p.type === "number") return FLOAT;
        if (p.type === "bool") return BOOL;
        this.ctx.report("HEP4069", scope.file, e.span, { name: e.name, type: p.type, use: `use it in a string as \`\${${e.name}}\`` });
        return ERROR;
      }
      this.ctx.report("HEP2012", scope.file, e.span, { name: e.name, actual: sym.kind, expected: "value (a define, object, region or branch)" });
      return ERROR;
    }
    const env = this.ctx.env;
    const branch = env?.branches.get(e.name);
    if (branch) {
      this.ctx.resolutions.set(e, { kind: "branch", branch: e.name });
      return this.branchType(e, scope);
    }
    const coll = env?.collections.get(e.name);
    if (coll) {
      this.ctx.resolutions.set(e, { kind: "collection", collection: coll });
      const lacking = this.ctx.samples.find((s) => s.env && !s.env.collections.has(e.name));
      if (lacking) {
        this.ctx.report("HEP2080", scope.file, e.span, { name: e.name, tree: lacking.tree, file: lacking.files[0]?.path ?? "" });
        return ERROR;
      }
      const rec: Type = { kind: "record", record: coll.record };
      return coll.shape === "jagged" ? list(rec) : rec;
    }
    const builtin = BUILTIN_BY_NAME.get(e.name);
    if (builtin) {
      this.ctx.resolutions.set(e, { kind: "builtin", name: e.name });
      return builtin.type === "int" ? INT : FLOAT;
    }
    if (this.ctx.brokenNames.has(e.name)) return ERROR;
    // With no sample's schema readable the name may be a branch: the unreadable input was reported.
    if (!this.ctx.env && !this.ctx.schemasComplete) return ERROR;
    return this.unknownName(e, scope);
  }

  /**
   * A name found nowhere. One code whatever its spelling (`npfcands` and `jet_pt` alike: HEP2001),
   * with the nearest declaration, branch, collection or builtin suggested. Inside `where` (or a
   * per-element argument) over records the name is read as a misspelt field first: HEP2013 with the
   * element's nearest field, as `x.field` outside `where` gets; a name nearer another declaration
   * or branch stays HEP2001.
   */
  private unknownName(e: A.NameRef, scope: Scope): Type {
    const env = this.ctx.env;
    const did = (name: string) => ({ suggestion: { message: `did you mean '${name}'?`, replacement: name, span: e.span } });
    const el = scope.elements[scope.elements.length - 1];
    const others = suggest(e.name, [
      ...this.ctx.symbols.keys(),
      ...(env ? env.branches.keys() : []),
      ...(env ? env.collections.keys() : []),
      ...BUILTIN_BY_NAME.keys(),
    ], 1);
    if (el?.kind === "record") {
      const field = suggest(e.name, el.record.fields.keys(), 1);
      if (field.length || !others.length) {
        this.ctx.report("HEP2013", scope.file, e.span, { name: el.record.name, field: e.name }, field.length ? did(field[0]) : {});
        return ERROR;
      }
    }
    this.ctx.report("HEP2001", scope.file, e.span, { name: e.name }, others.length ? did(others[0]) : {});
    return ERROR;
  }

  /** A branch must exist, with one type, in every sample's tree. */
  private branchType(e: A.NameRef, scope: Scope): Type {
    const first = this.ctx.env!.branches.get(e.name)!;
    for (const s of this.ctx.samples) {
      const b = s.env?.branches.get(e.name);
      if (s.env && !b) {
        const near = suggest(e.name, s.env.branches.keys(), 1);
        this.ctx.report("HEP2004", scope.file, e.span, { name: e.name, tree: s.tree, file: s.files[0]?.path ?? "" }, near.length ? { suggestion: { message: `did you mean '${near[0]}'?`, replacement: near[0], span: e.span } } : {});
        return ERROR;
      }
      if (b && first.schema.typename !== b.schema.typename && b.type && first.type && typeToString(b.type) !== typeToString(first.type)) {
        const firstSample = this.ctx.samples.find((x) => x.env);
        this.ctx.report("HEP2018", scope.file, e.span, { name: e.name, type: first.schema.typename, file: firstSample?.files[0]?.path ?? "", otherType: b.schema.typename, otherFile: s.files[0]?.path ?? "" });
        return ERROR;
      }
    }
    if (!first.type) {
      const sample = this.ctx.samples.find((s) => s.env);
      this.ctx.report("HEP2016", scope.file, e.span, { name: e.name, file: sample?.files[0]?.path ?? "", type: first.schema.typename });
      return ERROR;
    }
    return first.type;
  }

  /** A model's name where a value is expected, unless a field of the current element shadows it. */
  private modelNamed(e: A.Expr, scope: Scope): SymbolInfo | undefined {
    if (e.kind !== "Name") return undefined;
    const el = scope.elements[scope.elements.length - 1];
    if (el?.kind === "record" && el.record.fields.has(e.name)) return undefined;
    if (el?.kind === "error") return undefined;
    const sym = this.ctx.symbol(e.name);
    return sym?.kind === "model" ? sym : undefined;
  }

  /**
   * A model's score: `bdt` (binary or imported models) or `bdt.signal` (one class of a multiclass
   * model). Records the score's model and output index for lowering, and the use for cycles.
   */
  private score(e: A.NameRef | A.MemberExpr, sym: SymbolInfo, scope: Scope, klass?: A.Ident): Type {
    const decl = sym.decl as A.ModelDecl;
    const kind = MODEL_KIND_BY_NAME.get(decl.modelKind.name);
    if (!kind) return ERROR; // an unknown kind is reported with the model
    const model = sym.name;
    // imported (onnx) and score models have a score without training
    const imported = !kind.trainable;
    if (!imported && !this.trained().has(model)) {
      this.ctx.report("HEP4057", scope.file, e.span, { model });
      return ERROR;
    }
    // an imported model's classes are the names its `classes` option gives its output's columns
    const named = imported ? decl.options.find((o) => o.key.name === "classes")?.value : undefined;
    const importedClasses = named?.kind === "List" ? named.items.flatMap((i) => (i.kind === "Name" ? [i.name] : [])) : [];
    // a model trained per candidate has its candidates' classes (its train block's)
    const classes = imported ? importedClasses : candidateClassNames(this.ctx, model) ?? this.ctx.classOrder;
    // A sample lost to a syntax error may have declared another class: the classes are unknown.
    const classesKnown = imported || !this.ctx.decls.some((d) => d.decl.kind === "Broken" && (d.decl.keyword === "sample" || d.decl.keyword === undefined));
    if (!classesKnown) return ERROR;
    let output = 0;
    if (!klass) {
      if (classes.length > 2) {
        const best = classes[classes.length - 1];
        this.ctx.report("HEP4053", scope.file, e.span, { model, count: classes.length, classes: classes.join(", ") }, { suggestion: { message: `did you mean '${model}.${best}'?`, replacement: `${model}.${best}`, span: e.span } });
        return ERROR;
      }
    } else if (classes.length <= 2) {
      // one score: `MODEL.NAME` is a working point's threshold (or a class, by mistake)
      const points = workingPointsOf(this.ctx, model);
      const named = points.filter((p) => p.name === klass.name);
      if (named.length === 1) {
        this.ctx.thresholds.set(e, { model, point: klass.name, evaluate: named[0].evaluate });
        this.ctx.thresholdUses.push({ model, point: klass.name, evaluate: named[0].evaluate, file: scope.file, span: e.span, owner: scope.owner });
        return FLOAT;
      }
      if (named.length > 1) {
        const lines = named.map((p) => lineOf(this.ctx, p.file, p.ident.span.start)).join(", ");
        this.ctx.report("HEP4081", scope.file, klass.span, { name: klass.name, model, count: named.length, lines });
        return ERROR;
      }
      if (classes.includes(klass.name)) {
        this.ctx.report("HEP4055", scope.file, e.span, { model, name: klass.name }, { suggestion: { message: `did you mean '${model}'?`, replacement: model, span: e.span } });
        return ERROR;
      }
      const known = [...new Set(points.map((p) => p.name))];
      const near = suggest(klass.name, known, 1);
      this.ctx.report(
        "HEP4080", scope.file, klass.span,
        { model, name: klass.name, points: known.length ? ` (its working points: ${known.join(", ")})` : ": no evaluate block of it declares working_points" },
        near.length ? { suggestion: { message: `did you mean '${near[0]}'?`, replacement: near[0], span: klass.span } } : {},
      );
      return ERROR;
    } else {
      output = classes.indexOf(klass.name);
      if (output < 0) {
        const near = suggest(klass.name, classes, 1);
        this.ctx.report("HEP4054", scope.file, klass.span, { name: klass.name, model, classes: classes.join(", ") }, near.length ? { suggestion: { message: `did you mean '${near[0]}'?`, replacement: near[0], span: klass.span } } : {});
        return ERROR;
      }
    }
    // a per-candidate model's score is its list's current element's: inside an element scope over that list
    const list = candidateListOfModel(this.ctx, model);
    if (list !== undefined) {
      let found = false;
      for (let i = scope.elements.length - 1; i >= 0 && !found; i--) found = scope.over?.[i] === list;
      if (!found) {
        this.ctx.report("HEP4142", scope.file, e.span, { model, list });
        return ERROR;
      }
    }
    this.ctx.scores.set(e, { model, output, ...(list !== undefined ? { per: list } : {}) });
    this.ctx.scoreUses.push({ model, file: scope.file, span: e.span, owner: scope.owner });
    return FLOAT;
  }

  /**
   * The declaration (define, object) or collection of the file a list expression is, by name, or a
   * `where` of one: its elements are that list's (filtered), in its order.
   */
  listSource(e: A.Expr): string | undefined {
    if (e.kind === "Where") return this.listSource(e.target);
    if (e.kind !== "Name") return undefined;
    const sym = this.ctx.symbol(e.name);
    if (sym) return sym.kind === "define" || sym.kind === "object" ? e.name : undefined;
    return this.ctx.env?.collections.get(e.name)?.shape === "jagged" ? e.name : undefined;
  }

  /** Records of jagged collections: the ones whose elements have an identity (a position in the event's collection). */
  private isCollectionRecord(name: string): boolean {
    const c = this.ctx.env?.collections.get(name);
    return c !== undefined && c.shape === "jagged";
  }

  /** combinations(a, k) / permutations(a, k): k, which the type depends on, must be written in the call. */
  private tuples(e: A.Call, list: Type, scope: Scope): Type {
    const k = e.args[1];
    const value = k.kind === "Number" && k.isInt && !k.unit ? k.value : undefined;
    if (value === undefined || value < 2 || value > MEMBER_NAMES.length) {
      this.ctx.report("HEP3050", scope.file, k.span, { name: e.callee.name, actual: printExpr(k), max: MEMBER_NAMES.length });
      return ERROR;
    }
    if (list.kind !== "list") return ERROR;
    return list_({ kind: "record", record: tupleRecord(list.element, value) });
  }

  /**
   * A random-number call's key: its declaration (or, outside declarations, its file) and its order
   * there, so that editing another declaration leaves its numbers alone. Inside a per-element
   * expression the numbers are per element, keyed by the element's position in its collection:
   * the element must be one (not a number of a list, nor a pair).
   */
  private randomSite(e: A.Call, scope: Scope): boolean {
    const el = scope.elements[scope.elements.length - 1];
    if (el && !isError(el) && !(el.kind === "record" && this.isCollectionRecord(el.record.name))) {
      this.ctx.report("HEP3051", scope.file, e.span, { name: e.callee.name, actual: describe(el) });
      return false;
    }
    if (!this.ctx.randomSites.has(e)) {
      const owner = scope.owner ?? `@${scope.file}`;
      const n = this.ctx.randomCounts.get(owner) ?? 0;
      this.ctx.randomCounts.set(owner, n + 1);
      this.ctx.randomSites.set(e, `${owner}#${n}`);
    }
    return true;
  }

  private trainedNames?: Set<string>;
  /** Models a train block names (known before any train block is checked: order never matters). */
  private trained(): Set<string> {
    return (this.trainedNames ??= new Set(this.ctx.declsOf("Train").flatMap((t) => t.decl.models.map((m) => m.name))));
  }

  private member(e: A.MemberExpr, scope: Scope): Type {
    const model = this.modelNamed(e.target, scope);
    if (model) {
      this.ctx.resolutions.set(e.target, { kind: "symbol", symbol: model });
      this.use(scope, model.name);
      return this.score(e, model, scope, e.field);
    }
    const t = this.check(e.target, scope);
    if (isError(t)) return ERROR;
    const rec = t.kind === "record" ? t.record : t.kind === "list" && t.element.kind === "record" ? t.element.record : undefined;
    if (!rec) {
      this.ctx.report("HEP2013", scope.file, e.field.span, { name: printExpr(e.target), field: e.field.name });
      return ERROR;
    }
    const f = rec.fields.get(e.field.name);
    if (!f) {
      const near = suggest(e.field.name, rec.fields.keys(), 1);
      this.ctx.report("HEP2013", scope.file, e.field.span, { name: printExpr(e.target), field: e.field.name }, near.length ? { suggestion: { message: `did you mean '${near[0]}'?`, replacement: near[0], span: e.field.span } } : {});
      return ERROR;
    }
    this.ctx.resolutions.set(e.field, { kind: "field", field: e.field.name, record: rec.name });
    if (!this.fieldInEverySample(rec.name, e.field, scope)) return ERROR;
    return t.kind === "list" ? list(f) : f;
  }

  /** A collection's field read from a branch must be in every sample's tree (a kinematic one may be derived there instead). */
  private fieldInEverySample(record: string, field: { name: string; span: A.Node["span"] }, scope: Scope): boolean {
    const branch = this.ctx.env?.collections.get(record)?.branchOf.get(field.name);
    if (!branch) return true;
    for (const s of this.ctx.samples) {
      const c = s.env?.collections.get(record);
      if (!c || c.branchOf.has(field.name) || (c.kinematics && (KINEMATIC_FIELDS as readonly string[]).includes(field.name))) continue;
      this.ctx.report("HEP2081", scope.file, field.span, { name: record, field: field.name, tree: s.tree, file: s.files[0]?.path ?? "", branch });
      return false;
    }
    return true;
  }

  /** `x in [a, b]`: a number (or each of a list) against per-event numbers; a condition (per element for a list). */
  private membership(e: A.InExpr, scope: Scope): Type {
    const t = this.check(e.target, scope);
    const items = e.items.map((it) => this.check(it, scope));
    const op = e.negated ? "not in" : "in";
    let ok = !isError(t);
    if (ok && !isNumeric(t.kind === "list" ? t.element : t)) {
      this.ctx.report("HEP3041", scope.file, e.target.span, { op, expected: "a number or a list of numbers on its left", actual: describe(t) });
      ok = false;
    }
    e.items.forEach((it, i) => {
      if (isError(items[i]) || isNumeric(items[i])) return;
      this.ctx.report("HEP3041", scope.file, it.span, { op, expected: "per-event numbers in its set", actual: describe(items[i]) });
      ok = false;
    });
    if (!ok || items.some(isError)) return ERROR;
    if (e.items.length === 0) this.ctx.report("HEP3042", scope.file, e.span, { expr: printExpr(e), value: e.negated ? "true where the value is not missing" : "false" });
    return t.kind === "list" ? list(BOOL) : BOOL;
  }

  /**
   * `a ?? b`: numbers (lifted over lists like the arithmetic operators). A left side that can
   * never be missing is a warning with a fix-it, and keeps its type when it is a condition.
   */
  private fallback(e: A.Binary, l: Type, r: Type, scope: Scope): Type {
    const lb = l.kind === "list" ? l.element : l;
    const rb = r.kind === "list" ? r.element : r;
    const nm = neverMissing(this.ctx, e.left);
    if (nm.never) {
      this.ctx.report("HEP3040", scope.file, e.left.span, { expr: printExpr(e.left), why: nm.why }, { suggestion: { message: `drop '?? ${printExpr(e.right)}'`, replacement: printExpr(e.left), span: e.span } });
    }
    if (isBool(lb) && isBool(rb)) return l.kind === "list" || r.kind === "list" ? list(BOOL) : BOOL;
    if (!isNumeric(lb)) {
      this.ctx.report("HEP3041", scope.file, e.left.span, { op: "??", expected: "a number (or a list of numbers) on its left", actual: describe(l) });
      return ERROR;
    }
    if (!isNumeric(rb)) {
      this.ctx.report("HEP3041", scope.file, e.right.span, { op: "??", expected: "a number as the fallback", actual: describe(r) });
      return ERROR;
    }
    const out = numericJoin(lb, rb);
    return l.kind === "list" || r.kind === "list" ? list(out) : out;
  }

  private binary(e: A.Binary, scope: Scope): Type {
    const l = this.check(e.left, scope);
    const r = this.check(e.right, scope);
    if (isError(l) || isError(r)) return ERROR;
    if (e.op === "??") return this.fallback(e, l, r, scope);
    const lifted = l.kind === "list" || r.kind === "list";
    const lb = l.kind === "list" ? l.element : l;
    const rb = r.kind === "list" ? r.element : r;
    const bad = () => {
      this.ctx.report("HEP3005", scope.file, e.span, { op: e.op, left: typeToString(l), right: typeToString(r) }, boolCompareFix(e, lb, rb));
      return ERROR;
    };
    let out: Type;
    switch (e.op) {
      case "and":
      case "or":
        if (!(isBool(lb) && isBool(rb))) return bad();
        out = BOOL;
        break;
      case "==":
      case "!=":
        if (!((isNumeric(lb) && isNumeric(rb)) || (isBool(lb) && isBool(rb)))) return bad();
        out = BOOL;
        break;
      case "<":
      case "<=":
      case ">":
      case ">=":
        if (!(isNumeric(lb) && isNumeric(rb))) return bad();
        out = BOOL;
        break;
      case "~=":
        if (!(isNumeric(lb) && isNumeric(rb))) return bad();
        out = FLOAT;
        break;
      case "+":
        if (isLorentz(l) && isLorentz(r)) return P4; // four-vector sum
        if (!(isNumeric(lb) && isNumeric(rb))) return bad();
        out = numericJoin(lb, rb);
        break;
      case "-":
      case "*":
      case "%":
        if (!(isNumeric(lb) && isNumeric(rb))) return bad();
        out = numericJoin(lb, rb);
        break;
      case "/":
      case "^":
        if (!(isNumeric(lb) && isNumeric(rb))) return bad();
        out = FLOAT;
        break;
      case "&":
      case "|":
      case "<<":
      case ">>":
        if (!(isInt(lb) && isInt(rb))) return bad();
        out = INT;
        break;
      case "is":
        // Identity of elements: the same element of the same collection, whichever filtered view
        // (object) it was reached through.
        if (!(lb.kind === "record" && rb.kind === "record" && lb.record.name === rb.record.name && this.isCollectionRecord(lb.record.name))) return bad();
        out = BOOL;
        break;
      default:
        return bad();
    }
    return lifted ? list(out) : out;
  }

  private call(e: A.Call, scope: Scope): Type {
    const fn = FUNCTION_BY_NAME.get(e.callee.name);
    if (!fn) {
      for (const a of e.args) this.check(a, scope);
      const sym = this.ctx.symbol(e.callee.name);
      if (sym) {
        this.ctx.report("HEP2012", scope.file, e.callee.span, { name: e.callee.name, actual: sym.kind, expected: "function" });
        return ERROR;
      }
      const near = suggest(e.callee.name, FUNCTION_BY_NAME.keys(), 1);
      this.ctx.report("HEP2014", scope.file, e.callee.span, { name: e.callee.name }, near.length ? { suggestion: { message: `did you mean '${near[0]}'?`, replacement: near[0], span: e.callee.span } } : {});
      return ERROR;
    }
    this.ctx.resolutions.set(e.callee, { kind: "function", name: fn.name });
    if (RANDOM_FUNCTIONS.has(fn.name) && !this.randomSite(e, scope)) {
      for (const a of e.args) this.check(a, scope);
      return ERROR;
    }
    const byArity = fn.signatures.filter((s) => s.params.length === e.args.length);
    if (byArity.length === 0) {
      for (const a of e.args) this.check(a, scope);
      const counts = [...new Set(fn.signatures.map((s) => s.params.length))].join(" or ");
      this.ctx.report("HEP3002", scope.file, e.span, { name: fn.name, expected: counts, actual: e.args.length });
      return ERROR;
    }
    // Type the first argument alone: per-element arguments are typed in its element scope.
    const argTypes: Type[] = [];
    const first = e.args[0] ? this.check(e.args[0], scope) : undefined;
    if (first) argTypes.push(first);
    for (let i = 1; i < e.args.length; i++) {
      const perElement = byArity.some((s) => s.params[i].kind === "per-element");
      if (perElement && first && !isError(first) && first.kind !== "list") {
        // Not a collection: argument 1 is the mistake (reported below), and this one has no element
        // type to be checked against. Typing it in an error scope would hide both.
        argTypes.push(first);
        continue;
      }
      if (perElement) {
        const el = first && first.kind === "list" ? first.element : ERROR;
        argTypes.push(this.check(e.args[i], inElement(scope, el, e.args[0] ? this.listSource(e.args[0]) : undefined)));
      } else argTypes.push(this.check(e.args[i], scope));
    }
    if (argTypes.some(isError)) return ERROR;
    let firstMismatch: { index: number; param: Param; actual: Type } | undefined;
    for (const s of byArity) {
      const m = matchSignature(s, argTypes);
      if (m.ok && s.returns === "tuples") return this.tuples(e, argTypes[0], scope);
      if (m.ok) return resultType(s, argTypes, m.lifted);
      firstMismatch ??= { index: m.index, param: s.params[m.index], actual: argTypes[m.index] };
    }
    const mm = firstMismatch!;
    this.ctx.report("HEP3003", scope.file, e.args[mm.index].span, { index: mm.index + 1, name: fn.name, expected: PARAM_WORDS[mm.param.kind], actual: describe(mm.actual) });
    return ERROR;
  }
}

/**
 * `flag == 1` and friends: a condition compared with 0 or 1 is the condition or its negation. The
 * fix-it keeps the condition as written (`flag`, `not flag`).
 */
function boolCompareFix(e: A.Binary, lb: Type, rb: Type): { suggestion?: { message: string; replacement: string; span: A.Node["span"] } } {
  if (e.op !== "==" && e.op !== "!=") return {};
  const oneOrZero = (x: A.Expr) => x.kind === "Number" && !x.unit && (x.value === 0 || x.value === 1);
  let cond: A.Expr | undefined;
  let n: A.Expr | undefined;
  if (isBool(lb) && oneOrZero(e.right)) [cond, n] = [e.left, e.right];
  else if (isBool(rb) && oneOrZero(e.left)) [cond, n] = [e.right, e.left];
  if (!cond || !n || n.kind !== "Number") return {};
  const keep = (e.op === "==") === (n.value === 1);
  const text = printExpr(cond);
  const replacement = keep ? text : `not ${exprPrecedence(cond) < PRECEDENCE.not ? `(${text})` : text}`;
  const message = keep ? `drop '${e.op} ${n.raw}': '${text}' is already a condition` : `write '${replacement}': '${text}' is already a condition`;
  return { suggestion: { message, replacement, span: e.span } };
}

/** Functions whose every call draws its own numbers (keyed by the call's place). */
const RANDOM_FUNCTIONS = new Set(["gauss", "uniform"]);

function isInt(t: Type): boolean {
  return t.kind === "scalar" && t.scalar === "int";
}

function isBool(t: Type): boolean {
  return t.kind === "scalar" && t.scalar === "bool";
}

const PARAM_WORDS: Record<Param["kind"], string> = {
  number: "a number",
  int: "an int",
  bool: "a condition",
  p4: "an object with kinematics (a four-vector)",
  collection: "a collection",
  "list<number>": "a list of numbers (e.g. jets.pt)",
  "list<bool>": "a list of conditions (e.g. jets.pt > 30)",
  "per-element": "a per-element expression",
  size: "a number written in the call",
  "p4-list": "a list of objects with kinematics (e.g. jets)",
  objects: "objects of one of the file's collections, with kinematics (e.g. GenJet, or an object such as jets)",
};

function matchParam(kind: Param["kind"], t: Type, lifts: boolean): "ok" | "lifted" | "no" {
  const direct = (x: Type): boolean => {
    switch (kind) {
      case "number":
        return isNumeric(x);
      case "int":
        return x.kind === "scalar" && x.scalar === "int";
      case "bool":
        return isBool(x);
      case "p4":
        return isLorentz(x);
      case "collection":
        return x.kind === "list";
      case "list<number>":
        return x.kind === "list" && isNumeric(x.element);
      case "list<bool>":
        return x.kind === "list" && isBool(x.element);
      case "per-element":
        return x.kind === "scalar";
      case "size":
        return x.kind === "scalar" && x.scalar === "int";
      case "p4-list":
        return x.kind === "list" && isLorentz(x.element);
      case "objects":
        // an element of a jagged collection of the file has an `index` (env.ts); pairs, candidates and four-vectors do not
        return x.kind === "list" && isLorentz(x.element) && x.element.kind === "record" && x.element.record.fields.has("index");
    }
  };
  if (direct(t)) return "ok";
  if (lifts && t.kind === "list" && (kind === "number" || kind === "int" || kind === "bool" || kind === "p4") && direct(t.element)) return "lifted";
  return "no";
}

function matchSignature(s: Signature, args: Type[]): { ok: true; lifted: boolean } | { ok: false; index: number } {
  let lifted = false;
  for (let i = 0; i < s.params.length; i++) {
    const m = matchParam(s.params[i].kind, args[i], s.lifts);
    if (m === "no") return { ok: false, index: i };
    if (m === "lifted") lifted = true;
  }
  return { ok: true, lifted };
}

function resultType(s: Signature, args: Type[], lifted: boolean): Type {
  const base = (t: Type): Type => (t.kind === "list" ? t.element : t);
  let out: Type;
  switch (s.returns) {
    case "float":
      out = FLOAT;
      break;
    case "int":
      out = INT;
      break;
    case "bool":
      out = BOOL;
      break;
    case "p4":
      out = P4;
      break;
    case "number-like": {
      const nums = args.map(base).filter(isNumeric);
      out = nums.every((t) => t.kind === "scalar" && t.scalar === "int") ? INT : FLOAT;
      break;
    }
    case "element":
      out = args[0].kind === "list" ? args[0].element : ERROR;
      break;
    case "same-list":
      out = args[0];
      break;
    case "list-element-number":
      out = args[0].kind === "list" && args[0].element.kind === "scalar" && args[0].element.scalar === "int" ? INT : FLOAT;
      break;
    case "pairs":
      out = list({ kind: "record", record: pairRecord(base(args[0]), base(args[args.length - 1])) });
      break;
    case "tuples":
      return ERROR; // typed by ExprChecker.tuples, which reads k from the call
    case "indices":
      return list(INT);

  }
  return lifted ? list(out) : out;
}

/** Names of a candidate's members, in order: `first` … `sixth` (so k is at most 6). */
export const MEMBER_NAMES = ["first", "second", "third", "fourth", "fifth", "sixth"] as const;

/** A candidate of k elements of type `el` (combinations, permutations): its members and the kinematics of their sum. */
export function tupleRecord(el: Type, k: number): RecordType {
  const name = el.kind === "record" ? el.record.name : typeToString(el);
  const fields = new Map<string, Type>(MEMBER_NAMES.slice(0, k).map((m) => [m, el]));
  const lorentz = isLorentz(el);
  if (lorentz) for (const f of KINEMATIC_FIELDS) fields.set(f, FLOAT);
  return { name: `tuple<${Array(k).fill(name).join(",")}>`, fields, lorentz };
}

function pairRecord(a: Type, b: Type): RecordType {
  const name = (t: Type) => (t.kind === "record" ? t.record.name : typeToString(t));
  const fields = new Map<string, Type>([
    ["first", a],
    ["second", b],
  ]);
  const lorentz = isLorentz(a) && isLorentz(b);
  if (lorentz) for (const f of KINEMATIC_FIELDS) fields.set(f, FLOAT);
  return { name: `pair<${name(a)},${name(b)}>`, fields, lorentz };
}

/** For a list where a scalar is needed: `jets.pt` → `jets[0].pt` or `sum(jets.pt)`. */
function scalarSuggestion(e: A.Expr, t: Type): { message: string; replacement?: string; span?: A.Node["span"] } | undefined {
  if (t.kind === "record") return { message: `use one of its fields, e.g. ${printExpr(e)}.pt` };
  if (t.kind !== "list") return undefined;
  if (e.kind === "Member") {
    const target = printExpr(e.target);
    const options = [`${target}[0].${e.field.name}`];
    if (isNumeric(t.element)) options.push(`sum(${printExpr(e)})`, `max(${printExpr(e)})`);
    return { message: `did you mean ${options.map((o) => `'${o}'`).join(" or ")}?`, replacement: options[0], span: e.span };
  }
  if (t.element.kind === "record") return { message: `did you mean 'count(${printExpr(e)})' or '${printExpr(e)}[0].pt'?`, replacement: `count(${printExpr(e)})`, span: e.span };
  if (isBool(t.element)) return { message: `did you mean 'any(${printExpr(e)})' or 'all(${printExpr(e)})'?`, replacement: `any(${printExpr(e)})`, span: e.span };
  return { message: `did you mean '${printExpr(e)}[0]' or 'sum(${printExpr(e)})'?`, replacement: `${printExpr(e)}[0]`, span: e.span };
}

/** The 1-based line of an offset in one of the program's files. */
export function lineOf(ctx: CheckContext, file: string, offset: number): number {
  const text = ctx.program.files.find((f) => f.path === file)?.text ?? "";
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
