// The Tensor: one node of the lazy graph ({op, inputs, attrs, shape, dtype}) plus fluent builder methods, and the
// primitive builders that validate operands, infer the static output shape/dtype and create nodes. Building never
// computes anything; a backend compiles and runs the graph.
import type { DType, HostData } from './dtype.js';
import { checkDType } from './dtype.js';
import { COMPARE, F32_ONLY, type BinaryOp, type ReduceOp, type UnaryOp } from './op-set.js';
import {
  GraphBuildError, broadcastShapes, broadcastsTo, checkShape, fmt, normAxis, sameShape, sizeOf, type Shape,
} from './shape.js';

/** A JSON value: node attributes are plain JSON so graphs serialize and lower to ONNX/WGSL. */
export type JsonValue = string | number | boolean | undefined | JsonValue[] | { [k: string]: JsonValue };

/** Attributes of a node: plain JSON. */
export type Attrs = Readonly<Record<string, JsonValue>>;

let nextId = 1;

/** A node of the graph. Immutable; identity is the object (ids are only for debugging and ordering). */
export class Tensor {
  /** Unique id in this process, increasing in creation order. */
  readonly id: number;

  /**
   * @param op primitive or composite op name (`add`, `softmax`, ...), or a leaf (`input`, `constant`, `iota`)
   * @param inputs operand nodes, in the op's order
   * @param attrs plain JSON attributes of the op
   * @param shape static output shape
   * @param dtype output element type
   * @param data constant payload (only for `constant`), row-major, length = size
   */
  constructor(
    readonly op: string,
    readonly inputs: readonly Tensor[],
    readonly attrs: Attrs,
    readonly shape: Shape,
    readonly dtype: DType,
    readonly data?: Float32Array | Int32Array,
  ) {
    this.id = nextId++;
  }

  /** Number of dimensions. */
  get rank(): number { return this.shape.length; }
  /** Number of elements. */
  get size(): number { return sizeOf(this.shape); }

  /** Elementwise sum with numpy broadcasting. */
  add(y: Tensor | number): Tensor { return binary('add', this, y); }
  /** Elementwise difference. */
  sub(y: Tensor | number): Tensor { return binary('sub', this, y); }
  /** Elementwise product. */
  mul(y: Tensor | number): Tensor { return binary('mul', this, y); }
  /** Elementwise quotient (f32). */
  div(y: Tensor | number): Tensor { return binary('div', this, y); }
  /** Elementwise power (f32). */
  pow(y: Tensor | number): Tensor { return binary('pow', this, y); }
  /** Elementwise maximum. */
  maximum(y: Tensor | number): Tensor { return binary('max', this, y); }
  /** Elementwise minimum. */
  minimum(y: Tensor | number): Tensor { return binary('min', this, y); }
  /** `this < y` as f32 0/1. */
  lt(y: Tensor | number): Tensor { return binary('less', this, y); }
  /** `this <= y` as f32 0/1. */
  le(y: Tensor | number): Tensor { return binary('less_equal', this, y); }
  /** `this > y` as f32 0/1. */
  gt(y: Tensor | number): Tensor { return binary('greater', this, y); }
  /** `this >= y` as f32 0/1. */
  ge(y: Tensor | number): Tensor { return binary('greater_equal', this, y); }
  /** `this == y` as f32 0/1. */
  eq(y: Tensor | number): Tensor { return binary('equal', this, y); }

  /** -x */
  neg(): Tensor { return unary('neg', this); }
  /** |x| */
  abs(): Tensor { return unary('abs', this); }
  /** e^x */
  exp(): Tensor { return unary('exp', this); }
  /** natural log */
  log(): Tensor { return unary('log', this); }
  /** square root */
  sqrt(): Tensor { return unary('sqrt', this); }
  /** 1/x */
  reciprocal(): Tensor { return unary('reciprocal', this); }
  /** 1/sqrt(x) (two primitives) */
  rsqrt(): Tensor { return unary('reciprocal', unary('sqrt', this)); }
  /** tanh */
  tanh(): Tensor { return unary('tanh', this); }
  /** logistic sigmoid */
  sigmoid(): Tensor { return unary('sigmoid', this); }
  /** sine */
  sin(): Tensor { return unary('sin', this); }
  /** cosine */
  cos(): Tensor { return unary('cos', this); }
  /** x*x */
  square(): Tensor { return binary('mul', this, this); }

  /** Sum over one axis, or over all elements when `axis` is undefined. */
  sum(axis?: number, keepDims = false): Tensor { return reduce('reduce_sum', this, axis, keepDims); }
  /** Mean over one axis, or over all elements. */
  mean(axis?: number, keepDims = false): Tensor { return reduce('reduce_mean', this, axis, keepDims); }
  /** Maximum over one axis, or over all elements. */
  max(axis?: number, keepDims = false): Tensor { return reduce('reduce_max', this, axis, keepDims); }

  /** Same data, new shape; one dim may be -1. */
  reshape(shape: readonly number[]): Tensor { return reshape(this, shape); }
  /** Permutes axes; without `perm`, swaps the last two. */
  transpose(perm?: readonly number[]): Tensor { return transpose(this, perm); }
  /** Broadcasts to `shape` (numpy rules). */
  expand(shape: readonly number[]): Tensor { return expand(this, shape); }
  /** Elements `start <= i < end` along `axis` (negative indices count from the end). */
  slice(axis: number, start: number, end: number): Tensor { return sliceAxis(this, axis, start, end); }
  /** Constant padding: `before[i]`/`after[i]` elements on each side of axis i. */
  pad(before: readonly number[], after: readonly number[], value = 0): Tensor { return pad(this, before, after, value); }
  /** Inserts a size-1 axis at `axis`. */
  unsqueeze(axis: number): Tensor {
    const a = axis < 0 ? axis + this.rank + 1 : axis;
    const s = [...this.shape];
    s.splice(a, 0, 1);
    return reshape(this, s);
  }
  /** Batched matrix product `[..., M, K] x [..., K, N]` with broadcast batch dims. */
  matmul(y: Tensor): Tensor { return matmul(this, y); }
  /** Converts the element type (f32 -> i32 truncates toward zero). */
  cast(to: DType): Tensor { return cast(this, to); }
  /** Rows of this table `[V, ...]` picked by i32 `index` -> `[...index.shape, ...]`. */
  gather(index: Tensor): Tensor { return gather(this, index); }

  /** `f32[2,3] add#12` */
  toString(): string { return `${this.dtype}[${this.shape.join(',')}] ${this.op}#${this.id}`; }
}

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
