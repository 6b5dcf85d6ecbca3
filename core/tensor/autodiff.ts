// Reverse-mode autodiff over the lazy graph: `grad(loss, params)` returns gradient tensors built into the same
// graph, so forward, backward and the optimizer update compile and run as one program. Composites
// use their own vjp or are differentiated through their decomposition.
import { decomposeNode, getComposite } from './composite.js';
import { VJPS } from './gradients.js';
import { full, zeros } from './primitives.js';
import { GraphBuildError, fmt, sameShape } from './shape.js';
import type { Tensor } from './tensor.js';

/** Nodes reachable from `outputs` in an order where inputs come first; traversal stops at `stop` nodes. */
export function topoOrder(outputs: readonly Tensor[], stop?: ReadonlySet<Tensor>): Tensor[] {
  const order: Tensor[] = [];
  const state = new Map<Tensor, number>(); // 1 = on stack, 2 = done
  for (const root of outputs) {
    if (state.has(root)) continue;
    const stack: [Tensor, number][] = [[root, 0]];
    state.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [node, i] = top;
      const ins = stop?.has(node) ? [] : node.inputs;
      if (i < ins.length) {
        top[1] = i + 1;
        const child = ins[i]!;
        if (!state.has(child)) {
          state.set(child, 1);
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        state.set(node, 2);
        order.push(node);
      }
    }
  }
  return order;
}

function sumAll(terms: Tensor[]): Tensor {
  let level = terms;
  while (level.length > 1) {
    const next: Tensor[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? level[i]!.add(level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}

/**
 * Gradients of `outputs` (weighted by `seeds`) with respect to each of `wrt`; undefined where no path exists.
 * With `stopAtWrt`, the `wrt` nodes are treated as leaves (paths through them to other nodes are not followed).
 */
export function backprop(outputs: readonly Tensor[], seeds: readonly Tensor[], wrt: readonly Tensor[], stopAtWrt = false): (Tensor | undefined)[] {
  const target = new Set(wrt);
  const order = topoOrder(outputs, stopAtWrt ? target : undefined);
  const needs = new Set<Tensor>();
  for (const n of order) {
    if (target.has(n) || n.inputs.some((x) => needs.has(x))) needs.add(n);
  }
  const pending = new Map<Tensor, Tensor[]>();
  const addGrad = (n: Tensor, g: Tensor): void => {
    if (!needs.has(n) || n.dtype !== 'f32') return;
    if (!sameShape(g.shape, n.shape)) throw new Error(`autodiff: internal error: gradient ${fmt(g.shape)} for ${n} of shape ${fmt(n.shape)}`);
    const list = pending.get(n);
    if (list) list.push(g); else pending.set(n, [g]);
  };
  outputs.forEach((o, i) => addGrad(o, seeds[i]!));
  const result = new Map<Tensor, Tensor>();
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    const list = pending.get(node);
    if (!list) continue;
    pending.delete(node);
    const g = sumAll(list);
    if (target.has(node)) {
      result.set(node, g);
      if (stopAtWrt) continue;
    }
    if (node.inputs.length === 0) continue;
    for (const [i, gi] of inputGrads(node, g).entries()) {
      if (gi) addGrad(node.inputs[i]!, gi);
    }
  }
  return wrt.map((w) => result.get(w));
}

function inputGrads(node: Tensor, g: Tensor): (Tensor | undefined)[] {
  const rule = VJPS[node.op];
  if (rule) return rule(node, g);
  const def = getComposite(node.op);
  if (!def) throw new GraphBuildError(`autodiff: op '${node.op}' (${node}) has no gradient rule`);
  if (def.vjp) return def.vjp(node, g);
  // Through the decomposition: its inputs are exactly the composite's inputs; a repeated input gets its
  // total gradient once (on its first position).
  const inner = backprop([decomposeNode(node)], [g], node.inputs, true);
  return inner.map((gi, i) => (node.inputs.indexOf(node.inputs[i]!) === i ? gi : undefined));
}

/**
 * Gradient of the scalar `loss` with respect to each tensor in `params` (zeros where the loss does not depend
 * on it). The result is part of the graph: compile it together with the loss and the optimizer update.
 */
export function grad(loss: Tensor, params: readonly Tensor[]): Tensor[] {
  if (loss.dtype !== 'f32' || loss.size !== 1) throw new GraphBuildError(`grad: loss must be an f32 scalar, got ${loss.dtype} ${fmt(loss.shape)}`);
  for (const p of params) {
    if (p.dtype !== 'f32') throw new GraphBuildError(`grad: cannot differentiate with respect to ${p.dtype} tensor ${p}`);
  }
  const gs = backprop([loss], [full(loss.shape, 1)], params);
  return gs.map((g, i) => g ?? zeros(params[i]!.shape));
}
