// Fused ONNX lowerings of composite ops: a composite listed here stays one node in the program and becomes a
// native ONNX op; every other composite is expanded into primitives by the compiler. Only composites with
// their own backward are fused, so training graphs never recompute a fused forward through its decomposition.
import { attr } from './graph-builder.js';
import type { Lowering } from './lower-primitives.js';

/** Fused lowerings by composite name. */
export const COMPOSITE_LOWERINGS: Readonly<Record<string, Lowering>> = {
  softmax: ({ b, node, ins }) => b.op('Softmax', ins, [attr.int('axis', node.attrs.axis as number)]),
  log_softmax: ({ b, node, ins }) => b.op('LogSoftmax', ins, [attr.int('axis', node.attrs.axis as number)]),
};
