// WebGPU matmul, softmax, rms_norm, silu and cross_entropy against the CPU f64 reference on random data, at shapes
// the conformance suite does not reach: edge tiles of the tiled matmul, decode rows, broadcast batches, K = 1 and 0,
// rows long enough for workgroup reductions (1000) and tiny ones (3), and more than 65535 row workgroups.
import test from 'ava';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { WebGpuBackend } from '../../backends/webgpu/webgpu-backend.js';
import type { HostData } from '../../core/tensor/dtype.js';
import { Rng, evaluate, input } from '../../core/tensor/index.js';
import { crossEntropy, logSoftmax, rmsNorm, silu, softmax, type Reduction } from '../../core/tensor/ops.js';
import type { Tensor } from '../../core/tensor/tensor.js';
import { webgpuSkipReason } from './webgpu-available.js';

const skip = await webgpuSkipReason();
const U = 2 ** -24; // f32 unit roundoff

let gpu: Promise<WebGpuBackend> | undefined;
function backend(): Promise<WebGpuBackend> {
  gpu ??= (async () => { const b = new WebGpuBackend(); await b.init(); return b; })();
  return gpu;
}
const cpu = new CpuBackend({ precision: 'f64' });

function randn(rng: Rng, n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

/** Both backends' results for `out` with `feeds`. */
async function both(out: Tensor, feeds: Record<string, HostData>): Promise<[ArrayLike<number>, ArrayLike<number>]> {
  const [got] = await evaluate(await backend(), [out], feeds);
  const [want] = await evaluate(cpu, [out], feeds);
  return [got!, want!];
}

/** First element outside |got - want| <= abs + rel*|want| (NaN must match NaN), or undefined. */
function mismatch(got: ArrayLike<number>, want: ArrayLike<number>, abs: number, rel: number): string | undefined {
  if (got.length !== want.length) return `length ${got.length} != ${want.length}`;
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (Number.isNaN(w) ? !Number.isNaN(g) : !(Math.abs(g - w) <= abs + rel * Math.abs(w))) return `element ${i}: got ${g}, want ${w}`;
  }
  return undefined;
}

const body = skip ? test.skip : test;
if (skip) test.skip(`webgpu matmul/softmax/norm/cross-entropy — skipped: ${skip}`, () => {});

// Every path of matmul.ts: thin (M <= 16 after folding a shared B into the rows), per-output (N <= 8 or
// M*N*K <= 32768) and 64x64-tiled (edge tiles in M, N and K), each with broadcast batches; K = 1 and K = 0.
const PRODUCTS: Array<[number[], number[]]> = [
  [[1, 1], [1, 1]], [[1, 300], [300, 77]], [[4, 1, 300], [300, 77]], [[2, 1, 3, 40], [5, 40, 30]], [[7, 1], [1, 5]],
  [[3, 1, 17, 9], [4, 9, 5]], [[20, 10], [10, 30]], [[2, 1, 20, 10], [3, 10, 12]],
  [[65, 33], [33, 47]], [[257, 129], [129, 300]], [[3, 1, 70, 20], [4, 20, 66]], [[2, 40, 30], [30, 90]],
  [[40, 30], [2, 30, 90]], [[300, 1], [1, 200]], [[3, 0], [0, 4]],
];

for (const [sa, sb] of PRODUCTS) {
  body(`webgpu matmul [${sa}] x [${sb}] matches the CPU f64 reference`, async (t) => {
    const rng = new Rng(sa.length * 1000 + sa.at(-2)! * 7 + sb.at(-1)!);
    const a = input('a', sa), b = input('b', sb);
    const out = a.matmul(b);
    const fa = randn(rng, a.size), fb = randn(rng, b.size);
    const [got, want] = await both(out, { a: fa, b: fb });
    // Bound of recursive f32 summation: |fl(sum) - sum| <= K*u*sum|a_k*b_k| (any order, with or without FMA),
    // doubled for margin; |a|.|b| is the same product on absolute values, computed in f64.
    const [abs] = await evaluate(cpu, [out], { a: fa.map(Math.abs), b: fb.map(Math.abs) });
    const k = sa.at(-1)!;
    t.is(got.length, out.size);
    for (let i = 0; i < got.length; i++) {
      const tol = 2 * k * U * abs![i]! + 1e-30;
      if (!(Math.abs(got[i]! - want[i]!) <= tol)) { t.fail(`element ${i}: got ${got[i]}, want ${want[i]} (tolerance ${tol})`); return; }
    }
    t.pass();
  });
}

