import { describe, expect, it } from "vitest";
import { ProtoWriter } from "../../../runtime/models/onnx/index.js";

// The encoding examples of the protobuf documentation ("Encoding"), byte for byte.
describe("the protobuf writer", () => {
  it("writes varints, negative int64s, strings, floats and packed fields as protobuf does", () => {
    expect(Array.from(new ProtoWriter().int(1, 150).finish())).toEqual([0x08, 0x96, 0x01]);
    expect(Array.from(new ProtoWriter().int(1, -1).finish())).toEqual([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(Array.from(new ProtoWriter().string(2, "testing").finish())).toEqual([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
    expect(Array.from(new ProtoWriter().message(3, new ProtoWriter().int(1, 150)).finish())).toEqual([0x1a, 0x03, 0x08, 0x96, 0x01]);
    expect(Array.from(new ProtoWriter().packedInts(4, [3, 270, 86942]).finish())).toEqual([0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05]);
    expect(Array.from(new ProtoWriter().float(2, 1.5).finish())).toEqual([0x15, 0x00, 0x00, 0xc0, 0x3f]);
    expect(Array.from(new ProtoWriter().packedFloats(7, [1.5, -2]).finish())).toEqual([0x3a, 0x08, 0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
  });
});
