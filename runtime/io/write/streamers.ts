/**
 * The file's "StreamerInfo" record: a TList of TStreamerInfo, one per class whose instances
 * appear in the file, plus every class those reference (bases, embedded members, pointee types)
 * that ROOT itself describes. Readers without compiled dictionaries (jsroot, uproot) decode
 * TTrees and histograms from exactly these descriptions, so they must match the bytes we write.
 */
import { RBuffer, kObjectBits } from "./buffer.js";
import { CLASS_SPECS } from "./streamer-data.js";
import type { ClassSpec, ElementClass, ElementSpec } from "./streamer-types.js";

export type { ClassSpec, ElementClass, ElementSpec } from "./streamer-types.js";


const SPECS = new Map<string, ClassSpec>(CLASS_SPECS.map((c) => [c.name, c]));

/** Versions of the streamer-element classes themselves (as ROOT 6 writes them). */
const ELEMENT_VERSION: Record<ElementClass, number> = {
  TStreamerBase: 3,
  TStreamerBasicType: 2,
  TStreamerString: 2,
  TStreamerObject: 2,
  TStreamerObjectPointer: 2,
  TStreamerObjectAny: 2,
  TStreamerBasicPointer: 2,
  TStreamerSTL: 3,
};

/** ROOT marks TStreamerInfo objects with this extra bit (observed in every ROOT-written file). */
const kStreamerInfoBits = kObjectBits | 0x00010000;

export function classSpec(name: string): ClassSpec {
  const spec = SPECS.get(name);
  if (!spec) throw new Error(`hepc ROOT writer: no streamer description for class ${name}`);
  return spec;
}

/** Checksum ROOT readers use to pick the layout of a class written with a foreign-class header. */
export function classChecksum(name: string): number {
  return classSpec(name).checksum;
}

/**
 * All classes to describe for the given used classes: the used ones plus everything they
 * reference that has a description. Types without one (TArrayD, TArrayF, STL containers) have
 * hand-written streamers in ROOT, and ROOT does not record them either.
 */
export function streamerClosure(used: Iterable<string>): ClassSpec[] {
  const out: ClassSpec[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const spec = SPECS.get(name);
    if (!spec) return;
    for (const e of spec.elements) {
      if (e.cls === "TStreamerBase") visit(e.name);
      else if (e.cls === "TStreamerString") visit("TString");
      else if (e.cls === "TStreamerObject" || e.cls === "TStreamerObjectAny" || e.cls === "TStreamerObjectPointer")
        visit(e.typeName.replace(/\*$/, ""));
    }
    out.push(spec);
  };
  for (const name of used) {
    if (!SPECS.has(name)) throw new Error(`hepc ROOT writer: no streamer description for class ${name}`);
    visit(name);
  }
  return out;
}

function writeTNamed(b: RBuffer, name: string, title: string, bits = kObjectBits): void {
  const end = b.beginVersioned(1);
  b.tobject(bits);
  b.string(name);
  b.string(title);
  end();
}

function writeElement(b: RBuffer, e: ElementSpec): void {
  const any = b.beginObjectAny(e.cls);
  const endOuter = b.beginVersioned(ELEMENT_VERSION[e.cls]);
  const endElement = b.beginVersioned(4);
  writeTNamed(b, e.name, e.title);
  b.i32(e.type);
  b.i32(e.size);
  b.i32(e.arrayLength ?? 0);
  b.i32(e.arrayDim ?? 0);
  for (let i = 0; i < 5; i++) b.u32(e.maxIndex?.[i] ?? 0);
  b.string(e.typeName);
  endElement();
  if (e.cls === "TStreamerBase") b.i32(e.baseVersion ?? 0);
  else if (e.cls === "TStreamerBasicPointer") {
    b.i32(e.countVersion ?? 0);
    b.string(e.countName ?? "");
    b.string(e.countClass ?? "");
  } else if (e.cls === "TStreamerSTL") {
    b.i32(e.stlType ?? 0);
    b.i32(e.ctype ?? 0);
  }
  endOuter();
  any.end();
}

function writeStreamerInfo(b: RBuffer, spec: ClassSpec): void {
  const any = b.beginObjectAny("TStreamerInfo");
  const end = b.beginVersioned(9);
  writeTNamed(b, spec.name, "", kStreamerInfoBits);
  b.u32(spec.checksum);
  b.i32(spec.version);
  const arr = b.beginObjectAny("TObjArray");
  const endArr = b.beginVersioned(3);
  b.tobject(0);
  b.string("");
  b.i32(spec.elements.length);
  b.i32(0);
  for (const e of spec.elements) writeElement(b, e);
  endArr();
  arr.end();
  end();
  any.end();
}

/** Serializes the StreamerInfo TList (the object stored under the "StreamerInfo" key). */
export function serializeStreamerList(specs: ClassSpec[], displacement: number): Uint8Array {
  const b = new RBuffer(displacement, 16384);
  const end = b.beginVersioned(5);
  b.tobject(kObjectBits);
  b.string("");
  b.i32(specs.length);
  for (const spec of specs) {
    writeStreamerInfo(b, spec);
    b.u8(0); // per-entry option string of TList, empty
  }
  end();
  return b.bytes();
}
