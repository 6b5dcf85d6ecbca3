// The closed set of primitive ops by name: what every backend must implement (docs/backends.md gives each one's
// exact semantics). The builders that create nodes of these ops live with the Tensor in tensor.ts.

/** Unary elementwise ops; `neg` and `abs` also take i32, the rest f32 only. */
export const UNARY_OPS = ['neg', 'abs', 'exp', 'log', 'sqrt', 'reciprocal', 'tanh', 'sigmoid', 'sin', 'cos'] as const;
/** Binary elementwise ops with numpy broadcasting; `div` and `pow` are f32 only. */
export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'max', 'min'] as const;
/** Comparisons (broadcasting, either dtype, both operands alike) giving f32 1 or 0. */
export const COMPARE_OPS = ['less', 'less_equal', 'greater', 'greater_equal', 'equal'] as const;
/** Reductions over one axis, keeping it as size 1. */
export const REDUCE_OPS = ['reduce_sum', 'reduce_max', 'reduce_mean'] as const;
/** Every primitive op name: the closed set a backend must implement. */
export const PRIMITIVE_OPS = [
  'input', 'constant', 'iota', ...UNARY_OPS, ...BINARY_OPS, ...COMPARE_OPS, 'where', ...REDUCE_OPS,
  'reshape', 'transpose', 'expand', 'slice', 'pad', 'concat', 'matmul', 'gather', 'scatter_add', 'cast',
] as const;

export type UnaryOp = (typeof UNARY_OPS)[number];
export type BinaryOp = (typeof BINARY_OPS)[number] | (typeof COMPARE_OPS)[number];
export type ReduceOp = (typeof REDUCE_OPS)[number];
export type PrimitiveOp = (typeof PRIMITIVE_OPS)[number];

const primitiveSet = new Set<string>(PRIMITIVE_OPS);
/** True when `op` is one of the primitive ops. */
export function isPrimitive(op: string): boolean { return primitiveSet.has(op); }

/** Ops that take only f32 operands. */
export const F32_ONLY = new Set<string>(['exp', 'log', 'sqrt', 'reciprocal', 'tanh', 'sigmoid', 'sin', 'cos', 'div', 'pow',
  'reduce_mean', 'matmul']);
/** The comparison ops (their output is always f32). */
export const COMPARE = new Set<string>(COMPARE_OPS);

