// The ONNX backend beyond the conformance cases: IEEE edge values against the CPU reference, compile-time
// errors for unsupported ops, runtime errors traced to the gramr op, the session cache, buffer rules,
// providers that cannot run here, and the DI plugin.
import 'reflect-metadata';
import test from 'ava';
import { Container } from 'inversify';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { OnnxBackend } from '../../backends/onnx/onnx-backend.js';
import onnxPlugin, { onnxBackendSchema } from '../../backends/onnx/plugin.js';
import { availableProviders, loadOrt } from '../../backends/onnx/providers.js';
import { ServiceIds, KindContributionId } from '../../core/di/identifiers.js';
import type { KindContribution } from '../../core/di/kind-contribution.js';
import { evaluate } from '../../core/tensor/evaluate.js';
import { input, iota, ops, where } from '../../core/tensor/index.js';
import { Tensor } from '../../core/tensor/tensor.js';

const onnx = new OnnxBackend({ threads: 1 });
const cpu = new CpuBackend();
test.before(async () => { await onnx.init(); });

const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
  a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]) || v === b[i]);

test('IEEE edge values match the CPU reference (NaN, Inf, -0, int32 wrap)', async (t) => {
  const x = input('x', [6]), y = input('y', [6]), k = input('k', [3], 'i32');
  const feeds = { x: [NaN, 1, -2, Infinity, -0, 2.7], y: [1, NaN, -3, 5, 0, -2.7], k: [2147483647, -2147483648, 5] };
  const graphs: Record<string, Tensor> = {
    max: x.maximum(y), min: x.minimum(y), reduceMax: x.reshape([2, 3]).max(1), log: x.log(), sqrt: x.sqrt(),
    divZero: x.div(y.mul(0)), lessNaN: x.lt(y), equal: x.eq(y), whereNaN: where(x, 1, 2), castNaN: x.slice(0, 0, 3).cast('i32'),
    castTrunc: x.slice(0, 1, 3).mul(1.5).cast('i32'), wrap: k.add(k), negMin: k.neg(), absMin: k.abs(), sum: x.sum(),
  };
  for (const [name, g] of Object.entries(graphs)) {
    const used = cpu.compile([g]).program.inputs.map((i) => i.name);
    const f = Object.fromEntries(used.map((n) => [n, feeds[n as keyof typeof feeds]]));
    const [[got], [want]] = await Promise.all([evaluate(onnx, [g], f), evaluate(cpu, [g], f)]);
    t.true(same(got!, want!), `${name}: onnx ${Array.from(got!).join(' ')} vs cpu ${Array.from(want!).join(' ')}`);
  }
});

