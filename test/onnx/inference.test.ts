// Inference lowering on the ONNX backend: which composites a graph runs fused (forward-only graphs) or expanded
// (graphs that also differentiate them), the fused lowerings against the CPU reference on the cases generation
// does not reach (cache rows outside [0, L), lengths masks, additive masks, every RoPE path), compile-time
// constants as initializers (cache key by content, feeding a bound input is an error), sibling-matmul merging,
// one intra-op thread for small graphs, and uploadRange.
import test from 'ava';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { OnnxBackend } from '../../backends/onnx/onnx-backend.js';
import type { DeviceBuffer } from '../../core/tensor/backend.js';
import { evaluate } from '../../core/tensor/evaluate.js';
import { grad, input, ops } from '../../core/tensor/index.js';
import type { Tensor } from '../../core/tensor/tensor.js';

const onnx = new OnnxBackend({ threads: 1 });
const plain = new OnnxBackend({ threads: 1, contribOps: false });
const cpu = new CpuBackend(); // f32, so exact lowerings compare exactly
test.before(async () => { await Promise.all([onnx.init(), plain.init()]); });

const seeded = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(seed * 7.31 + i * 1.37) * 1.5);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

// Runs `outs` on a backend and on the CPU reference with the same feeds; returns the largest difference.
async function versusCpu(be: OnnxBackend, outs: Tensor[], feeds: Record<string, number[]>): Promise<number> {
  const [got, want] = await Promise.all([evaluate(be, outs, feeds), evaluate(cpu, outs, feeds)]);
  return Math.max(...got.map((g, i) => maxDiff(g, want[i]!)));
}

test('forward-only graphs run rms_norm, silu, rope, kv_cache_update and causal_attention fused; a graph with their gradients expands them', (t) => {
  const x = input('x', [2, 1, 4, 8]), w = input('w', [8]), pos = input('pos', [4], 'i32');
  const h = ops.rmsNorm(x, w, 1e-5);
  const r = ops.rope(ops.silu(h), pos);
  const out = ops.causalAttention(r, r, r);
  const fwd = onnx.compile([out]);
  t.deepEqual([...fwd.fusedOps], ['causal_attention', 'rms_norm', 'rope', 'silu']);
  const [gx, gw] = grad(out.sum(), [x, w]);
  const train = onnx.compile([out.sum(), gx!, gw!]);
  t.deepEqual([...train.fusedOps], ['softmax'], 'only softmax (it has its own backward) stays fused');
  t.false(train.lowered.model.nodes.some((n) => n.opType === 'RotaryEmbedding' || n.opType === 'Pow'));
  t.true(fwd.lowered.model.nodes.length < train.lowered.model.nodes.length / 3);
});

test('kv_cache_update: one row at start in [0, L) replaces it, outside [0, L) is dropped; several rows too', async (t) => {
  const cache = input('cache', [5, 2, 4, 3]), row = input('row', [5, 2, 1, 3]), start = input('start', [5], 'i32');
  const feeds = { cache: seeded(120, 1), row: seeded(30, 2), start: [-1, 0, 3, 4, 9] };
  const one = ops.kvCacheUpdate(cache, row, start);
  for (const be of [onnx, plain]) t.is(await versusCpu(be, [one], feeds), 0, 'one row: exact');
  const rows = input('rows', [2, 2, 3, 3]), start2 = input('start2', [2], 'i32');
  const two = ops.kvCacheUpdate(input('c2', [2, 2, 4, 3]), rows, start2);
  t.is(await versusCpu(onnx, [two], { c2: seeded(48, 3), rows: seeded(36, 4), start2: [2, -1] }), 0, 'rows partly outside: exact');
  t.true(onnx.compile([one]).lowered.model.nodes.some((n) => n.opType === 'ScatterND'));
});

test('causal_attention: decode rows with start and lengths, lengths alone, an additive mask, GQA', async (t) => {
  const q = input('q', [2, 4, 1, 4]), k = input('k', [2, 2, 6, 4]), v = input('v', [2, 2, 6, 3]);
  const start = input('start', [2], 'i32'), lengths = input('lengths', [2], 'i32');
  const base = { q: seeded(32, 5), k: seeded(96, 6), v: seeded(72, 7) };
  const cases: [string, Tensor, Record<string, number[]>][] = [
    ['start', ops.causalAttention(q, k, v, { start }), { ...base, start: [2, 5] }],
    ['start + lengths, a fully masked row', ops.causalAttention(q, k, v, { start, lengths }), { ...base, start: [3, -1], lengths: [2, 6] }],
    ['lengths, not causal', ops.causalAttention(q, k, v, { lengths, causal: false }), { ...base, lengths: [4, 1] }],
  ];
  const q3 = input('q3', [2, 4, 3, 4]), mask = input('mask', [2, 1, 3, 6]);
  cases.push(['3 queries, additive mask', ops.causalAttention(q3, k, v, { mask }), { q3: seeded(96, 8), k: base.k, v: base.v, mask: seeded(36, 9).map((m) => (m > 0.5 ? -1e9 : 0)) }]);
  for (const [name, out, feeds] of cases) {
    const d = await versusCpu(onnx, [out], feeds);
    t.true(d <= 2e-6, `${name}: max |diff| ${d}`);
  }
});

