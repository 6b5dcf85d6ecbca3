// Autodiff against hand-derived gradients: polynomials, broadcasting, shared subexpressions, unconnected
// parameters, and a composite's own backward agreeing with differentiation through its decomposition.
import test from 'ava';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { evaluate, grad, input, ops } from '../../core/tensor/index.js';

const be = new CpuBackend({ precision: 'f64' });

test('d/dx sum(x^2 + 3x) = 2x + 3', async (t) => {
  const x = input('x', [4]);
  const [g] = grad(x.square().add(x.mul(3)).sum(), [x]);
  const [out] = await evaluate(be, [g!], { x: [1, -2, 0.5, 4] });
  t.deepEqual(Array.from(out!), [5, -1, 4, 11]);
});

test('broadcast operands get gradients summed back to their shape', async (t) => {
  const a = input('a', [2, 3]), b = input('b', [3]);
  const [ga, gb] = grad(a.mul(b).sum(), [a, b]);
  const [oa, ob] = await evaluate(be, [ga!, gb!], { a: [1, 2, 3, 4, 5, 6], b: [10, 20, 30] });
  t.deepEqual(Array.from(oa!), [10, 20, 30, 10, 20, 30]);
  t.deepEqual(Array.from(ob!), [5, 7, 9]);
});

test('a tensor used twice accumulates both paths; an unused parameter gets zeros', async (t) => {
  const x = input('x', [2]), w = input('w', [2]), unused = input('u', [3]);
  const y = x.mul(w); // used twice below
  const [gx, gw, gu] = grad(y.add(y.square()).sum(), [x, w, unused]);
  const [ox, ow, ou] = await evaluate(be, [gx!, gw!, gu!], { x: [1, 2], w: [3, -1], u: [0, 0, 0] });
  // d/dx (xw + (xw)^2) = w + 2 x w^2
  t.deepEqual(Array.from(ox!), [3 + 2 * 1 * 9, -1 + 2 * 2 * 1]);
  t.deepEqual(Array.from(ow!), [1 + 2 * 3 * 1, 2 + 2 * -1 * 4]);
  t.deepEqual(Array.from(ou!), [0, 0, 0]);
});

test('softmax own backward equals differentiating its decomposition', async (t) => {
  const x = input('x', [2, 4]);
  const w = input('w', [2, 4]);
  const viaVjp = grad(ops.softmax(x).mul(w).sum(), [x])[0]!;
  const manual = x.sub(x.max(-1, true)).exp();
  const viaPrims = grad(manual.div(manual.sum(-1, true)).mul(w).sum(), [x])[0]!;
  const feeds = { x: [0.1, -2, 3, 0.5, 1, 1.5, -0.5, 2], w: [1, -1, 0.5, 2, -3, 1, 0, 0.25] };
  const [a, b] = await evaluate(be, [viaVjp, viaPrims], feeds);
  Array.from(a!).forEach((v, i) => t.true(Math.abs(v - b![i]!) < 1e-12, `element ${i}: ${v} vs ${b![i]}`));
});

test('cross-entropy gradient is (softmax - onehot) / count, zero on ignored rows', async (t) => {
  const logits = input('l', [3, 3]), y = input('y', [3], 'i32');
  const [g] = grad(ops.crossEntropy(logits, y), [logits]);
  // rows 0 and 2 have uniform logits (softmax 1/3 each); row 1 is ignored; 2 rows count
  const [out] = await evaluate(be, [g!], { l: [0, 0, 0, 1, 2, 3, 5, 5, 5], y: [1, -100, 2] });
  const want = [1 / 3 / 2, (1 / 3 - 1) / 2, 1 / 3 / 2, 0, 0, 0, 1 / 3 / 2, 1 / 3 / 2, (1 / 3 - 1) / 2];
  Array.from(out!).forEach((v, i) => t.true(Math.abs(v - want[i]!) < 1e-12, `element ${i}: ${v} vs ${want[i]}`));
});

test('grad rejects non-scalar losses and integer parameters', (t) => {
  t.throws(() => grad(input('x', [2]), [input('x', [2])]), { message: /grad: loss must be an f32 scalar, got f32 \[2\]/ });
  t.throws(() => grad(input('x', []), [input('i', [2], 'i32')]), { message: /cannot differentiate with respect to i32/ });
});
