/**
 * A fitted fold of the mlp: its network, what it was trained with, and how it scores. The JSON
 * names the backend that trained it (the run summary prints it) and holds the weights bit-exactly.
 */
import type { FittedModel } from "../index.js";
import { MlpError } from "./errors.js";
import { predictColumns, Scorer } from "./forward.js";
import { networkFromJson, networkToJson, type Network } from "./network.js";


export const FORMAT = "hepc-mlp/1";

export class MlpModel implements FittedModel {
  /** Kept between calls: the executor scores chunk after chunk with the same model. */
  private scorer: Scorer | null = null;
  constructor(
    readonly net: Network,
    readonly backend: string,
    readonly curves: { train: number[]; valid: number[] } | undefined,
    readonly bestIteration: number | undefined,
    readonly epochsRun: number | undefined,
    /** Where it was trained: "cpu", or "gpu: " and the adapter. */
    readonly device: string = "cpu",
  ) {}

  predict(columns: Float32Array[], n: number): Float64Array {
    if (columns.length !== this.net.inputs) throw new MlpError("HEP6062", { reason: `${columns.length} feature columns given, the network takes ${this.net.inputs}` });
    for (const [f, c] of columns.entries()) if (c.length < n) throw new MlpError("HEP6062", { reason: `feature column ${f + 1} holds ${c.length} values, ${n} asked` });
    this.scorer ??= new Scorer(this.net);
    return predictColumns(this.net, columns, n, this.scorer);
  }

  toJSON(): unknown {
    return {
      format: FORMAT,
      backend: this.backend,
      ...(this.device !== "cpu" ? { device: this.device } : {}),
      ...(this.epochsRun !== undefined ? { epochs: this.epochsRun } : {}),
      ...(this.bestIteration !== undefined ? { bestEpoch: this.bestIteration } : {}),
      network: networkToJson(this.net),
    };
  }

  static fromJSON(j: unknown): MlpModel {
    const o = j as Record<string, unknown>;
    if (!o || typeof o !== "object" || o.format !== FORMAT) throw new MlpError("HEP6061", { reason: `the format is ${JSON.stringify(o?.format)}, not ${FORMAT}` });
    const best = typeof o.bestEpoch === "number" ? o.bestEpoch : undefined;
    const epochs = typeof o.epochs === "number" ? o.epochs : undefined;
    return new MlpModel(networkFromJson(o.network), String(o.backend ?? ""), undefined, best, epochs, typeof o.device === "string" ? o.device : "cpu");
  }
}
