// Fused WebGPU cross_entropy: per-row loss -log_softmax(logits)[target] by the row-kernel helper of softmax.ts (a
// workgroup per long row), then for mean/sum a second one-workgroup dispatch reducing the rows. Semantics of
// backends/cpu/kernels/fused.ts: ignored rows give 0 and are not counted; other out-of-range targets give 0 but count.
import { i32Literal, type WebGpuKernel } from './kernel.js';
import { rowKernel } from './softmax.js';

/** Fused cross-entropy kernels by composite op name. */
export const CROSS_ENTROPY_KERNELS: Readonly<Record<string, WebGpuKernel>> = {
  cross_entropy: (node, [logits, targets], ctx) => {
    const lshape = node.inputs[0]!.shape;
    const v = lshape[lshape.length - 1]!, n = node.inputs[1]!.size;
    const ignore = i32Literal(node.attrs.ignoreIndex as number), reduction = node.attrs.reduction as string;
    const perRow = ctx.alloc(n, 'f32');
    if (n > 0) {
      const { code, workgroups } = rowKernel(n, v, 1, `@group(0) @binding(0) var<storage, read> lg: array<f32>;
@group(0) @binding(1) var<storage, read> tg: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;`, `  var m = bitcast<f32>(NEG_INF_BITS);
  for (var k = lane; k < N; k += STRIDE) { m = max_nan(m, lg[base + k]); }
  m = reduce_max(m);
  var s = 0.0;
  for (var k = lane; k < N; k += STRIDE) { s += exp(lg[base + k] - m); }
  s = reduce_sum(s);
  if (lane == 0u) {
    let t = tg[row];
    var loss = 0.0;
    if (t != ${ignore} && t >= 0 && t < ${v}) { loss = -(lg[base + u32(t)] - m - log(s)); }
    out[row] = loss;
  }`);
      ctx.dispatch({ kernel: 'cross_entropy', code, bindings: [logits!, targets!, perRow], workgroups });
    }
    if (reduction === 'none') return perRow;
    const o = ctx.alloc(1, 'f32');
    const mean = reduction === 'mean'; // mean also counts the rows whose target is not ignored
    const decls = [
      '@group(0) @binding(0) var<storage, read> loss: array<f32>;',
      ...(mean ? ['@group(0) @binding(1) var<storage, read> tg: array<i32>;'] : []),
      `@group(0) @binding(${mean ? 2 : 1}) var<storage, read_write> out: array<f32>;`,
    ].join('\n');
    const { code, workgroups } = rowKernel(1, n, 1, decls, `  var s = 0.0;
  ${mean ? 'var c = 0.0;' : ''}
  for (var k = lane; k < N; k += STRIDE) { s += loss[base + k];${mean ? ` c += select(1.0, 0.0, tg[k] == ${ignore});` : ''} }
  s = reduce_sum(s);
  ${mean ? 'c = reduce_sum(c);' : ''}
  if (lane == 0u) { out[0] = ${mean ? 's / max(c, 1.0)' : 's'}; }`);
    ctx.dispatch({ kernel: 'cross_entropy', code, bindings: mean ? [perRow, targets!, o] : [perRow, o], workgroups });
    ctx.release(perRow);
    return o;
  },
};
