/**
 * Reading columns: picks the baskets that overlap the asked entry range, reads their bytes with
 * positioned reads, has the pool decompress/decode them, and stitches the pieces into one typed
 * array per branch (offsets + values for jagged branches).
 */
import { openSource, SourceError, type ByteSource } from "../source/index.js";
import { BasketError, decodePayload, DTYPE_SIZE, type DecodedBasket } from "./basket.js";
import { nearestNames, RootIoError } from "./errors.js";
import { listObjects, openJsFile, readObject, type JsFile, type ObjectInfo } from "./jsfile.js";
import { buildTreeMeta, type BranchMeta, type TreeInfo, type TreeMeta } from "./tree.js";
import { basketContext, basketError, ColumnAssembler, type Column, type PlannedBasket, type PlannedColumn, type ReadPlan } from "./plan.js";
import { decodePool, WorkerDecodeError, type DecodePool } from "./pool.js";

export type { Column } from "./plan.js";

export interface EntryRange {
  start: number;
  stop: number;
}

export interface RootFile {
  path: string;
  objects(): ObjectInfo[];
  tree(path: string): Promise<TreeInfo>;
  read(tree: string, branches: string[], range?: EntryRange): Promise<Map<string, Column>>;
  /**
   * What `read` would read, as plain data for another thread to execute (`readPlanSync`). Every
   * branch is resolved and checked here, so a plan that is returned names only readable baskets.
   */
  plan(tree: string, branches: string[], range?: EntryRange): Promise<ReadPlan>;
  /** The first entry of every basket of these branches (sorted, with duplicates): where chunks can start without splitting a basket. */
  basketStarts(tree: string, branches: string[]): Promise<number[][]>;
  close(): Promise<void>;
  /** Bytes this handle has read from the file so far (metadata and baskets; baskets read by worker threads excluded). */
  readonly bytesRead: number;
}

const TREE_CLASSES = new Set(["TTree", "TNtuple", "TNtupleD"]);

/**
 * Parsed metadata of files opened before in this process, keyed by the file's identity (device,
 * inode, size, times), so reopening an unchanged file (the run after the check of a chain of
 * thousands of files, a chain of the same file, the language server asking for a schema again)
 * skips jsroot's streamer-info and TTree parsing. Least recently used files are dropped beyond a
 * budget of memory, estimated from what each file's metadata holds.
 */
interface CachedFile {
  objects: ObjectInfo[];
  trees: Map<string, TreeMeta>;
  bytes: number;
  /** Still in the cache (a handle may outlive its file's entry). */
  live: boolean;
}
const metaCache = new Map<string, CachedFile>();
const META_CACHE_BYTES = 64 * 2 ** 20;
let metaCacheBytes = 0;

function cacheFor(identity: string, objects?: ObjectInfo[]): CachedFile | undefined {
  let c = metaCache.get(identity);
  if (c) {
    metaCache.delete(identity); // re-insert: most recently used last
    metaCache.set(identity, c);
    return c;
  }
  if (!objects) return undefined;
  c = { objects, trees: new Map(), bytes: 256 * (objects.length + 1), live: true };
  metaCache.set(identity, c);
  metaCacheBytes += c.bytes;
  trimMetaCache();
  return c;
}

/** Adds a tree's metadata to a cached file, counting what it holds. */
function cacheTree(c: CachedFile, key: string, m: TreeMeta): void {
  let bytes = 0;
  for (const b of m.branches) {
    bytes += 1024 + 96 * b.baskets.length;
    for (const r of b.baskets) if ("embedded" in r) bytes += r.embedded.payload.byteLength;
  }
  c.trees.set(key, m);
  if (!c.live) return;
  c.bytes += bytes;
  metaCacheBytes += bytes;
  trimMetaCache();
}

function trimMetaCache(): void {
  // the most recent file stays, whatever its size
  while (metaCacheBytes > META_CACHE_BYTES && metaCache.size > 1) {
    const [oldest, c] = metaCache.entries().next().value as [string, CachedFile];
    metaCache.delete(oldest);
    metaCacheBytes -= c.bytes;
    c.live = false;
  }
}

class RootFileImpl implements RootFile {
  private trees = new Map<string, Promise<TreeMeta>>();
  private jsPromise: Promise<JsFile> | null;
  constructor(
    readonly path: string,
    readonly source: ByteSource,
    js: JsFile | null,
    private readonly objs: ObjectInfo[],
    private readonly cache: CachedFile,
  ) {
    this.jsPromise = js ? Promise.resolve(js) : null;
  }

  /** jsroot's view of the file, opened only when metadata is not cached. */
  private js(): Promise<JsFile> {
    if (!this.jsPromise) this.jsPromise = openJsFile(this.source);
    return this.jsPromise;
  }

