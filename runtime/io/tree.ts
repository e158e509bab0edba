/**
 * Tree metadata: a TTree object (as jsroot parsed it) becomes the reader's list of branches, each
 * with its interpretation and the baskets that hold its entries. Sub-branches are named by their
 * path ("parent/child"); counted branches are tied to the branch that holds their count.
 */
import type { BranchKind } from "../../plan/branches.js";
import type { Dtype, Interp } from "./basket.js";
import { RootIoError } from "./errors.js";
import { decideElementBranch, decideLeafBranch, leafListColumns } from "./interpret.js";
import { jsrootDamage, jsrootError, type JsFile, type JsObj } from "./jsfile.js";

export interface BranchInfo {
  name: string;
  typename: string;
  dtype: Dtype | null;
  kind: BranchKind;
  countBranch?: string;
  shape?: number[];
  unsupportedReason?: string;
  entries: number;
  baskets: number;
  compressedBytes: number;
  uncompressedBytes: number;
  compression?: string;
  title?: string;
  /** For a leaf of a leaf-list branch, read as a column of its own: that branch (whose baskets it shares). */
  leafListOf?: string;
}

export interface TreeInfo {
  file: string;
  path: string;
  entries: number;
  branches: BranchInfo[];
}

/** Where a basket's bytes are: in the file at `seek`, or already in memory inside the TBranch. */
export type BasketRef =
  | { index: number; first: number; stop: number; seek: number; bytes: number }
  | { index: number; first: number; stop: number; embedded: { payload: Uint8Array; keylen: number; last: number; nevbuf: number } };

export interface BranchMeta {
  info: BranchInfo;
  interp: Interp | null;
  baskets: BasketRef[];
}

export interface TreeMeta {
  path: string;
  entries: number;
  branches: BranchMeta[];
  byName: Map<string, BranchMeta>;
}

/** "ZLIB-4", "LZ4-1", ... from a branch's fCompress (algorithm * 100 + level). */
function compressionName(c: number | undefined): string | undefined {
  if (c === undefined || c === null || c < 0) return undefined;
  const alg = Math.floor(c / 100);
  const level = c % 100;
  if (level === 0) return "none";
  const name = ({ 0: "ZLIB", 1: "ZLIB", 2: "LZMA", 3: "ZLIB-old", 4: "LZ4", 5: "ZSTD" } as Record<number, string>)[alg];
  return name ? `${name}-${level}` : `algorithm-${alg}-${level}`;
}

function basketRefs(b: JsObj, entries: number): BasketRef[] {
  const refs: BasketRef[] = [];
  const wb: number = b.fWriteBasket ?? 0;
  const seek = b.fBasketSeek ?? [];
  const bytes = b.fBasketBytes ?? [];
  const first = b.fBasketEntry ?? [];
  for (let i = 0; i < wb; i++) {
    const stop = i + 1 < first.length && (i + 1 < wb || Number(first[i + 1]) > 0) ? Number(first[i + 1]) : entries;
    refs.push({ index: i, first: Number(first[i]), stop, seek: Number(seek[i]), bytes: Number(bytes[i]) });
  }
  const embedded: JsObj[] = b.fBaskets?.arr ?? [];
  embedded.forEach((bk, k) => {
    if (!bk || bk._typename !== "TBasket") return;
    const start = k < first.length ? Number(first[k]) : refs.length ? refs[refs.length - 1].stop : 0;
    const buf = bk.fBufferRef;
    const dataLen = bk.fLast - bk.fKeylen;
    const data: Uint8Array = buf?.arr
      ? new Uint8Array(buf.arr.buffer, buf.arr.byteOffset, Math.min(buf.length ?? dataLen, dataLen))
      : new Uint8Array(0);
    // Rebuild the payload layout of a stored basket: data, then the entry-offset table.
    const offs: ArrayLike<number> | undefined = bk.fEntryOffset;
    const withTable = b.fEntryOffsetLen > 0 && offs && offs.length >= bk.fNevBuf;
    const payload = new Uint8Array(dataLen + (withTable ? 4 + 4 * bk.fNevBuf : 0));
    payload.set(data.subarray(0, dataLen));
    if (withTable) {
      const dv = new DataView(payload.buffer);
      dv.setInt32(dataLen, bk.fNevBuf);
      for (let i = 0; i < bk.fNevBuf; i++) dv.setInt32(dataLen + 4 + 4 * i, offs![i]);
    }
    refs.push({ index: k, first: start, stop: start + bk.fNevBuf, embedded: { payload, keylen: bk.fKeylen, last: bk.fLast, nevbuf: bk.fNevBuf } });
  });
  refs.sort((x, y) => x.first - y.first);
  return refs;
}

export function buildTreeMeta(f: JsFile, tree: JsObj, path: string): TreeMeta {
  try {
    return treeMeta(f, tree, path);
  } catch (e) {
    throw jsrootError(`the branch list of TTree '${path}'`, e, [], { file: f.source.path, tree: path });
  }
}

