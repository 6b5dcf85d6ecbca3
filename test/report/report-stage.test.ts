// The report stage built from small synthetic evaluation outputs: tables with cluster-robust standard errors over
// pairs, claims checked by paired tests on the same pairs (holds / contradicted / not shown, with the numbers),
// refusals for rows on different pairs and for a voting row on other pairs, best-of-n bands, timings, config, copies.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadAppPipeline } from '../../cli/app.js';
import { runPipeline } from '../../core/pipeline/runner.js';
import { tempDir, writeIn } from '../pipeline/helpers.js';
import { writeFakeEval } from './fake-eval.js';

const rep = (c: string, n: number): string => c.repeat(n);
// 40 pairs, both orders each; a digit is how many of a pair's two orders were judged correctly.
const BASE = rep('2', 20) + rep('0', 20); // 50%
const GRM = rep('2', 32) + rep('0', 8); // 80%: better than BASE on 12 pairs, worse on none
const CLOSE = rep('2', 21) + rep('0', 19); // 52.5%: better on 1 pair
const PART = rep('2', 24) + rep('0', 6); // the first 30 pairs only

const sets = Array.from({ length: 10 }, (_, i) => ({ id: `s${i}`, byN: { 1: { pick: i < 4, oracle: i < 4, random: i < 4 ? 1 : 0 }, 4: { pick: i < 6, oracle: i < 9, random: 0.4 } } }));

function setup(extraStages = '', extraRows = '', comparisons = ''): string {
  const dir = tempDir('gramr-report-');
  writeFakeEval(dir);
  writeIn(dir, 'p.yaml', `name: rep
seed: 5
plugins: [./fake-eval.mjs]
stages:
  - { stage: fake-eval, id: base, to: base-eval, correct: "${BASE}", metrics: { noAnswerRate: 0.1, flipRate: 0.2 } }
  - { stage: fake-eval, id: grm, to: grm-eval, correct: "${GRM}" }
  - { stage: fake-eval, id: close, to: close-eval, correct: "${CLOSE}" }
  - { stage: fake-eval, id: bon, to: bon-eval, metrics: { pick@1: 0.4, oracle@1: 0.4, random@1: 0.4, pick@4: 0.6, oracle@4: 0.9, random@4: 0.4 }, counts: { sets.n1: 10, sets.n4: 10 }, sets: ${JSON.stringify(sets)} }
${extraStages}  - stage: report
    title: Test report
    to: final
    statistics: { resamples: 1000 }
    tables:
      - title: Held-out accuracy
        rows:
          - { label: baseline, from: base-eval }
          - { label: grm, from: grm-eval }
          - { label: close, from: close-eval }
${extraRows}    bestOfN: { from: bon-eval }
    comparisons:
      - { claim: the GRM beats the baseline, better: grm, than: baseline }
      - { claim: the baseline beats the GRM, better: baseline, than: grm }
      - { claim: close beats the baseline, better: close, than: baseline }
${comparisons}`);
  return dir;
}

async function build(dir: string): Promise<string> {
  await runPipeline(await loadAppPipeline(path.join(dir, 'p.yaml')), { runsDir: path.join(dir, 'runs'), progress: 'quiet' });
  return readFileSync(path.join(dir, 'runs/rep/report.md'), 'utf8');
}

