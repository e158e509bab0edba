/**
 * Binding: every named declaration of the program in one table. Names are global across the
 * analysis and its includes; declaration order never matters.
 */
import type * as A from "../../grammar/ast.js";
import type { Span } from "../core/source.js";

export type SymbolKind = "sample" | "group" | "object" | "define" | "region" | "bins" | "features" | "model" | "param";

export interface SymbolInfo {
  name: string;
  kind: SymbolKind;
  decl: A.SampleDecl | A.GroupDecl | A.ObjectDecl | A.DefineDecl | A.RegionDecl | A.BinsDecl | A.FeaturesDecl | A.ModelDecl | A.ParamDecl;
  /** The file the declaration is in (display path). */
  file: string;
  nameSpan: Span;
}

/** A declaration together with the file it came from. */
export interface Located<D> {
  decl: D;
  file: string;
}

export const KIND_OF: Partial<Record<A.Decl["kind"], SymbolKind>> = {
  Sample: "sample",
  Group: "group",
  Object: "object",
  Define: "define",
  Region: "region",
  Bins: "bins",
  Features: "features",
  Model: "model",
  Param: "param",
};
