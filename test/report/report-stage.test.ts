// The report stage: tables with standard errors from evaluation reports, best-of-n table and plot, claims
// stated as holding / not holding / not shown, per-stage timings, config, and copies in the run folder.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadPipeline } from '../../core/pipeline/load-pipeline.js';
import { runPipeline } from '../../core/pipeline/runner.js';
import { repoRoot, tempDir, writeIn } from '../pipeline/helpers.js';

function setup(): string {
  const dir = tempDir('gramr-report-');
  const gramr = pathToFileURL(path.join(repoRoot, 'dist/core/index.js')).href;
  // A stand-in for `evaluate`: writes report.json with the metrics and counts given in its options.
  writeIn(dir, 'fake-eval.mjs', `import { ContainerModule, contributeKind, z, writeJsonAtomic } from '${gramr}';
import * as path from 'node:path';
class FakeEval {
  kind = 'fake-eval';
  inputs() { return []; }
  outputs(o) { return [{ name: o.to, kind: 'report' }]; }
  async run(o, ctx) {
    await writeJsonAtomic(path.join(ctx.artifacts.outputDir(o.to), 'report.json'), { metrics: o.metrics, counts: o.counts });
    return { metrics: { tokens_per_s: 1234 } };
  }
}
export default new ContainerModule((options) => {
  contributeKind(options, 'fake', { point: 'Stage', kind: 'fake-eval', description: 'writes a report.json',
    schema: z.object({ to: z.string(), metrics: z.record(z.string(), z.number()), counts: z.record(z.string(), z.number()).default({}) }).strict(), impl: () => new FakeEval() });
});
`);
  writeIn(dir, 'p.yaml', `name: rep
seed: 5
plugins: [./fake-eval.mjs]
stages:
  - { stage: fake-eval, id: base, to: base-eval, metrics: { accuracy: 0.5, noAnswerRate: 0.1, flipRate: 0.2 }, counts: { judgedLabeled: 400 } }
  - { stage: fake-eval, id: grm, to: grm-eval, metrics: { accuracy: 0.8 }, counts: { judgedLabeled: 400 } }
  - { stage: fake-eval, id: close, to: close-eval, metrics: { accuracy: 0.51 }, counts: { judgedLabeled: 400 } }
  - { stage: fake-eval, id: bon, to: bon-eval, metrics: { pick@1: 0.4, oracle@1: 0.4, random@1: 0.4, pick@4: 0.6, oracle@4: 0.9, random@4: 0.4 } }
  - stage: report
    title: Test report
    to: final
    tables:
      - title: Held-out accuracy
        rows:
          - { label: baseline, from: base-eval }
          - { label: grm, from: grm-eval }
          - { label: close, from: close-eval }
    bestOfN: { from: bon-eval }
    comparisons:
      - { claim: the GRM beats the baseline, better: grm, than: baseline }
      - { claim: the baseline beats the GRM, better: baseline, than: grm }
      - { claim: close beats the baseline, better: close, than: baseline }
`);
  return dir;
}

test('report: tables with standard errors, best-of-n, claims, timings, config, copies', async (t) => {
  const dir = setup();
  const runs = path.join(dir, 'runs');
  await runPipeline(await loadPipeline(path.join(dir, 'p.yaml')), { runsDir: runs, progress: 'quiet' });
  const md = readFileSync(path.join(runs, 'rep/report.md'), 'utf8');
  t.is(md, readFileSync(path.join(runs, 'rep/report/final/report.md'), 'utf8'));
  // s.e. of 0.5 over 400 = 2.5%; of 0.8 over 400 = 2.0%
  t.regex(md, /\| baseline \| 50\.0% \| 2\.5% \| 400 \| 10\.0% \| 20\.0% \| – \|/);
  t.regex(md, /\| grm \| 80\.0% \| 2\.0% \| 400 \|/);
  t.regex(md, /the GRM beats the baseline: holds — grm 80\.0% vs baseline 50\.0% \(difference 30\.0 points, ±3\.2 s\.e\.\)/);
  t.regex(md, /the baseline beats the GRM: does not hold/);
  t.regex(md, /close beats the baseline: is not shown at this scale/);
  t.regex(md, /\| 4 \| 60\.0% \| 90\.0% \| 40\.0% \|/);
  t.regex(md, /\| base \| fake-eval \| [\d.]+ s \| 1234 \|/);
  t.regex(md, /Seed 5; pipeline file `p\.yaml`/);
  t.regex(md, /```yaml\nname: rep\n/);
  for (const svg of ['held-out-accuracy.svg', 'best-of-n.svg']) {
    const text = readFileSync(path.join(runs, 'rep', svg), 'utf8');
    t.true(text.startsWith('<svg') && text.trim().endsWith('</svg>'), svg);
  }
  const json = JSON.parse(readFileSync(path.join(runs, 'rep/report.json'), 'utf8')) as { comparisons: Array<{ holds?: boolean }> };
  t.deepEqual(json.comparisons.map((c) => c.holds), [true, false, undefined]);
  t.true(existsSync(path.join(runs, 'rep/report/manifest.json')));
});

test('report: a comparison naming a missing row fails the stage with a clear message', async (t) => {
  const dir = setup();
  const p = await loadPipeline(path.join(dir, 'p.yaml'), ['stages[4].comparisons[0].than=nobody']);
  const err = await t.throwsAsync(runPipeline(p, { runsDir: path.join(dir, 'runs'), progress: 'quiet' }));
  t.regex(err?.message ?? '', /comparison "the GRM beats the baseline" names a row that is not in any table \("nobody"\)/);
});
