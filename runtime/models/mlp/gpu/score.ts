/// <reference types="@webgpu/types" />
/**
 * Scoring on the GPU: blocks of rows uploaded (the one upload scoring cannot avoid), the forward
 * pass, the logits read back; probabilities on the CPU exactly as forward.ts makes them, so that
 * the same weights score within float32 rounding of the CPU on both. A row's logits depend on that
 * row alone (each output's sum runs over k in one order whatever the block), so a score does not
 * depend on how rows are split into calls or blocks.
 *
 * Several networks of one shape (a model's folds) share the block's buffers: each has its own
 * weights and forward dispatches. Calls are served one at a time (samples scored concurrently
 * would otherwise write the shared block between another call's upload and read-back).
 */
import { DeviceError, type GpuDevice } from "../../../devices/index.js";
import { probabilities } from "../forward.js";
import type { Network } from "../network.js";
import { Engine, type Dispatch } from "./engine.js";
import { checkFits, layoutOf, packNetwork } from "./layout.js";
import { batchBuffers, forwardPass, type BatchBuffers } from "./passes.js";
import { bindingLimitOf } from "./train.js";

/** Bytes of per-row buffers (inputs, activations, logits) one block may take, past which blocks shrink. */
const BLOCK_BYTES = 64 * 2 ** 20;

export class GpuScorer {
  private readonly e: Engine;
  private readonly rows: number;
  private readonly forward: Dispatch[][];
  private readonly bb: BatchBuffers;
  private readonly xStage: Float32Array;
  private readonly net: Network;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly g: GpuDevice,
    nets: Network | Network[],
    rows = 65536,
    readonly model = "mlp",
  ) {
    const all = Array.isArray(nets) ? nets : [nets];
    const net = all[0];
    this.net = net;
    const shape = (n: Network) => [n.inputs, n.outputs, n.activation, ...n.hidden.map((d) => d.nOut)].join(",");
    if (all.some((n) => shape(n) !== shape(net) || n.hidden.some((d) => d.bn))) throw new Error("GpuScorer: networks of one shape, without batch norm");
    const lay = layoutOf(net);
    const widest = Math.max(net.inputs, net.outputs, ...net.hidden.map((d) => d.nOut));
    const perRow = net.inputs + net.outputs + net.hidden.reduce((s, d) => s + d.nOut, 0);
    const limit = bindingLimitOf(g);
    // a block as large as asked, as the binding limit allows, and within BLOCK_BYTES
    this.rows = Math.max(1, Math.min(rows, Math.floor(limit / (4 * widest)), Math.floor(BLOCK_BYTES / (4 * perRow))));
    checkFits(model, net, lay, this.rows, limit);
    this.e = new Engine(g.device);
    const state = this.e.storage(4, "state");
    this.bb = batchBuffers(this.e, net, this.rows, state);
    this.forward = all.map((n, k) => forwardPass(this.e, n, layoutOf(n), this.e.upload(packNetwork(n, layoutOf(n)).values, `weights ${k}`), this.bb, this.rows));
    this.xStage = new Float32Array(this.rows * net.inputs);
  }

  /** Probabilities of n rows of column-major features by the k-th network: n values, or n × K row-major. */
  predict(columns: ArrayLike<number>[], n: number, k = 0): Promise<Float64Array> {
    const next = this.queue.then(() => this.run(columns, n, k));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(columns: ArrayLike<number>[], n: number, k: number): Promise<Float64Array> {
    const F = this.net.inputs;
    const K = this.net.outputs;
    const out = new Float64Array(n * K);
    const q = this.g.device.queue;
    try {
      for (let start = 0; start < n; start += this.rows) {
        if (this.g.lost) throw new DeviceError("HEP6136", { model: this.model, reason: this.g.lost });
        const m = Math.min(this.rows, n - start);
        const x = this.xStage;
        for (let f = 0; f < F; f++) {
          const c = columns[f];
          for (let i = 0; i < m; i++) {
            const v = c[start + i];
            x[i * F + f] = v === v ? v : 0;
          }
        }
        q.writeBuffer(this.bb.x, 0, x.buffer, x.byteOffset, m * F * 4);
        q.writeBuffer(this.bb.state, 0, Uint32Array.from([0, 0, m, 0]));
        const enc = this.g.device.createCommandEncoder();
        const pass = enc.beginComputePass();
        this.e.record(pass, this.forward[k]);
        pass.end();
        q.submit([enc.finish()]);
        const logits = await this.e.read(this.bb.logits, m * K);
        probabilities(logits, m, K, out, start);
      }
    } catch (err) {
      if (err instanceof DeviceError) throw err;
      throw new DeviceError("HEP6136", { model: this.model, reason: this.g.lost ?? (err as Error).message ?? String(err) });
    }
    return out;
  }

  destroy(): void {
    this.e.destroy();
  }
}
