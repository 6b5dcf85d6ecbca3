// The WebGPU movement, indexing and reduce kernels on larger random shapes than the conformance cases, against the
// CPU backend: rank-4 transpose, pad/slice, a 5-way concat, reductions over n = 1000 at each axis position and
// over more than 65535 workgroups, NaN in reduce_max, big gathers, scatter_add with duplicates, index errors.
import test from 'ava';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { WebGpuBackend } from '../../backends/webgpu/webgpu-backend.js';
import { evaluate, Rng, type HostArray, type Tensor } from '../../core/tensor/index.js';
import { concat, gather, input, pad, reduceAxis, scatterAdd, slice, transpose } from '../../core/tensor/primitives.js';
import { webgpuSkipReason } from './webgpu-available.js';

const skip = await webgpuSkipReason();
const rng = new Rng(20240611);
const normals = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal());
const ints = (n: number, lo: number, hi: number): Int32Array => Int32Array.from({ length: n }, () => lo + rng.int(hi - lo));

/** First element where `got` and `want` differ beyond abs + rel * |want| (NaN only matches NaN), or undefined. */
function mismatch(got: HostArray, want: HostArray, abs = 0, rel = 0): string | undefined {
  if (got.length !== want.length) return `length ${got.length} vs ${want.length}`;
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (g === w || (Number.isNaN(g) && Number.isNaN(w))) continue;
    if (Number.isNaN(w) || !(Math.abs(g - w) <= abs + rel * Math.abs(w))) return `element ${i}: ${g} vs ${w}`;
  }
  return undefined;
}

/** The message of the error `p` rejects with (fails the test if it does not). */
async function errorOf(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (e) { return e instanceof Error ? e.message : String(e); }
  throw new Error('expected the run to throw');
}

