// The register-tiled CPU matmul against a naive triple loop, across sizes that exercise the 4x4 tile edges,
// in f32 and f64, including a batched product with a broadcast operand through the graph.
import test from 'ava';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { matmul2d } from '../../backends/cpu/matmul.js';
import { Rng, evaluate, input } from '../../core/tensor/index.js';

function naive(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let q = 0; q < k; q++) s += a[i * k + q]! * b[q * n + j]!;
    c[i * n + j] = s;
  }
  return c;
}

for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [4, 4, 4], [8, 16, 9], [13, 3, 17], [33, 65, 31], [64, 64, 64]] as const) {
  test(`matmul2d ${m}x${k} x ${k}x${n} matches the naive product`, (t) => {
    const rng = new Rng(m * 1000 + k * 10 + n);
    for (const f64 of [false, true]) {
      const make = (len: number): Float32Array | Float64Array => (f64 ? new Float64Array(len) : new Float32Array(len));
      const a = make(m * k).map(() => rng.normal()), b = make(k * n).map(() => rng.normal());
      const c = make(m * n + 3).fill(7); // offset output: nothing outside the block is touched
      matmul2d(a, 0, b, 0, c, 2, m, k, n);
      const want = naive(a, b, m, k, n);
      t.is(c[0], 7);
      t.is(c[m * n + 2], 7);
      const tol = f64 ? 1e-12 : 1e-5;
      for (let i = 0; i < m * n; i++) t.true(Math.abs(c[i + 2]! - want[i]!) <= tol * (1 + Math.abs(want[i]!)), `element ${i}`);
    }
  });
}

test('batched matmul with a broadcast batch operand', async (t) => {
  const rng = new Rng(1);
  const a = Array.from({ length: 3 * 5 * 6 }, () => rng.normal()), b = Array.from({ length: 2 * 1 * 6 * 4 }, () => rng.normal());
  const [c] = await evaluate(new CpuBackend({ precision: 'f64' }), [input('a', [3, 5, 6]).matmul(input('b', [2, 1, 6, 4]))], { a, b });
  t.is(c!.length, 2 * 3 * 5 * 4);
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) {
    const want = naive(a.slice(j * 30, j * 30 + 30), b.slice(i * 24, i * 24 + 24), 5, 6, 4);
    const got = c!.slice((i * 3 + j) * 20, (i * 3 + j) * 20 + 20);
    t.true(Array.from(got).every((v, q) => Math.abs(v - want[q]!) < 1e-12), `batch ${i},${j}`);
  }
});
