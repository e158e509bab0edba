/**
 * Compiler hosts for tests. `memoryHost` serves files and tree schemas from memory (and may fall
 * back to another host for the rest); `recordingHost` wraps a real host and keeps what it was asked,
 * so a test can read each ROOT file's schema once and then compile thousands of variants from memory.
 */
import type { CompilerHost, FileIdentity, SchemaResult } from "../../compiler/host.js";
import { globFiles } from "../../compiler/load/glob.js";

const encoder = new TextEncoder();

export function schemaKey(abs: string, tree: string): string {
  return `${abs}\0${tree}`;
}

export interface MemoryHost extends CompilerHost {
  /** Files by absolute path. */
  readonly files: Map<string, Uint8Array>;
  /** Tree schemas by schemaKey(path, tree). */
  readonly schemas: Map<string, SchemaResult>;
  /** Identities of files not held in memory (ROOT inputs), by absolute path; undefined: no such file. */
  readonly identities: Map<string, FileIdentity | undefined>;
  setFile(abs: string, content: string | Uint8Array): void;
}

export interface MemoryHostOptions {
  cwd: string;
  files?: Iterable<[string, string | Uint8Array]>;
  schemas?: Iterable<[string, SchemaResult]>;
  identities?: Iterable<[string, FileIdentity | undefined]>;
  /** Asked for whatever is not in memory. Without one, what is not in memory does not exist. */
  fallback?: CompilerHost;
}

export function memoryHost(opts: MemoryHostOptions): MemoryHost {
  const files = new Map<string, Uint8Array>();
  for (const [p, c] of opts.files ?? []) files.set(p, typeof c === "string" ? encoder.encode(c) : c);
  const schemas = new Map<string, SchemaResult>(opts.schemas ?? []);
  const identities = new Map<string, FileIdentity | undefined>(opts.identities ?? []);
  const fallback = opts.fallback;

  /** Every path the host knows of: files and the files schemas were read from. */
  const known = (): string[] => [
    ...files.keys(),
    ...[...identities].filter(([, id]) => id).map(([p]) => p),
    ...[...schemas].filter(([, r]) => r.ok || r.error !== "missing").map(([k]) => k.slice(0, k.indexOf("\0"))),
  ];
  const readdir = (dir: string): Array<{ name: string; dir: boolean }> => {
    const prefix = dir.endsWith("/") ? dir : dir + "/";
    const out = new Map<string, boolean>();
    for (const p of known()) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      const slash = rest.indexOf("/");
      if (slash < 0) out.set(rest, out.get(rest) ?? false);
      else out.set(rest.slice(0, slash), true);
    }
    return [...out].map(([name, isDir]) => ({ name, dir: isDir }));
  };

  return {
    cwd: opts.cwd,
    files,
    schemas,
    identities,
    setFile(abs, content) {
      files.set(abs, typeof content === "string" ? encoder.encode(content) : content);
    },
    readFile(p: string): Uint8Array | undefined {
      return files.get(p) ?? fallback?.readFile(p);
    },
    identity(p: string): FileIdentity | undefined {
      const f = files.get(p);
      if (f) return { size: f.length, mtimeMs: 0 };
      if (identities.has(p)) return identities.get(p);
      return fallback?.identity(p);
    },
    glob(pattern: string): string[] {
      const mine = globFiles(pattern, { readdir });
      const theirs = fallback?.glob(pattern) ?? [];
      return [...new Set([...mine, ...theirs])].sort();
    },
    async treeSchema(p: string, tree: string): Promise<SchemaResult> {
      const hit = schemas.get(schemaKey(p, tree));
      if (hit) return hit;
      if (fallback) return fallback.treeSchema(p, tree);
      return files.has(p) ? { ok: false, error: "not-root", message: "not a ROOT file (in memory)" } : { ok: false, error: "missing", message: "no such file" };
    },
  };
}

export interface RecordingHost extends CompilerHost {
  /** What `readFile` returned, by absolute path (only files that exist). */
  readonly files: Map<string, Uint8Array>;
  readonly schemas: Map<string, SchemaResult>;
  readonly identities: Map<string, FileIdentity | undefined>;
  /** A memory host holding everything recorded so far, asking nothing of the file system. */
  replay(): MemoryHost;
}

/** Wraps a host and records the files and schemas it served. */
export function recordingHost(base: CompilerHost): RecordingHost {
  const files = new Map<string, Uint8Array>();
  const schemas = new Map<string, SchemaResult>();
  const identities = new Map<string, FileIdentity | undefined>();
  return {
    cwd: base.cwd,
    files,
    schemas,
    identities,
    readFile(p) {
      const b = base.readFile(p);
      if (b) files.set(p, b);
      return b;
    },
    identity(p) {
      const id = base.identity(p);
      identities.set(p, id);
      return id;
    },
    glob: (pattern) => base.glob(pattern),
    async treeSchema(p, tree) {
      const key = schemaKey(p, tree);
      const hit = schemas.get(key);
      if (hit) return hit;
      const r = await base.treeSchema(p, tree);
      schemas.set(key, r);
      return r;
    },
    replay() {
      return memoryHost({ cwd: base.cwd, files, schemas, identities });
    },
  };
}
