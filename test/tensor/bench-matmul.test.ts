// bench/matmul.ts: the result is checked against the float64 reference before timing (a wrong kernel throws
// instead of producing a number), and the JSON/markdown report is written. No speed is asserted here.
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CpuBackend } from '../../backends/cpu/cpu-backend.js';
import { benchMatmul, writeMatmulReport } from '../../bench/matmul.js';

test('benchMatmul checks then times, and writes JSON + markdown', async (t) => {
  const r = await benchMatmul({ backend: new CpuBackend(), size: 37, repeats: 2 });
  t.is(r.size, 37);
  t.true(r.gflops > 0 && r.bestGflops >= r.gflops);
  t.true(r.maxAbsError < 1e-5);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gramr-bench-'));
  const files = await writeMatmulReport([r], dir);
  t.deepEqual(JSON.parse(await readFile(files.json, 'utf8')), [r]);
  t.regex(await readFile(files.markdown, 'utf8'), /\| cpu \| 37 \| /);
});

test('benchMatmul refuses to time a backend whose product is wrong', async (t) => {
  const broken = new CpuBackend();
  // The matmul kernel cannot be replaced (duplicate key is rejected), so corrupt one downloaded element.
  const download = broken.download.bind(broken);
  broken.download = async (b) => { const d = await download(b); d[3] = (d[3] ?? 0) + 1; return d; };
  await t.throwsAsync(benchMatmul({ backend: broken, size: 16, repeats: 1 }), { message: /differs from the float64 reference at n=16/ });
});
