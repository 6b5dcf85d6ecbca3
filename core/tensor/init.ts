// Seeded parameter initialization into Float32Array: normal, uniform, Xavier/Glorot, constants.
// Deterministic given the Rng state, so the same seed gives bit-identical weights.
import type { Rng } from './rng.js';
import { sizeOf, type Shape } from './shape.js';

/** Normal(mean, std) values for `shape`. */
export function normalInit(rng: Rng, shape: Shape, std = 0.02, mean = 0): Float32Array {
  const out = new Float32Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = rng.normal(mean, std);
  return out;
}

/** Uniform [low, high) values for `shape`. */
export function uniformInit(rng: Rng, shape: Shape, low: number, high: number): Float32Array {
  const out = new Float32Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(low, high);
  return out;
}

/** Xavier/Glorot uniform for a `[fanIn, fanOut]` matrix (last two dims). */
export function xavierUniform(rng: Rng, shape: Shape): Float32Array {
  if (shape.length < 2) throw new Error(`xavierUniform: needs a shape of rank >= 2, got [${shape.join(',')}]`);
  const fanIn = shape[shape.length - 2]!, fanOut = shape[shape.length - 1]!;
  const bound = Math.sqrt(6 / (fanIn + fanOut));
  return uniformInit(rng, shape, -bound, bound);
}

/** `value` everywhere (zeros, ones for norm weights). */
export function constantInit(shape: Shape, value: number): Float32Array {
  return new Float32Array(sizeOf(shape)).fill(value);
}
