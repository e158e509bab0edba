/**
 * Branch interpretation: from a TBranch/TBranchElement (as jsroot parsed it) and the file's
 * streamer information to how its baskets become a column (an `Interp`, with the C++ type shown to
 * users), or why they cannot (an unsupported reason naming the C++ type).
 */
import { DTYPE_SIZE, type Dtype, type Interp } from "./basket.js";
import type { JsFile, JsObj } from "./jsfile.js";
import { elementStorage, packedStorage } from "./range.js";
import type { BranchInfo } from "./tree.js";

const LEAF_DTYPE: Record<string, [Dtype, Dtype]> = {
  TLeafO: ["bool", "bool"],
  TLeafB: ["i1", "u1"],
  TLeafS: ["i2", "u2"],
  TLeafI: ["i4", "u4"],
  TLeafL: ["i8", "u8"],
  TLeafG: ["i8", "u8"],
  TLeafF: ["f4", "f4"],
  TLeafD: ["f8", "f8"],
  TLeafF16: ["f4", "f4"],
  TLeafD32: ["f8", "f8"],
};

const DTYPE_CPP: Record<Dtype, string> = {
  bool: "bool", i1: "int8_t", u1: "uint8_t", i2: "int16_t", u2: "uint16_t", i4: "int32_t", u4: "uint32_t",
  i8: "int64_t", u8: "uint64_t", f4: "float", f8: "double",
};

const CPP_DTYPE: Record<string, Dtype> = {
  bool: "bool", Bool_t: "bool",
  char: "i1", Char_t: "i1", "signed char": "i1", int8_t: "i1",
  "unsigned char": "u1", UChar_t: "u1", uint8_t: "u1", Byte_t: "u1",
  short: "i2", Short_t: "i2", int16_t: "i2", "short int": "i2",
  "unsigned short": "u2", UShort_t: "u2", uint16_t: "u2", "unsigned short int": "u2",
  int: "i4", Int_t: "i4", int32_t: "i4",
  "unsigned int": "u4", unsigned: "u4", UInt_t: "u4", uint32_t: "u4",
  long: "i8", Long_t: "i8", "long long": "i8", Long64_t: "i8", int64_t: "i8", "long int": "i8",
  "unsigned long": "u8", ULong_t: "u8", "unsigned long long": "u8", ULong64_t: "u8", uint64_t: "u8",
  "unsigned long int": "u8",
  float: "f4", Float_t: "f4", double: "f8", Double_t: "f8",
};

/**
 * ROOT streamer type codes for basic types (TVirtualStreamerInfo::EReadWrite). kBits (15) is
 * TObject's fBits, a UInt_t; ROOT writes 2 more bytes after it when the object is referenced by a
 * TRef (kIsReferenced), which the basket decoder then refuses as entries of the wrong size.
 */
const STREAMER_BASIC: Record<number, Dtype | "d32" | "f16"> = {
  1: "i1", 2: "i2", 3: "i4", 4: "i8", 5: "f4", 6: "i4", 8: "f8", 9: "d32", 11: "u1", 12: "u2", 13: "u4",
  14: "u8", 15: "u4", 16: "i8", 17: "u8", 18: "bool", 19: "f16",
};

/** Dimensions in a title such as "x[3][4]" or "ArrayF32[10]"; counted dims ("[n]") are returned as names. */
function parseDims(title: string): (number | string)[] {
  const base = title.split("/")[0];
  const dims: (number | string)[] = [];
  const re = /\[([^\]]+)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(base))) dims.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
  return dims;
}

interface Decision {
  typename: string;
  kind: BranchInfo["kind"];
  dtype: Dtype | null;
  interp: Interp | null;
  countLeaf?: string;
  shape?: number[];
  reason?: string;
}

function unsupported(typename: string, reason: string): Decision {
  return { typename, kind: "unsupported", dtype: null, interp: null, reason };
}

function plainInterp(kind: Interp["kind"], dtype: Dtype, perEntry: number, header = 0): Interp {
  return { kind, dtype, stored: "plain", perEntry, header };
}

