// The Tensor: one node of the lazy graph ({op, inputs, attrs, shape, dtype}) plus fluent builder methods.
// Building never computes anything; a backend compiles and runs the graph. Relies on primitives.ts for shape rules.
import type { DType } from './dtype.js';
import type { Shape } from './shape.js';
import { sizeOf } from './shape.js';
import * as P from './primitives.js';

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
  add(y: Tensor | number): Tensor { return P.binary('add', this, y); }
  /** Elementwise difference. */
  sub(y: Tensor | number): Tensor { return P.binary('sub', this, y); }
  /** Elementwise product. */
  mul(y: Tensor | number): Tensor { return P.binary('mul', this, y); }
  /** Elementwise quotient (f32). */
  div(y: Tensor | number): Tensor { return P.binary('div', this, y); }
  /** Elementwise power (f32). */
  pow(y: Tensor | number): Tensor { return P.binary('pow', this, y); }
  /** Elementwise maximum. */
  maximum(y: Tensor | number): Tensor { return P.binary('max', this, y); }
  /** Elementwise minimum. */
  minimum(y: Tensor | number): Tensor { return P.binary('min', this, y); }
  /** `this < y` as f32 0/1. */
  lt(y: Tensor | number): Tensor { return P.binary('less', this, y); }
  /** `this <= y` as f32 0/1. */
  le(y: Tensor | number): Tensor { return P.binary('less_equal', this, y); }
  /** `this > y` as f32 0/1. */
  gt(y: Tensor | number): Tensor { return P.binary('greater', this, y); }
  /** `this >= y` as f32 0/1. */
  ge(y: Tensor | number): Tensor { return P.binary('greater_equal', this, y); }
  /** `this == y` as f32 0/1. */
  eq(y: Tensor | number): Tensor { return P.binary('equal', this, y); }

  /** -x */
  neg(): Tensor { return P.unary('neg', this); }
  /** |x| */
  abs(): Tensor { return P.unary('abs', this); }
  /** e^x */
  exp(): Tensor { return P.unary('exp', this); }
  /** natural log */
  log(): Tensor { return P.unary('log', this); }
  /** square root */
  sqrt(): Tensor { return P.unary('sqrt', this); }
  /** 1/x */
  reciprocal(): Tensor { return P.unary('reciprocal', this); }
  /** 1/sqrt(x) (two primitives) */
  rsqrt(): Tensor { return P.unary('reciprocal', P.unary('sqrt', this)); }
  /** tanh */
  tanh(): Tensor { return P.unary('tanh', this); }
  /** logistic sigmoid */
  sigmoid(): Tensor { return P.unary('sigmoid', this); }
  /** sine */
  sin(): Tensor { return P.unary('sin', this); }
  /** cosine */
  cos(): Tensor { return P.unary('cos', this); }
  /** x*x */
  square(): Tensor { return P.binary('mul', this, this); }

  /** Sum over one axis, or over all elements when `axis` is undefined. */
  sum(axis?: number, keepDims = false): Tensor { return P.reduce('reduce_sum', this, axis, keepDims); }
  /** Mean over one axis, or over all elements. */
  mean(axis?: number, keepDims = false): Tensor { return P.reduce('reduce_mean', this, axis, keepDims); }
  /** Maximum over one axis, or over all elements. */
  max(axis?: number, keepDims = false): Tensor { return P.reduce('reduce_max', this, axis, keepDims); }

  /** Same data, new shape; one dim may be -1. */
  reshape(shape: readonly number[]): Tensor { return P.reshape(this, shape); }
  /** Permutes axes; without `perm`, swaps the last two. */
  transpose(perm?: readonly number[]): Tensor { return P.transpose(this, perm); }
  /** Broadcasts to `shape` (numpy rules). */
  expand(shape: readonly number[]): Tensor { return P.expand(this, shape); }
  /** Elements `start <= i < end` along `axis` (negative indices count from the end). */
  slice(axis: number, start: number, end: number): Tensor { return P.sliceAxis(this, axis, start, end); }
  /** Constant padding: `before[i]`/`after[i]` elements on each side of axis i. */
  pad(before: readonly number[], after: readonly number[], value = 0): Tensor { return P.pad(this, before, after, value); }
  /** Inserts a size-1 axis at `axis`. */
  unsqueeze(axis: number): Tensor {
    const a = axis < 0 ? axis + this.rank + 1 : axis;
    const s = [...this.shape];
    s.splice(a, 0, 1);
    return P.reshape(this, s);
  }
  /** Batched matrix product `[..., M, K] x [..., K, N]` with broadcast batch dims. */
  matmul(y: Tensor): Tensor { return P.matmul(this, y); }
  /** Converts the element type (f32 -> i32 truncates toward zero). */
  cast(to: DType): Tensor { return P.cast(this, to); }
  /** Rows of this table `[V, ...]` picked by i32 `index` -> `[...index.shape, ...]`. */
  gather(index: Tensor): Tensor { return P.gather(this, index); }

  /** `f32[2,3] add#12` */
  toString(): string { return `${this.dtype}[${this.shape.join(',')}] ${this.op}#${this.id}`; }
}
