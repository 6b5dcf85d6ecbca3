// Fused WebGPU rms_norm (over the last axis, weight [D]) and silu kernels, computing what the CPU reference in
// backends/cpu/kernels/fused.ts computes. rms_norm uses the row-kernel helper of softmax.ts (a workgroup per long row).
import { f32Literal, linearKernel, type WebGpuKernel } from './kernel.js';
import { rowKernel } from './softmax.js';


/** Fused norm kernels by composite op name. */
export const NORM_KERNELS: Readonly<Record<string, WebGpuKernel>> = {
  rms_norm: (node, [x, w], ctx) => {
    const o = ctx.alloc(node.size, 'f32');
    if (node.size === 0) return o;
    const d = node.shape[node.shape.length - 1]!;
    const eps = node.attrs.eps as number;
    const { code, workgroups } = rowKernel(node.size / d, d, 1, `@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;`, `  var ss = 0.0;
  for (var k = lane; k < N; k += STRIDE) { let v = x[base + k]; ss += v * v; }
  ss = reduce_sum(ss);
  let inv = 1.0 / sqrt(ss / ${f32Literal(d)} + ${f32Literal(eps)});
  for (var k = lane; k < N; k += STRIDE) { out[base + k] = x[base + k] * inv * w[k]; }`);
    ctx.dispatch({ kernel: 'rms_norm', code, bindings: [x!, w!, o], workgroups });
    return o;
  },
  silu: (node, [x], ctx) => {
    const o = ctx.alloc(node.size, 'f32');
    const { code, groups } = linearKernel(node.size, `@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;`, `  let v = x[i];
  out[i] = v / (1.0 + exp(-v));`);
    ctx.dispatch({ kernel: 'silu', code, bindings: [x!, o], workgroups: groups });
    return o;
  },
};
