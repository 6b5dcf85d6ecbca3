// SGD with optional momentum and (coupled, L2) weight decay, as in PyTorch's SGD without dampening/nesterov:
// g' = g + wd*p; buf <- mu*buf + g'; p <- p - lr*buf (buf starts at zero, so the first step uses g').
import { groupSettings, type NamedTensors, type Optimizer, type OptimizerHyper, type OptimizerState, type ParamGroup } from './optimizer.js';

/** SGD settings. */
export interface SgdOptions {
  /** Momentum factor (default 0: plain SGD, no state). */
  momentum?: number;
  /** L2 weight decay added to the gradient (default 0). */
  weightDecay?: number;
  /** Parameter groups (first match wins). */
  groups?: ParamGroup[];
}

/** Stochastic gradient descent. */
export class Sgd implements Optimizer {
  readonly name = 'sgd';
  readonly slots: readonly string[];
  private readonly o: Required<SgdOptions>;

  constructor(options: SgdOptions = {}) {
    this.o = { momentum: 0, weightDecay: 0, groups: [], ...options };
    if (!(this.o.momentum >= 0 && this.o.momentum < 1)) throw new Error(`Sgd: momentum must be in [0, 1) (got ${this.o.momentum})`);
    this.slots = this.o.momentum > 0 ? ['momentum'] : [];
  }

  step(params: NamedTensors, grads: NamedTensors, state: OptimizerState, { lr }: OptimizerHyper): { params: NamedTensors; state: OptimizerState } {
    const outP: NamedTensors = {}, outS: OptimizerState = {};
    for (const [name, p] of Object.entries(params)) {
      const g0 = grads[name];
      if (!g0) throw new Error(`Sgd: missing gradient for parameter '${name}'`);
      const { weightDecay, lrScale } = groupSettings(this.o.groups, name, p.shape, this.o.weightDecay);
      let g = weightDecay === 0 ? g0 : g0.add(p.mul(weightDecay));
      if (this.o.momentum > 0) {
        const buf = state[name]?.momentum;
        if (!buf) throw new Error(`Sgd: missing momentum state for parameter '${name}'`);
        g = buf.mul(this.o.momentum).add(g);
        outS[name] = { momentum: g };
      } else outS[name] = {};
      outP[name] = p.sub((lrScale === 1 ? lr : lr.mul(lrScale)).mul(g));
    }
    return { params: outP, state: outS };
  }
}
