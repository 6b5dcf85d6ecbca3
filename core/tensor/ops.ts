// The `ops` namespace: composite builders (softmax, rms_norm, rope, attention, losses, ...) and the primitive
// free functions, plus `applyOp` to build any op by name from JSON attributes. Importing it defines every composite.
import { getComposite, compositeNames } from './composite.js';
import { applyPrimitive, isPrimitive, PRIMITIVE_OPS } from './primitives.js';
import { GraphBuildError } from './shape.js';
import type { Attrs, Tensor } from './tensor.js';

export { softmax, logSoftmax } from './composites/softmax.js';
export { rmsNorm, silu } from './composites/norm.js';
export { rope, ropeInverseFrequencies, type RopeConvention, type RopeOptions } from './composites/rope.js';
export { causalAttention, kvCacheUpdate, MASKED_SCORE, type AttentionOptions } from './composites/attention.js';
export { crossEntropy, embedding, type CrossEntropyOptions, type Reduction } from './composites/losses.js';
export {
  input, constant, scalar, full, zeros, ones, iota, where, concat, matmul, gather, scatterAdd, cast, reshape,
  transpose, expand, slice, sliceAxis, pad, unary, binary, reduce, reduceAxis,
} from './primitives.js';

/** Builds primitive or composite `op` from operands and JSON attributes (conformance cases, deserialization). */
export function applyOp(op: string, inputs: readonly Tensor[], attrs: Attrs = {}): Tensor {
  if (isPrimitive(op)) return applyPrimitive(op, inputs, attrs);
  const def = getComposite(op);
  if (!def) {
    throw new GraphBuildError(`unknown op '${op}' (primitives: ${PRIMITIVE_OPS.join(', ')}; composites: ${compositeNames().join(', ')})`);
  }
  return def.apply(inputs, attrs);
}
