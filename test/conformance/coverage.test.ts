// Coverage of the conformance suite: every primitive and every composite op has a forward case, and a
// gradient check unless it is listed here as not differentiable (with the reason).
import test from 'ava';
import { PRIMITIVE_OPS } from '../../core/tensor/primitives.js';
import { compositeNames } from '../../core/tensor/composite.js';
import '../../core/tensor/ops.js';
import { loadConformanceCases } from './cases.js';

/** Ops exempt from one kind of check, and why. */
const NO_FORWARD_CASE: Record<string, string> = {
  input: 'every case feeds its operands through inputs',
};
const NOT_DIFFERENTIABLE: Record<string, string> = {
  input: 'a leaf: gradients are taken with respect to it, not through it',
  constant: 'a leaf without operands',
  iota: 'a leaf without operands',
  cast: 'f32 -> i32 output is integer; i32 -> f32 has an integer operand',
};

test('every primitive and composite has a forward case and a gradient check (or a reason)', (t) => {
  const cases = loadConformanceCases();
  const ops = [...PRIMITIVE_OPS, ...compositeNames()];
  t.deepEqual(compositeNames(), ['causal_attention', 'cross_entropy', 'embedding', 'kv_cache_update', 'log_softmax', 'rms_norm', 'rope', 'silu', 'softmax']);
  const missingForward = ops.filter((op) => !NO_FORWARD_CASE[op] && !cases.some((c) => c.op === op));
  const missingGrad = ops.filter((op) => !NOT_DIFFERENTIABLE[op] && !cases.some((c) => c.op === op && 'wrt' in c.grad && c.grad.wrt.length > 0));
  t.deepEqual(missingForward, []);
  t.deepEqual(missingGrad, []);
  t.true(cases.every((c) => 'wrt' in c.grad || c.grad.skip.length > 0), 'a skipped gradient check says why');
});