test('an op without a lowering fails at compile time, naming it', (t) => {
  const x = input('x', [2]);
  const bogus = new Tensor('mystery_op', [x], {}, [2], 'f32');
  const err = t.throws(() => onnx.compile([bogus.exp()]));
  t.regex(err!.message, /onnx\.compile: no ONNX lowering for op 'mystery_op' \(first at f32\[2\] mystery_op#\d+; graph gramr_[0-9a-f]{16}\)/);
});

test('runtime errors name the graph and the gramr op with its operands', async (t) => {
  const table = input('table', [4, 2]), idx = input('idx', [3], 'i32');
  const err = await t.throwsAsync(evaluate(onnx, [table.gather(idx).exp()], { table: new Float32Array(8), idx: [0, 7, 1] }));
  t.regex(err!.message, /graph gramr_[0-9a-f]{16} .* failed at op 'gather' \(program node \d+: f32\[3,2\] gather#\d+; operands f32\[4,2\] input 'table', i32\[3\] input 'idx'\)/);
  t.regex(err!.message, /idx=7/, 'keeps onnxruntime\'s own message');
});

test('sessions are cached by structure: equal graphs share one, feeds do not matter', async (t) => {
  const be = new OnnxBackend({ threads: 1 });
  await be.init();
  const build = (): Tensor => ops.softmax(input('a', [2, 3]).mul(iota(3, 'f32')));
  const [r1] = await evaluate(be, [build()], { a: [1, 2, 3, 4, 5, 6] });
  const [r2] = await evaluate(be, [build()], { a: [0, 0, 0, 1, 1, 1] });
  t.is(be.sessionCount, 1);
  t.false(same(r1!, r2!));
  await evaluate(be, [ops.softmax(input('a', [3, 2]))], { a: [1, 2, 3, 4, 5, 6] });
  t.is(be.sessionCount, 2);
  const small = new OnnxBackend({ threads: 1, maxSessions: 1 });
  await small.init();
  await evaluate(small, [input('a', [2]).exp()], { a: [0, 1] });
  const [again] = await evaluate(small, [input('a', [2]).neg()], { a: [0, 1] });
  t.is(small.sessionCount, 1, 'least recently used session released beyond maxSessions');
  t.deepEqual(Array.from(again!), [-0, -1]);
  be.dispose();
  small.dispose();
});

test('the same output twice, an input as output, and a constant output are separate buffers', async (t) => {
  const a = input('a', [2]);
  const e = a.exp();
  const g = onnx.compile([e, e, a, iota(2, 'f32').reshape([1, 2])]);
  const buf = onnx.allocate([2], 'f32');
  onnx.upload(buf, [0, 1]);
  const outs = await onnx.run(g, { a: buf });
  const data = await Promise.all(outs.map((o) => onnx.download(o)));
  t.deepEqual(data.map((d) => Array.from(d).map((v) => Math.round(v * 1000) / 1000)), [[1, 2.718], [1, 2.718], [0, 1], [0, 1]]);
  t.is(new Set(outs.map((o) => o.id)).size, 4);
  for (const o of [...outs, buf]) onnx.free(o);
});

test('an expand feeding a broadcasting op is not materialized; results are unchanged', async (t) => {
  const a = input('a', [4, 1]), b = input('b', [4, 3]);
  const out = where(b.gt(0), a.expand([4, 3]).mul(b), a.expand([4, 3]));
  const kept = a.expand([4, 3]).exp(); // a unary op does not broadcast: this expand stays
  const g = onnx.compile([out, kept]);
  t.is(g.lowered.model.nodes.filter((n) => n.opType === 'Expand').length, 1);
  const feeds = { a: [1, 2, 3, 4], b: [1, -1, 2, 0, 3, -2, 1, 1, 1, -5, 0, 2] };
  const [got, want] = await Promise.all([evaluate(onnx, [out, kept], feeds), evaluate(cpu, [out, kept], feeds)]);
  t.deepEqual(Array.from(got[0]!), Array.from(want[0]!));
  t.true(Array.from(got[1]!).every((v, i) => Math.abs(v - want[1]![i]!) <= 1e-6 * Math.abs(want[1]![i]!)), 'exp(a) broadcast');
});

test('buffer rules: sizes, copies on download, freed buffers, live counters', async (t) => {
  const be = new OnnxBackend({ threads: 1 });
  await be.init();
  const b = be.allocate([2, 2], 'i32');
  t.deepEqual(Array.from(await be.download(b)), [0, 0, 0, 0]);
  t.throws(() => be.upload(b, [1, 2, 3]), { message: /holds 4 elements, got 3/ });
  be.upload(b, [1, 2, 3, 4]);
  const copy = await be.download(b);
  copy[0] = 99;
  t.deepEqual(Array.from(await be.download(b)), [1, 2, 3, 4]);
  t.deepEqual(be.memory(), { buffers: 1, bytes: 16, pooledBuffers: 0, pooledBytes: 0 });
  be.free(b);
  t.throws(() => be.upload(b, [1, 2, 3, 4]), { message: /was freed or belongs to another backend/ });
  t.is(be.memory().buffers, 0);
  const g = be.compile([input('x', [2]).add(1)]);
  await t.throwsAsync(be.run(g, {}), { message: /missing 'x'/ });
  await t.throwsAsync(be.run(cpu.compile([input('x', [2]).add(1)]), {}), { message: /compiled for 'cpu'/ });
  be.dispose();
});

test('providers that cannot run here fail in init with what is missing and what is available', async (t) => {
  const ort = await loadOrt();
  const avail = availableProviders(ort);
  t.true(avail.includes('cpu'));
  if (!avail.includes('cuda')) {
    const err = await t.throwsAsync(new OnnxBackend({ provider: 'cuda' }).init());
    t.regex(err!.message, /CUDA execution provider is not installed: .*libonnxruntime_providers_cuda\.so.* missing/);
    t.regex(err!.message, /ONNXRUNTIME_NODE_INSTALL=cuda12/);
    t.regex(err!.message, /available here: cpu/);
  } else {
    t.log('cuda provider libraries are installed here: the missing-library error is not exercised');
  }
  t.throws(() => new OnnxBackend({ provider: 'metal' as 'cpu' }), { message: /unknown execution provider 'metal' \(valid: cpu, webgpu, cuda\)/ });
  t.throws(() => new OnnxBackend({ threads: 0 }), { message: /threads must be a positive integer/ });
});

test('plugin contributes ComputeBackend kind onnx with cpu / 2 threads by default', (t) => {
  const c = new Container();
  c.load(onnxPlugin);
  const contribution = c.getAll<KindContribution>(KindContributionId).find((k) => k.kind === 'onnx');
  t.is(contribution?.point, 'ComputeBackend');
  const be = c.get<OnnxBackend>(ServiceIds.ComputeBackend, { name: 'onnx' });
  t.true(be instanceof OnnxBackend);
  t.is(be.provider, 'cpu');
  t.is(be.threads, 2);
  t.deepEqual(onnxBackendSchema.parse({}), { provider: 'cpu', threads: 2 });
  t.false(onnxBackendSchema.safeParse({ provider: 'metal' }).success);
  t.false(onnxBackendSchema.safeParse({ threads: 2, extra: 1 }).success);
});
