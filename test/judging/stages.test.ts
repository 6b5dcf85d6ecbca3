// The judging stages: `evaluate` and `rank` end to end through loadPipeline + runPipeline in a temp folder with the
// trained tiny judge, config errors, and an interrupted evaluation resumed from its judgments file.
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CpuBackend } from '../../backends/cpu/index.js';
import { ConfigError } from '../../core/errors.js';
import { loadAppPipeline } from '../../cli/app.js';
import { RecordWriter } from '../../core/pipeline/record-writer.js';
import { runPipeline } from '../../core/pipeline/runner.js';
import type { TaskContext } from '../../core/pipeline/task-context.js';
import { silentProgress } from '../../core/pipeline/task-context.js';
import type { Judge } from '../../core/reward/evaluator.js';
import { ModelJudge } from '../../core/reward/model-judge.js';
import { PairJudge } from '../../core/reward/pair-judge.js';
import { PairwiseEvaluator } from '../../plugins/evaluators/index.js';
import { JudgmentLog } from '../../plugins/judging-stages/index.js';
import { fixturePath } from '../test-data.js';
import { BAD, GOOD, tinyJudgeDir } from './tiny-judge.js';

const QWEN_SETS = fixturePath('qwen25-math-rm-maj/math_cot_100.jsonl');
let model: string;

/** 18 labeled pairs of the trivial task (every good x bad, both placements), as JSONL text. */
function pairsJsonl(): string {
  const lines: string[] = [];
  for (const [i, g] of GOOD.entries()) for (const [j, b] of BAD.entries()) {
    lines.push(JSON.stringify({ id: `p${i}${j}`, prompt: 'choose', a: g, b, label: 'A' }), JSON.stringify({ id: `q${i}${j}`, prompt: 'which?', a: b, b: g, label: 'B' }));
  }
  return lines.join('\n') + '\n';
}

function setup(stages: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gramr-judging-stages-'));
  writeFileSync(join(dir, 'pairs.jsonl'), pairsJsonl());
  writeFileSync(join(dir, 'p.yaml'), `name: judging
seed: 1
models:
  judge: { path: ${model} }
datasets:
  pairs: { kind: jsonl, path: pairs.jsonl }
  sets: { kind: qwen-math-candidates, path: ${QWEN_SETS}, limit: 2 }
stages:
${stages}`);
  return dir;
}

test.before(async () => {
  model = await tinyJudgeDir();
});