  get bytesRead(): number {
    return this.source.bytesRead;
  }

  objects(): ObjectInfo[] {
    return this.objs.map((o) => ({ ...o }));
  }

  /** Finds a tree by path ("dir/sub/tree", optionally ";cycle"); the highest cycle wins. */
  private resolveTree(path: string): ObjectInfo {
    const clean = path.replace(/^\/+/, "");
    const [name, cycleText] = clean.split(";");
    const trees = this.objs.filter((o) => TREE_CLASSES.has(o.className));
    const hits = trees.filter((o) => o.path === name && (cycleText === undefined || o.cycle === Number(cycleText)));
    if (hits.length > 0) return hits.reduce((a, b) => (b.cycle > a.cycle ? b : a));
    const other = this.objs.find((o) => o.path === name);
    if (other) {
      throw new RootIoError(`'${name}' is a ${other.className}, not a TTree`, { file: this.path, tree: name });
    }
    const names = [...new Set(trees.map((t) => t.path))];
    // A bare name that matches one tree in a subdirectory is accepted.
    const byBase = names.filter((n) => n.split("/").pop() === name);
    if (byBase.length === 1) return this.resolveTree(cycleText === undefined ? byBase[0] : `${byBase[0]};${cycleText}`);
    const suggestions = nearestNames(name, names);
    const listing = names.length ? `trees in the file: ${names.slice(0, 10).join(", ")}${names.length > 10 ? ", ..." : ""}` : "the file has no trees";
    throw new RootIoError(`no tree '${name}' (${listing})`, { file: this.path, tree: name, suggestions });
  }

  async meta(path: string): Promise<TreeMeta> {
    const obj = this.resolveTree(path);
    const key = `${obj.path};${obj.cycle}`;
    let p = this.trees.get(key);
    if (!p) {
      const cached = this.cache.trees.get(key);
      if (cached) p = Promise.resolve(cached);
      else {
        p = this.js().then(async (js) => {
          const m = buildTreeMeta(js, await readObject(js, key, { tree: obj.path }), obj.path);
          cacheTree(this.cache, key, m);
          return m;
        });
      }
      this.trees.set(key, p);
      p.catch(() => this.trees.delete(key));
    }
    return p;
  }

  async tree(path: string): Promise<TreeInfo> {
    const m = await this.meta(path);
    return { file: this.path, path: m.path, entries: m.entries, branches: m.branches.map((b) => ({ ...b.info })) };
  }

  async read(tree: string, branches: string[], range?: EntryRange): Promise<Map<string, Column>> {
    const meta = await this.meta(tree);
    return readSegments([{ file: this, meta }], branches, range);
  }

  async plan(tree: string, branches: string[], range?: EntryRange): Promise<ReadPlan> {
    const meta = await this.meta(tree);
    return planSegments([{ file: this, meta }], branches, range);
  }

  async basketStarts(tree: string, branches: string[]): Promise<number[][]> {
    const seg = { file: this, meta: await this.meta(tree) };
    return [...new Set(branches)].map((b) => findBranch(seg, b).baskets.map((r) => r.first));
  }

  async close(): Promise<void> {
    await this.source.close();
  }
}

export async function openRoot(path: string): Promise<RootFile> {
  return openRootImpl(path);
}

async function openRootImpl(path: string): Promise<RootFileImpl> {
  let source: ByteSource;
  try {
    source = await openSource(path);
  } catch (e) {
    if (e instanceof SourceError) {
      const what = e.code === "missing" ? "no such file" : e.code === "directory" ? "is a directory, not a ROOT file" : e.message;
      throw new RootIoError(what, { file: path }, { cause: e });
    }
    throw e;
  }
  try {
    const cached = cacheFor(source.identity);
    if (cached) return new RootFileImpl(path, source, null, cached.objects, cached);
    const js = await openJsFile(source);
    const objs = await listObjects(js);
    return new RootFileImpl(path, source, js, objs, cacheFor(source.identity, objs)!);
  } catch (e) {
    await source.close();
    throw e;
  }
}

/** Metadata only: no basket is read. */
export async function readTreeSchema(path: string, tree: string): Promise<TreeInfo> {
  const f = await openRootImpl(path);
  try {
    return await f.tree(tree);
  } finally {
    await f.close();
  }
}

/**
 * Reads the same branches of the same tree from several files as one column per branch, as if the
 * files were one (a chain). `range` counts entries across the whole chain.
 */
