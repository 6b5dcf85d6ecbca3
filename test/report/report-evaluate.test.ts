// The report over real `evaluate` stages (the trained tiny judge on 18 pairs): pairs.jsonl carries what a paired
// comparison needs, a claim between two evaluations of the same pairs gets its verdict from the per-pair outcomes,
// and a voting@k row on fewer pairs than the row it is compared with is refused.
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppPipeline } from '../../cli/app.js';
import { runPipeline } from '../../core/pipeline/runner.js';
import { BAD, GOOD, tinyJudgeDir } from '../judging/tiny-judge.js';

function setup(model: string, extra: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gramr-report-evaluate-'));
  const lines: string[] = [];
  for (const [i, g] of GOOD.entries()) for (const [j, b] of BAD.entries()) {
    lines.push(JSON.stringify({ id: `p${i}${j}`, prompt: 'choose', a: g, b, label: 'A' }), JSON.stringify({ id: `q${i}${j}`, prompt: 'which?', a: b, b: g, label: 'B' }));
  }
  writeFileSync(join(dir, 'pairs.jsonl'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'p.yaml'), `name: rep-eval
seed: 1
models:
  judge: { path: ${model} }
datasets:
  pairs: { kind: jsonl, path: pairs.jsonl }
stages:
  - { stage: evaluate, id: full, model: judge, from: pairs, to: full, judge: { maxTokens: 16 }, evaluator: { kind: pairwise, position: both } }
  # Cut off before the answer: every judgment is a no-answer, which counts as wrong.
  - { stage: evaluate, id: cut, model: judge, from: pairs, to: cut, judge: { maxTokens: 2 }, evaluator: { kind: pairwise, position: both } }
${extra}  - stage: report
    title: Tiny judge
    to: report
    tables: [{ title: Accuracy, plot: false, rows: [{ label: full, from: full }, { label: cut short, from: cut }${extra ? ', { label: voting@3, from: vote }' : ''}] }]
    comparisons:
      - { claim: room to answer helps, better: full, than: cut short }
${extra ? '      - { claim: voting helps, better: voting@3, than: full }\n' : ''}`);
  return dir;
}

test('report over evaluate stages: a paired verdict from pairs.jsonl; a voting row on other pairs is refused', async (t) => {
  const model = await tinyJudgeDir();
  const dir = setup(model, '');
  const runs = join(dir, 'runs');
  await runPipeline(await loadAppPipeline(join(dir, 'p.yaml')), { runsDir: runs, progress: 'quiet' });
  const md = readFileSync(join(runs, 'rep-eval/report.md'), 'utf8');
  t.regex(md, /\| full \| 100\.0% \| 0\.0% \| 18 \|/);
  t.regex(md, /\| cut short \| 0\.0% \| 0\.0% \| 18 \| 100\.0% \|/);
  // All 18 pairs better: p = 2 · ½^18 = 7.6e-6.
  t.regex(md, /room to answer helps: holds — full 100\.0% vs cut short 0\.0% on the same 18 pairs; difference \+100\.0 points .*18 pairs better, 0 worse, 0 equal \(exact sign test p = 7\.6e-6\)/);

  const voting = setup(model, '  - { stage: evaluate, id: vote, model: judge, from: pairs, limit: 9, to: vote, judge: { maxTokens: 16, votes: 3, temperature: 0.8 }, evaluator: { kind: pairwise, position: both } }\n');
  const err = await t.throwsAsync(runPipeline(await loadAppPipeline(join(voting, 'p.yaml')), { runsDir: join(voting, 'runs'), progress: 'quiet' }));
  t.regex(err?.message ?? '', /"voting@3" is a voting@3 row, so both rows must be on exactly the same pairs, but "voting@3" has 9 labeled pairs, "full" 18 \(9 in common\)/);
});
