// The closed set of primitive ops: builders that validate operands and infer the static output shape/dtype.
// Every composite and every gradient is expressed with these; docs/backends.md gives each one's exact semantics.
import type { DType, HostData } from './dtype.js';
import { checkDType } from './dtype.js';
import { Tensor, type Attrs } from './tensor.js';
import {
  GraphBuildError, broadcastShapes, broadcastsTo, checkShape, fmt, normAxis, sameShape, sizeOf, type Shape,
} from './shape.js';

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

const F32_ONLY = new Set<string>(['exp', 'log', 'sqrt', 'reciprocal', 'tanh', 'sigmoid', 'sin', 'cos', 'div', 'pow',
  'reduce_mean', 'matmul']);
const COMPARE = new Set<string>(COMPARE_OPS);

function fail(msg: string): never { throw new GraphBuildError(msg); }

// ---- leaves ----

/** A placeholder fed by name at each run (parameters are inputs too). */
export function input(name: string, shape: Shape, dtype: DType = 'f32'): Tensor {
  if (typeof name !== 'string' || name === '') fail(`input: name must be a non-empty string (got ${JSON.stringify(name)})`);
  checkShape(shape, `input '${name}'`);
  checkDType(dtype, `input '${name}'`);
  return new Tensor('input', [], { name }, [...shape], dtype);
}

/** A constant baked into the graph. `shape` defaults to `[data.length]`. */
export function constant(data: HostData | number, shape?: Shape, dtype: DType = 'f32'): Tensor {
  const values = typeof data === 'number' ? [data] : data;
  const s = shape ?? (typeof data === 'number' ? [] : [values.length]);
  checkShape(s, 'constant');
  checkDType(dtype, 'constant');
  if (values.length !== sizeOf(s)) fail(`constant: ${values.length} values do not fill shape ${fmt(s)} (${sizeOf(s)} elements)`);
  if (dtype === 'i32') {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isInteger(values[i])) fail(`constant: i32 data must be integers (element ${i} is ${values[i]})`);
    }
  }
  const arr = dtype === 'i32' ? Int32Array.from(values as ArrayLike<number>) : Float32Array.from(values as ArrayLike<number>);
  return new Tensor('constant', [], {}, [...s], dtype, arr);
}

/** A scalar constant. */
export function scalar(value: number, dtype: DType = 'f32'): Tensor { return constant(value, [], dtype); }

/** `value` broadcast to `shape` (a scalar constant plus `expand`). */
export function full(shape: Shape, value: number, dtype: DType = 'f32'): Tensor {
  return expand(scalar(value, dtype), shape);
}
/** Zeros of `shape`. */
export function zeros(shape: Shape, dtype: DType = 'f32'): Tensor { return full(shape, 0, dtype); }
/** Ones of `shape`. */
export function ones(shape: Shape, dtype: DType = 'f32'): Tensor { return full(shape, 1, dtype); }

/** `[0, 1, ..., length-1]` of shape `[length]`. */
export function iota(length: number, dtype: DType = 'i32'): Tensor {
  if (!Number.isInteger(length) || length < 0) fail(`iota: length must be a non-negative integer (got ${length})`);
  checkDType(dtype, 'iota');
  return new Tensor('iota', [], {}, [length], dtype);
}

// ---- elementwise ----

function asTensor(v: Tensor | number, like: Tensor): Tensor {
  return typeof v === 'number' ? scalar(v, like.dtype) : v;
}

/** A unary elementwise op. */
export function unary(op: UnaryOp, x: Tensor): Tensor {
  if (F32_ONLY.has(op) && x.dtype !== 'f32') fail(`${op}: needs f32, got ${x.dtype} ${fmt(x.shape)}`);
  return new Tensor(op, [x], {}, x.shape, x.dtype);
}

/** A binary elementwise op or comparison with numpy broadcasting; a number operand becomes a scalar constant. */
export function binary(op: BinaryOp, a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof a === 'number' && typeof b === 'number') fail(`${op}: at least one operand must be a tensor`);
  const x = typeof a === 'number' ? asTensor(a, b as Tensor) : a;
  const y = asTensor(b, x);
  if (x.dtype !== y.dtype) fail(`${op}: dtypes differ: ${x.dtype} ${fmt(x.shape)} and ${y.dtype} ${fmt(y.shape)}`);
  if (F32_ONLY.has(op) && x.dtype !== 'f32') fail(`${op}: needs f32 operands, got ${x.dtype} ${fmt(x.shape)} and ${fmt(y.shape)}`);
  const shape = broadcastShapes(op, x.shape, y.shape);
  return new Tensor(op, [x, y], {}, shape, COMPARE.has(op) ? 'f32' : x.dtype);
}