test('decode attention reads the caches directly when its k and v are one-row updates (start inside, at the ends, outside)', async (t) => {
  const b = 5, l = 4;
  const q = input('q', [b, 4, 1, 3]), ck = input('ck', [b, 2, l, 3]), cv = input('cv', [b, 2, l, 2]);
  const kr = input('kr', [b, 2, 1, 3]), vr = input('vr', [b, 2, 1, 2]), start = input('start', [b], 'i32');
  const out = ops.causalAttention(q, ops.kvCacheUpdate(ck, kr, start), ops.kvCacheUpdate(cv, vr, start), { start });
  const nodes = onnx.compile([out]).lowered.model.nodes.map((n) => n.opType);
  t.false(nodes.includes('ScatterND'), 'no cache is rebuilt');
  const feeds = { q: seeded(60, 12), ck: seeded(120, 13), cv: seeded(80, 14), kr: seeded(30, 15), vr: seeded(20, 16), start: [-1, 0, 2, l - 1, l + 1] };
  for (const be of [onnx, plain]) {
    const d = await versusCpu(be, [out], feeds);
    t.true(d <= 1e-6, `max |diff| ${d}`);
  }
  // With the updated cache also an output, the cache is built (and the attention reads it).
  t.true(onnx.compile([out, ops.kvCacheUpdate(ck, kr, start)]).lowered.model.nodes.some((n) => n.opType === 'ScatterND'));
});

test('rope: RotaryEmbedding (contrib) and standard ops agree with the reference for both conventions and position layouts', async (t) => {
  const x = input('x', [2, 3, 4, 8]), p1 = input('p1', [4], 'i32'), p2 = input('p2', [2, 4], 'i32'), x3 = input('x3', [3, 4, 8]);
  const x1 = input('x1', [2, 3, 1, 8]), pd = input('pd', [2, 1], 'i32'); // one token per row (decode)
  const feeds = { x: seeded(192, 10), x3: seeded(96, 11), x1: seeded(48, 12), p1: [0, 5, 2, 40], p2: [3, 4, 5, 6, 100, 0, 7, 1], pd: [9, 300] };
  for (const convention of ['half', 'interleaved'] as const) {
    const outs = [ops.rope(x, p1, { convention }), ops.rope(x, p2, { convention }), ops.rope(x3, p1, { convention }), ops.rope(x1, pd, { convention })];
    for (const be of [onnx, plain]) {
      const d = await versusCpu(be, outs, feeds);
      t.true(d <= 2e-5, `${convention} ${be === onnx ? 'contrib' : 'standard'}: max |diff| ${d}`);
    }
  }
  const ops4 = onnx.compile([ops.rope(x, p2)]).lowered.model.nodes.map((n) => n.opType);
  t.true(ops4.includes('RotaryEmbedding'));
  t.false(plain.compile([ops.rope(x, p2)]).lowered.model.nodes.some((n) => n.domain === 'com.microsoft'));
});

