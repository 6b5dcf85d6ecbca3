// Block quantization (core/tensor/quantize.ts): the round-trip error bound |w - dequantized| <= scale / 2 per
// block for int8 and int4, MatMulNBits's byte layout (low nibble first, implicit zero point), partial last
// blocks, and clear errors for bad arguments.
import test from 'ava';
import { blocksPerRow, dequantizeMatrix, quantizeMatrix, type QuantBits } from '../../core/tensor/quantize.js';
import { Rng } from '../../core/tensor/rng.js';

function randomMatrix(n: number, k: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * k }, () => (rng.nextFloat() * 2 - 1) * (1 + rng.nextFloat() * 9));
}

for (const bits of [8, 4] as QuantBits[]) {
  test(`int${bits}: every value is within half a step (absmax / ${2 * ((1 << (bits - 1)) - 1)}) of its block's grid; K not a multiple of the block`, (t) => {
    const n = 7, k = 100, bs = 32; // 4 blocks per row, the last holding 4 values
    const w = randomMatrix(n, k, bits);
    const q = quantizeMatrix(w, n, k, bits, bs);
    t.is(q.packed.length, n * blocksPerRow(k, bs) * (bs * bits) / 8);
    t.is(q.scales.length, n * 4);
    const d = dequantizeMatrix(q);
    let worst = 0, meanRel = 0;
    for (let r = 0; r < n; r++) {
      for (let b = 0; b < 4; b++) {
        const from = r * k + b * bs, to = Math.min(r * k + k, from + bs);
        const absmax = Math.max(...Array.from(w.subarray(from, to), Math.abs));
        t.is(q.scales[r * 4 + b], Math.fround(absmax / ((1 << (bits - 1)) - 1)));
        for (let i = from; i < to; i++) {
          const err = Math.abs(w[i]! - d[i]!);
          worst = Math.max(worst, err / q.scales[r * 4 + b]!);
          meanRel += err / absmax / (n * k);
        }
      }
    }
    t.true(worst <= 0.5 + 1e-5, `worst error ${worst} steps`);
    t.true(worst > 0.3, 'the bound is reached closely (the test can fail)');
    t.true(meanRel < (bits === 8 ? 0.003 : 0.05), `mean error ${meanRel} of absmax`);
    const dt = dequantizeMatrix(q, true);
    t.is(dt[5 * n + 3], d[3 * k + 5]);
  });
}

test('int4 packing: two codes per byte, low nibble first, zero point 8; int8: one code per byte, zero point 128', (t) => {
  const w = new Float32Array(32);
  w[0] = -7; w[1] = 7; w[2] = 1; w[3] = 0; // absmax 7: scale 1 for int4
  const q4 = quantizeMatrix(w, 1, 32, 4, 32);
  t.is(q4.scales[0], 1);
  t.is(q4.packed[0], (8 - 7) | ((8 + 7) << 4));
  t.is(q4.packed[1], (8 + 1) | (8 << 4));
  t.is(q4.packed[15], 8 | (8 << 4));
  const q8 = quantizeMatrix(w, 1, 32, 8, 32);
  t.is(q8.scales[0], Math.fround(7 / 127));
  t.deepEqual([...q8.packed.subarray(0, 4)], [1, 255, 128 + 18, 128]);
  t.deepEqual([...dequantizeMatrix(q4).subarray(0, 4)], [-7, 7, 1, 0]);
});

test('an all-zero block has scale 0 and dequantizes to zeros; bad arguments are clear errors', (t) => {
  const q = quantizeMatrix(new Float32Array(64), 2, 32, 4, 32);
  t.deepEqual([...q.scales], [0, 0]);
  t.true(dequantizeMatrix(q).every((x) => x === 0));
  t.throws(() => quantizeMatrix(new Float32Array(10), 2, 4, 4), { message: /10 values do not make a \[2, 4\] matrix/ });
  t.throws(() => quantizeMatrix(new Float32Array(64), 2, 32, 4, 24), { message: /blockSize must be a power of two >= 16, got 24/ });
  t.throws(() => quantizeMatrix(new Float32Array(64), 2, 32, 3 as QuantBits), { message: /bits must be 4 or 8, got 3/ });
  t.throws(() => quantizeMatrix(Float32Array.from({ length: 32 }, (_, i) => (i === 5 ? NaN : 1)), 1, 32, 8), { message: /row 0, block 0 holds a non-finite value/ });
});
