// Optimizers and training utilities against hand-computed values: AdamW (two steps, decoupled decay, groups),
// SGD with momentum, the cosine schedule, global-norm clipping, gradient accumulation, seeded determinism
// and the NaN policy (stop / skip).
import test from 'ava';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import {
  AdamW, NonFiniteError, Rng, Sgd, TrainStep, clipByGlobalNorm, cosineSchedule, evaluate, input,
  noDecayOnNormsAndBiases, type Optimizer,
} from '../../core/tensor/index.js';
import { mlpBatch, mlpLoss, mlpParams, transformerBatch, transformerLoss, transformerParams } from './tiny-models.js';

const be = new CpuBackend({ precision: 'f64' });
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12): boolean =>
  a.length === b.length && Array.from(a).every((v, i) => Math.abs(v - b[i]!) <= tol * (1 + Math.abs(b[i]!)));

// One optimizer update of a single parameter `w` as a graph, on the f64 CPU backend.
async function update(opt: Optimizer, name: string, p: number[], g: number[], state: Record<string, number[]>, lr: number, step: number, shape = [p.length]) {
  const st: Record<string, ReturnType<typeof input>> = {};
  for (const s of opt.slots) st[s] = input(`s_${s}`, shape);
  const out = opt.step({ [name]: input('p', shape) }, { [name]: input('g', shape) }, { [name]: st }, { lr: input('lr', []), step: input('step', []) });
  const feeds: Record<string, number[]> = { p, g, lr: [lr], step: [step] };
  for (const s of opt.slots) feeds[`s_${s}`] = state[s]!;
  const res = await evaluate(be, [out.params[name]!, ...opt.slots.map((s) => out.state[name]![s]!)], feeds);
  return { p: Array.from(res[0]!), state: Object.fromEntries(opt.slots.map((s, i) => [s, Array.from(res[i + 1]!)])) };
}

test('AdamW: two steps match the hand-computed update with decoupled weight decay', async (t) => {
  const [b1, b2, eps, wd, lr] = [0.9, 0.99, 1e-8, 0.1, 0.01];
  const opt = new AdamW({ beta1: b1, beta2: b2, eps, weightDecay: wd });
  let p = [1, -2, 0.5], m = [0, 0, 0], v = [0, 0, 0];
  let state = { m, v };
  for (const [step, g] of [[1, [0.1, -0.2, 0.3]], [2, [-0.05, 0.4, 0.3]]] as const) {
    const r = await update(opt, 'w', p, [...g], state, lr, step);
    m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]!);
    v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i]! ** 2);
    p = p.map((pi, i) => pi * (1 - lr * wd) - lr * (m[i]! / (1 - b1 ** step)) / (Math.sqrt(v[i]! / (1 - b2 ** step)) + eps));
    t.true(close(r.state.m!, m, 1e-7), `m after step ${step}`); // betas are f32 constants in the graph
    t.true(close(r.state.v!, v, 1e-7), `v after step ${step}`);
    t.true(close(r.p, p, 1e-7), `p after step ${step}: ${r.p} vs ${p}`);
    state = r.state as { m: number[]; v: number[] };
    p = r.p;
  }
  // First step moves each weight by about lr * sign(g) (plus the decay).
  t.true(Math.abs(p[0]! - 1) > 0.01);
});

test('parameter groups: no decay on norms and biases, decay elsewhere', async (t) => {
  const opt = new AdamW({ weightDecay: 0.5, groups: noDecayOnNormsAndBiases() });
  const zeroGrad = { m: [0, 0], v: [0, 0] };
  t.deepEqual((await update(opt, 'layer.norm', [2, 4], [0, 0], zeroGrad, 0.1, 1)).p, [2, 4]);
  t.deepEqual((await update(opt, 'proj.bias', [2, 4], [0, 0], zeroGrad, 0.1, 1)).p, [2, 4]);
  t.true(close((await update(opt, 'w', [2, 4], [0, 0], zeroGrad, 0.1, 1, [1, 2])).p, [2 * 0.95, 4 * 0.95], 1e-7));
  t.deepEqual((await update(opt, 'w', [2, 4], [0, 0], zeroGrad, 0.1, 1)).p, [2, 4], 'vectors count as norms/biases');
  const scaled = new Sgd({ groups: [{ match: /^head/, lrScale: 0.5 }] });
  t.deepEqual((await update(scaled, 'head.w', [1, 1], [1, 2], {}, 0.1, 1)).p, [1 - 0.05, 1 - 0.1]);
});

test('SGD with momentum: buffer and weights over two steps', async (t) => {
  const opt = new Sgd({ momentum: 0.9, weightDecay: 0.1 });
  const r1 = await update(opt, 'w', [1, 2], [0.5, -1], { momentum: [0, 0] }, 0.1, 1);
  const g1 = [0.5 + 0.1 * 1, -1 + 0.1 * 2];
  t.true(close(r1.state.momentum!, g1, 1e-7));
  t.true(close(r1.p, [1 - 0.1 * g1[0]!, 2 - 0.1 * g1[1]!], 1e-7));
  const r2 = await update(opt, 'w', r1.p, [0.5, -1], r1.state, 0.1, 2);
  const buf2 = g1.map((b, i) => 0.9 * b + [0.5, -1][i]! + 0.1 * r1.p[i]!);
  t.true(close(r2.state.momentum!, buf2, 1e-7));
});