if (skip) {
  test.skip(`webgpu primitives — skipped: ${skip}`, () => {});
} else {
  const cpu = new CpuBackend();
  const gpu = new WebGpuBackend();
  await Promise.all([cpu.init(), gpu.init()]);
  test.after.always(() => { gpu.dispose(); cpu.dispose(); });
  const both = async (outs: Tensor[], feeds: Record<string, HostArray>): Promise<[HostArray[], HostArray[]]> =>
    [await evaluate(gpu, outs, feeds), await evaluate(cpu, outs, feeds)];

  test('transpose of rank 4', async (t) => {
    const x = input('x', [3, 5, 7, 4]);
    const outs = [transpose(x, [2, 0, 3, 1]), transpose(x, [3, 2, 1, 0]), transpose(x, [0, 1, 3, 2])];
    const [g, c] = await both(outs, { x: normals(3 * 5 * 7 * 4) });
    outs.forEach((o, k) => t.is(mismatch(g[k]!, c[k]!), undefined, `perm ${JSON.stringify(o.attrs.perm)}`));
  });

  test('pad (f32 with -Inf and NaN, i32) and slice', async (t) => {
    const x = input('x', [7, 9, 11]), xi = input('xi', [7, 9, 11], 'i32');
    const padded = pad(x, [1, 0, 3], [2, 4, 0], -Infinity);
    const outs = [padded, pad(x, [0, 2, 0], [0, 1, 5], NaN), pad(xi, [2, 1, 0], [0, 0, 3], -7),
      slice(x, [1, 2, 0], [6, 9, 11]), slice(padded, [0, 3, 2], [10, 12, 9]), slice(xi, [3, 0, 4], [4, 9, 10])];
    const [g, c] = await both(outs, { x: normals(693), xi: ints(693, -50, 50) });
    outs.forEach((o, k) => t.is(mismatch(g[k]!, c[k]!), undefined, `${o.op} ${k} [${o.shape.join(',')}]`));
    t.is(g[0]![0], -Infinity);
    t.true(Number.isNaN(g[1]![9]!));
  });

  test('concat of 5 inputs on an inner axis and on axis 0', async (t) => {
    const widths = [1, 4, 0, 3, 2];
    const xs = widths.map((w, k) => input(`x${k}`, [3, w, 5]));
    const ys = widths.map((w, k) => input(`y${k}`, [w + 1, 6], 'i32'));
    const feeds: Record<string, HostArray> = {};
    widths.forEach((w, k) => { feeds[`x${k}`] = normals(15 * w); feeds[`y${k}`] = ints(6 * (w + 1), -9, 9); });
    const outs = [concat(xs, 1), concat(ys, 0)];
    const [g, c] = await both(outs, feeds);
    t.deepEqual(outs.map((o) => o.shape), [[3, 10, 5], [15, 6]]);
    outs.forEach((o, k) => t.is(mismatch(g[k]!, c[k]!), undefined, `concat axis ${o.attrs.axis as number}`));
  });

  test('reduce_sum / max / mean over n = 1000 at each axis position (f32 and i32)', async (t) => {
    for (const [shape, axis] of [[[1000, 6, 5], 0], [[4, 1000, 5], 1], [[4, 6, 1000], 2]] as const) {
      const n = shape[0] * shape[1] * shape[2];
      const x = input('x', shape), xi = input('xi', shape, 'i32');
      const outs = [reduceAxis('reduce_sum', x, axis), reduceAxis('reduce_max', x, axis), reduceAxis('reduce_mean', x, axis),
        reduceAxis('reduce_sum', xi, axis), reduceAxis('reduce_max', xi, axis)];
      const [g, c] = await both(outs, { x: normals(n), xi: ints(n, -100000, 100000) });
      outs.forEach((o, k) => t.is(mismatch(g[k]!, c[k]!, 1e-4, 1e-5), undefined, `${o.op} ${o.inputs[0]!.dtype} axis ${axis} of [${shape.join(',')}]`));
    }
  });

  test('reduce_max propagates NaN on long and short axes', async (t) => {
    const data = normals(4 * 1000 * 5);
    data[2 * 5000 + 617 * 5 + 3] = NaN; // batch 2, k = 617, column 3
    const small = normals(50 * 3);
    small[21 * 3 + 1] = NaN;
    const x = input('x', [4, 1000, 5]), s = input('s', [50, 3]);
    const [g, c] = await both([reduceAxis('reduce_max', x, 1), reduceAxis('reduce_max', s, 0)], { x: data, s: small });
    t.is(mismatch(g[0]!, c[0]!), undefined);
    t.is(mismatch(g[1]!, c[1]!), undefined);
    t.deepEqual([...g[0]!].map((v, i) => (Number.isNaN(v) ? i : -1)).filter((i) => i >= 0), [13]);
    t.deepEqual([...g[1]!].map(Number.isNaN), [false, true, false]);
  });

  test('reduce over more than 65535 workgroups', async (t) => {
    const x = input('x', [70000, 64]);
    const [g, c] = await both([reduceAxis('reduce_sum', x, 1)], { x: Float32Array.from({ length: 70000 * 64 }, () => rng.uniform(-1, 1)) });
    t.is(mismatch(g[0]!, c[0]!, 1e-5, 1e-5), undefined);
  });

  test('gather: 70,000 rows of width 1 and rows of shape [3,4]', async (t) => {
    const table = input('table', [100, 1]), index = input('index', [70000], 'i32');
    const wide = input('wide', [50, 3, 4]), wi = input('wi', [6, 7], 'i32');
    const outs = [gather(table, index), gather(wide, wi)];
    const [g, c] = await both(outs, { table: normals(100), index: ints(70000, 0, 100), wide: normals(600), wi: ints(42, 0, 50) });
    t.deepEqual(outs.map((o) => o.shape), [[70000, 1], [6, 7, 3, 4]]);
    outs.forEach((o, k) => t.is(mismatch(g[k]!, c[k]!), undefined, `gather ${k}`));
  });

  test('gather and scatter_add name the first bad position, its index and the range, like the CPU', async (t) => {
    const table = input('table', [100, 1]), index = input('index', [20], 'i32');
    const good = ints(20, 0, 100);
    const cases: Array<[Record<number, number>, RegExp]> = [
      [{ 5: 100, 9: -3 }, /^gather: index 100 at position 5 is outside \[0, 100\) \(table \[100,1\]\)$/],
      [{ 3: -3, 7: 250 }, /^gather: index -3 at position 3 is outside \[0, 100\)/],
      [{ 19: -100, 4: 2000 }, /^gather: index 2000 at position 4 is outside \[0, 100\)/],
      [{ 19: -100 }, /^gather: index -100 at position 19 is outside \[0, 100\)/],
    ];
    for (const [bad, want] of cases) {
      const idx = Int32Array.from(good);
      for (const [p, v] of Object.entries(bad)) idx[Number(p)] = v;
      const feeds = { table: normals(100), index: idx };
      const g = await errorOf(evaluate(gpu, [gather(table, index)], feeds));
      const c = await errorOf(evaluate(cpu, [gather(table, index)], feeds));
      t.regex(g, want);
      t.true(c.endsWith(`failed: ${g}`), `cpu says: ${c}`);
    }
    const ui = input('ui', [6], 'i32'), upd = input('upd', [6, 2]);
    const sFeeds = { ui: Int32Array.from([0, 3, 1, 7, 2, 9]), upd: normals(12) };
    const g = await errorOf(evaluate(gpu, [scatterAdd(ui, upd, 5)], sFeeds));
    t.is(g, 'scatter_add: index 7 at position 3 is outside [0, 5)');
    t.true((await errorOf(evaluate(cpu, [scatterAdd(ui, upd, 5)], sFeeds))).endsWith(`failed: ${g}`));
    // A value too far out to encode with its position still names the value; then the backend goes on.
    const tooFar = Int32Array.from(good);
    tooFar[11] = -2147483648;
    t.is(await errorOf(evaluate(gpu, [gather(table, index)], { table: normals(100), index: tooFar })),
      'gather: index -2147483648 at one of the 20 positions (too far out to encode it) is outside [0, 100) (table [100,1])');
    const big = input('big', [70000], 'i32');
    const far = ints(70000, 0, 100);
    far[12345] = 2147483647;
    t.regex(await errorOf(evaluate(gpu, [gather(table, big)], { table: normals(100), big: far })),
      /^gather: index 2147483647 at one of the 70000 positions .*is outside \[0, 100\)/);
    const [ok] = await evaluate(gpu, [gather(table, index)], { table: Float32Array.from({ length: 100 }, (_, i) => i), index: good });
    t.deepEqual([...ok!], [...good]);
  });

  test('scatter_add with duplicates (f32 and i32) sums in position order like the CPU', async (t) => {
    const index = input('index', [5000], 'i32'), upd = input('upd', [5000, 7]), updi = input('updi', [5000, 7], 'i32');
    const idx = ints(5000, 0, 30); // rows 30..39 get nothing
    const outs = [scatterAdd(index, upd, 40), scatterAdd(index, updi, 40)];
    const [g, c] = await both(outs, { index: idx, upd: normals(35000), updi: ints(35000, -1000, 1000) });
    t.is(mismatch(g[0]!, c[0]!, 1e-6, 1e-6), undefined);
    t.is(mismatch(g[1]!, c[1]!), undefined);
    t.deepEqual([...g[0]!.subarray(30 * 7)], new Array(70).fill(0));
    t.true(g[0]!.subarray(0, 7).some((v) => v !== 0));
  });

  test('empty axes and tensors: reduce_sum over n = 0, pad of an empty input, gather/scatter_add of no positions', async (t) => {
    const e = input('e', [3, 0, 2]), table = input('table', [4, 2]), none = input('none', [0], 'i32'), upd = input('upd', [0, 2]);
    const outs = [reduceAxis('reduce_sum', e, 1), pad(e, [0, 2, 0], [0, 1, 0], 1.5), gather(table, none), scatterAdd(none, upd, 3)];
    const [g, c] = await both(outs, { e: new Float32Array(0), table: normals(8), none: new Int32Array(0), upd: new Float32Array(0) });
    outs.forEach((o, k) => t.is(mismatch(g[k]!, c[k]!), undefined, `${o.op} [${o.shape.join(',')}]`));
    t.deepEqual([...g[0]!, ...g[1]!, ...g[3]!], [...new Array(6).fill(0), ...new Array(18).fill(1.5), ...new Array(6).fill(0)]);
    t.is(g[2]!.length, 0);
  });
}