// Rows: softmax outputs carry the relative error of exp (argument |x - m| <= ~20 here, so ~20u) plus that of the
// row sum (~log2(n) u with the tree reduction): rel 1e-5 leaves a factor > 10. Log-domain and loss values are
// differences of O(10) numbers: abs 1e-5. A NaN or +Inf in a row makes the row NaN on both backends.
const ROWS: Array<[number[], number]> = [[[4, 1000], -1], [[5, 3], -1], [[1000, 3], 0], [[7, 3, 5], 1], [[2, 500, 2], 1]];
for (const [shape, axis] of ROWS) {
  body(`webgpu softmax and log_softmax [${shape}] axis ${axis} match the CPU f64 reference`, async (t) => {
    const rng = new Rng(shape.reduce((p, d) => p * 31 + d, axis + 5));
    const x = input('x', shape);
    const data = randn(rng, x.size, 3);
    data[1] = NaN; data[data.length - 1] = Infinity; // poisons the rows holding them
    for (const [out, abs, rel] of [[softmax(x, axis), 0, 1e-5], [logSoftmax(x, axis), 1e-5, 1e-6]] as const) {
      const [got, want] = await both(out, { x: data });
      t.is(mismatch(got, want, abs, rel), undefined, out.op);
    }
  });
}

for (const shape of [[6, 1000], [5, 3], [2, 2, 65]]) {
  body(`webgpu rms_norm and silu [${shape}] match the CPU f64 reference`, async (t) => {
    const rng = new Rng(shape.reduce((p, d) => p * 17 + d, 3));
    const x = input('x', shape), w = input('w', [shape.at(-1)!]);
    const feeds = { x: randn(rng, x.size, 4), w: randn(rng, w.size) };
    feeds.x[0] = -100; // exp(100) stays finite; silu(-100) ~ -3.7e-42
    for (const out of [rmsNorm(x, w, 1e-5), silu(x)]) {
      const [got, want] = await both(out, feeds);
      t.is(mismatch(got, want, 1e-30, 1e-5), undefined, out.op);
    }
  });
}

for (const [rows, v] of [[9, 1000], [9, 3], [100, 70]]) {
  body(`webgpu cross_entropy [${rows},${v}] mean/sum/none with ignored and out-of-range targets matches the CPU`, async (t) => {
    const rng = new Rng(rows * 1000 + v);
    const logits = input('l', [rows, v]), targets = input('t', [rows], 'i32');
    const tg = Int32Array.from({ length: rows }, () => Math.floor(rng.uniform() * v));
    tg[1] = -100; tg[2] = v; tg[3] = -5; // ignored; out of range (0, counted) twice
    const feeds = { l: randn(rng, rows * v, 2), t: tg };
    for (const reduction of ['mean', 'sum', 'none'] as Reduction[]) {
      const [got, want] = await both(crossEntropy(logits, targets, { reduction }), feeds);
      t.is(mismatch(got, want, 1e-5, 1e-5), undefined, reduction);
    }
    const [allIgnored] = await evaluate(await backend(), [crossEntropy(logits, targets, { ignoreIndex: 0 })], { ...feeds, t: new Int32Array(rows) });
    t.deepEqual(Array.from(allIgnored!), [0], 'mean over no counted rows is 0');
  });
}

body('webgpu softmax over more than 65535 rows (2-D workgroup grid) matches the CPU', async (t) => {
  const x = input('x', [66000, 65]);
  const [got, want] = await both(softmax(x, -1), { x: randn(new Rng(9), x.size) });
  t.is(mismatch(got, want, 0, 1e-5), undefined);
});

test.after.always(async () => { if (gpu) (await gpu).dispose(); });
