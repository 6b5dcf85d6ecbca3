// WebGPU kernels for data movement: reshape (aliases its input), transpose, expand, slice, pad and concat. Each is
// one invocation per output element reading the input through strides baked into the source; concat records one
// copy (outer size 1) or one dispatch per input, each writing its region of the output.
import type { Tensor } from '../../../core/tensor/tensor.js';
import { broadcastOffset } from './elementwise.js';
import {
  F32_SPECIALS_WGSL, f32Literal, i32Literal, linearKernel, stridesOf, wgslType,
  type GpuTensor, type KernelContext, type WebGpuKernel,
} from './kernel.js';


/** WGSL sum of `coord(axis) * factor[axis]` over the axes of `shape` for linear output index `i` (+ `base`). */
function stridedOffset(shape: readonly number[], factors: readonly number[], base = 0): string {
  const os = stridesOf(shape);
  const terms = base !== 0 ? [`${base}u`] : [];
  for (let a = 0; a < shape.length; a++) {
    if (shape[a] === 1 || factors[a] === 0) continue;
    const coord = a === 0 ? `(i / ${os[a]}u)` : `((i / ${os[a]}u) % ${shape[a]}u)`;
    terms.push(`${coord} * ${factors[a]}u`);
  }
  return terms.length === 0 ? '0u' : terms.join(' + ');
}

/** Records `out[i] = body` for every output element of `node`; `body` may use `i` and the input array `x`. */
function perElement(node: Tensor, x: GpuTensor, ctx: KernelContext, body: string, prelude = ''): GpuTensor {
  const o = ctx.alloc(node.size, node.dtype);
  if (node.size === 0) return o;
  const t = wgslType(node.dtype);
  const { code, groups } = linearKernel(node.size, `${prelude}@group(0) @binding(0) var<storage, read> x: array<${t}>;
@group(0) @binding(1) var<storage, read_write> out: array<${t}>;`, body);
  ctx.dispatch({ kernel: node.op, code, bindings: [x, o], workgroups: groups });
  return o;
}

/** reshape: the same buffer. */
const reshapeKernel: WebGpuKernel = (_node, [x]) => x!;

/** transpose: output axis a reads input axis perm[a]. */
const transposeKernel: WebGpuKernel = (node, [x], ctx) => {
  const perm = node.attrs.perm as number[];
  const xs = stridesOf(node.inputs[0]!.shape);
  return perElement(node, x!, ctx, `  out[i] = x[${stridedOffset(node.shape, perm.map((p) => xs[p]!))}];`);
};

/** expand: numpy broadcast to exactly the output shape. */
const expandKernel: WebGpuKernel = (node, [x], ctx) =>
  perElement(node, x!, ctx, `  out[i] = x[${broadcastOffset(node.inputs[0]!.shape, node.shape)}];`);

/** slice: the box starts..ends (step 1). */
const sliceKernel: WebGpuKernel = (node, [x], ctx) => {
  const starts = node.attrs.starts as number[];
  const xs = stridesOf(node.inputs[0]!.shape);
  const base = starts.reduce((acc, s, a) => acc + s * xs[a]!, 0);
  return perElement(node, x!, ctx, `  out[i] = x[${stridedOffset(node.shape, xs, base)}];`);
};

/** pad: the input in the interior, the constant `value` (any f32 incl. Inf/NaN, or an i32) around it. */
const padKernel: WebGpuKernel = (node, [x], ctx) => {
  const before = node.attrs.before as number[], after = node.attrs.after as number[];
  const value = (node.attrs.value ?? 0) as number;
  const inShape = node.inputs[0]!.shape;
  const os = stridesOf(node.shape), xs = stridesOf(inShape);
  const lines: string[] = ['  var inside = true;', '  var src = 0u;'];
  for (let a = 0; a < node.shape.length; a++) {
    if (node.shape[a] === 1 && before[a] === 0) continue; // coordinate 0, inside
    const c = `c${a}`;
    lines.push(`  let ${c} = ${a === 0 ? `i / ${os[a]}u` : `(i / ${os[a]}u) % ${node.shape[a]}u`};`);
    if (before[a] === 0 && after[a] === 0) { lines.push(`  src += ${c} * ${xs[a]}u;`); continue; }
    lines.push(`  inside = inside && ${c} >= ${before[a]}u && ${c} < ${before[a]! + inShape[a]!}u;`);
    lines.push(`  src += (${c} - ${before[a]}u) * ${xs[a]}u;`); // wraps when outside; then unused
  }
  const fill = node.dtype === 'i32' ? i32Literal(value) : f32Literal(value);
  lines.push(`  if (inside) { out[i] = x[src]; } else { out[i] = ${fill}; }`);
  return perElement(node, x!, ctx, lines.join('\n'), node.dtype === 'i32' ? '' : `${F32_SPECIALS_WGSL}\n`);
};

/** concat: input k fills columns [off_k, off_k + len_k) of each of the `outer` rows of the output. */
const concatKernel: WebGpuKernel = (node, xs, ctx) => {
  const axis = node.attrs.axis as number;
  let outer = 1, inner = 1;
  for (let a = 0; a < axis; a++) outer *= node.shape[a]!;
  for (let a = axis + 1; a < node.shape.length; a++) inner *= node.shape[a]!;
  const rowOut = node.shape[axis]! * inner;
  const t = wgslType(node.dtype);
  const o = ctx.alloc(node.size, node.dtype);
  let off = 0;
  node.inputs.forEach((input: Tensor, k) => {
    const len = input.shape[axis]! * inner, n = outer * len;
    if (n === 0) return;
    if (outer === 1) {
      ctx.copy(xs[k]!, 0, o, off, len);
    } else {
      const { code, groups } = linearKernel(n, `@group(0) @binding(0) var<storage, read> x: array<${t}>;
@group(0) @binding(1) var<storage, read_write> out: array<${t}>;`, `  out[(i / ${len}u) * ${rowOut}u + ${off}u + i % ${len}u] = x[i];`);
      ctx.dispatch({ kernel: 'concat', code, bindings: [xs[k]!, o], workgroups: groups });
    }
    off += len;
  });
  return o;
};

/** Movement kernels by op name. */
export const MOVEMENT_KERNELS: Readonly<Record<string, WebGpuKernel>> = {
  reshape: reshapeKernel, transpose: transposeKernel, expand: expandKernel, slice: sliceKernel, pad: padKernel, concat: concatKernel,
};
