/**
 * The shape of a class layout (a TStreamerInfo's contents), shared by the generated layouts in
 * streamer-data.ts and the serializer in streamers.ts, so that neither imports the other.
 */
export type ElementClass =
  | "TStreamerBase"
  | "TStreamerBasicType"
  | "TStreamerString"
  | "TStreamerObject"
  | "TStreamerObjectPointer"
  | "TStreamerObjectAny"
  | "TStreamerBasicPointer"
  | "TStreamerSTL";

export interface ElementSpec {
  cls: ElementClass;
  name: string;
  title: string;
  type: number;
  size: number;
  typeName: string;
  arrayLength?: number;
  arrayDim?: number;
  maxIndex?: number[];
  baseVersion?: number;
  countVersion?: number;
  countName?: string;
  countClass?: string;
  stlType?: number;
  ctype?: number;
}

export interface ClassSpec {
  name: string;
  version: number;
  checksum: number;
  elements: ElementSpec[];
}
