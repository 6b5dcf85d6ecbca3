// The WebGPU backend's machinery: the adapter it reports, the no-adapter error listing every path tried, a WGSL
// kernel that fails validation named with its line, buffers (zeroed allocation, upload ranges, freed-buffer errors),
// run outputs that alias inputs or each other, flat live buffers over repeated runs, and a pipeline cache that
// compiles each kernel once.
import test, { type ExecutionContext } from 'ava';
import { WebGpuBackend } from '../../backends/webgpu/webgpu-backend.js';
import { evaluate } from '../../core/tensor/evaluate.js';
import { input } from '../../core/tensor/primitives.js';
import { Tensor } from '../../core/tensor/tensor.js';
import { gatedTest, webgpuSkipReason } from './webgpu-available.js';

const skip = await webgpuSkipReason();
const gpuTest = (title: string, fn: (t: ExecutionContext) => Promise<void>): void => gatedTest(skip, title, fn);

gpuTest('init reports the adapter and the paths that failed before it', async (t) => {
  const be = new WebGpuBackend();
  await be.init();
  t.regex(be.adapter, / via (default|vulkan|opengl|opengles|d3d12|metal)$/);
  t.true(Array.isArray(be.adapterFailures));
  if (be.software) t.regex(be.adapter, /llvmpipe|lavapipe|swiftshader|software/i);
  t.deepEqual(be.capabilities().dtypes, ['f32', 'i32']);
  t.false(be.capabilities().f64);
  be.dispose();
});

test('an unknown adapter name is refused, listing the valid ones', (t) => {
  const e = t.throws(() => new WebGpuBackend({ adapter: 'glide' }));
  t.regex(e!.message, /adapter 'glide' \(valid: auto, default, vulkan, opengl/);
});

gpuTest('when no adapter path works, the error lists each path tried and why', async (t) => {
  // d3d12 and metal do not exist on Linux: Dawn finds no adapter through them.
  const be = new WebGpuBackend({ adapter: process.platform === 'win32' ? 'metal' : 'd3d12' });
  const e = await t.throwsAsync(() => be.init());
  t.regex(e!.message, /webgpu: no adapter\. Tried:\n {2}- (d3d12|metal) \(create\(\[backend=(d3d12|metal)\]\)/);
  be.dispose();
});

gpuTest('a kernel whose WGSL does not compile fails with the kernel name, the line and the source text', async (t) => {
  const be = new WebGpuBackend();
  await be.init();
  be.registerKernel('broken_op', (node, [x], ctx) => {
    const o = ctx.alloc(node.size, 'f32');
    ctx.dispatch({
      kernel: 'broken_op', workgroups: [1, 1, 1], bindings: [x!, o],
      code: `@group(0) @binding(0) var<storage, read> x: array<f32>;\n@group(0) @binding(1) var<storage, read_write> o: array<f32>;\n@compute @workgroup_size(1) fn main() {\n  o[0] = x[0] + undefined_name;\n}`,
    });
    return o;
  });
  const x = input('x', [2]);
  const node = new Tensor('broken_op', [x], {}, [2], 'f32');
  const e = await t.throwsAsync(() => evaluate(be, [node], { x: [1, 2] }));
  t.regex(e!.message, /kernel 'broken_op' WGSL does not compile:\n {2}error at line 4:\d+: .*undefined_name/);
  t.regex(e!.message, /o\[0\] = x\[0\] \+ undefined_name;/);
  t.is(be.memory().buffers, 0, 'the failed run released what it allocated');
  be.dispose();
});

gpuTest('buffers: allocate is zeroed, uploadRange writes a range, freed buffers are refused by name', async (t) => {
  const be = new WebGpuBackend();
  await be.init();
  const b = be.allocate([2, 3], 'f32');
  t.deepEqual(Array.from(await be.download(b)), [0, 0, 0, 0, 0, 0]);
  be.upload(b, [1, 2, 3, 4, 5, 6]);
  be.uploadRange(b, 2, new Float32Array([30, 40]));
  t.deepEqual(Array.from(await be.download(b)), [1, 2, 30, 40, 5, 6]);
  t.throws(() => be.uploadRange(b, 5, [1, 2]), { message: /elements \[5, 7\) are outside buffer #\d+ f32 \[2,3\]/ });
  t.throws(() => be.upload(b, [1]), { message: /holds 6 elements, got 1/ });
  const i = be.allocate([3], 'i32');
  be.upload(i, [-1, 2147483647, -2147483648]);
  t.deepEqual(Array.from(await be.download(i)), [-1, 2147483647, -2147483648]);
  be.free(b);
  t.throws(() => be.upload(b, [1, 2, 3, 4, 5, 6]), { message: /buffer #\d+ f32 \[2,3\] was freed or belongs to another backend/ });
  be.free(i);
  t.is(be.memory().buffers, 0);
  be.dispose();
  t.throws(() => be.allocate([1], 'f32'), { message: /disposed/ });
});

gpuTest('outputs that are inputs or repeat get their own buffers; live buffers stay flat; kernels compile once', async (t) => {
  const be = new WebGpuBackend();
  await be.init();
  const x = input('x', [4]), y = input('y', [4]);
  const s = x.add(y);
  const graph = be.compile([x, s, s, s.mul(s).exp()]);
  const xb = be.allocate([4], 'f32'), yb = be.allocate([4], 'f32');
  be.upload(xb, [1, 2, 3, 4]);
  be.upload(yb, [0.5, 0.5, 0.5, -4]);
  const live: number[] = [];
  let pipelines = 0;
  for (let r = 0; r < 5; r++) {
    const outs = await be.run(graph, { x: xb, y: yb });
    t.is(new Set(outs.map((o) => o.id)).size, 4);
    const [a, b, c, d] = await Promise.all(outs.map((o) => be.download(o)));
    t.deepEqual(Array.from(a!), [1, 2, 3, 4]);
    t.deepEqual(Array.from(b!), [1.5, 2.5, 3.5, 0]);
    t.deepEqual(Array.from(c!), Array.from(b!));
    d!.forEach((v, k) => t.true(Math.abs(v - Math.exp(b![k]! * b![k]!)) <= 1e-6 * Math.exp(b![k]! * b![k]!)));
    for (const o of outs) be.free(o);
    live.push(be.memory().buffers);
    if (r === 0) pipelines = be.pipelineCount;
  }
  t.deepEqual(live, [2, 2, 2, 2, 2], 'only x and y stay allocated');
  const bad = await t.throwsAsync(() => be.run(graph, { x: xb, z: yb }));
  t.regex(bad!.message, /webgpu\.run: bad feeds: missing 'y' \(f32 \[4\]\); unknown feed 'z'/);
  t.is(be.memory().buffers, 2, 'a refused run allocates nothing');
  t.is(be.pipelineCount, pipelines, 'later runs compile nothing');
  be.dispose();
});