export async function readChain(
  paths: string[],
  tree: string,
  branches: string[],
  range?: EntryRange,
): Promise<Map<string, Column>> {
  if (paths.length === 0) throw new RootIoError("a chain needs at least one file", { file: "(no files)", tree });
  const files: RootFileImpl[] = [];
  try {
    for (const p of paths) files.push(await openRootImpl(p));
    const segs: Segment[] = [];
    for (const f of files) segs.push({ file: f, meta: await f.meta(tree) });
    return await readSegments(segs, branches, range);
  } finally {
    await Promise.all(files.map((f) => f.close()));
  }
}

// ---------------------------------------------------------------------------------------------

interface Segment {
  file: RootFileImpl;
  meta: TreeMeta;
}

function findBranch(seg: Segment, name: string): BranchMeta {
  const m = seg.meta.byName.get(name);
  if (m) return m;
  // Sub-branches of split objects may be named without their parent's path when that is unique.
  const tail = seg.meta.branches.filter((b) => b.info.name.split("/").pop() === name);
  if (tail.length === 1) return tail[0];
  const names = seg.meta.branches.map((b) => b.info.name);
  const suggestions = nearestNames(name, names);
  const count = `the tree has ${names.length} branches`;
  throw new RootIoError(`no branch '${name}' (${count}${suggestions.length ? "" : `: ${names.slice(0, 8).join(", ")}${names.length > 8 ? ", ..." : ""}`})`, {
    file: seg.file.path,
    tree: seg.meta.path,
    branch: name,
    suggestions,
  });
}

function planSegments(segs: Segment[], names: string[], range?: EntryRange): ReadPlan {
  const unique = [...new Set(names)];
  const total = segs.reduce((a, s) => a + s.meta.entries, 0);
  const start = Math.max(0, range?.start ?? 0);
  const stop = Math.min(total, range?.stop ?? total);
  if (range && (!Number.isInteger(range.start) || !Number.isInteger(range.stop) || range.start < 0 || range.stop < range.start)) {
    throw new RootIoError(`invalid entry range ${range.start}:${range.stop}`, { file: segs[0]?.file.path ?? "", tree: segs[0]?.meta.path });
  }
  const n = Math.max(0, stop - start);

  // Resolve and check every branch in every file before reading anything.
  const columns: PlannedColumn[] = [];
  const perSeg: BranchMeta[][] = segs.map(() => []);
  for (const name of unique) {
    let column: PlannedColumn | null = null;
    segs.forEach((seg, si) => {
      const b = findBranch(seg, name);
      if (b.info.kind === "unsupported" || !b.interp || !b.info.dtype) {
        throw new RootIoError(`cannot read branch of type ${b.info.typename}: ${b.info.unsupportedReason ?? "unsupported"}`, {
          file: seg.file.path,
          tree: seg.meta.path,
          branch: b.info.name,
        });
      }
      if (b.info.entries < seg.meta.entries) {
        throw new RootIoError(`branch has ${b.info.entries} entries but its tree has ${seg.meta.entries}`, {
          file: seg.file.path, tree: seg.meta.path, branch: b.info.name,
        });
      }
      const shape = b.info.shape;
      if (!column) {
        column = { name, kind: b.info.kind as PlannedColumn["kind"], dtype: b.info.dtype, perEntry: b.interp.perEntry };
        if (shape) column.shape = shape;
      } else if (column.kind !== b.info.kind || column.dtype !== b.info.dtype || String(column.shape) !== String(shape)) {
        throw new RootIoError(`branch is ${b.info.typename} here but ${segs[0].meta.byName.get(name)?.info.typename ?? "different"} in ${segs[0].file.path}`, {
          file: seg.file.path, tree: seg.meta.path, branch: b.info.name,
        });
      }
      perSeg[si].push(b);
    });
    columns.push(column!);
  }

  // The baskets that overlap the range, in entry order per column.
  const baskets: PlannedBasket[] = [];
  let segStart = 0;
  segs.forEach((seg, si) => {
    const lo = Math.max(start, segStart) - segStart;
    const hi = Math.min(stop, segStart + seg.meta.entries) - segStart;
    if (hi > lo) {
      perSeg[si].forEach((b, ci) => {
        let covered = lo;
        for (const ref of b.baskets) {
          if (ref.stop <= lo || ref.first >= hi) continue;
          if (ref.first > covered) break;
          const from = Math.max(lo, ref.first);
          const to = Math.min(hi, ref.stop);
          const pb: PlannedBasket = {
            column: ci,
            file: seg.file.path,
            tree: seg.meta.path,
            branch: b.info.name,
            basket: ref.index,
            first: ref.first,
            seek: "seek" in ref ? ref.seek : 0,
            bytes: "bytes" in ref ? ref.bytes : 0,
            entries: ref.stop - ref.first,
            interp: b.interp!,
            from: from - ref.first,
            to: to - ref.first,
            outEntry: segStart + from - start,
          };
          if ("embedded" in ref) pb.embedded = ref.embedded;
          baskets.push(pb);
          covered = Math.max(covered, to);
        }
        if (covered < hi) {
          throw new RootIoError(`entries ${covered}..${hi} are in no basket (the file may be damaged or still being written)`, {
            file: seg.file.path, tree: seg.meta.path, branch: b.info.name, entry: covered,
          });
        }
      });
    }
    segStart += seg.meta.entries;
  });
  return { n, columns, baskets };
}

