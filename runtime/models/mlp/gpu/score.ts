/// <reference types="@webgpu/types" />
/**
 * Scoring on the GPU: blocks of rows uploaded (the one upload scoring cannot avoid), the forward
 * pass, the logits read back; probabilities on the CPU exactly as forward.ts makes them, so that
 * the same weights score within float32 rounding of the CPU on both.
 */
import type { GpuDevice } from "../../../devices/index.js";
import { probabilities } from "../forward.js";
import type { Network } from "../network.js";
import { Engine } from "./engine.js";
import { checkFits, layoutOf, packNetwork } from "./layout.js";
import { batchBuffers, forwardPass } from "./passes.js";
import { bindingLimitOf } from "./train.js";

export class GpuScorer {
  private readonly e: Engine;
  private readonly rows: number;
  private readonly forward;
  private readonly bb;
  private readonly xStage: Float32Array;

  constructor(
    readonly g: GpuDevice,
    readonly net: Network,
    rows = 65536,
    model = "mlp",
  ) {
    const lay = layoutOf(net);
    const widest = Math.max(net.inputs, net.outputs, ...net.hidden.map((d) => d.nOut));
    const limit = bindingLimitOf(g);
    // a block as large as asked and as the binding limit allows
    this.rows = Math.max(1, Math.min(rows, Math.floor(limit / (4 * widest))));
    checkFits(model, net, lay, this.rows, limit);
    this.e = new Engine(g.device);
    const params = this.e.upload(packNetwork(net, lay).values, "weights");
    const state = this.e.storage(4, "state");
    this.bb = batchBuffers(this.e, net, this.rows, state);
    this.forward = forwardPass(this.e, net, lay, params, this.bb, this.rows);
    this.xStage = new Float32Array(this.rows * net.inputs);
  }

  /** Probabilities of n rows of column-major features: n values, or n × K row-major. */
  async predict(columns: ArrayLike<number>[], n: number): Promise<Float64Array> {
    const F = this.net.inputs;
    const K = this.net.outputs;
    const out = new Float64Array(n * K);
    const q = this.g.device.queue;
    for (let start = 0; start < n; start += this.rows) {
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
      this.e.record(pass, this.forward);
      pass.end();
      q.submit([enc.finish()]);
      const logits = await this.e.read(this.bb.logits, m * K);
      probabilities(logits, m, K, out, start);
    }
    return out;
  }

  destroy(): void {
    this.e.destroy();
  }
}