/** `cond != 0 ? a : b`, elementwise with broadcasting; `cond` is f32 (0/1 from a comparison). */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  if (cond.dtype !== 'f32') fail(`where: condition must be f32 (0/1), got ${cond.dtype} ${fmt(cond.shape)}`);
  const ta = typeof a === 'number' ? scalar(a, typeof b === 'number' ? 'f32' : b.dtype) : a;
  const tb = asTensor(b, ta);
  if (ta.dtype !== tb.dtype) fail(`where: branch dtypes differ: ${ta.dtype} ${fmt(ta.shape)} and ${tb.dtype} ${fmt(tb.shape)}`);
  const shape = broadcastShapes('where', cond.shape, ta.shape, tb.shape);
  return new Tensor('where', [cond, ta, tb], {}, shape, ta.dtype);
}

// ---- reductions ----

/** The primitive: reduce over one axis, keeping it with size 1. */
export function reduceAxis(op: ReduceOp, x: Tensor, axis: number): Tensor {
  if (F32_ONLY.has(op) && x.dtype !== 'f32') fail(`${op}: needs f32, got ${x.dtype} ${fmt(x.shape)}`);
  const a = normAxis(axis, x.rank, op, x.shape);
  if (x.shape[a] === 0 && op !== 'reduce_sum') fail(`${op}: axis ${axis} of ${fmt(x.shape)} is empty`);
  const shape = x.shape.map((d, i) => (i === a ? 1 : d));
  return new Tensor(op, [x], { axis: a }, shape, x.dtype);
}

/** Reduction over `axis` (or all elements), dropping the axis unless `keepDims`. */
export function reduce(op: ReduceOp, x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  if (axis === undefined) {
    const flat = reduceAxis(op, reshape(x, [x.size]), 0);
    return reshape(flat, keepDims ? x.shape.map(() => 1) : []);
  }
  const r = reduceAxis(op, x, axis);
  if (keepDims) return r;
  const a = normAxis(axis, x.rank, op);
  return reshape(r, x.shape.filter((_, i) => i !== a));
}

// ---- movement ----

/** Same elements in row-major order, new shape; at most one -1 dim is inferred. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const s = [...shape];
  const neg = s.filter((d) => d === -1).length;
  if (neg > 1) fail(`reshape: at most one -1 allowed in ${fmt(s)}`);
  if (neg === 1) {
    const known = sizeOf(s.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) fail(`reshape: cannot infer -1 in ${fmt(s)} from ${fmt(x.shape)}`);
    s[s.indexOf(-1)] = x.size / known;
  }
  checkShape(s, 'reshape');
  if (sizeOf(s) !== x.size) fail(`reshape: ${fmt(x.shape)} (${x.size} elements) cannot become ${fmt(s)} (${sizeOf(s)})`);
  if (sameShape(s, x.shape)) return x;
  return new Tensor('reshape', [x], { shape: s }, s, x.dtype);
}

/** Output axis i is input axis perm[i]; default swaps the last two axes. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  if (!perm && x.rank < 2) fail(`transpose: needs rank >= 2 to swap the last two axes, got ${fmt(x.shape)}`);
  const p = perm ? perm.map((a) => (a < 0 ? a + x.rank : a)) : [...x.shape.keys()].map((i) => (i < x.rank - 2 ? i : 2 * x.rank - 3 - i));
  if (p.length !== x.rank || [...p].sort((a, b) => a - b).some((a, i) => a !== i)) {
    fail(`transpose: ${JSON.stringify(perm)} is not a permutation of the ${x.rank} axes of ${fmt(x.shape)}`);
  }
  if (p.every((a, i) => a === i)) return x;
  return new Tensor('transpose', [x], { perm: p }, p.map((a) => x.shape[a]!), x.dtype);
}

/** Broadcasts `x` to exactly `shape` (numpy rules: x's dims align right and are 1 or equal). */
export function expand(x: Tensor, shape: Shape): Tensor {
  checkShape(shape, 'expand');
  if (!broadcastsTo(x.shape, shape)) fail(`expand: ${fmt(x.shape)} does not broadcast to ${fmt(shape)}`);
  if (sameShape(x.shape, shape)) return x;
  return new Tensor('expand', [x], { shape: [...shape] }, [...shape], x.dtype);
}

/** The primitive: `starts[i] <= j < ends[i]` on every axis (step 1). */
export function slice(x: Tensor, starts: readonly number[], ends: readonly number[]): Tensor {
  if (starts.length !== x.rank || ends.length !== x.rank) fail(`slice: starts/ends need ${x.rank} entries for ${fmt(x.shape)}`);
  for (let i = 0; i < x.rank; i++) {
    const s = starts[i]!, e = ends[i]!;
    if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e > x.shape[i]! || s > e) {
      fail(`slice: axis ${i} range [${s}, ${e}) is invalid for ${fmt(x.shape)}`);
    }
  }
  if (starts.every((s, i) => s === 0 && ends[i] === x.shape[i])) return x;
  return new Tensor('slice', [x], { starts: [...starts], ends: [...ends] }, ends.map((e, i) => e - starts[i]!), x.dtype);
}

