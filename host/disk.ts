/**
 * The compiler host on a real machine: files from disk, globs, and ROOT tree metadata read with
 * runtime/io (metadata only: no baskets). Schemas are cached by path, size and modification time,
 * so the language server re-checks on every keystroke without re-reading ROOT files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CompilerHost, FileIdentity, SchemaResult, TreeSchema } from "../compiler/host.js";
import { globFiles } from "../compiler/load/glob.js";
import { readTreeSchema, RootIoError } from "../runtime/io/index.js";

const schemaCache = new Map<string, { key: string; result: SchemaResult }>();

export function nodeHost(cwd: string = process.cwd()): CompilerHost {
  return {
    cwd,
    readFile(p: string): Uint8Array | undefined {
      try {
        return fs.readFileSync(p);
      } catch {
        return undefined;
      }
    },
    readHead(p: string, bytes: number): Uint8Array | undefined {
      let fd: number | undefined;
      try {
        fd = fs.openSync(p, "r");
        const buf = new Uint8Array(bytes);
        return buf.subarray(0, fs.readSync(fd, buf, 0, bytes, 0));
      } catch {
        return undefined;
      } finally {
        if (fd !== undefined) fs.closeSync(fd);
      }
    },
    identity(p: string): FileIdentity | undefined {
      try {
        const st = fs.statSync(p);
        return st.isFile() ? { size: st.size, mtimeMs: Math.floor(st.mtimeMs) } : undefined;
      } catch {
        return undefined;
      }
    },
    glob(pattern: string): string[] {
      return globFiles(pattern, {
        readdir(dir) {
          try {
            return fs.readdirSync(dir, { withFileTypes: true }).map((e) => ({ name: e.name, dir: e.isDirectory() }));
          } catch {
            return [];
          }
        },
      });
    },
    async treeSchema(file: string, tree: string): Promise<SchemaResult> {
      let st: fs.Stats;
      try {
        st = fs.statSync(file);
      } catch {
        return { ok: false, error: "missing", message: "no such file" };
      }
      if (!st.isFile()) return { ok: false, error: "unreadable", message: "not a regular file" };
      const cacheKey = `${file}\0${tree}`;
      const key = `${st.size}:${st.mtimeMs}`;
      const hit = schemaCache.get(cacheKey);
      if (hit && hit.key === key) return hit.result;
      const result = await readSchema(file, tree, cwd);
      schemaCache.set(cacheKey, { key, result });
      return result;
    },
  };
}

async function readSchema(file: string, tree: string, cwd: string): Promise<SchemaResult> {
  try {
    const info = await readTreeSchema(file, tree);
    const schema: TreeSchema = {
      file: path.relative(cwd, file) || file,
      tree,
      entries: info.entries,
      branches: info.branches.map((b) => ({ name: b.name, typename: b.typename, kind: b.kind, dtype: b.dtype, countBranch: b.countBranch })),
    };
    return { ok: true, schema };
  } catch (e) {
    if (!(e instanceof RootIoError)) return { ok: false, error: "unreadable", message: (e as Error).message };
    if (e.tree !== undefined && e.branch === undefined && /^no tree|not a TTree/.test(e.detail)) {
      return { ok: false, error: "no-tree", message: e.detail, suggestions: e.suggestions };
    }
    if (/no such file/.test(e.detail)) return { ok: false, error: "missing", message: e.detail };
    return { ok: false, error: "not-root", message: e.detail };
  }
}
