// Reverse-mode rules (vector-Jacobian products) for every differentiable primitive, written with tensor ops so
// the backward pass is part of the same graph. Used by autodiff.ts; comparisons, iota, cast give no gradient.
import { expand, gather, pad, scatterAdd, slice, transpose, where } from './primitives.js';
import type { Shape } from './shape.js';
import type { Tensor } from './tensor.js';

/** Sums `g` over the axes that broadcasting added or stretched, so it gets `shape`. */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  let r = g;
  while (r.rank > shape.length) r = r.sum(0);
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1 && r.shape[i] !== 1) r = r.sum(i, true);
  }
  return r;
}

/** Gradient of each input of `node` given the gradient `g` of its output; undefined where none flows. */
export type Vjp = (node: Tensor, g: Tensor) => (Tensor | undefined)[];

const none: Vjp = (n) => n.inputs.map(() => undefined);

// Ties of max/min split the gradient evenly, as PyTorch does.
function tieSplit(a: Tensor, b: Tensor, g: Tensor, wins: 'greater' | 'less'): (Tensor | undefined)[] {
  const half = a.eq(b).mul(0.5);
  const aWins = (wins === 'greater' ? a.gt(b) : a.lt(b)).add(half);
  const bWins = (wins === 'greater' ? b.gt(a) : b.lt(a)).add(half);
  return [sumTo(g.mul(aWins), a.shape), sumTo(g.mul(bWins), b.shape)];
}

/** The rules, by primitive op name. A primitive missing here is not differentiable (autodiff says so). */
export const VJPS: Readonly<Record<string, Vjp>> = {
  add: ({ inputs: [a, b] }, g) => [sumTo(g, a!.shape), sumTo(g, b!.shape)],
  sub: ({ inputs: [a, b] }, g) => [sumTo(g, a!.shape), sumTo(g.neg(), b!.shape)],
  mul: ({ inputs: [a, b] }, g) => [sumTo(g.mul(b!), a!.shape), sumTo(g.mul(a!), b!.shape)],
  div: (n, g) => {
    const [a, b] = n.inputs as [Tensor, Tensor];
    return [sumTo(g.div(b), a.shape), sumTo(g.mul(n).div(b).neg(), b.shape)];
  },
  pow: (n, g) => {
    const [a, b] = n.inputs as [Tensor, Tensor];
    return [sumTo(g.mul(b).mul(a.pow(b.sub(1))), a.shape), sumTo(g.mul(n).mul(a.log()), b.shape)];
  },
  max: ({ inputs: [a, b] }, g) => tieSplit(a!, b!, g, 'greater'),
  min: ({ inputs: [a, b] }, g) => tieSplit(a!, b!, g, 'less'),
  less: none, less_equal: none, greater: none, greater_equal: none, equal: none,
  neg: (_, g) => [g.neg()],
  abs: ({ inputs: [a] }, g) => [g.mul(a!.gt(0).sub(a!.lt(0)))],
  exp: (n, g) => [g.mul(n)],
  log: ({ inputs: [a] }, g) => [g.div(a!)],
  sqrt: (n, g) => [g.mul(0.5).div(n)],
  reciprocal: (n, g) => [g.mul(n).mul(n).neg()],
  tanh: (n, g) => [g.mul(n.square().neg().add(1))],
  sigmoid: (n, g) => [g.mul(n).mul(n.neg().add(1))],
  sin: ({ inputs: [a] }, g) => [g.mul(a!.cos())],
  cos: ({ inputs: [a] }, g) => [g.mul(a!.sin()).neg()],
  where: ({ inputs: [c, a, b] }, g) => [undefined, sumTo(where(c!, g, 0), a!.shape), sumTo(where(c!, 0, g), b!.shape)],
  reduce_sum: ({ inputs: [a] }, g) => [expand(g, a!.shape)],
  reduce_mean: (n, g) => {
    const a = n.inputs[0]!;
    return [expand(g.div(a.shape[n.attrs.axis as number]!), a.shape)];
  },
  reduce_max: (n, g) => {
    const a = n.inputs[0]!;
    const mask = a.eq(expand(n, a.shape));
    return [mask.mul(expand(g.div(mask.sum(n.attrs.axis as number, true)), a.shape))];
  },
  reshape: ({ inputs: [a] }, g) => [g.reshape(a!.shape)],
  transpose: (n, g) => {
    const perm = n.attrs.perm as number[];
    const inv = perm.map((_, i) => perm.indexOf(i));
    return [transpose(g, inv)];
  },
  expand: ({ inputs: [a] }, g) => [sumTo(g, a!.shape)],
  slice: (n, g) => {
    const a = n.inputs[0]!;
    const ends = n.attrs.ends as number[];
    return [pad(g, n.attrs.starts as number[], a.shape.map((d, i) => d - ends[i]!))];
  },
  pad: (n, g) => {
    const a = n.inputs[0]!;
    const before = n.attrs.before as number[];
    return [slice(g, before, a.shape.map((d, i) => before[i]! + d))];
  },
  concat: (n, g) => {
    const axis = n.attrs.axis as number;
    let off = 0;
    return n.inputs.map((x) => {
      const starts = x.shape.map((_, i) => (i === axis ? off : 0));
      const ends = x.shape.map((d, i) => (i === axis ? off + d : g.shape[i]!));
      off += x.shape[axis]!;
      return slice(g, starts, ends);
    });
  },
  matmul: ({ inputs: [a, b] }, g) => [sumTo(g.matmul(b!.transpose()), a!.shape), sumTo(a!.transpose().matmul(g), b!.shape)],
  gather: ({ inputs: [table, index] }, g) => [scatterAdd(index!, g, table!.shape[0]!), undefined],
  scatter_add: ({ inputs: [index] }, g) => [undefined, gather(g, index!)],
  cast: none,
};