/** Elements `start <= j < end` of one axis; negative start/end count from the end. */
export function sliceAxis(x: Tensor, axis: number, start: number, end: number): Tensor {
  const a = normAxis(axis, x.rank, 'slice', x.shape);
  const d = x.shape[a]!;
  const s = start < 0 ? start + d : start, e = end < 0 ? end + d : end;
  return slice(x, x.shape.map((_, i) => (i === a ? s : 0)), x.shape.map((n, i) => (i === a ? e : n)));
}

/** Constant padding: `before[i]` and `after[i]` (>= 0) elements of `value` around axis i. */
export function pad(x: Tensor, before: readonly number[], after: readonly number[], value = 0): Tensor {
  if (before.length !== x.rank || after.length !== x.rank) fail(`pad: before/after need ${x.rank} entries for ${fmt(x.shape)}`);
  if ([...before, ...after].some((p) => !Number.isInteger(p) || p < 0)) fail(`pad: amounts must be non-negative integers`);
  if (x.dtype === 'i32' && !Number.isInteger(value)) fail(`pad: value ${value} is not an integer for i32 ${fmt(x.shape)}`);
  if (before.every((p, i) => p === 0 && after[i] === 0)) return x;
  const shape = x.shape.map((d, i) => d + before[i]! + after[i]!);
  return new Tensor('pad', [x], { before: [...before], after: [...after], value }, shape, x.dtype);
}

/** Joins tensors along `axis`; other dims and dtypes must agree. */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) fail('concat: needs at least one tensor');
  const first = xs[0]!;
  const a = normAxis(axis, first.rank, 'concat', first.shape);
  for (const x of xs) {
    if (x.dtype !== first.dtype || x.rank !== first.rank || x.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      fail(`concat: ${x.dtype} ${fmt(x.shape)} does not match ${first.dtype} ${fmt(first.shape)} outside axis ${axis}`);
    }
  }
  if (xs.length === 1) return first;
  const shape = first.shape.map((d, i) => (i === a ? xs.reduce((n, x) => n + x.shape[a]!, 0) : d));
  return new Tensor('concat', [...xs], { axis: a }, shape, first.dtype);
}

// ---- matmul, indexing, cast ----

/** `[..., M, K] x [..., K, N] -> [..., M, N]`; both ranks >= 2, batch dims broadcast (numpy matmul). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== 'f32' || b.dtype !== 'f32') fail(`matmul: needs f32 operands, got ${a.dtype} ${fmt(a.shape)} and ${b.dtype} ${fmt(b.shape)}`);
  if (a.rank < 2 || b.rank < 2) fail(`matmul: operands need rank >= 2, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const [m, k] = a.shape.slice(-2) as [number, number];
  const [k2, n] = b.shape.slice(-2) as [number, number];
  if (k !== k2) fail(`matmul: inner dims differ: ${fmt(a.shape)} x ${fmt(b.shape)} (${k} vs ${k2})`);
  const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  return new Tensor('matmul', [a, b], {}, [...batch, m, n], 'f32');
}

/** Rows of `table` `[V, ...R]` at i32 `index` `[...I]` -> `[...I, ...R]`; indices must lie in [0, V). */
export function gather(table: Tensor, index: Tensor): Tensor {
  if (index.dtype !== 'i32') fail(`gather: index must be i32, got ${index.dtype} ${fmt(index.shape)}`);
  if (table.rank < 1) fail(`gather: table needs rank >= 1, got ${fmt(table.shape)}`);
  return new Tensor('gather', [table, index], {}, [...index.shape, ...table.shape.slice(1)], table.dtype);
}

/** Zeros `[rows, ...R]` with `updates[i]` `[...I, ...R]` added at row `index[i]` (duplicates accumulate). */
export function scatterAdd(index: Tensor, updates: Tensor, rows: number): Tensor {
  if (index.dtype !== 'i32') fail(`scatter_add: index must be i32, got ${index.dtype} ${fmt(index.shape)}`);
  if (!Number.isInteger(rows) || rows < 0) fail(`scatter_add: rows must be a non-negative integer (got ${rows})`);
  const lead = updates.shape.slice(0, index.rank);
  if (!sameShape(lead, index.shape)) fail(`scatter_add: updates ${fmt(updates.shape)} must start with index shape ${fmt(index.shape)}`);
  return new Tensor('scatter_add', [index, updates], { rows }, [rows, ...updates.shape.slice(index.rank)], updates.dtype);
}

/** Converts the element type; f32 -> i32 truncates toward zero. */
export function cast(x: Tensor, to: DType): Tensor {
  checkDType(to, 'cast');
  if (x.dtype === to) return x;
  return new Tensor('cast', [x], { to }, x.shape, to);
}

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
