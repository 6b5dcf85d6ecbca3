// AdamW (Loshchilov & Hutter): Adam moments with bias correction and decoupled weight decay, built as graph
// nodes. Update per parameter: p <- p*(1 - lr*wd) - lr * m_hat / (sqrt(v_hat) + eps), as in PyTorch's AdamW.
import { scalar } from '../primitives.js';
import type { Tensor } from '../tensor.js';
import { groupSettings, type NamedTensors, type Optimizer, type OptimizerHyper, type OptimizerState, type ParamGroup } from './optimizer.js';

/** AdamW settings. */
export interface AdamWOptions {
  /** First-moment decay (default 0.9). */
  beta1?: number;
  /** Second-moment decay (default 0.999). */
  beta2?: number;
  /** Denominator epsilon (default 1e-8). */
  eps?: number;
  /** Default decoupled weight decay (default 0.01). */
  weightDecay?: number;
  /** Parameter groups (first match wins); others use the defaults. */
  groups?: ParamGroup[];
}

/** AdamW optimizer. */
export class AdamW implements Optimizer {
  readonly name = 'adamw';
  readonly slots = ['m', 'v'] as const;
  private readonly o: Required<AdamWOptions>;

  constructor(options: AdamWOptions = {}) {
    this.o = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, groups: [], ...options };
    const { beta1, beta2, eps } = this.o;
    if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0)) {
      throw new Error(`AdamW: need 0 <= beta1, beta2 < 1 and eps > 0 (got beta1 ${beta1}, beta2 ${beta2}, eps ${eps})`);
    }
  }

  step(params: NamedTensors, grads: NamedTensors, state: OptimizerState, { lr, step }: OptimizerHyper): { params: NamedTensors; state: OptimizerState } {
    const { beta1, beta2, eps } = this.o;
    const bc1 = scalar(1).sub(scalar(beta1).pow(step));
    const bc2 = scalar(1).sub(scalar(beta2).pow(step));
    const outP: NamedTensors = {}, outS: OptimizerState = {};
    for (const [name, p] of Object.entries(params)) {
      const g = grads[name], s = state[name];
      if (!g || !s?.m || !s.v) throw new Error(`AdamW: missing gradient or state (m, v) for parameter '${name}'`);
      const { weightDecay, lrScale } = groupSettings(this.o.groups, name, p.shape, this.o.weightDecay);
      const m = s.m.mul(beta1).add(g.mul(1 - beta1));
      const v = s.v.mul(beta2).add(g.square().mul(1 - beta2));
      const plr: Tensor = lrScale === 1 ? lr : lr.mul(lrScale);
      const decayed = weightDecay === 0 ? p : p.mul(scalar(1).sub(plr.mul(weightDecay)));
      const update = m.div(bc1).div(v.div(bc2).sqrt().add(eps));
      outP[name] = decayed.sub(plr.mul(update));
      outS[name] = { m, v };
    }
    return { params: outP, state: outS };
  }
}