function treeMeta(f: JsFile, tree: JsObj, path: string): TreeMeta {
  if (!tree || !tree.fBranches || !Array.isArray(tree.fBranches.arr) || !Number.isFinite(Number(tree.fEntries))) {
    throw new RootIoError("the TTree object is damaged (no branch list)", { file: f.source.path, tree: path });
  }
  const entries = Number(tree.fEntries);
  const branches: BranchMeta[] = [];
  const leafOwner = new Map<string, string>();
  const ownLeaves = new Map<string, Set<string>>();
  const pendingCounts: { meta: BranchMeta; leaf: string; parent: string }[] = [];

  /** A branch, its leaf-list columns and its sub-branches; returns the branch's own metadata. */
  const describeBranch = (b: JsObj, name: string, parentPath: string): BranchMeta => {
    const d = b._typename === "TBranchElement" || b._typename === "TBranchSTL" ? decideElementBranch(b, f) : decideLeafBranch(b);
    const baskets = basketRefs(b, Number(b.fEntries));
    let compressed = 0;
    // fTotBytes leaves out baskets still held inside the TBranch (written with the TTree itself).
    let uncompressed = Number(b.fTotBytes);
    for (const r of baskets) {
      if ("bytes" in r) compressed += r.bytes;
      else {
        compressed += r.embedded.payload.length + r.embedded.keylen;
        uncompressed += r.embedded.payload.length + r.embedded.keylen;
      }
    }
    const info: BranchInfo = {
      name,
      typename: d.typename,
      dtype: d.dtype,
      kind: d.kind,
      entries: Number(b.fEntries),
      baskets: baskets.length,
      compressedBytes: compressed,
      uncompressedBytes: uncompressed,
    };
    const comp = compressionName(b.fCompress);
    if (comp) info.compression = comp;
    if (b.fTitle) info.title = b.fTitle;
    if (d.shape) info.shape = d.shape;
    if (d.reason) info.unsupportedReason = d.reason;
    const meta: BranchMeta = { info, interp: d.interp, baskets };
    const extra: BranchMeta[] = [];
    if ((b.fLeaves?.arr?.length ?? 0) > 1 && b._typename === "TBranch") {
      for (const sub of leafListColumns(b, name)) {
        const subInfo: BranchInfo = { ...info, ...sub.info, leafListOf: name };
        delete subInfo.unsupportedReason;
        extra.push({ interp: sub.interp, baskets, info: subInfo });
      }
    }
    const leaves: string[] = (b.fLeaves?.arr ?? []).map((l: JsObj) => String(l.fName));
    branches.push(meta, ...extra);
    for (const l of leaves) if (!leafOwner.has(`${parentPath}|${l}`)) leafOwner.set(`${parentPath}|${l}`, name);
    ownLeaves.set(name, new Set(leaves));
    if (d.countLeaf) pendingCounts.push({ meta, leaf: d.countLeaf, parent: parentPath });
    return meta;
  };

  const visit = (b: JsObj, parentPath: string, depth: number): void => {
    // An entry of a damaged branch list that is no branch at all has no name to report it by.
    if (!b || typeof b !== "object" || typeof b.fName !== "string" || depth > 64) return;
    const name = parentPath ? `${parentPath}/${b.fName}` : b.fName;
    try {
      describeBranch(b, name, parentPath);
    } catch (e) {
      // A branch whose own record is damaged is listed as unreadable, with the reason; the others
      // stay readable, and reading this one fails with its name.
      branches.push({
        info: {
          name,
          typename: typeof b.fClassName === "string" && b.fClassName ? b.fClassName : String(b._typename ?? "TBranch"),
          dtype: null,
          kind: "unsupported",
          entries: Number(b.fEntries) || 0,
          baskets: 0,
          compressedBytes: 0,
          uncompressedBytes: 0,
          unsupportedReason: `its record in the file is damaged: ${jsrootDamage(e)}`,
        },
        interp: null,
        baskets: [],
      });
    }
    const subs: unknown = b.fBranches?.arr;
    if (Array.isArray(subs)) for (const s of subs) visit(s, name, depth + 1);
  };
  for (const b of tree.fBranches.arr) visit(b, "", 0);
  // Count leaves are looked up next to the counted branch first, then anywhere (split objects).
  for (const { meta, leaf, parent } of pendingCounts) {
    // The members of a split collection are counted by the collection's own branch, their parent:
    // preferred, so two collections whose count leaves share a name ("fTracks_") each get theirs.
    let owner = ownLeaves.get(parent)?.has(leaf) ? parent : leafOwner.get(`${parent}|${leaf}`);
    if (!owner) for (const [k, v] of leafOwner) if (k.endsWith(`|${leaf}`)) owner = owner ?? v;
    if (owner) meta.info.countBranch = owner;
  }
  const byName = new Map<string, BranchMeta>();
  for (const m of branches) byName.set(m.info.name, m);
  return { path, entries, branches, byName };
}