async function readSegments(segs: Segment[], names: string[], range?: EntryRange): Promise<Map<string, Column>> {
  const plan = planSegments(segs, names, range);
  const sources = new Map<string, ByteSource>(segs.map((s) => [s.file.path, s.file.source]));
  // Small reads stay on this thread: starting workers costs more than decoding a few baskets.
  let stored = 0;
  for (const b of plan.baskets) stored += b.bytes;
  const pool = decodePool();
  const threaded = pool.threaded && stored >= pool.threadsFromBytes;
  // Threaded, workers write flat/fixed values straight into shared columns: no copy on this thread
  // and no per-basket buffers left for the garbage collector, which keeps peak memory near the output.
  const asm = new ColumnAssembler(plan, threaded);
  await runBaskets(plan, asm, (b) => decodeOne(b, asm, sources.get(b.file)!, pool, threaded), threaded);
  return asm.finish();
}

/**
 * Runs basket jobs with bounded read-ahead (bounded memory): at most MAX_INFLIGHT_BYTES of stored
 * baskets, and a number of jobs that keeps workers fed with batches of small baskets. Each job
 * reads its bytes and decodes them (on the pool when threaded); results are placed as they arrive.
 */
const MAX_INFLIGHT_BYTES = 32 * 1024 * 1024;

async function runBaskets(
  plan: ReadPlan,
  asm: ColumnAssembler,
  decode: (b: PlannedBasket, k: number) => Promise<DecodedBasket | null>,
  threaded: boolean,
): Promise<void> {
  const jobs = plan.baskets;
  const maxJobs = threaded ? 512 : 8;
  let next = 0;
  let inflight = 0;
  let inflightBytes = 0;
  let failure: unknown = null;
  await new Promise<void>((resolve) => {
    const launch = (): void => {
      while (failure === null && next < jobs.length && inflight < maxJobs && (inflight === 0 || inflightBytes < MAX_INFLIGHT_BYTES)) {
        const k = next++;
        const b = jobs[k];
        inflight++;
        inflightBytes += b.bytes;
        decode(b, k)
          .then((d) => asm.place(k, d))
          .catch((e: unknown) => {
            if (failure === null) failure = e;
          })
          .finally(() => {
            inflight--;
            inflightBytes -= b.bytes;
            launch();
          });
      }
      if (inflight === 0) resolve();
    };
    launch();
  });
  if (failure !== null) throw failure;
}

async function decodeOne(b: PlannedBasket, asm: ColumnAssembler, source: ByteSource, pool: DecodePool, threaded: boolean): Promise<DecodedBasket | null> {
  try {
    if (b.embedded) {
      const e = b.embedded;
      return decodePayload(e.payload, e.keylen, e.last, e.nevbuf, b.interp);
    }
    if (b.bytes <= 0 || b.seek <= 0) throw new BasketError(`basket has no bytes on disk (seek ${b.seek}, size ${b.bytes})`);
    if (b.seek + b.bytes > source.size) {
      throw new SourceError(`${source.path} is truncated: the basket needs bytes ${b.seek}..${b.seek + b.bytes} but the file has ${source.size}`, source.path, "short-read");
    }
    if (threaded) {
      const v = asm.values[b.column];
      const per = b.interp.perEntry;
      const dest =
        v && v.buffer instanceof SharedArrayBuffer
          ? { buffer: v.buffer, byteOffset: b.outEntry * per * DTYPE_SIZE[asm.plan.columns[b.column].dtype], from: b.from * per, to: b.to * per }
          : undefined;
      return await pool.decodeFromFile(source.path, b.seek, b.bytes, b.entries, b.interp, dest);
    }
    return pool.decodeHere(await source.read(b.seek, b.bytes), b.entries, b.interp);
  } catch (e) {
    // A worker's errors arrive as WorkerDecodeErrors named after the original; all but a failed
    // read are damage in the basket.
    if (e instanceof WorkerDecodeError && e.kind !== "SourceError") throw new RootIoError(`corrupted basket: ${e.message}`, basketContext(b), { cause: e });
    throw basketError(b, e);
  }
}
