// The backend contract on the CPU backend, the backend registry and resolver (preference lists, kept failure
// reasons), and the kernel registry (duplicates rejected, a registered fused kernel replaces the decomposition).
import test from 'ava';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { registerCpuBackend } from '../../backends/cpu/index.js';
import {
  BackendRegistry, KernelRegistry, evaluate, input, ops, resolveBackend, type ComputeBackend,
} from '../../core/tensor/index.js';
import type { CpuKernel } from '../../backends/cpu/kernels/kernel.js';

test('allocate / upload / download / free and counters', async (t) => {
  const be = new CpuBackend();
  await be.init();
  const b = be.allocate([2, 3], 'f32');
  t.deepEqual(Array.from(await be.download(b)), [0, 0, 0, 0, 0, 0]);
  be.upload(b, [1, 2, 3, 4, 5, 6.5]);
  const d = await be.download(b);
  t.true(d instanceof Float32Array);
  t.deepEqual(Array.from(d), [1, 2, 3, 4, 5, 6.5]);
  t.deepEqual({ buffers: be.memory().buffers, bytes: be.memory().bytes }, { buffers: 1, bytes: 24 });
  t.throws(() => be.upload(b, [1, 2]), { message: /cpu.upload: buffer #\d+ f32 \[2,3\] holds 6 elements, got 2/ });
  be.free(b);
  t.is(be.memory().buffers, 0);
  await t.throwsAsync(be.download(b), { message: /buffer #\d+ f32 \[2,3\] was freed or belongs to another backend/ });
  const other = new CpuBackend().allocate([1], 'f32');
  t.throws(() => be.free(other), { message: /belongs to another backend/ });
});

test('f64 precision keeps f32 tensors in Float64Array', async (t) => {
  const be = new CpuBackend({ precision: 'f64' });
  t.true(be.capabilities().f64);
  const x = input('x', [1]);
  const [y] = await evaluate(be, [x.add(1e-10)], { x: [1] });
  t.true(y instanceof Float64Array);
  t.is(y![0], 1 + 1e-10);
  const [y32] = await evaluate(new CpuBackend(), [x.add(1e-10)], { x: [1] });
  t.is(y32![0], 1);
});

test('run checks feeds: missing, unknown and mismatched names are all listed', async (t) => {
  const be = new CpuBackend();
  const g = be.compile([input('a', [2]).add(input('b', [2]))]);
  const a = be.allocate([3], 'f32'), c = be.allocate([2], 'f32');
  const e = await t.throwsAsync(be.run(g, { a, c }));
  t.regex(e!.message, /'a' expects f32 \[2\], got f32 \[3\]/);
  t.regex(e!.message, /missing 'b' \(f32 \[2\]\)/);
  t.regex(e!.message, /unknown feed 'c'/);
});

test('a kernel failure names the op and its operands and leaks nothing', async (t) => {
  const be = new CpuBackend();
  const table = input('t', [3, 2]), idx = input('i', [2], 'i32');
  const e = await t.throwsAsync(evaluate(be, [table.gather(idx).exp()], { t: [1, 2, 3, 4, 5, 6], i: [1, 7] }));
  t.regex(e!.message, /op 'gather'.*index 7 at position 1 is outside \[0, 3\)/);
  t.is(be.memory().buffers, 0);
});

test('outputs that alias inputs or each other come back as separate buffers', async (t) => {
  const be = new CpuBackend();
  const x = input('x', [2, 2]);
  const g = be.compile([x, x.reshape([4]), x.reshape([4])]);
  const xb = be.allocate([2, 2], 'f32');
  be.upload(xb, [1, 2, 3, 4]);
  const outs = await be.run(g, { x: xb });
  t.is(new Set(outs.map((o) => o.id)).size, 3);
  be.upload(xb, [9, 9, 9, 9]);
  for (const o of outs) t.deepEqual(Array.from(await be.download(o)), [1, 2, 3, 4]);
  outs.forEach((o) => be.free(o));
  be.free(xb);
  t.is(be.memory().buffers, 0);
});

test('kernel registry keys backend/op and rejects duplicates', (t) => {
  const reg = new KernelRegistry<string>();
  reg.register('cpu', 'softmax', 'k1');
  t.is(reg.get('cpu', 'softmax'), 'k1');
  t.throws(() => reg.register('cpu', 'softmax', 'k2'), { message: "KernelRegistry: kernel 'cpu/softmax' is already registered" });
  reg.register('webgpu', 'softmax', 'k3');
  t.deepEqual(reg.keys(), ['cpu/softmax', 'webgpu/softmax']);
  t.deepEqual(reg.ops('cpu'), ['softmax']);
  t.throws(() => new CpuBackend().registerKernel('add', () => new Float32Array(0)), { message: /'cpu\/add' is already registered/ });
});

test('a fused kernel registered for a composite runs instead of its decomposition', async (t) => {
  const be = new CpuBackend({ fused: false });
  t.deepEqual(be.capabilities().fusedKernels, []);
  let calls = 0;
  const fusedSilu: CpuKernel = (node, [x], ctx) => {
    calls++;
    const o = ctx.alloc(node.size, 'f32');
    for (let i = 0; i < o.length; i++) o[i] = x![i]! / (1 + Math.exp(-x![i]!));
    return o;
  };
  be.registerKernel('silu', fusedSilu);
  t.deepEqual(be.capabilities().fusedKernels, ['silu']);
  const y = ops.silu(input('x', [3]));
  t.deepEqual(be.compile([y]).program.nodes.map((n) => n.op), ['input', 'silu']);
  const [out] = await evaluate(be, [y], { x: [0, 1, -2] });
  t.is(calls, 1);
  t.true(Math.abs(out![1]! - 1 / (1 + Math.exp(-1))) < 1e-7);
  t.deepEqual(new CpuBackend().capabilities().fusedKernels, ['cross_entropy', 'log_softmax', 'rms_norm', 'silu', 'softmax']);
});

function failing(name: string, reason: string): ComputeBackend {
  const be = new CpuBackend();
  return Object.assign(Object.create(be) as ComputeBackend, { name, init: async () => { throw new Error(reason); } });
}

test('resolveBackend takes the first backend that initializes and reports what was tried', async (t) => {
  const reg = new BackendRegistry();
  reg.register('webgpu', () => failing('webgpu', 'no adapter found (Dawn reported none)'));
  registerCpuBackend(reg);
  const { backend, tried } = await resolveBackend(['webgpu', 'onnx', 'cpu'], reg);
  t.is(backend.name, 'cpu');
  t.deepEqual(tried, [
    { name: 'webgpu', error: 'no adapter found (Dawn reported none)' },
    { name: 'onnx', error: 'not registered (registered: webgpu, cpu)' },
    { name: 'cpu' },
  ]);
  t.throws(() => reg.register('cpu', () => new CpuBackend()), { message: "BackendRegistry: backend 'cpu' is already registered" });
});

test('resolveBackend throws listing every failure when none initializes', async (t) => {
  const reg = new BackendRegistry();
  reg.register('webgpu', () => failing('webgpu', 'no adapter'));
  reg.register('onnx', () => { throw new Error('onnxruntime-node failed to load'); });
  const e = await t.throwsAsync(resolveBackend(['webgpu', 'onnx'], reg));
  t.is(e!.message, 'No compute backend could be initialized (tried webgpu, onnx):\n  - webgpu: no adapter\n  - onnx: onnxruntime-node failed to load');
  await t.throwsAsync(resolveBackend([], reg), { message: /preference list is empty/ });
});
