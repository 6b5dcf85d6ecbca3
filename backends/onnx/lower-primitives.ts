// ONNX lowering of every gramr primitive op (opset 17): one function per op that adds the ONNX nodes computing
// it and returns the output value name. Semantics follow docs/backends.md (comparisons give f32 0/1, `where`
// reads non-zero as true, f32 -> i32 casts truncate with NaN -> 0).
import { BINARY_OPS, COMPARE_OPS, REDUCE_OPS, UNARY_OPS } from '../../core/tensor/primitives.js';
import { sameShape } from '../../core/tensor/shape.js';
import type { Tensor } from '../../core/tensor/tensor.js';
import { OnnxType } from './onnx-model.js';
import { attr, type OnnxGraphBuilder } from './graph-builder.js';

/** What a lowering sees: the builder, the node and its operands' value names. */
export interface LowerContext {
  /** The graph being built (nodes added now are owned by `node`). */
  readonly b: OnnxGraphBuilder;
  /** The program node being lowered. */
  readonly node: Tensor;
  /** Value names of the node's operands, in order. */
  readonly ins: readonly string[];
  /** The bool twin of an f32 0/1 value made by a comparison, if any (lets `where` skip a Cast). */
  boolOf(value: string): string | undefined;
  /** Records the bool twin of an f32 0/1 value. */
  setBool(value: string, boolValue: string): void;
}

/** Lowers one node; returns the name of the value holding its result. */
export type Lowering = (ctx: LowerContext) => string;

const UNARY: Record<string, string> = {
  neg: 'Neg', abs: 'Abs', exp: 'Exp', log: 'Log', sqrt: 'Sqrt', reciprocal: 'Reciprocal', tanh: 'Tanh',
  sigmoid: 'Sigmoid', sin: 'Sin', cos: 'Cos',
};
const BINARY: Record<string, string> = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', pow: 'Pow', max: 'Max', min: 'Min' };
const COMPARE: Record<string, string> = {
  less: 'Less', less_equal: 'LessOrEqual', greater: 'Greater', greater_equal: 'GreaterOrEqual', equal: 'Equal',
};
const REDUCE: Record<string, string> = { reduce_sum: 'ReduceSum', reduce_max: 'ReduceMax', reduce_mean: 'ReduceMean' };

const compare: Lowering = ({ b, node, ins, setBool }) => {
  const bool = b.op(COMPARE[node.op]!, ins);
  const out = b.op('Cast', [bool], [attr.int('to', OnnxType.FLOAT)]);
  setBool(out, bool);
  return out;
};

const reduce: Lowering = ({ b, node, ins }) => {
  const axis = node.attrs.axis as number;
  // ReduceSum takes axes as an input since opset 13; ReduceMax/ReduceMean only from opset 18.
  if (node.op === 'reduce_sum') return b.op('ReduceSum', [ins[0]!, b.i64([axis])], [attr.int('keepdims', 1)]);
  return b.op(REDUCE[node.op]!, ins, [attr.ints('axes', [axis]), attr.int('keepdims', 1)]);
};

/** Lowerings of the primitive ops (leaves `input` and `constant` are handled by the program lowering). */
export const PRIMITIVE_LOWERINGS: Readonly<Record<string, Lowering>> = (() => {
  const table: Record<string, Lowering> = {
    iota: ({ b, node }) => b.op('Range', [b.scalar(0, node.dtype), b.scalar(node.shape[0]!, node.dtype), b.scalar(1, node.dtype)]),
    where: ({ b, ins, boolOf }) => {
      const cond = boolOf(ins[0]!) ?? b.op('Cast', [ins[0]!], [attr.int('to', OnnxType.BOOL)]);
      return b.op('Where', [cond, ins[1]!, ins[2]!]);
    },
    reshape: ({ b, node, ins }) => (sameShape(node.inputs[0]!.shape, node.shape) ? ins[0]! : b.reshape(ins[0]!, node.shape)),
    transpose: ({ b, node, ins }) => b.op('Transpose', ins, [attr.ints('perm', node.attrs.perm as number[])]),
    expand: ({ b, node, ins }) => b.op('Expand', [ins[0]!, b.i64(node.shape)]),
    slice: ({ b, node, ins }) => {
      const starts = node.attrs.starts as number[], ends = node.attrs.ends as number[];
      const dims = node.inputs[0]!.shape;
      const axes = starts.map((_, i) => i).filter((i) => starts[i] !== 0 || ends[i] !== dims[i]);
      return b.op('Slice', [ins[0]!, b.i64(axes.map((i) => starts[i]!)), b.i64(axes.map((i) => ends[i]!)), b.i64(axes)]);
    },
    pad: ({ b, node, ins }) => {
      const pads = [...(node.attrs.before as number[]), ...(node.attrs.after as number[])];
      return b.op('Pad', [ins[0]!, b.i64(pads), b.scalar((node.attrs.value ?? 0) as number, node.dtype)], [attr.string('mode', 'constant')]);
    },
    concat: ({ b, node, ins }) => b.op('Concat', ins, [attr.int('axis', node.attrs.axis as number)]),
    matmul: ({ b, ins }) => b.op('MatMul', ins),
    gather: ({ b, ins }) => b.op('Gather', ins, [attr.int('axis', 0)]),
    scatter_add: ({ b, node, ins }) => {
      const zeroValue = node.dtype === 'i32'
        ? { name: '', dataType: OnnxType.INT32, dims: [1], raw: new Uint8Array(4) }
        : { name: '', dataType: OnnxType.FLOAT, dims: [1], raw: new Uint8Array(4) };
      const zeros = b.op('ConstantOfShape', [b.i64(node.shape)], [attr.tensor('value', zeroValue)]);
      const idx = b.op('Unsqueeze', [b.op('Cast', [ins[0]!], [attr.int('to', OnnxType.INT64)]), b.i64([-1])]);
      return b.op('ScatterND', [zeros, idx, ins[1]!], [attr.string('reduction', 'add')]);
    },
    cast: ({ b, node, ins }) => {
      if (node.attrs.to === 'f32') return b.op('Cast', ins, [attr.int('to', OnnxType.FLOAT)]);
      // f32 -> i32 truncates toward zero; NaN becomes 0 (a plain Cast gives INT_MIN on x86).
      const clean = b.op('Where', [b.op('IsNaN', ins), b.scalar(0, 'f32'), ins[0]!]);
      return b.op('Cast', [clean], [attr.int('to', OnnxType.INT32)]);
    },
  };
  for (const op of UNARY_OPS) table[op] = ({ b, ins }) => b.op(UNARY[op]!, ins);
  for (const op of BINARY_OPS) table[op] = ({ b, ins }) => b.op(BINARY[op]!, ins);
  for (const op of COMPARE_OPS) table[op] = compare;
  for (const op of REDUCE_OPS) table[op] = reduce;
  return table;
})();
