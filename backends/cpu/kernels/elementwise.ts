// CPU kernels for unary, binary (with numpy broadcasting), comparison and where ops. Same-shape operands take
// a flat loop; broadcasting goes row by row over coalesced dims. Comparisons write f32 1/0.
import type { Tensor } from '../../../core/tensor/tensor.js';
import { sameShape, sizeOf } from '../../../core/tensor/shape.js';
import type { CpuArray } from '../buffer-pool.js';
import { broadcastStrides, forEachRow } from '../strided.js';
import type { CpuKernel } from './kernel.js';

function unaryLoop(op: string, x: CpuArray, o: CpuArray): void {
  const n = o.length;
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++) o[i] = -x[i]!; break;
    case 'abs': for (let i = 0; i < n; i++) o[i] = Math.abs(x[i]!); break;
    case 'exp': for (let i = 0; i < n; i++) o[i] = Math.exp(x[i]!); break;
    case 'log': for (let i = 0; i < n; i++) o[i] = Math.log(x[i]!); break;
    case 'sqrt': for (let i = 0; i < n; i++) o[i] = Math.sqrt(x[i]!); break;
    case 'reciprocal': for (let i = 0; i < n; i++) o[i] = 1 / x[i]!; break;
    case 'tanh': for (let i = 0; i < n; i++) o[i] = Math.tanh(x[i]!); break;
    case 'sigmoid': for (let i = 0; i < n; i++) o[i] = 1 / (1 + Math.exp(-x[i]!)); break;
    case 'sin': for (let i = 0; i < n; i++) o[i] = Math.sin(x[i]!); break;
    case 'cos': for (let i = 0; i < n; i++) o[i] = Math.cos(x[i]!); break;
    default: throw new Error(`cpu: no unary kernel '${op}'`);
  }
}

// One row: o[oo + j] = a[ao + j*sa] (op) b[bo + j*sb] for j < n. i32 results are truncated by the Int32Array store.
function binaryRow(op: string, o: CpuArray, oo: number, a: CpuArray, ao: number, sa: number,
  b: CpuArray, bo: number, sb: number, n: number): void {
  switch (op) {
    case 'add': for (let j = 0; j < n; j++) o[oo + j] = a[ao + j * sa]! + b[bo + j * sb]!; break;
    case 'sub': for (let j = 0; j < n; j++) o[oo + j] = a[ao + j * sa]! - b[bo + j * sb]!; break;
    case 'mul': for (let j = 0; j < n; j++) o[oo + j] = a[ao + j * sa]! * b[bo + j * sb]!; break;
    case 'div': for (let j = 0; j < n; j++) o[oo + j] = a[ao + j * sa]! / b[bo + j * sb]!; break;
    case 'pow': for (let j = 0; j < n; j++) o[oo + j] = Math.pow(a[ao + j * sa]!, b[bo + j * sb]!); break;
    case 'max': for (let j = 0; j < n; j++) o[oo + j] = Math.max(a[ao + j * sa]!, b[bo + j * sb]!); break;
    case 'min': for (let j = 0; j < n; j++) o[oo + j] = Math.min(a[ao + j * sa]!, b[bo + j * sb]!); break;
    case 'less': for (let j = 0; j < n; j++) o[oo + j] = a[ao + j * sa]! < b[bo + j * sb]! ? 1 : 0; break;
    case 'less_equal': for (let j = 0; j < n; j++) o[oo + j] = a[ao + j * sa]! <= b[bo + j * sb]! ? 1 : 0; break;
    case 'greater': for (let j = 0; j < n; j++) o[oo + j] = a[ao + j * sa]! > b[bo + j * sb]! ? 1 : 0; break;
    case 'greater_equal': for (let j = 0; j < n; j++) o[oo + j] = a[ao + j * sa]! >= b[bo + j * sb]! ? 1 : 0; break;
    case 'equal': for (let j = 0; j < n; j++) o[oo + j] = a[ao + j * sa]! === b[bo + j * sb]! ? 1 : 0; break;
    default: throw new Error(`cpu: no binary kernel '${op}'`);
  }
}

/** Unary elementwise ops. */
export const unaryKernel: CpuKernel = (node, [x], ctx) => {
  const o = ctx.alloc(node.size, node.dtype);
  unaryLoop(node.op, x!, o);
  return o;
};

/** Binary elementwise ops and comparisons. */
export const binaryKernel: CpuKernel = (node, [a, b], ctx) => {
  const [ta, tb] = node.inputs as [Tensor, Tensor];
  const o = ctx.alloc(node.size, node.dtype);
  const n = o.length;
  if (sameShape(ta.shape, tb.shape)) binaryRow(node.op, o, 0, a!, 0, 1, b!, 0, 1, n);
  else if (sizeOf(tb.shape) === 1 && ta.size === n) binaryRow(node.op, o, 0, a!, 0, 1, b!, 0, 0, n);
  else if (sizeOf(ta.shape) === 1 && tb.size === n) binaryRow(node.op, o, 0, a!, 0, 0, b!, 0, 1, n);
  else {
    const st = [broadcastStrides(node.shape, node.shape), broadcastStrides(ta.shape, node.shape), broadcastStrides(tb.shape, node.shape)];
    forEachRow(node.shape, st, [0, 0, 0], (off, len, inner) => {
      binaryRow(node.op, o, off[0]!, a!, off[1]!, inner[1]!, b!, off[2]!, inner[2]!, len);
    });
  }
  return o;
};

/** where(cond, a, b) with broadcasting. */
export const whereKernel: CpuKernel = (node, [c, a, b], ctx) => {
  const [tc, ta, tb] = node.inputs as [Tensor, Tensor, Tensor];
  const o = ctx.alloc(node.size, node.dtype);
  const st = [node.shape, tc.shape, ta.shape, tb.shape].map((s) => broadcastStrides(s, node.shape));
  forEachRow(node.shape, st, [0, 0, 0, 0], (off, n, inner) => {
    const [oo, co, ao, bo] = off as [number, number, number, number];
    const [, sc, sa, sb] = inner as [number, number, number, number];
    for (let j = 0; j < n; j++) o[oo + j] = c![co + j * sc] !== 0 ? a![ao + j * sa]! : b![bo + j * sb]!;
  });
  return o;
};