export function decideLeafBranch(b: JsObj): Decision {
  const leaves: JsObj[] = b.fLeaves?.arr ?? [];
  if (leaves.length === 0) return unsupported("(no leaves)", "branch has no leaves");
  if (leaves.length > 1) {
    const parts = leaves.map((l) => `${leafCpp(l)} ${l.fName};`).join(" ");
    const names = leaves.map((l) => `'${b.fName}.${l.fName}'`).join(", ");
    return unsupported(`struct {${parts}}`, `leaf list (several leaves in one branch); read its leaves as ${names}`);
  }
  const leaf = leaves[0];
  const t = leaf._typename as string;
  if (t === "TLeafC") return unsupported("char*", "string branch (TLeafC)");
  const dt = LEAF_DTYPE[t];
  if (!dt) return unsupported(t, `leaf type ${t} is not a number type`);
  const dtype = leaf.fIsUnsigned ? dt[1] : dt[0];
  let scalar = DTYPE_CPP[dtype];
  let interp = plainInterp("flat", dtype, 1);
  if (t === "TLeafD32" || t === "TLeafF16") {
    scalar = t === "TLeafD32" ? "Double32_t" : "Float16_t";
    const packed = packedStorage(t === "TLeafD32" ? "d32" : "f16", leaf.fTitle);
    if (typeof packed === "string") return unsupported(scalar, packed);
    interp = { ...interp, ...packed };
  }
  const dims = parseDims(leaf.fTitle && leaf.fTitle.includes("[") && !/^[df]\[/.test(leaf.fTitle) ? leaf.fTitle : b.fTitle ?? "");
  if (leaf.fLeafCount) {
    const fixedDims = dims.slice(1);
    if (fixedDims.length > 0 || leaf.fLen > 1) {
      return unsupported(`${scalar}[][${fixedDims.join("][")}]`, "counted array with extra fixed dimensions");
    }
    return { typename: `${scalar}[]`, kind: "jagged", dtype, interp: { ...interp, kind: "jagged", perEntry: 0 }, countLeaf: leaf.fLeafCount.fName };
  }
  if (leaf.fLen > 1) {
    const shape = dims.filter((d): d is number => typeof d === "number");
    const prod = shape.reduce((a, c) => a * c, 1);
    const finalShape = prod === leaf.fLen ? shape : [leaf.fLen];
    return {
      typename: `${scalar}${finalShape.map((d) => `[${d}]`).join("")}`,
      kind: "fixed",
      dtype,
      shape: finalShape,
      interp: { ...interp, kind: "fixed", perEntry: leaf.fLen },
    };
  }
  return { typename: scalar, kind: "flat", dtype, interp };
}

/**
 * The leaves of a leaf-list branch as columns of their own, named "branch.leaf": each entry holds
 * the leaves one after the other, so a leaf is a strided view of the entry bytes.
 */
export function leafListColumns(b: JsObj, name: string): { info: Partial<BranchInfo> & Pick<BranchInfo, "name" | "typename" | "kind" | "dtype">; interp: Interp | null }[] {
  const leaves: JsObj[] = b.fLeaves.arr;
  const out: ReturnType<typeof leafListColumns> = [];
  let stride = 0;
  const sizes = leaves.map((l) => {
    const dt = LEAF_DTYPE[l._typename];
    const plain = dt && l._typename !== "TLeafD32" && l._typename !== "TLeafF16" && !l.fLeafCount;
    return plain ? DTYPE_SIZE[l.fIsUnsigned ? dt[1] : dt[0]] * Math.max(1, l.fLen) : null;
  });
  if (sizes.some((x) => x === null)) return out; // strings, counted or packed leaves: not as columns
  for (const x of sizes) stride += x!;
  let offset = 0;
  leaves.forEach((l, i) => {
    const dt = LEAF_DTYPE[l._typename];
    const dtype = l.fIsUnsigned ? dt[1] : dt[0];
    const len = Math.max(1, l.fLen);
    const base = { stored: "plain" as const, header: 0, dtype, stride, offset };
    const title = `${l.fName}${len > 1 ? `[${len}]` : ""}/${l._typename}`;
    out.push(
      len > 1
        ? {
            info: { name: `${name}.${l.fName}`, typename: `${DTYPE_CPP[dtype]}[${len}]`, kind: "fixed", dtype, shape: [len], title },
            interp: { ...base, kind: "fixed", perEntry: len },
          }
        : { info: { name: `${name}.${l.fName}`, typename: DTYPE_CPP[dtype], kind: "flat", dtype, title }, interp: { ...base, kind: "flat", perEntry: 1 } },
    );
    offset += sizes[i]!;
  });
  return out;
}

function leafCpp(l: JsObj): string {
  const dt = LEAF_DTYPE[l._typename];
  if (!dt) return l._typename === "TLeafC" ? "char*" : l._typename;
  const base = DTYPE_CPP[l.fIsUnsigned ? dt[1] : dt[0]];
  return l.fLen > 1 ? `${base}[${l.fLen}]` : base;
}

function normaliseCpp(t: string): string {
  return t.replace(/\s+/g, " ").replace(/\s*([<>,])\s*/g, "$1").trim();
}

/** uproot-style display of a C++ type: std:: prefixes and fixed-width integer names, recursively. */
function displayCpp(t: string): string {
  const n = normaliseCpp(t);
  const m = /^(?:std::)?(vector|set|map|unordered_map|unordered_set|list|deque|pair)<(.+)>$/.exec(n);
  if (m) {
    const args: string[] = [];
    let depth = 0;
    let cur = "";
    for (const ch of m[2]) {
      if (ch === "<") depth++;
      if (ch === ">") depth--;
      if (ch === "," && depth === 0) {
        args.push(cur);
        cur = "";
      } else cur += ch;
    }
    args.push(cur);
    return `std::${m[1]}<${args.map(displayCpp).join(",")}>`;
  }
  if (n === "string" || n === "std::string") return "std::string";
  const d = CPP_DTYPE[n];
  return d ? DTYPE_CPP[d] : n;
}

export function decideElementBranch(b: JsObj, f: JsFile): Decision {
  const cls = normaliseCpp(b.fClassName ?? "");
  const subCount = b.fBranches?.arr?.length ?? 0;
  // The top branch of a split TClonesArray (fType 3) or STL collection of objects (4) holds the
  // collection's size per entry, an Int_t (TBranchElement::FillLeavesClones/Collection); its
  // members' branches are counted by it.
  if (subCount > 0 && (b.fType === 3 || b.fType === 4)) {
    return { typename: "int32_t", kind: "flat", dtype: "i4", interp: plainInterp("flat", "i4", 1) };
  }
  // A whole (split) object: its numbers live in the sub-branches.
  if (b.fID === -1 || b.fID === -2 || b.fStreamerType === -1) {
    if (subCount > 0 || b.fID === -2) return unsupported(cls || "object", `object of class ${cls}; read its sub-branches instead`);
    const m = /^(?:std::)?vector<(.+)>$/.exec(cls);
    if (m) {
      const inner = normaliseCpp(m[1]);
      const dtype = CPP_DTYPE[inner];
      if (dtype) return { typename: `std::vector<${DTYPE_CPP[dtype]}>`, kind: "jagged", dtype, interp: plainInterp("jagged", dtype, 0, 10) };
      return unsupported(displayCpp(cls), `std::vector of ${displayCpp(inner)} is not a vector of numbers`);
    }
    if (cls === "string" || cls === "TString") return unsupported(cls === "string" ? "std::string" : "TString", "string branch");
    return unsupported(displayCpp(cls) || "object", `object of class ${cls}`);
  }
  // A member of a split class: the streamer element says what it is.
  const si = f.js.findStreamerInfo(b.fClassName, b.fClassVersion, b.fCheckSum) ?? f.js.findStreamerInfo(b.fClassName);
  const elem: JsObj = si?.fElements?.arr?.[b.fID];
  const st: number = b.fStreamerType;
  const typeName = normaliseCpp(elem?.fTypeName ?? "");
  if (subCount > 0) return unsupported(typeName || cls, `object member of type ${typeName || cls}; read its sub-branches instead`);
  const basicOf = (code: number): Dtype | "d32" | "f16" | undefined => {
    // kCounter (6) is "an int that counts something", signed or not: the element's type name decides.
    if (code === 6 && CPP_DTYPE[typeName.replace(/\*$/, "")]) return CPP_DTYPE[typeName.replace(/\*$/, "")];
    return STREAMER_BASIC[code];
  };
  const withBasic = (code: number, make: (scalar: string, interp: Interp, dtype: Dtype) => Decision): Decision => {
    const basic = basicOf(code);
    if (basic === undefined) return unsupported(typeName || `streamer type ${st}`, `streamer type ${st} (${typeName}) is not a number type`);
    if (basic === "d32" || basic === "f16") {
      const packed = elementStorage(basic, elem);
      if (typeof packed === "string") return unsupported(basic === "d32" ? "Double32_t" : "Float16_t", packed);
      const dtype: Dtype = basic === "d32" ? "f8" : "f4";
      return make(basic === "d32" ? "Double32_t" : "Float16_t", { ...plainInterp("flat", dtype, 1), ...packed }, dtype);
    }
    return make(DTYPE_CPP[basic], plainInterp("flat", basic, 1), basic);
  };
  const countLeaf: string | undefined = b.fLeaves?.arr?.[0]?.fLeafCount?.fName;
  if (st >= 1 && st <= 19 && st !== 7 && st !== 10) {
    // A member of a split TClonesArray (fType 31) or split STL collection (41): one value per
    // element of the collection, elements of an entry stored back to back, no per-entry header.
    if (b.fType === 31 || b.fType === 41) {
      if (!countLeaf) return unsupported(typeName || cls, "member of a split collection without a count leaf");
      return withBasic(st, (scalar, interp, dtype) => ({
        typename: `${scalar}[]`,
        kind: "jagged",
        dtype,
        interp: { ...interp, kind: "jagged", perEntry: 0, header: 0 },
        countLeaf,
      }));
    }
    return withBasic(st, (scalar, interp, dtype) => ({ typename: scalar, kind: "flat", dtype, interp }));
  }
  if (b.fType === 31 || b.fType === 41) {
    return unsupported(displayCpp(typeName || cls), `member of type ${displayCpp(typeName || cls)} inside a split collection`);
  }
  if (st > 20 && st < 40 && st !== 27 && st !== 35 && st !== 30) {
    const len = elem?.fArrayLength || (b.fLeaves?.arr?.[0]?.fLen ?? 0);
    const shape: number[] = elem?.fArrayDim > 0 ? Array.from(elem.fMaxIndex as ArrayLike<number>).slice(0, elem.fArrayDim) : [len];
    return withBasic(st - 20, (scalar, interp, dtype) => ({
      typename: `${scalar}${shape.map((d) => `[${d}]`).join("")}`,
      kind: "fixed",
      dtype,
      shape,
      interp: { ...interp, kind: "fixed", perEntry: len },
    }));
  }
  if (st > 40 && st < 60 && st !== 47 && st !== 55 && st !== 50) {
    return withBasic(st - 40, (scalar, interp, dtype) => ({
      typename: `${scalar}[]`,
      kind: "jagged",
      dtype,
      interp: { ...interp, kind: "jagged", perEntry: 0, header: 1 },
      countLeaf,
    }));
  }
  if (st === 300 || st === 500) {
    const m = /^(?:std::)?vector<(.+)>$/.exec(typeName);
    if (m && CPP_DTYPE[normaliseCpp(m[1])]) {
      const dtype = CPP_DTYPE[normaliseCpp(m[1])];
      return { typename: `std::vector<${DTYPE_CPP[dtype]}>`, kind: "jagged", dtype, interp: plainInterp("jagged", dtype, 0, 10) };
    }
    return unsupported(displayCpp(typeName), `${displayCpp(typeName)} is not a std::vector of numbers`);
  }
  if (st === 65) return unsupported("TString", "string member (TString)");
  return unsupported(displayCpp(typeName || cls), `member of type ${displayCpp(typeName || cls)} (streamer type ${st})`);
}
