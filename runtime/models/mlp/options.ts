/**
 * The mlp's options as the plan carries them (stdlib/index.ts declares them with their defaults
 * and bounds; the checker enforces those), read into one typed record. Values missing here (a
 * model fitted outside a plan, in tests) take the same defaults.
 */
import { MlpError } from "./errors.js";

export const ACTIVATIONS = ["relu", "elu", "tanh", "selu", "sigmoid"] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const OPTIMISERS = ["adam", "sgd"] as const;
export const SCHEDULES = ["constant", "exponential", "cosine"] as const;

export interface MlpOptions {
  layers: number[];
  activation: Activation;
  epochs: number;
  batch: number;
  learningRate: number;
  optimiser: (typeof OPTIMISERS)[number];
  /** SGD's momentum (PyTorch's convention: v ← μv + g, w ← w − lr·v). */
  momentum: number;
  schedule: (typeof SCHEDULES)[number];
  /** Exponential schedule: the rate is multiplied by this after every epoch. */
  decay: number;
  dropout: number;
  batchNorm: boolean;
  /** Loss term l2/2 · Σ w² over the dense kernels (not biases, not batch norm's scale and shift). */
  l2: number;
  /** Epochs without a lower validation loss before stopping; 0: never stop early. */
  patience: number;
}

export const DEFAULTS: MlpOptions = {
  layers: [64, 64],
  activation: "relu",
  epochs: 20,
  batch: 1024,
  learningRate: 0.001,
  optimiser: "adam",
  momentum: 0.9,
  schedule: "constant",
  decay: 0.95,
  dropout: 0,
  batchNorm: false,
  l2: 0,
  patience: 5,
};

function bad(reason: string): never {
  throw new MlpError("HEP6063", { reason });
}

function num(o: Record<string, unknown>, key: string, dflt: number, lo: number, hi: number, int: boolean): number {
  const v = o[key];
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v))) bad(`option ${key} is ${JSON.stringify(v)}, not ${int ? "an integer" : "a number"} in ${lo} … ${hi}`);
  return v;
}

function oneOf<T extends string>(o: Record<string, unknown>, key: string, dflt: T, values: readonly T[]): T {
  const v = o[key];
  if (v === undefined) return dflt;
  if (typeof v !== "string" || !values.includes(v as T)) bad(`option ${key} is ${JSON.stringify(v)}, not one of ${values.join(", ")}`);
  return v as T;
}

export function readOptions(o: Record<string, unknown>): MlpOptions {
  const layers = o.layers === undefined ? DEFAULTS.layers : o.layers;
  if (!Array.isArray(layers) || !layers.every((w) => Number.isInteger(w) && w >= 1 && w <= 65536)) bad(`option layers is ${JSON.stringify(layers)}, not a list of widths in 1 … 65536`);
  const bn = o.batch_norm === undefined ? DEFAULTS.batchNorm : o.batch_norm;
  if (typeof bn !== "boolean") bad(`option batch_norm is ${JSON.stringify(bn)}, not true or false`);
  return {
    layers: layers as number[],
    activation: oneOf(o, "activation", DEFAULTS.activation, ACTIVATIONS),
    epochs: num(o, "epochs", DEFAULTS.epochs, 1, 100000, true),
    batch: num(o, "batch", DEFAULTS.batch, 1, 1 << 24, true),
    learningRate: num(o, "learning_rate", DEFAULTS.learningRate, 0, 10, false),
    optimiser: oneOf(o, "optimiser", DEFAULTS.optimiser, OPTIMISERS),
    momentum: num(o, "momentum", DEFAULTS.momentum, 0, 1, false),
    schedule: oneOf(o, "schedule", DEFAULTS.schedule, SCHEDULES),
    decay: num(o, "decay", DEFAULTS.decay, 0, 1, false),
    dropout: num(o, "dropout", DEFAULTS.dropout, 0, 0.9, false),
    batchNorm: bn,
    l2: num(o, "l2", DEFAULTS.l2, 0, 1e6, false),
    patience: num(o, "patience", DEFAULTS.patience, 0, 100000, true),
  };
}

/** The learning rate of a 0-based epoch under the schedule. */
export function rateAt(opt: MlpOptions, epoch: number): number {
  switch (opt.schedule) {
    case "constant":
      return opt.learningRate;
    case "exponential":
      return opt.learningRate * Math.pow(opt.decay, epoch);
    case "cosine":
      // from the full rate at the first epoch down to a hundredth of it at the last
      return opt.epochs <= 1 ? opt.learningRate : opt.learningRate * (0.01 + 0.99 * 0.5 * (1 + Math.cos((Math.PI * epoch) / (opt.epochs - 1))));
  }
}
