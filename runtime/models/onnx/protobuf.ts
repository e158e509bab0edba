/**
 * A minimal protobuf writer: just what ONNX's messages need (varints, 32-bit floats,
 * length-delimited bytes and sub-messages, packed repeated scalars). Messages are built bottom-up:
 * a sub-message is finished to bytes and written as a length-delimited field of its parent.
 * Fields are written in the order the caller gives them, so the same model gives the same bytes.
 */
export class ProtoWriter {
  private chunks: number[] = [];

  private varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    if (x < 0x80n) {
      this.chunks.push(Number(x));
      return;
    }
    while (x >= 0x80n) {
      this.chunks.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.chunks.push(Number(x));
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** int32, int64, enum, bool. */
  int(field: number, v: number | bigint): this {
    this.tag(field, 0);
    this.varint(v);
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v + 0, true); // -0 as 0, as in proto.ts's tensors
    this.chunks.push(...b);
    return this;
  }

  bytes(field: number, v: Uint8Array): this {
    this.tag(field, 2);
    this.varint(v.length);
    for (let i = 0; i < v.length; i++) this.chunks.push(v[i]);
    return this;
  }

  string(field: number, v: string): this {
    return this.bytes(field, new TextEncoder().encode(v));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  packedInts(field: number, vs: ArrayLike<number>): this {
    const inner = new ProtoWriter();
    for (let i = 0; i < vs.length; i++) inner.varint(vs[i]);
    return this.bytes(field, inner.finish());
  }

  packedFloats(field: number, vs: ArrayLike<number>): this {
    const b = new Uint8Array(vs.length * 4);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < vs.length; i++) dv.setFloat32(4 * i, vs[i] + 0, true); // -0 as 0
    return this.bytes(field, b);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}
