/**
 * The server's end of the stdio transport: `Content-Length` framing read tolerantly. The library's
 * own reader stops reading for good on a frame it cannot parse (a header such as
 * `Content-Length: abc` leaves the body in its buffer, and every later read fails on it), so an
 * editor's one bad write would leave the server deaf to everything after, `shutdown` included.
 * Here a malformed frame is answered with a JSON-RPC error (id null: its id cannot be known),
 * dropped, and reading goes on from the next `Content-Length` header. A request whose params lack
 * what its handler reads is answered InvalidParams here too (params.ts has the table): the
 * library's wrappers read params before any handler of ours could check them.
 */
import {
  AbstractMessageReader, Connection, createConnection, DataCallback, Disposable, ErrorCodes, Message, StreamMessageWriter,
} from "vscode-languageserver/node.js";
import { invalidParams } from "./params.js";

/** What a frame turned out to be: a message to dispatch, or the reason it was dropped with the error code to answer. */
export type Frame = { message: Message } | { malformed: string; code: number };

/** A body larger than this is a broken header, not a document: 256 MiB. */
const MAX_BODY = 256 * 1024 * 1024;
/** A header block longer than this without its blank line is garbage (real ones are under 100 bytes). */
const MAX_HEADER = 8 * 1024;
const HEADER_END = Buffer.from("\r\n\r\n");
const CONTENT_LENGTH = /content-length[ \t]*:/i;

/**
 * Splits a byte stream into frames. Pure (no I/O), so the recovery rules are tested on bytes:
 * a bad header drops itself and what follows up to the next `Content-Length`; a body that is not
 * JSON, or not a JSON object, is dropped on its own and the next frame reads normally.
 */
export class Framer {
  private buf = Buffer.alloc(0);
  /** The body length announced by the header just read; undefined while reading a header. */
  private expecting: number | undefined;
  /** After a bad header: skipping to the next `Content-Length`. */
  private resync = false;

  push(chunk: Uint8Array): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    const out: Frame[] = [];
    for (;;) {
      if (this.resync) {
        const m = CONTENT_LENGTH.exec(this.buf.toString("latin1"));
        if (!m) {
          // Keep a tail in case the header's name is split across chunks.
          this.buf = this.buf.subarray(Math.max(0, this.buf.length - 32));
          return out;
        }
        this.buf = this.buf.subarray(m.index);
        this.resync = false;
      }
      if (this.expecting === undefined) {
        const end = this.buf.indexOf(HEADER_END);
        if (end < 0) {
          if (this.buf.length > MAX_HEADER) {
            out.push({ malformed: `a header of more than ${MAX_HEADER} bytes without its blank line`, code: ErrorCodes.ParseError });
            this.buf = this.buf.subarray(1);
            this.resync = true;
            continue;
          }
          return out;
        }
        const header = this.buf.subarray(0, end).toString("latin1");
        this.buf = this.buf.subarray(end + HEADER_END.length);
        const length = contentLength(header);
        if (typeof length === "string") {
          out.push({ malformed: length, code: ErrorCodes.ParseError });
          this.resync = true;
          continue;
        }
        this.expecting = length;
      }
      if (this.buf.length < this.expecting) return out;
      const body = this.buf.subarray(0, this.expecting).toString("utf8");
      this.buf = this.buf.subarray(this.expecting);
      this.expecting = undefined;
      out.push(parseBody(body));
    }
  }
}

/** The announced body length, or why the header is unusable. */
function contentLength(header: string): number | string {
  let length: number | string = "a header without Content-Length";
  for (const line of header.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) return `a header line without ':' (${JSON.stringify(line.slice(0, 60))})`;
    if (line.slice(0, colon).trim().toLowerCase() !== "content-length") continue;
    const value = line.slice(colon + 1).trim();
    if (!/^\d+$/.test(value)) return `Content-Length is not a number of bytes (${JSON.stringify(value.slice(0, 60))})`;
    const n = Number(value);
    if (n > MAX_BODY) return `Content-Length ${value} is over the ${MAX_BODY}-byte limit`;
    length = n;
  }
  return length;
}

function parseBody(body: string): Frame {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    return { malformed: `the message is not JSON (${(e as Error).message})`, code: ErrorCodes.ParseError };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { malformed: `the message is ${Array.isArray(value) ? "a batch (an array), which LSP does not use" : "not a JSON object"}`, code: ErrorCodes.InvalidRequest };
  }
  return { message: value as Message };
}

/** What the reader refused to pass on: the id to answer (null when unknown), the error code, and why. */
export type Refusal = { id: number | string | null; code: number; message: string };

/**
 * A MessageReader over a byte stream through a Framer. Malformed frames and requests with unusable
 * params go to `refuse` (to be answered), never to the connection.
 */
export class FramedMessageReader extends AbstractMessageReader {
  private readonly framer = new Framer();

  constructor(private readonly input: NodeJS.ReadableStream, private readonly refuse: (r: Refusal) => void) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    const onData = (chunk: Buffer | string) => {
      for (const f of this.framer.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk)) {
        if (!("message" in f)) {
          this.refuse({ id: null, code: f.code, message: `hepc lsp dropped a malformed message: ${f.malformed}` });
          continue;
        }
        const m = f.message as { id?: unknown; method?: unknown; params?: unknown };
        const isRequest = typeof m.method === "string" && (typeof m.id === "number" || typeof m.id === "string");
        const why = isRequest ? invalidParams(m.method as string, m.params) : undefined;
        if (why) this.refuse({ id: m.id as number | string, code: ErrorCodes.InvalidParams, message: why });
        else callback(f.message);
      }
    };
    const onError = (e: Error) => this.fireError(e);
    const onClose = () => this.fireClose();
    this.input.on("data", onData);
    this.input.on("error", onError);
    this.input.on("close", onClose);
    return Disposable.create(() => {
      this.input.off("data", onData);
      this.input.off("error", onError);
      this.input.off("close", onClose);
    });
  }
}

/** The connection `hepc lsp` serves on: stdin and stdout; a refusal is answered, and a dropped frame also logged to stderr. */
export function stdioConnection(): Connection {
  const writer = new StreamMessageWriter(process.stdout);
  const reader = new FramedMessageReader(process.stdin, (r) => {
    if (r.id === null) process.stderr.write(`${r.message}\n`);
    void writer.write({ jsonrpc: "2.0", id: r.id, error: { code: r.code, message: r.message } } as Message);
  });
  return createConnection(reader, writer);
}
