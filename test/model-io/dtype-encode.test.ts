// Writing weights as BF16 and F16: round to nearest even like PyTorch's casts, NaN kept, F16 overflow to Infinity and
// subnormals, and the decode of what was encoded is the nearest representable value.
import test from 'ava';
import { decodeToFloat32, halfToFloat } from '../../core/model/checkpoint/dtype-decode.js';
import { encodeFloat32, floatToBf16, floatToHalf } from '../../core/model/checkpoint/dtype-encode.js';

const bf16ToFloat = (h: number): number => new Float32Array(new Uint32Array([h << 16]).buffer)[0]!;

test('BF16: exact values stay exact; ties round to even; NaN stays NaN', (t) => {
  for (const x of [0, -0, 1, -2, 0.5, 3.140625, 65280, Infinity, -Infinity]) t.is(bf16ToFloat(floatToBf16(x)), x);
  t.is(floatToBf16(1 + 2 ** -8), 0x3f80, '1 + 2^-8 is a tie between 1 and 1 + 2^-7: even (1)');
  t.is(floatToBf16(1 + 3 * 2 ** -8), 0x3f82, '1 + 3·2^-8 ties up to the even 1 + 2^-6');
  t.is(floatToBf16(1 + 2 ** -8 + 2 ** -20), 0x3f81, 'above the tie rounds up');
  t.true(Number.isNaN(bf16ToFloat(floatToBf16(NaN))));
});

test('F16: exact values, ties to even, overflow, subnormals and NaN', (t) => {
  for (const x of [0, 1, -2, 0.5, 65504, 2 ** -14, 2 ** -24, -(2 ** -20)]) t.is(halfToFloat(floatToHalf(x)), x, String(x));
  t.is(floatToHalf(1 + 2 ** -11), 0x3c00, 'tie to even (1)');
  t.is(floatToHalf(1 + 3 * 2 ** -11), 0x3c02, 'tie to even (1 + 2^-9)');
  t.is(floatToHalf(65520), 0x7c00, '65520 rounds to Infinity');
  t.is(floatToHalf(1e6), 0x7c00);
  t.is(floatToHalf(2 ** -26), 0, 'below half the smallest subnormal: zero');
  t.is(floatToHalf(3 * 2 ** -26), 1, 'rounds to the smallest subnormal');
  t.true(Number.isNaN(halfToFloat(floatToHalf(NaN))));
});

test('encoded then decoded values are the nearest representable ones (relative error within half an ulp)', (t) => {
  const data = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 1.7) * 10 ** ((i % 7) - 3));
  for (const [dtype, ulp] of [['BF16', 2 ** -8], ['F16', 2 ** -11]] as const) {
    const back = decodeToFloat32(encodeFloat32(data, dtype), dtype);
    t.is(back.length, data.length);
    let worst = 0;
    data.forEach((x, i) => { if (Math.abs(x) > 1e-4) worst = Math.max(worst, Math.abs(back[i]! - x) / Math.abs(x)); });
    t.true(worst <= ulp * 1.0001, `${dtype}: worst relative error ${worst}`);
    t.true(worst > 0, `${dtype} rounds`);
  }
  t.deepEqual(decodeToFloat32(encodeFloat32(data, 'F32'), 'F32'), data);
});