test('compile-time constants become initializers, keyed by content; feeding one is an error', async (t) => {
  const be = new OnnxBackend({ threads: 1 });
  await be.init();
  const x = input('x', [2, 3]), w = input('w', [3, 2]);
  const upload = (data: number[]): DeviceBuffer => { const b = be.allocate([3, 2], 'f32'); be.upload(b, data); return b; };
  const w1 = upload([1, 2, 3, 4, 5, 6]), w2 = upload([0, 1, 0, 1, 0, 1]);
  const xb = be.allocate([2, 3], 'f32');
  be.upload(xb, [1, 1, 1, 2, 0, -1]);
  const run = async (wb: DeviceBuffer): Promise<number[]> => {
    const g = be.compile([x.matmul(w)], { constants: { w: wb, unused: wb } });
    t.deepEqual(Object.keys(g.constants ?? {}), ['w']);
    t.deepEqual(g.lowered.model.inputs.map((i) => i.name), ['in0_x']);
    t.true(g.lowered.model.initializers.some((i) => i.name === 'w'));
    const [out] = await be.run(g, { x: xb });
    return Array.from(await be.download(out!));
  };
  t.deepEqual(await run(w1), [9, 12, -3, -2]);
  t.deepEqual(await run(w2), [0, 3, 0, 1]);
  t.is(be.sessionCount, 2, 'one session per weight content');
  be.upload(w1, [0, 0, 0, 0, 0, 1]);
  t.deepEqual(await run(w1), [0, 1, 0, -1], 'a new upload means new content');
  t.is(be.sessionCount, 3);
  be.free(w1);
  t.is(be.sessionCount, 1, 'freeing a constant releases the sessions embedding it');
  const g = be.compile([x.matmul(w)], { constants: { w: w2 } });
  await t.throwsAsync(be.run(g, { x: xb, w: w2 }), { message: /'w' is bound as a constant at compile time and must not be fed/ });
  t.throws(() => be.compile([x.matmul(w)], { constants: { w: xb } }), { message: /constant 'w' is f32 \[2,3\] but the graph's input is f32 \[3,2\]/ });
  const tiny = new OnnxBackend({ threads: 1, maxConstantBytes: 8 });
  await tiny.init();
  const tw = tiny.allocate([3, 2], 'f32');
  tiny.upload(tw, [1, 2, 3, 4, 5, 6]);
  const tx = tiny.allocate([2, 3], 'f32');
  tiny.upload(tx, [1, 1, 1, 2, 0, -1]);
  const big = tiny.compile([x.matmul(w)], { constants: { w: tw } });
  t.is(big.lowered.model.initializers.filter((i) => i.name === 'w').length, 0, 'beyond maxConstantBytes: still an input');
  const [o] = await tiny.run(big, { x: tx });
  t.deepEqual(Array.from(await tiny.download(o!)), [9, 12, -3, -2], '... that run feeds itself');
  be.dispose();
  tiny.dispose();
});

test('sibling matmuls on constant weights become one MatMul (+ one Reshape into heads); results unchanged', async (t) => {
  const be = new OnnxBackend({ threads: 1 });
  await be.init();
  const h = input('h', [2, 4]);
  const shapes: Record<string, number[]> = { wq: [4, 8], wk: [4, 4], wv: [4, 4] };
  const bufs: Record<string, DeviceBuffer> = {};
  Object.entries(shapes).forEach(([n, s], i) => { bufs[n] = be.allocate(s, 'f32'); be.upload(bufs[n]!, seeded(s[0]! * s[1]!, 20 + i)); });
  const w = (n: string): Tensor => input(n, shapes[n]!);
  const heads = [h.matmul(w('wq')).reshape([2, 4, 1, 2]), h.matmul(w('wk')).reshape([2, 2, 1, 2]), h.matmul(w('wv')).reshape([2, 2, 1, 2])];
  const g = be.compile(heads.map((x) => x.exp()), { constants: bufs });
  const kinds = g.lowered.model.nodes.map((n) => n.opType);
  t.deepEqual([kinds.filter((k) => k === 'MatMul').length, kinds.filter((k) => k === 'Reshape').length, kinds.filter((k) => k === 'Split').length], [1, 1, 1]);
  const hb = be.allocate([2, 4], 'f32');
  const hd = seeded(8, 30);
  be.upload(hb, hd);
  const got = await Promise.all((await be.run(g, { h: hb })).map((b) => be.download(b)));
  const want = await evaluate(cpu, heads.map((x) => x.exp()), { h: hd, ...Object.fromEntries(Object.entries(shapes).map(([n, s], i) => [n, seeded(s[0]! * s[1]!, 20 + i)])) });
  got.forEach((g2, i) => t.true(Array.from(g2).every((v, j) => Math.abs(v - want[i]![j]!) <= 1e-6 * Math.abs(want[i]![j]!)), `output ${i}`));
  be.dispose();
});

test('small graphs get one intra-op thread; uploadRange writes part of a buffer', async (t) => {
  const be = new OnnxBackend({ threads: 2 });
  await be.init();
  t.is(be.compile([input('a', [8, 8]).matmul(input('b', [8, 8]))]).threads, 1);
  t.is(be.compile([input('a', [256, 256]).matmul(input('b', [256, 256]))]).threads, 2);
  const buf = be.allocate([2, 3], 'f32');
  be.uploadRange(buf, 2, [7, 8]);
  t.deepEqual(Array.from(await be.download(buf)), [0, 0, 7, 8, 0, 0]);
  t.throws(() => be.uploadRange(buf, 5, [1, 2]), { message: /elements \[5, 7\) are outside buffer/ });
  be.dispose();
});
