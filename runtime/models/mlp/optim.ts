/**
 * Optimisers over a flat list of parameter tensors, updated in place after each batch: Adam and
 * SGD with momentum, both in PyTorch's formulation (so a run can be compared with it step for
 * step), with the L2 term added to the gradient of the kernels that carry it.
 */
export interface Param {
  value: Float32Array;
  grad: Float32Array;
  /** Whether the L2 penalty applies (dense kernels only). */
  decay: boolean;
}

export interface Optimiser {
  step(lr: number): void;
}

export function adam(params: Param[], l2: number, beta1 = 0.9, beta2 = 0.999, eps = 1e-8): Optimiser {
  const m = params.map((p) => new Float32Array(p.value.length));
  const v = params.map((p) => new Float32Array(p.value.length));
  let t = 0;
  return {
    step(lr) {
      t++;
      const c1 = 1 - Math.pow(beta1, t);
      const c2 = Math.sqrt(1 - Math.pow(beta2, t));
      const stepSize = lr / c1;
      params.forEach((p, k) => {
        const w = p.value;
        const g = p.grad;
        const mk = m[k];
        const vk = v[k];
        const wd = p.decay ? l2 : 0;
        for (let i = 0; i < w.length; i++) {
          const gi = g[i] + wd * w[i];
          const mi = beta1 * mk[i] + (1 - beta1) * gi;
          const vi = beta2 * vk[i] + (1 - beta2) * gi * gi;
          mk[i] = mi;
          vk[i] = vi;
          w[i] -= (stepSize * mi) / (Math.sqrt(vi) / c2 + eps);
        }
      });
    },
  };
}

export function sgd(params: Param[], l2: number, momentum: number): Optimiser {
  const v = params.map((p) => new Float32Array(p.value.length));
  let first = true;
  return {
    step(lr) {
      params.forEach((p, k) => {
        const w = p.value;
        const g = p.grad;
        const vk = v[k];
        const wd = p.decay ? l2 : 0;
        for (let i = 0; i < w.length; i++) {
          const gi = g[i] + wd * w[i];
          // PyTorch starts the momentum buffer at the first gradient
          const vi = first ? gi : momentum * vk[i] + gi;
          vk[i] = vi;
          w[i] -= lr * vi;
        }
      });
      first = false;
    },
  };
}