test('report: cluster standard errors over pairs, paired verdicts with their numbers, best-of-n bands, timings, config', async (t) => {
  const dir = setup();
  const md = await build(dir);
  const runs = path.join(dir, 'runs');
  t.is(md, readFileSync(path.join(runs, 'rep/report/final/report.md'), 'utf8'));
  // baseline: per-pair means 20×1, 20×0 -> sd √(40/39·¼) = 0.5064, / √40 = 8.0%; grm: 32×1, 8×0 -> √(40/39·0.16)/√40 = 6.4%.
  t.regex(md, /\| baseline \| 50\.0% \| 8\.0% \| 40 \| 10\.0% \| 20\.0% \| – \|/);
  t.regex(md, /\| grm \| 80\.0% \| 6\.4% \| 40 \|/);
  // 12 pairs better, none worse: p = 2 · ½^12 = 4.9e-4.
  t.regex(md, /the GRM beats the baseline: holds — grm 80\.0% vs baseline 50\.0% on the same 40 pairs; difference \+30\.0 points \(95% paired-bootstrap CI \+[\d.]+ to \+[\d.]+\); 12 pairs better, 0 worse, 28 equal \(exact sign test p = 4\.9e-4\)\./);
  t.regex(md, /the baseline beats the GRM: is contradicted \(the opposite is measured\) — baseline 50\.0% vs grm 80\.0% on the same 40 pairs; difference −30\.0 points .*0 pairs better, 12 worse, 28 equal/);
  // one pair better: p = 1.
  t.regex(md, /close beats the baseline: is not shown \(p ≥ 0\.05\) — close 52\.5% vs baseline 50\.0% on the same 40 pairs; difference \+2\.5 points .*1 pair better, 0 worse, 39 equal \(exact sign test p = 1\.000\)/);
  t.regex(md, /\| 4 \| 10 \| 60\.0% \| [\d.]+ to [\d.]+ \| 90\.0% \| 40\.0% \| [+−][\d.]+ to \+[\d.]+ \|/);
  t.regex(md, /\| base \| fake-eval \| [\d.]+ s \| 1234 \|/);
  t.regex(md, /Seed 5; pipeline file `p\.yaml`/);
  t.regex(md, /```yaml\nname: rep\n/);
  for (const svg of ['held-out-accuracy.svg', 'best-of-n.svg']) {
    const text = readFileSync(path.join(runs, 'rep', svg), 'utf8');
    t.true(text.startsWith('<svg') && text.trim().endsWith('</svg>'), svg);
  }
  const json = JSON.parse(readFileSync(path.join(runs, 'rep/report.json'), 'utf8')) as {
    comparisons: Array<{ verdict: string; holds?: boolean; diff: number; ci: [number, number]; n: number }>;
    bestOfN: Record<string, { pickCi: [number, number] }>;
  };
  t.deepEqual(json.comparisons.map((c) => c.verdict), ['holds', 'contradicted', 'not shown']);
  t.deepEqual(json.comparisons.map((c) => c.holds), [true, false, undefined]);
  const c0 = json.comparisons[0]!;
  t.true(c0.ci[0] > 0.1 && c0.ci[0] < c0.diff && c0.diff < c0.ci[1] && c0.ci[1] < 0.5, JSON.stringify(c0.ci));
  const band = json.bestOfN['4']!.pickCi;
  t.true(band[0] < 0.6 && 0.6 < band[1] && band[0] >= 0.2 && band[1] <= 0.95, JSON.stringify(band));
  t.true(existsSync(path.join(runs, 'rep/report/manifest.json')));
  // The same seed gives the same report body (bootstraps are seeded); timings differ, so compare the verdicts.
  const again = await build(setup());
  t.deepEqual(again.match(/CI [^)]*\)/g), md.match(/CI [^)]*\)/g));
});

test('report: a comparison on part of the pairs uses the shared ones and says how many were left out', async (t) => {
  const dir = setup(`  - { stage: fake-eval, id: part, to: part-eval, correct: "${PART}" }\n`, '          - { label: part, from: part-eval }\n',
    '      - { claim: part beats the baseline, better: part, than: baseline }\n');
  const md = await build(dir);
  // On the 30 shared pairs: baseline 20 of 30, part 24 of 30; 4 better, 0 worse -> p = 2 · ½^4 = 0.125.
  t.regex(md, /part beats the baseline: is not shown \(p ≥ 0\.05\) — part 80\.0% vs baseline 66\.7% on the same 30 pairs; 0 \+ 10 pairs judged by only one of them left out; difference \+13\.3 points .*4 pairs better, 0 worse, 26 equal \(exact sign test p = 0\.125\)/);
});

test('report: rows on different pairs are refused with a clear error', async (t) => {
  const dir = setup(`  - { stage: fake-eval, id: other, to: other-eval, prefix: q, correct: "${GRM}" }\n`, '          - { label: other, from: other-eval }\n',
    '      - { claim: other beats the baseline, better: other, than: baseline }\n');
  const err = await t.throwsAsync(build(dir));
  t.regex(err?.message ?? '', /comparison "other beats the baseline": the rows are on different pairs \("other" has 40 labeled pairs, "baseline" 40, none in common by id and content\)/);
});

test('report: a voting@k row must be on exactly the pairs of the row it is compared with', async (t) => {
  const dir = setup(`  - { stage: fake-eval, id: vote, to: vote-eval, votes: 5, correct: "${rep('2', 16) + rep('0', 4)}" }\n`, '          - { label: voting@5, from: vote-eval }\n',
    '      - { claim: voting helps, better: voting@5, than: grm }\n');
  const err = await t.throwsAsync(build(dir));
  t.regex(err?.message ?? '', /comparison "voting helps": "voting@5" is a voting@5 row, so both rows must be on exactly the same pairs, but "voting@5" has 20 labeled pairs, "grm" 40 \(20 in common\)/);
});

test('report: a comparison naming a missing row fails the stage with a clear message', async (t) => {
  const dir = setup();
  const p = await loadAppPipeline(path.join(dir, 'p.yaml'), ['stages[4].comparisons[0].than=nobody']);
  const err = await t.throwsAsync(runPipeline(p, { runsDir: path.join(dir, 'runs'), progress: 'quiet' }));
  t.regex(err?.message ?? '', /comparison "the GRM beats the baseline" names a row that is not in any table \("nobody"\)/);
});