test('evaluate and rank run end to end: report folder, judgments, rankings; a re-run skips both', async (t) => {
  const dir = setup(`  - stage: evaluate
    model: judge
    from: pairs
    evaluator: { kind: pairwise, position: both, batchSize: 8 }
    judge: { maxTokens: 16 }
    batchSize: 4
    to: report
  - stage: rank
    model: judge
    from: sets
    method: knockout
    judge: { maxTokens: 12, position: both }
    to: rankings
`);
  const runs = join(dir, 'runs');
  const r = await runPipeline(await loadAppPipeline(join(dir, 'p.yaml')), { runsDir: runs, progress: 'quiet' });
  t.deepEqual(r.stages.map((s) => s.status), ['ran', 'ran']);
  const ev = r.stages[0]!;
  t.is(ev.metrics.accuracy, 1);
  t.is(ev.metrics.pairAccuracy, 1);
  t.is(ev.metrics.records, 18);
  t.is(ev.metrics.judgedPairs, 36, '18 pairs x 2 orders, all different contents');
  t.is(ev.summary, 'pairwise on 18 records: accuracy 100.0%');
  const report = JSON.parse(readFileSync(join(runs, 'judging/evaluate/report/report.json'), 'utf8')) as Record<string, any>;
  t.is(report.metrics.accuracy, 1);
  t.is(report.run.chat, 'plain');
  t.is(report.run.judge.maxTokens, 16);
  t.regex(readFileSync(join(runs, 'judging/evaluate/report/report.md'), 'utf8'), /\| all \| 18 \| 100\.0% \| 100\.0% \|/);
  // Per-pair outcomes beside report.json, one line per pair, for the report's paired statistics.
  const pairs = readFileSync(join(runs, 'judging/evaluate/report/pairs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
  t.is(pairs.length, 18);
  t.true(pairs.every((p) => p.orders.length === 2 && p.orders.every((o: { correct: boolean }) => o.correct) && p.pairCorrect === true));
  const judged = readFileSync(join(runs, 'judging/evaluate/report-judgments.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
  t.is(judged.length, 36);
  t.regex(judged[0]!.judgments[0].raw, /^<think>\w+<\/think><answer>[AB]<\/answer>$/);
  const rankings = readFileSync(join(runs, 'judging/rank/rankings.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
  t.deepEqual(rankings.map((x) => x.id), ['qwen-math:0', 'qwen-math:1']);
  for (const x of rankings) {
    t.is(x.method, 'knockout');
    t.is(x.comparisons, x.order.length - 1);
    t.is(x.matches.length, x.comparisons);
    t.is(x.order[0], x.best);
  }
  const again = await runPipeline(await loadAppPipeline(join(dir, 'p.yaml')), { runsDir: runs, progress: 'quiet' });
  t.deepEqual(again.stages.map((s) => s.status), ['skipped', 'skipped']);
});

test('config errors: judge.position in evaluate at validation; an unknown evaluator kind when the stage runs', async (t) => {
  const pos = setup(`  - { stage: evaluate, model: judge, from: pairs, evaluator: { kind: pairwise }, judge: { position: both }, to: report }\n`);
  const e = await t.throwsAsync(loadAppPipeline(join(pos, 'p.yaml')), { instanceOf: ConfigError });
  t.regex(e!.message, /judge\.position[\s\S]*evaluator decides the orders/);
  const kind = setup(`  - { stage: evaluate, model: judge, from: pairs, evaluator: { kind: pairwize }, to: report }\n`);
  await t.throwsAsync(runPipeline(await loadAppPipeline(join(kind, 'p.yaml')), { runsDir: join(kind, 'runs'), progress: 'quiet' }),
    { instanceOf: ConfigError, message: /evaluator: unknown Evaluator kind "pairwize"; valid kinds: .*pairwise.*rm-bench/ });
  const opts = setup(`  - { stage: evaluate, model: judge, from: pairs, evaluator: { kind: pairwise, position: sideways }, to: report }\n`);
  await t.throwsAsync(runPipeline(await loadAppPipeline(join(opts, 'p.yaml')), { runsDir: join(opts, 'runs'), progress: 'quiet' }),
    { instanceOf: ConfigError, message: /Evaluator "pairwise" options are invalid[\s\S]*position/ });
});

test('an interrupted evaluation resumes from its judgments file and ends with the same report', async (t) => {
  const backend = new CpuBackend();
  await backend.init();
  const records = pairsJsonl().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const options = { position: 'both', batchSize: 6 };
  const ctxOf = (signal: AbortSignal): TaskContext => ({ signal, progress: silentProgress, seed: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'gramr-judging-resume-'));
  const judgeFor = async (file: string): Promise<{ log: JudgmentLog; judge: PairJudge; mj: ModelJudge; writer: RecordWriter }> => {
    const writer = await RecordWriter.open(file);
    const log = await JudgmentLog.open(writer);
    const mj = await ModelJudge.load(model, backend, { batchSize: 4 });
    return { log, judge: new PairJudge(mj, { maxTokens: 16 }, mj.chat), mj, writer };
  };
  // Uninterrupted reference.
  const ref = await judgeFor(join(dir, 'ref.jsonl'));
  const expected = await new PairwiseEvaluator().evaluate(records, ref.log.judge(ref.judge), options, ctxOf(new AbortController().signal));
  await ref.writer.commit();
  // Interrupted after two judge calls (12 of 36 judgments).
  const file = join(dir, 'judgments.jsonl');
  const first = await judgeFor(file);
  const ac = new AbortController();
  let calls = 0;
  const inner = first.log.judge(first.judge);
  const stopping: Judge = async (batch, c) => { const out = await inner(batch, c); if (++calls === 2) ac.abort(new Error('interrupted')); return out; };
  await t.throwsAsync(new PairwiseEvaluator().evaluate(records, stopping, options, ctxOf(ac.signal)), { message: 'interrupted' });
  await first.writer.abandon();
  first.mj.dispose();
  // The re-run judges only what is missing.
  const second = await judgeFor(file);
  t.is(second.log.resumed, 12);
  const got = await new PairwiseEvaluator().evaluate(records, second.log.judge(second.judge), options, ctxOf(new AbortController().signal));
  t.is(second.log.judged, 24);
  t.is(second.mj.stats.generatedRows, 24);
  t.deepEqual(got, expected);
  t.is(await second.writer.commit(), 36);
  const keys = readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { key: string }).key);
  t.is(new Set(keys).size, 36);
  t.deepEqual([...keys].sort(), readFileSync(join(dir, 'ref.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { key: string }).key).sort());
});
