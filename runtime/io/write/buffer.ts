/**
 * Big-endian serialization buffer that mirrors ROOT's TBufferFile bookkeeping.
 *
 * ROOT identifies objects and classes inside one record by their byte offset, counted from the
 * start of the record's TKey (so the key length is a "displacement") plus kMapOffset. Repeated
 * classes are written as references to the first occurrence; pointers to already-written
 * objects (a TTree's fLeaves) are written as the referenced object's tag. Both only work if the
 * displacement equals the length of the key the record is finally stored under.
 */

export const kByteCountMask = 0x40000000;
export const kNewClassTag = 0xffffffff;
export const kClassMask = 0x80000000;
export const kMapOffset = 2;

/** TObject::fBits as ROOT writes them for heap objects that were not deleted (kIsOnHeap | kNotDeleted). */
export const kObjectBits = 0x03000000;

const textEncoder = new TextEncoder();

export class RBuffer {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;
  /** class name -> tag of its first occurrence (already including displacement + kMapOffset) */
  private classTags = new Map<string, number>();
  /** Classes serialized through this buffer; the file's StreamerInfo must describe each. */
  readonly classesUsed = new Set<string>();

  constructor(private readonly displacement = 0, initial = 1024) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  u8(v: number): void {
    this.ensure(1);
    this.view.setUint8(this.pos, v);
    this.pos += 1;
  }
  i8(v: number): void {
    this.ensure(1);
    this.view.setInt8(this.pos, v);
    this.pos += 1;
  }
  bool(v: boolean): void {
    this.u8(v ? 1 : 0);
  }
  i16(v: number): void {
    this.ensure(2);
    this.view.setInt16(this.pos, v);
    this.pos += 2;
  }
  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }
  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0);
    this.pos += 4;
  }
  i64(v: number | bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.pos, BigInt(v));
    this.pos += 8;
  }
  f32(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.pos, v);
    this.pos += 4;
  }
  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** ROOT TString / key string: 1-byte length, or 255 followed by a 4-byte length. */
  string(s: string): void {
    const b = textEncoder.encode(s);
    if (b.length < 255) this.u8(b.length);
    else {
      this.u8(255);
      this.i32(b.length);
    }
    this.raw(b);
  }

  /** Patch a 32-bit value at an absolute position (used for byte counts known only afterwards). */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0);
  }

  /** Tag under which an object whose byte count starts at `at` is known to readers. */
  tagAt(at: number): number {
    return this.displacement + at + kMapOffset;
  }

  /**
   * Opens a versioned section: [byte count | kByteCountMask][version]. Returns a closer that
   * fills in the byte count (which covers the version and everything after it).
   */
  beginVersioned(version: number): () => void {
    const at = this.pos;
    this.u32(0);
    this.i16(version);
    return () => this.patchU32(at, (this.pos - at - 4) | kByteCountMask);
  }

  /**
   * Version header for classes without ClassDef ("foreign" classes such as ROOT::TIOFeatures):
   * ROOT writes version 0 followed by the class checksum, and readers pick the StreamerInfo by it.
   */
  beginForeign(checksum: number): () => void {
    const at = this.pos;
    this.u32(0);
    this.i16(0);
    this.u32(checksum);
    return () => this.patchU32(at, (this.pos - at - 4) | kByteCountMask);
  }

  /** TObject base without byte count (ROOT's TObject::Streamer never writes one). */
  tobject(bits = kObjectBits): void {
    this.i16(1);
    this.u32(0);
    this.u32(bits);
  }

  /**
   * Starts an object written through a base-class pointer (TBuffer::WriteObjectAny): byte count,
   * then either a new-class tag with the class name or a reference to the class's first
   * occurrence. Returns the object's tag (for later references) and the closer for the byte count.
   */
  beginObjectAny(className: string): { tag: number; end: () => void } {
    const at = this.pos;
    const tag = this.tagAt(at);
    this.u32(0);
    const known = this.classTags.get(className);
    if (known !== undefined) {
      this.u32(known | kClassMask);
    } else {
      this.classTags.set(className, this.displacement + this.pos + kMapOffset);
      this.u32(kNewClassTag);
      this.raw(textEncoder.encode(className));
      this.u8(0);
    }
    this.classesUsed.add(className);
    return { tag, end: () => this.patchU32(at, (this.pos - at - 4) | kByteCountMask) };
  }

  /** Reference to an object already written in this record. */
  objectRef(tag: number): void {
    this.u32(tag);
  }

  nullPointer(): void {
    this.u32(0);
  }

  use(className: string): void {
    this.classesUsed.add(className);
  }
}
