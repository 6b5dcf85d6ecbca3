// The ONNX backend's kernels: the lowering of every primitive and fused composite (the ONNX nodes it emits),
// registered in the shared kernelRegistry under `onnx/<op>` when this module loads. Composites with no backward of
// their own are registered `forwardOnly` (fused only in graphs that do not also compute their decomposition).
import { kernelRegistry } from '../../core/tensor/kernel-registry.js';
import { isPrimitive } from '../../core/tensor/primitives.js';
import { COMPOSITE_LOWERINGS } from './lower-composites.js';
import { INFERENCE_LOWERINGS } from './lower-inference.js';
import { PRIMITIVE_LOWERINGS, type Lowering } from './lower-primitives.js';

for (const [table, primitive, forwardOnly] of [
  [PRIMITIVE_LOWERINGS, true, false], [COMPOSITE_LOWERINGS, false, false], [INFERENCE_LOWERINGS, false, true],
] as const) {
  for (const [op, lowering] of Object.entries(table)) {
    if (isPrimitive(op) !== primitive) throw new Error(`onnx: lowering '${op}' is filed as a ${primitive ? 'primitive' : 'composite'} but is not one`);
    kernelRegistry.register('onnx', op, lowering, { forwardOnly });
  }
}

/** Lowering of `op`, if any (a primitive always; a fused composite only when `fused(op)`). */
export function loweringOf(op: string, fused: (op: string) => boolean): Lowering | undefined {
  if (!isPrimitive(op) && !fused(op)) return undefined;
  return kernelRegistry.get('onnx', op) as Lowering | undefined;
}

// Composite ops with an ONNX lowering, sorted, optionally only the forward-only ones or only the others.
function composites(forwardOnly?: boolean): string[] {
  return kernelRegistry.ops('onnx').filter((op) => !isPrimitive(op)
    && (forwardOnly === undefined || (kernelRegistry.traits('onnx', op).forwardOnly ?? false) === forwardOnly));
}

/** Composite names with a fused ONNX lowering (in every graph, or in forward-only graphs; see fusion-check.ts). */
export function fusedCompositeNames(): string[] { return composites(); }

/** Composites with no backward of their own, lowered fused only where the graph lacks their decomposition. */
export function inferenceCompositeNames(): string[] { return composites(true); }

/** Composites with their own backward, lowered fused in every graph. */
export function alwaysFusedCompositeNames(): string[] { return composites(false); }
