/** A minimal LSP client over a child process's stdio: Content-Length framing, requests, notifications. */
import { ChildProcessWithoutNullStreams, spawn } from "node:child_process";

export interface Message {
  jsonrpc: "2.0";
  /** null: a response to a message whose id could not be read (a malformed frame). */
  id?: number | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

export class LspClient {
  private buf = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: Message) => void; method: string }>();
  private readonly listeners: Array<(m: Message) => void> = [];
  readonly notifications: Message[] = [];
  stderr = "";
  exited: number | null | undefined;
  private readonly exitPromise: Promise<number | null>;

  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    proc.stdout.on("data", (chunk: Buffer) => this.onData(chunk));
    proc.stderr.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exitPromise = new Promise((resolve) => proc.on("exit", (code) => {
      this.exited = code;
      for (const p of this.pending.values()) p.resolve({ jsonrpc: "2.0", error: { code: -1, message: `server exited (${code}) during ${p.method}` } });
      resolve(code);
    }));
  }

  static start(command: string, args: string[], cwd: string): LspClient {
    return new LspClient(spawn(command, args, { cwd, stdio: ["pipe", "pipe", "pipe"] }));
  }

  private onData(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const headerEnd = this.buf.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const header = this.buf.subarray(0, headerEnd).toString("ascii");
      const m = /Content-Length: (\d+)/i.exec(header);
      if (!m) throw new Error(`bad header: ${header}`);
      const len = Number(m[1]);
      if (this.buf.length < headerEnd + 4 + len) return;
      const body = this.buf.subarray(headerEnd + 4, headerEnd + 4 + len).toString("utf8");
      this.buf = this.buf.subarray(headerEnd + 4 + len);
      this.dispatch(JSON.parse(body) as Message);
    }
  }

  private dispatch(m: Message): void {
    if (m.id !== undefined && m.id !== null && m.method === undefined) {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      p?.resolve(m);
      return;
    }
    if (m.id !== undefined && m.method !== undefined) {
      // A request from the server (workDoneProgress/create, client/registerCapability): accept it.
      this.send({ jsonrpc: "2.0", id: m.id, result: null });
      return;
    }
    this.notifications.push(m);
    for (const l of [...this.listeners]) l(m);
  }

  private send(m: Message): void {
    const body = Buffer.from(JSON.stringify(m), "utf8");
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  /** Writes bytes as they are, framing included: for malformed input. */
  writeRaw(bytes: string | Buffer): void {
    this.proc.stdin.write(bytes);
  }

  /** Sends a request and resolves with the whole response (result or error). */
  request(method: string, params: unknown): Promise<Message> {
    const id = this.nextId++;
    const p = new Promise<Message>((resolve) => this.pending.set(id, { resolve, method }));
    this.send({ jsonrpc: "2.0", id, method, params });
    return p;
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: "2.0", method, params });
  }

  /** The next notification (after this call) matching the predicate. */
  waitFor(pred: (m: Message) => boolean, timeoutMs = 20_000): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.splice(this.listeners.indexOf(listener), 1);
        reject(new Error(`timed out waiting for a notification; got ${JSON.stringify(this.notifications.slice(-3)).slice(0, 1500)}; stderr: ${this.stderr.slice(-2000)}`));
      }, timeoutMs);
      const listener = (m: Message) => {
        if (!pred(m)) return;
        clearTimeout(timer);
        this.listeners.splice(this.listeners.indexOf(listener), 1);
        resolve(m);
      };
      this.listeners.push(listener);
    });
  }

  exit(): Promise<number | null> {
    return this.exitPromise;
  }
}
