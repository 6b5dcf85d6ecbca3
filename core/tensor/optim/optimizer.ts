// The optimizer contract (an update built as graph nodes, so forward + backward + update is one program) and
// parameter groups (per-group weight decay and lr scale, e.g. no decay on norms and biases).
import type { Shape } from '../shape.js';
import type { Tensor } from '../tensor.js';

/** Scalar f32 graph inputs fed each step, so one compiled program serves every step. */
export interface OptimizerHyper {
  /** Learning rate of this step. */
  lr: Tensor;
  /** 1-based index of this update (bias correction). */
  step: Tensor;
}

/** Per-parameter tensors by parameter name. */
export type NamedTensors = Record<string, Tensor>;

/** Optimizer state: for each parameter name, one tensor per slot. */
export type OptimizerState = Record<string, Record<string, Tensor>>;

/** Builds the graph of one update. */
export interface Optimizer {
  /** Name for logs (`adamw`, `sgd`). */
  readonly name: string;
  /** State slots per parameter, each shaped like the parameter and starting at zero (AdamW: m, v). */
  readonly slots: readonly string[];
  /** New parameter and state tensors after one update with `grads`. */
  step(params: NamedTensors, grads: NamedTensors, state: OptimizerState, hyper: OptimizerHyper): { params: NamedTensors; state: OptimizerState };
}

/** A parameter group: the first group whose `match` accepts a parameter sets its hyperparameters. */
export interface ParamGroup {
  /** Label for logs. */
  name?: string;
  /** Which parameters belong: a regexp on the name, or a predicate on name and shape. */
  match: RegExp | ((name: string, shape: Shape) => boolean);
  /** Weight decay of the group (overrides the optimizer default). */
  weightDecay?: number;
  /** Multiplier of the learning rate (default 1). */
  lrScale?: number;
}

/** Hyperparameters of one parameter after group resolution. */
export interface GroupSettings {
  /** Weight decay. */
  weightDecay: number;
  /** Learning-rate multiplier. */
  lrScale: number;
}

/** Settings for parameter `name` from the first matching group, else the defaults. */
export function groupSettings(groups: readonly ParamGroup[], name: string, shape: Shape, defaultDecay: number): GroupSettings {
  for (const g of groups) {
    const hit = g.match instanceof RegExp ? g.match.test(name) : g.match(name, shape);
    if (hit) return { weightDecay: g.weightDecay ?? defaultDecay, lrScale: g.lrScale ?? 1 };
  }
  return { weightDecay: defaultDecay, lrScale: 1 };
}

/** The usual split: no weight decay on vectors (norm weights, biases) or names containing `norm`/`bias`. */
export function noDecayOnNormsAndBiases(): ParamGroup[] {
  return [{ name: 'no_decay', match: (name, shape) => shape.length <= 1 || /norm|bias/i.test(name), weightDecay: 0 }];
}