test('cosine schedule with warmup', (t) => {
  const lr = cosineSchedule({ baseLr: 1, warmupSteps: 4, totalSteps: 14, minLr: 0.1 });
  t.deepEqual([0, 1, 2, 3].map(lr), [0.25, 0.5, 0.75, 1]);
  t.is(lr(4), 1);
  t.true(Math.abs(lr(9) - 0.55) < 1e-12); // halfway: 0.1 + 0.9 * 0.5
  t.true(Math.abs(lr(6) - (0.1 + 0.45 * (1 + Math.cos(Math.PI * 0.2)))) < 1e-12);
  t.is(lr(14), 0.1);
  t.is(lr(100), 0.1);
  t.throws(() => cosineSchedule({ baseLr: 1, warmupSteps: 5, totalSteps: 2 }), { message: /warmupSteps <= totalSteps/ });
});

test('global-norm clipping scales every gradient by maxNorm / norm, and only above maxNorm', async (t) => {
  const a = input('a', [2]), b = input('b', [1]);
  const clipped = clipByGlobalNorm([a, b], 6.5);
  const [ca, cb, norm] = await evaluate(be, [...clipped.grads, clipped.norm], { a: [3, 4], b: [12] });
  t.is(norm![0], 13);
  const s = 6.5 / (13 + 1e-6);
  t.true(close(ca!, [3 * s, 4 * s]) && close(cb!, [12 * s]));
  const loose = clipByGlobalNorm([a, b], 100);
  const [la] = await evaluate(be, [loose.grads[0]!], { a: [3, 4], b: [12] });
  t.deepEqual(Array.from(la!), [3, 4]);
});

test('gradient accumulation over two half batches equals one full-batch step', async (t) => {
  const mk = (accumulationSteps: number, n: number): TrainStep => new TrainStep({
    backend: be, params: mlpParams(4), batch: { x: { shape: [n, 4] }, y: { shape: [n], dtype: 'i32' } },
    loss: mlpLoss, optimizer: new AdamW(), lr: 0.05, clipNorm: 0.5, accumulationSteps,
  });
  const full = mk(1, 16), acc = mk(2, 8);
  const rng = new Rng(9);
  for (let s = 0; s < 3; s++) {
    const { x, y } = mlpBatch(rng, 16);
    const r1 = await full.step({ x, y });
    const r2 = await acc.step([{ x: x.subarray(0, 32), y: y.subarray(0, 8) }, { x: x.subarray(32), y: y.subarray(8) }]);
    t.true(Math.abs(r1.loss - r2.loss) < 1e-12 && Math.abs(r1.gradNorm - r2.gradNorm) < 1e-12);
  }
  const [p1, p2] = [await full.readParams(), await acc.readParams()];
  for (const k of Object.keys(p1)) t.true(close(p1[k]!, p2[k]!, 1e-12), k);
  t.is(acc.updates, 3);
});

test('the same seed gives bit-identical weights; another seed does not', async (t) => {
  const train = async (seed: number): Promise<Buffer> => {
    const step = new TrainStep({
      backend: new CpuBackend(), params: transformerParams(seed),
      batch: { tokens: { shape: [4, 8], dtype: 'i32' }, targets: { shape: [4, 8], dtype: 'i32' } },
      loss: transformerLoss, optimizer: new AdamW(), lr: 0.01, clipNorm: 1,
    });
    const rng = new Rng(seed + 1);
    for (let i = 0; i < 15; i++) await step.step(transformerBatch(rng, 4));
    const p = await step.readParams();
    return Buffer.concat(Object.keys(p).sort().map((k) => Buffer.from(p[k]!.buffer)));
  };
  const [a, b, c] = [await train(42), await train(42), await train(43)];
  t.true(a.equals(b));
  t.false(a.equals(c));
});

test("NaN policy 'stop' throws naming the step and leaves weights untouched", async (t) => {
  const step = new TrainStep({
    backend: be, params: mlpParams(1), batch: { x: { shape: [4, 4] }, y: { shape: [4], dtype: 'i32' } },
    loss: mlpLoss, optimizer: new AdamW(), lr: 0.1,
  });
  const rng = new Rng(3);
  await step.step(mlpBatch(rng, 4));
  const before = await step.readParams();
  const bad = mlpBatch(rng, 4);
  bad.x[5] = NaN;
  const e = await t.throwsAsync(step.step(bad), { instanceOf: NonFiniteError });
  t.is(e!.message, 'training step 2: non-finite loss (loss NaN, grad norm NaN); weights were not updated');
  t.is((e as NonFiniteError).step, 2);
  t.deepEqual(await step.readParams(), before);
  t.is(step.updates, 1);
});

test("NaN policy 'skip' counts the skip, keeps weights, and training continues", async (t) => {
  const backend = new CpuBackend();
  const step = new TrainStep({
    backend, params: mlpParams(1), batch: { x: { shape: [4, 4] }, y: { shape: [4], dtype: 'i32' } },
    loss: mlpLoss, optimizer: new AdamW(), lr: 0.1, nanPolicy: 'skip',
  });
  const rng = new Rng(3);
  await step.step(mlpBatch(rng, 4));
  const before = await step.readParams();
  const live = backend.memory().buffers;
  const bad = mlpBatch(rng, 4);
  bad.x[0] = Infinity;
  const r = await step.step(bad);
  t.true(r.skipped);
  t.is(r.step, 2);
  t.is(step.skipped, 1);
  t.deepEqual(await step.readParams(), before);
  t.is(backend.memory().buffers, live);
  const ok = await step.step(mlpBatch(rng, 4));
  t.false(ok.skipped);
  t.is(step.updates, 2);
  t.notDeepEqual(await step.readParams(), before);
});
