/**
 * The framing of `hepc lsp`'s input, on bytes: malformed frames are reported and dropped, good
 * ones around them read the same whatever the chunking (editors and pipes split writes anywhere).
 */
import { expect, it } from "vitest";
import { Frame, Framer } from "../../lsp/transport.js";

const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body, "utf8")}\r\n\r\n${body}`;
const msg = (id: number) => JSON.stringify({ jsonrpc: "2.0", id, method: "textDocument/hover", params: { text: "é ∑ 😀" } });

const STREAM = Buffer.from([
  frame(msg(1)),
  `Content-Length: abc\r\n\r\n${msg(666)}`,
  frame(msg(2)),
  `Content-Type: x\r\n\r\n{"id": 667}`,
  `Content-Length: 4\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{x}!`,
  frame(msg(3)),
  frame("[]"),
  frame(msg(4)),
].join(""), "utf8");

function summary(frames: Frame[]): string[] {
  return frames.map((f) => ("message" in f ? `message ${(f.message as { id: number }).id}` : `dropped ${f.code}: ${f.malformed}`));
}

const EXPECTED = [
  "message 1",
  'dropped -32700: Content-Length is not a number of bytes ("abc")',
  "message 2",
  "dropped -32700: a header without Content-Length",
  expect.stringMatching(/^dropped -32700: the message is not JSON/),
  "message 3",
  "dropped -32600: the message is a batch (an array), which LSP does not use",
  "message 4",
];

it("reads good frames around malformed ones, whole", () => {
  expect(summary(new Framer().push(STREAM))).toEqual(EXPECTED);
});

it("reads the same frames whatever the chunking", () => {
  for (const size of [1, 2, 3, 7, 16, 61]) {
    const f = new Framer();
    const out: Frame[] = [];
    for (let i = 0; i < STREAM.length; i += size) out.push(...f.push(STREAM.subarray(i, i + size)));
    expect(summary(out), `chunks of ${size}`).toEqual(EXPECTED);
  }
});

it("waits for a body still arriving and gives up on an endless header", () => {
  const f = new Framer();
  const whole = Buffer.from(frame(msg(5)));
  expect(f.push(whole.subarray(0, whole.length - 1))).toEqual([]);
  expect(summary(f.push(whole.subarray(whole.length - 1)))).toEqual(["message 5"]);
  const g = new Framer();
  expect(summary(g.push(Buffer.alloc(9000, "a")))).toEqual([expect.stringMatching(/^dropped -32700: a header of more than/)]);
  expect(summary(g.push(Buffer.from(frame(msg(6)))))).toEqual(["message 6"]);
});
