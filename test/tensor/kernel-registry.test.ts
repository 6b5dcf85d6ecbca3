// The one kernel registry: the three backends' built-in kernels (the ONNX lowerings included) live in
// kernelRegistry under `backend/op`; every primitive has a kernel on every backend; a KernelSet selects a backend
// instance's kernels and takes instance-only additions.
import test from 'ava';
import '../../backends/cpu/cpu-kernels.js';
import '../../backends/webgpu/webgpu-kernels.js';
import { fusedCompositeNames, inferenceCompositeNames, alwaysFusedCompositeNames } from '../../backends/onnx/onnx-lowerings.js';
import { KernelRegistry, KernelSet, kernelRegistry } from '../../core/tensor/kernel-registry.js';
import { PRIMITIVE_OPS } from '../../core/tensor/primitives.js';
import { input, ops } from '../../core/tensor/index.js';

const LEAVES = new Set(['input', 'constant']);

test('every primitive has a cpu kernel, a webgpu kernel and an onnx lowering in the one registry', (t) => {
  for (const backend of ['cpu', 'webgpu', 'onnx']) {
    const missing = PRIMITIVE_OPS.filter((op) => !LEAVES.has(op) && !kernelRegistry.has(backend, op));
    t.deepEqual(missing, [], `${backend} lacks kernels`);
  }
  t.true(kernelRegistry.keys().includes('onnx/matmul'));
  t.true(kernelRegistry.keys().includes('cpu/softmax'));
});

test('the onnx lowerings of composites are split by their forwardOnly trait', (t) => {
  const all = fusedCompositeNames();
  t.deepEqual([...alwaysFusedCompositeNames(), ...inferenceCompositeNames()].sort(), all);
  t.true(alwaysFusedCompositeNames().includes('softmax'));
  t.true(inferenceCompositeNames().includes('rms_norm'));
  t.false(alwaysFusedCompositeNames().includes('rms_norm'));
  t.true(kernelRegistry.traits('onnx', 'rms_norm').forwardOnly);
  t.false(kernelRegistry.traits('onnx', 'softmax').forwardOnly ?? false);
});

test('a KernelSet selects primitives (and composites when fused), takes its own kernels and rejects a taken op', (t) => {
  const reg = new KernelRegistry<string>();
  reg.register('x', 'add', 'add-k');
  reg.register('x', 'softmax', 'softmax-k');
  const unfused = new KernelSet<string>('x', false, reg);
  t.deepEqual(unfused.ops(), ['add']);
  t.is(unfused.get('softmax'), undefined);
  unfused.register('softmax', 'mine');
  t.is(unfused.get('softmax'), 'mine');
  t.is(reg.get('x', 'softmax'), 'softmax-k', 'the shared registry is untouched');
  const fused = new KernelSet<string>('x', true, reg);
  t.deepEqual(fused.fusedOps(), ['softmax']);
  t.throws(() => fused.register('softmax', 'again'), { message: "KernelRegistry: kernel 'x/softmax' is already registered" });
  const y = ops.softmax(input('v', [3]), 0);
  t.deepEqual(fused.compile([y]).nodes.map((n) => n.op), ['input', 'softmax'], 'a composite with a kernel stays fused');
  const e = t.throws(() => new KernelSet<string>('x', false, reg).compile([y]));
  t.regex(e!.message, /^x\.compile: no kernel for op '(?!softmax|input|add)\w+'/, 'expanded into primitives, the first without a kernel is named');
});
