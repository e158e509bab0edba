/**
 * What the compiler may ask of the outside world, and nothing more: read a declared file, know a
 * file's identity, expand a glob, and read a tree's metadata. The CLI and the language server hand
 * in implementations (cli/host.ts); tests can hand in fakes. Keeping I/O behind this interface is
 * what makes compilation hermetic.
 */
import type { BranchKind } from "../plan/branches.js";

export interface BranchSchema {
  name: string;
  /** C++-ish type as uproot shows it: "float", "int32_t[]", "std::vector<float>" */
  typename: string;
  kind: BranchKind;
  /** "f4", "i4", "bool", ...; null when unsupported */
  dtype: string | null;
  countBranch?: string;
}

export interface TreeSchema {
  file: string;
  tree: string;
  entries: number;
  branches: BranchSchema[];
}

export type SchemaResult =
  | { ok: true; schema: TreeSchema }
  | { ok: false; error: "missing" | "not-root" | "no-tree" | "unreadable"; message: string; suggestions?: string[] };

export interface FileIdentity {
  size: number;
  mtimeMs: number;
}

export interface CompilerHost {
  /** The file's bytes, or undefined when it does not exist or cannot be read. */
  readFile(path: string): Uint8Array | undefined;
  identity(path: string): FileIdentity | undefined;
  /**
   * The first `bytes` bytes of a file (fewer when it is shorter), or undefined when it cannot be
   * read: for checking what a large file is (an ONNX model) without reading all of it. Optional:
   * without it, the compiler takes the start of readFile.
   */
  readHead?(path: string, bytes: number): Uint8Array | undefined;
  /** Files matching a glob (absolute pattern), sorted. */
  glob(pattern: string): string[];
  treeSchema(path: string, tree: string): Promise<SchemaResult>;
  /** The folder paths are shown relative to (the working directory). */
  readonly cwd: string;
}
