// Sibling-matmul merging for graphs whose weights are initializers: matmuls reading the same [N, K] activation
// with constant [K, C_i] weights (a layer's q/k/v projections) become one MatMul with the weights concatenated,
// split back into the members. When every member is only reshaped into heads ([.., h_i, ..] differing on one
// axis), one Reshape of the product and a Split on that axis replace the member reshapes too: q/k/v of a
// decode step go from six ONNX nodes to three. The results are the members' own products (same dot products).
import type { Program } from '../../core/tensor/program.js';
import { sizeOf } from '../../core/tensor/shape.js';
import type { Tensor } from '../../core/tensor/tensor.js';
import { attr, type OnnxGraphBuilder } from './graph-builder.js';
import { OnnxType } from './onnx-model.js';

/** One group of sibling matmuls lowered together. */
export interface MatmulGroup {
  /** The matmul nodes, in program order. */
  members: Tensor[];
  /** The reshape consuming each member, when the heads variant applies (split axis `axis` of their shapes). */
  reshapes?: Tensor[];
  /** Split axis of the reshaped product (heads variant). */
  axis?: number;
}

// The axis on which the reshape targets differ, when [N, sum C] reshaped to the targets with that axis summed
// and split there gives each member's reshape; undefined when no such axis exists.
function headsAxis(members: readonly Tensor[], reshapes: readonly Tensor[]): number | undefined {
  const shapes = reshapes.map((r) => r.shape);
  const rank = shapes[0]!.length;
  if (shapes.some((s) => s.length !== rank)) return undefined;
  const differ = [...Array(rank).keys()].filter((a) => shapes.some((s) => s[a] !== shapes[0]![a]));
  const axis = differ.length === 1 ? differ[0]! : differ.length === 0 ? undefined : -1;
  if (axis === undefined || axis < 0) return undefined;
  const n = members[0]!.shape[0]!;
  const lead = sizeOf(shapes[0]!.slice(0, axis)), rest = sizeOf(shapes[0]!.slice(axis + 1));
  if (lead !== n) return undefined;
  return members.every((m, i) => shapes[i]![axis]! * rest === m.shape[1]) ? axis : undefined;
}

/**
 * Groups of sibling matmuls worth merging: same 2-D left operand, right operands that are embedded constants
 * (`isConstant(name)`) of rank 2. Three or more members always merge; two only when the heads variant applies.
 */
export function matmulGroups(program: Program, isConstant: (name: string) => boolean): MatmulGroup[] {
  const users = new Map<Tensor, Tensor[]>();
  for (const n of program.nodes) for (const x of n.inputs) { const u = users.get(x); if (u) u.push(n); else users.set(x, [n]); }
  const outputs = new Set(program.outputs.map((o) => program.nodes[o]!));
  const byLeft = new Map<Tensor, Tensor[]>();
  for (const n of program.nodes) {
    const [a, w] = n.inputs;
    if (n.op !== 'matmul' || a!.rank !== 2 || w!.rank !== 2 || w!.op !== 'input' || !isConstant(w!.attrs.name as string)) continue;
    const list = byLeft.get(a!);
    if (list) list.push(n); else byLeft.set(a!, [n]);
  }
  const groups: MatmulGroup[] = [];
  for (const members of byLeft.values()) {
    if (members.length < 2) continue;
    const reshapes = members.map((m) => users.get(m) ?? []);
    const heads = reshapes.every((u, i) => u.length === 1 && u[0]!.op === 'reshape' && !outputs.has(members[i]!))
      ? headsAxis(members, reshapes.map((u) => u[0]!)) : undefined;
    if (heads !== undefined) groups.push({ members, reshapes: reshapes.map((u) => u[0]!), axis: heads });
    else if (members.length >= 3) groups.push({ members });
  }
  return groups;
}

/**
 * Emits one group: the MatMul with concatenated weights (`weights(name)` gives a member's [K, C] data), then
 * either a Split into the members' products, or a Reshape + Split into their reshapes. Returns the value of each
 * node it computed (members, or reshapes in the heads variant).
 */
export function lowerMatmulGroup(b: OnnxGraphBuilder, group: MatmulGroup, left: string, weights: (name: string) => Float32Array): Map<Tensor, string> {
  const { members } = group;
  const k = members[0]!.inputs[1]!.shape[0]!;
  const cols = members.map((m) => m.shape[1]!), total = cols.reduce((x, y) => x + y, 0);
  const cat = new Float32Array(k * total);
  let off = 0;
  members.forEach((m, i) => {
    const w = weights(m.inputs[1]!.attrs.name as string);
    for (let r = 0; r < k; r++) cat.set(w.subarray(r * cols[i]!, (r + 1) * cols[i]!), r * total + off);
    off += cols[i]!;
  });
  const product = b.op('MatMul', [left, b.constant(OnnxType.FLOAT, [k, total], cat)]);
  const out = new Map<Tensor, string>();
  if (group.reshapes) {
    const axis = group.axis!;
    const shape = [...group.reshapes[0]!.shape];
    const sizes = group.reshapes.map((r) => r.shape[axis]!);
    shape[axis] = sizes.reduce((x, y) => x + y, 0);
    const parts = b.add('Split', [b.reshape(product, shape), b.i64(sizes)], [attr.int('axis', axis)], { outputs: sizes.length });
    group.reshapes.forEach((r, i) => out.set(r, parts[i]!));
  } else {
    const parts = b.add('Split', [product, b.i64(cols)], [attr.int('axis', 1)], { outputs: cols.length });
    members.forEach((m, i) => out.set(m, parts[i]!));
  }
  return out;
}
