// The graph layer: build-time shape/dtype errors naming the op and both shapes, broadcasting, composites kept
// as named nodes, compile-time expansion (unless fused), common-subexpression merging, liveness and hashing.
import test from 'ava';
import { compileGraph, structureHash } from '../../core/tensor/program.js';
import { GraphBuildError, applyOp, constant, input, ops, scalar, Tensor } from '../../core/tensor/index.js';

test('binary ops broadcast numpy-style', (t) => {
  t.deepEqual(input('a', [2, 1, 3]).add(input('b', [4, 1])).shape, [2, 4, 3]);
  t.deepEqual(input('a', [5]).mul(2).shape, [5]);
  t.deepEqual(input('a', [3, 4]).matmul(input('b', [2, 4, 6])).shape, [2, 3, 6]);
});

test('shape mismatches throw at build time naming the op and both shapes', (t) => {
  const e = t.throws(() => input('a', [2, 3]).add(input('b', [4])), { instanceOf: GraphBuildError });
  t.regex(e!.message, /^add: shapes \[2,3\] and \[4\] do not broadcast/);
  const m = t.throws(() => input('a', [2, 3]).matmul(input('b', [4, 5])));
  t.regex(m!.message, /matmul: inner dims differ: \[2,3\] x \[4,5\] \(3 vs 4\)/);
  t.throws(() => input('a', [2, 3]).reshape([4, 2]), { message: /reshape: \[2,3\] \(6 elements\) cannot become \[4,2\] \(8\)/ });
  t.throws(() => ops.rmsNorm(input('x', [2, 8]), input('w', [4])), { message: /rms_norm: .*\[2,8\].*\[4\]/ });
  t.throws(() => ops.causalAttention(input('q', [1, 3, 2, 4]), input('k', [1, 2, 2, 4]), input('v', [1, 2, 2, 4])),
    { message: /causal_attention: query heads 3 must be a multiple of kv heads 2/ });
});

test('dtype mismatches throw naming the op and both operands', (t) => {
  t.throws(() => input('a', [2]).add(input('b', [2], 'i32')), { message: 'add: dtypes differ: f32 [2] and i32 [2]' });
  t.throws(() => input('a', [2], 'i32').exp(), { message: 'exp: needs f32, got i32 [2]' });
  t.throws(() => input('t', [4, 2]).gather(input('i', [3])), { message: /gather: index must be i32/ });
  t.throws(() => ops.crossEntropy(input('l', [3, 5]), input('y', [3])), { message: /cross_entropy: needs f32 logits .* i32 targets/ });
});

test('sum/mean/max over an axis or everything, with and without keepDims', (t) => {
  const x = input('x', [2, 3, 4]);
  t.deepEqual(x.sum(1).shape, [2, 4]);
  t.deepEqual(x.sum(-1, true).shape, [2, 3, 1]);
  t.deepEqual(x.mean().shape, []);
  t.deepEqual(x.max(undefined, true).shape, [1, 1, 1]);
});

test('composites stay visible as named nodes with their attributes', (t) => {
  const y = ops.softmax(input('x', [2, 5]));
  t.is(y.op, 'softmax');
  t.deepEqual(y.attrs, { axis: 1 });
  const r = ops.rope(input('q', [1, 2, 3, 8]), input('p', [3], 'i32'), { convention: 'interleaved', theta: 500 });
  t.is(r.op, 'rope');
  t.is(r.inputs[2]!.op, 'constant');
  t.deepEqual(Array.from(r.inputs[2]!.data!), [1, 500 ** -0.25, 500 ** -0.5, 500 ** -0.75].map(Math.fround));
});

test('compile expands composites into primitives unless the backend fuses them', (t) => {
  const y = ops.crossEntropy(input('x', [4, 6]), input('y', [4], 'i32'));
  const expanded = compileGraph([y]);
  t.false(expanded.nodes.some((n) => ['cross_entropy', 'log_softmax'].includes(n.op)));
  const fusedLsm = compileGraph([y], { fused: (op) => op === 'log_softmax' });
  t.true(fusedLsm.nodes.some((n) => n.op === 'log_softmax'));
  t.false(fusedLsm.nodes.some((n) => n.op === 'cross_entropy'));
  const fused = compileGraph([y], { fused: (op) => op === 'cross_entropy' });
  t.deepEqual(fused.nodes.map((n) => n.op), ['input', 'input', 'cross_entropy']);
});

test('structurally identical nodes are merged and liveness points at the last reader', (t) => {
  const x = input('x', [3]);
  const a = x.exp().add(x.exp()); // two separate exp nodes, same structure
  const p = compileGraph([a]);
  t.deepEqual(p.nodes.map((n) => n.op), ['input', 'exp', 'add']);
  t.deepEqual(Array.from(p.lastUse), [1, 2, -1]);
  t.deepEqual(p.outputs, [2]);
  t.deepEqual(p.inputs, [{ name: 'x', shape: [3], dtype: 'f32' }]);
});

test('an input name declared with two shapes is an error', (t) => {
  t.throws(() => compileGraph([input('x', [2]).sum().add(input('x', [3]).sum())]), { message: /input 'x' is declared twice: f32 \[[23]\] and f32 \[[23]\]/ });
});

test('structure hash: stable across rebuilds, sensitive to ops, shapes, attrs and constants', (t) => {
  const build = (n: number, axis = -1, c = 2): Tensor => ops.softmax(input('x', [n, 4]).mul(scalar(c)), axis);
  t.is(structureHash([build(3)]), structureHash([build(3)]));
  t.is(compileGraph([build(3)]).hash, compileGraph([build(3)]).hash);
  t.not(structureHash([build(3)]), structureHash([build(5)]));
  t.not(structureHash([build(3)]), structureHash([build(3, 0)]));
  t.not(structureHash([build(3)]), structureHash([build(3, -1, 3)]));
  t.not(compileGraph([build(3)]).hash, compileGraph([build(3)], { fused: () => true }).hash);
  t.regex(structureHash([build(3)]), /^[0-9a-f]{16}$/);
});

test('applyOp builds primitives and composites by name and rejects unknown ops', (t) => {
  t.is(applyOp('transpose', [input('x', [2, 3])], { perm: [1, 0] }).op, 'transpose');
  t.deepEqual(applyOp('silu', [input('x', [2])]).shape, [2]);
  t.throws(() => applyOp('conv2d', []), { message: /unknown op 'conv2d' \(primitives: .*; composites: .*softmax/ });
  t.throws(() => constant([1, 2, 3], [2, 2]), { message: 'constant: 3 values do not fill shape [2,2] (4 elements)' });
});
