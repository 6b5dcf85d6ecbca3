// `gramr study`: one run per seed under runs/<name>/seed-<n>/ and study.md / study.json across seeds (mean ± sd
// per row, claims held per seed), on a tiny pipeline of stand-in evaluations whose outcomes depend on the seed;
// a second call resumes (every stage skipped), also with --jobs; bad seeds and a pipeline without report are errors.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { cli, tempDir, writeIn } from '../pipeline/helpers.js';
import { parseSeeds } from '../../cli/commands/study.js';
import { writeFakeEval } from './fake-eval.js';

const rep = (c: string, n: number): string => c.repeat(n);
const BASE = rep('2', 20) + rep('0', 20); // 50% in every seed
// Model a: 80% (12 pairs better than BASE), 52.5% (1 better), 20% (12 worse).
const A = { 1: rep('2', 32) + rep('0', 8), 2: rep('2', 21) + rep('0', 19), 3: rep('2', 8) + rep('0', 32) };

function setup(report = true): string {
  const dir = tempDir('gramr-study-');
  writeFakeEval(dir);
  writeIn(dir, 'p.yaml', `name: tiny-study
seed: 0
plugins: [./fake-eval.mjs]
stages:
  - { stage: fake-eval, id: a, to: a-eval, correct: ${JSON.stringify(A)} }
  - { stage: fake-eval, id: b, to: b-eval, correct: "${BASE}" }
${report ? `  - stage: report
    title: Tiny study
    to: report
    statistics: { resamples: 500 }
    tables: [{ title: Accuracy, rows: [{ label: a, from: a-eval }, { label: b, from: b-eval }] }]
    comparisons: [{ claim: a beats b, better: a, than: b }]
` : ''}`);
  return dir;
}

test('study: one run per seed, mean ± sd per row and claims per seed; a second call (with --jobs) resumes', (t) => {
  const dir = setup();
  const r = cli(['study', 'p.yaml', '--seeds', '1-3'], dir);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /seed 1: 3 stages ran, 0 skipped/);
  const study = path.join(dir, 'runs/tiny-study');
  for (const s of [1, 2, 3]) t.true(existsSync(path.join(study, `seed-${s}/report.md`)), `seed ${s}`);
  t.regex(readFileSync(path.join(study, 'seed-2/report.md'), 'utf8'), /Run `seed-2`, seed 2,/);
  const md = readFileSync(path.join(study, 'study.md'), 'utf8');
  // a: 80%, 52.5%, 20% -> mean 50.8%, sd √(((.2917)² + (.0167)² + (.3083)²) / 2) = 30.0%.
  t.regex(md, /\| a \| 50\.8% \| 30\.0% \| 80\.0% \| 52\.5% \| 20\.0% \|/);
  t.regex(md, /\| b \| 50\.0% \| 0\.0% \| 50\.0% \| 50\.0% \| 50\.0% \|/);
  // differences +30, +2.5, −30 points: mean +0.8, sd 30.0; verdicts per seed from each seed's paired test.
  t.regex(md, /\| a beats b \| 1 of 3 \| 1 \| 1 \| \+0\.8 ± 30\.0 \| holds \| not shown \| contradicted \|/);
  t.regex(md, /made by `gramr study p\.yaml --seeds 1,2,3`/);
  const json = JSON.parse(readFileSync(path.join(study, 'study.json'), 'utf8')) as { seeds: number[]; claims: Array<{ held: number; contradicted: number; notShown: number }> };
  t.deepEqual(json.seeds, [1, 2, 3]);
  t.like(json.claims[0], { held: 1, contradicted: 1, notShown: 1 });

  const again = cli(['study', 'p.yaml', '--seeds', '1,2,3', '--jobs', '2'], dir);
  t.is(again.code, 0, again.stderr);
  for (const s of [1, 2, 3]) t.regex(again.stdout, new RegExp(`seed ${s}: 0 stages ran, 3 skipped`));
  t.regex(readFileSync(path.join(study, 'study.md'), 'utf8'), /\| a beats b \| 1 of 3 \| 1 \| 1 \| \+0\.8 ± 30\.0 \| holds \| not shown \| contradicted \|/);
});

test('study: --jobs runs seeds side by side with the same results as one at a time', (t) => {
  const dir = setup();
  const r = cli(['study', 'p.yaml', '--seeds', '1,3', '--jobs', '2'], dir);
  t.is(r.code, 0, r.stderr);
  const md = readFileSync(path.join(dir, 'runs/tiny-study/study.md'), 'utf8');
  t.regex(md, /\| a \| 50\.0% \| 42\.4% \| 80\.0% \| 20\.0% \|/);
  t.regex(md, /\| a beats b \| 1 of 2 \| 1 \| 0 \|/);
});

test('study: bad --seeds, and a pipeline without a report stage, are clear errors', (t) => {
  t.deepEqual(parseSeeds('3,1-2,3'), [3, 1, 2]);
  const dir = setup(false);
  const bad = cli(['study', 'p.yaml', '--seeds', '1,x'], dir);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--seeds: "x" is not a seed or a range/);
  const none = cli(['study', 'p.yaml', '--seeds', '1'], dir);
  t.is(none.code, 1);
  t.regex(none.stderr, /seed 1 has no report \(.*seed-1\/report\.json\); the pipeline needs a `report` stage/);
});
