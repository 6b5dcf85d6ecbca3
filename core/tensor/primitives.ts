// The closed set of primitive ops: their names (op-set.ts), a builder for each (defined with the Tensor in
// tensor.ts, which validates operands and infers the static output shape/dtype), and applyPrimitive, which builds any
// of them from JSON attributes. Every composite and every gradient is expressed with these.
import type { DType } from './dtype.js';
import {
  BINARY_OPS, COMPARE, PRIMITIVE_OPS, REDUCE_OPS, UNARY_OPS, type BinaryOp, type ReduceOp, type UnaryOp,
} from './op-set.js';
import { GraphBuildError } from './shape.js';
import {
  binary, cast, concat, constant, expand, gather, input, iota, matmul, pad, reduceAxis, reshape, scatterAdd, slice,
  transpose, unary, where, type Attrs, type Tensor,
} from './tensor.js';

export {
  BINARY_OPS, COMPARE_OPS, PRIMITIVE_OPS, REDUCE_OPS, UNARY_OPS, isPrimitive, type BinaryOp, type PrimitiveOp, type ReduceOp,
  type UnaryOp,
} from './op-set.js';
export {
  binary, cast, concat, constant, expand, full, gather, input, iota, matmul, ones, pad, reduce, reduceAxis, reshape,
  scalar, scatterAdd, slice, sliceAxis, transpose, unary, where, zeros,
} from './tensor.js';

function fail(msg: string): never { throw new GraphBuildError(msg); }

/** Builds primitive `op` from operands and JSON attributes (used by the conformance suite and serializers). */
export function applyPrimitive(op: string, inputs: readonly Tensor[], attrs: Attrs): Tensor {
  const [a, b, c] = inputs as Tensor[];
  const need = (n: number): void => {
    if (inputs.length !== n) fail(`${op}: expects ${n} operand(s), got ${inputs.length}`);
  };
  if ((UNARY_OPS as readonly string[]).includes(op)) { need(1); return unary(op as UnaryOp, a!); }
  if ((BINARY_OPS as readonly string[]).includes(op) || COMPARE.has(op)) { need(2); return binary(op as BinaryOp, a!, b!); }
  if ((REDUCE_OPS as readonly string[]).includes(op)) { need(1); return reduceAxis(op as ReduceOp, a!, attrs.axis as number); }
  switch (op) {
    case 'input': need(0); return input(attrs.name as string, attrs.shape as number[], (attrs.dtype ?? 'f32') as DType);
    case 'constant': need(0); return constant(attrs.value as number[], attrs.shape as number[], (attrs.dtype ?? 'f32') as DType);
    case 'iota': need(0); return iota(attrs.length as number, (attrs.dtype ?? 'i32') as DType);
    case 'where': need(3); return where(a!, b!, c!);
    case 'reshape': need(1); return reshape(a!, attrs.shape as number[]);
    case 'transpose': need(1); return transpose(a!, attrs.perm as number[]);
    case 'expand': need(1); return expand(a!, attrs.shape as number[]);
    case 'slice': need(1); return slice(a!, attrs.starts as number[], attrs.ends as number[]);
    case 'pad': need(1); return pad(a!, attrs.before as number[], attrs.after as number[], (attrs.value ?? 0) as number);
    case 'concat': return concat(inputs, attrs.axis as number);
    case 'matmul': need(2); return matmul(a!, b!);
    case 'gather': need(2); return gather(a!, b!);
    case 'scatter_add': need(2); return scatterAdd(a!, b!, attrs.rows as number);
    case 'cast': need(1); return cast(a!, attrs.to as DType);
    default: return fail(`unknown primitive op '${op}' (valid: ${PRIMITIVE_OPS.join(', ')})`);
  }
}
