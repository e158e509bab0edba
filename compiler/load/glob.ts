/**
 * Glob patterns for sample file lists: `*`, `?`, `[abc]` within a path segment and `**` across
 * segments. Node 20 has no fs.glob, and a dependency for this is not worth it.
 */

export function hasGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** A regular expression for one path segment. */
export function segmentRegex(segment: string): RegExp {
  let re = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const close = segment.indexOf("]", i + 1);
      if (close < 0) re += "\\[";
      else {
        const body = segment.slice(i + 1, close).replace(/^!/, "^").replace(/\\/g, "\\\\");
        re += `[${body}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

export interface GlobFs {
  readdir(dir: string): Array<{ name: string; dir: boolean }>;
}

/** Matches an absolute pattern against the file system, returning sorted absolute file paths. */
export function globFiles(pattern: string, fs: GlobFs): string[] {
  const parts = pattern.split("/");
  const out = new Set<string>();
  const walk = (dir: string, i: number): void => {
    if (i === parts.length) return;
    const seg = parts[i];
    const last = i === parts.length - 1;
    if (seg === "**") {
      walk(dir, i + 1);
      for (const e of fs.readdir(dir)) if (e.dir && !e.name.startsWith(".")) walk(join(dir, e.name), i);
      return;
    }
    if (!hasGlob(seg)) {
      const next = join(dir, seg);
      if (last) {
        const parent = fs.readdir(dir).find((e) => e.name === seg && !e.dir);
        if (parent) out.add(next);
      } else walk(next, i + 1);
      return;
    }
    const re = segmentRegex(seg);
    for (const e of fs.readdir(dir)) {
      if (!re.test(e.name) || (e.name.startsWith(".") && !seg.startsWith("."))) continue;
      if (last) {
        if (!e.dir) out.add(join(dir, e.name));
      } else if (e.dir) walk(join(dir, e.name), i + 1);
    }
  };
  walk(parts[0] === "" ? "/" : parts[0], 1);
  return [...out].sort();
}

function join(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}
