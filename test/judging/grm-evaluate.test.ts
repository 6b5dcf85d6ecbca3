// `evaluate` on models train-grm wrote: tiny bradley-terry and gram-v1 models are trained by the real train-grm
// stage on verifiable-math pairs and evaluated in the same pipeline with `pairwise` (position both). The report
// must equal what judgeForModel's own judge gives through the evaluator (so the stage judged by the objective, not
// by generation), name the objective, count every pair and order, and an interrupted evaluation of a plain Judge
// resumes from its judgments log with the same report.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataRecord } from '../../core/data/records.js';
import { RecordWriter } from '../../core/pipeline/record-writer.js';
import type { RunResult } from '../../core/pipeline/runner.js';
import { silentProgress, type TaskContext } from '../../core/pipeline/task-context.js';
import type { Judge } from '../../core/reward/evaluator.js';
import { PairwiseEvaluator } from '../../plugins/evaluators/index.js';
import { judgeForModel } from '../../plugins/grm/judge-for-model.js';
import { JudgmentLog, type LoggedJudgment } from '../../plugins/judging-stages/index.js';
import { cpuBackend, vmath } from '../recipe/helpers.js';
import { pipelineText, runIn } from '../recipe/pipeline-helpers.js';
import { ModelJudgeOpener } from '../../core/reward/judge-opener.js';

const oneStep = { difficulty: { maxSteps: 1 }, errorTypes: ['slipped-digit', 'wrong-operation', 'carry-error'] };
const train = vmath({ split: 'labeled', count: 32, ...oneStep } as never);
const heldOut = vmath({ split: 'test', count: 12, ...oneStep } as never);
const OBJECTIVES = { bt: 'bradley-terry', v1: 'gram-v1' } as const;
const HOW = { bt: 'reward head', v1: 'label logits' } as const;
const pairwise = { position: 'both', batchSize: 8 };
const ctxOf = (signal: AbortSignal = new AbortController().signal): TaskContext => ({ signal, progress: silentProgress, seed: 0 });
const lines = (file: string): LoggedJudgment[] => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LoggedJudgment);

let dir = '';
let run: RunResult;
let text = '';
test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gramr-grm-evaluate-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const stages = Object.entries(OBJECTIVES).map(([k, objective]) => `  - stage: train-grm
    id: train-${k}
    from: train
    to: grm-${k}
    objective: ${objective}
    init: { scratch: { hiddenSize: 32, layers: 1, heads: 2, intermediate: 64, maxPositions: 256 } }
    trainer: { steps: 16, lr: 0.01, batchSize: 16, maxLength: 256, buckets: 1, warmup: 0, evalEvery: 0, checkpointEvery: 1000 }
    stage1: { steps: 4 }
  - stage: evaluate
    id: eval-${k}
    model: grm-${k}
    from: test
    evaluator: ${JSON.stringify({ kind: 'pairwise', ...pairwise })}
    batchSize: 8
    to: report-${k}
`).join('');
  text = pipelineText(dir, 'grm-eval', { train: { kind: 'inline', records: train }, test: { kind: 'inline', records: heldOut } }, stages);
  run = await runIn(dir, text);
});

for (const [k, objective] of Object.entries(OBJECTIVES) as Array<[keyof typeof OBJECTIVES, string]>) {
  test(`evaluate judges a train-grm ${objective} model by its objective; the report has accuracy and counts`, async (t) => {
    const ev = run.stages.find((s) => s.id === `eval-${k}`)!;
    t.is(ev.status, 'ran');
    const stageDir = join(run.runDir, `eval-${k}`);
    const report = JSON.parse(readFileSync(join(stageDir, `report-${k}/report.json`), 'utf8')) as Record<string, any>;
    t.log(`${objective}: accuracy ${report.metrics.accuracy}, pairAccuracy ${report.metrics.pairAccuracy}`);
    t.like(report.run, { judgeKind: 'train-grm', objective, chat: 'auto', promptFormat: 'compact', grmJudge: { batchSize: 8 }, judgedPairs: 24, resumedPairs: 0 });
    t.is(report.run.judge, undefined, 'no PairJudge options: the model was not judged by generation');
    t.like(report.counts, { pairs: 12, judged: 24, answered: 24, noAnswer: 0, pairsLabeled: 12, bothOrders: 12 });
    t.like(ev.metrics, { records: 12, judgedPairs: 24, resumedPairs: 0, noAnswerRate: 0 });
    t.is(ev.metrics.accuracy, report.counts.correct / 24);
    t.regex(readFileSync(join(stageDir, `report-${k}/report.md`), 'utf8'),
      new RegExp(`_Model grm-${k} \\(train-grm ${objective} judge \\(${HOW[k]}; chat: auto\\)\\); 12 records from test; evaluator pairwise; 24 pairs judged\\._`));
    // The same numbers as judgeForModel's judge through the evaluator directly.
    const judge = await judgeForModel(new ModelJudgeOpener(), join(run.runDir, `train-${k}`, `grm-${k}`), await cpuBackend(), { batchSize: 8 });
    t.teardown(() => judge.dispose());
    const direct = await new PairwiseEvaluator().evaluate(heldOut, judge, pairwise, ctxOf());
    t.deepEqual(report.metrics, direct.metrics);
    t.deepEqual(report.counts, direct.counts);
    const logged = lines(join(stageDir, `report-${k}-judgments.jsonl`));
    const prompts = new Set(readFileSync(join(stageDir, `report-${k}-judgments-prompts.jsonl`), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { hash: string }).hash));
    // gram-v1 renders one judge prompt per shown order; bradley-terry scores both responses after the same rendered
    // user prompt, which is what it logs: one per pair.
    t.is(prompts.size, objective === 'bradley-terry' ? 12 : 24);
    t.is(logged.length, 24);
    t.is(new Set(logged.map((l) => l.key)).size, 24);
    for (const l of logged) {
      t.true(l.label === 'A' || l.label === 'B');
      t.true(l.confidence! >= 0.5 && l.confidence! <= 1, `confidence ${l.confidence}`);
      // The evidence: one call, no generation, the label's probability and (reward head) both rewards.
      const [call, ...more] = l.judgments!;
      t.is(more.length, 0);
      t.like(call, { sample: 0, raw: '', label: l.label });
      t.is(call!.probs![l.label!], l.confidence!);
      t.true(prompts.has(call!.prompt!), `prompt hash ${call!.prompt} is in the prompts file`);
      if (objective === 'bradley-terry') t.is(1 / (1 + Math.exp(-(call!.rewards![0] - call!.rewards![1]))), call!.probs!.A);
      else t.is(call!.rewards, undefined);
    }
    if (objective === 'bradley-terry') {
      // r(a) vs r(b) does not depend on the order shown: every pair gets the same label in both orders.
      t.is(report.counts.consistent, 12);
      t.is(report.metrics.pairAccuracy, report.metrics.accuracy);
    }
  });
}

test('a re-run of the pipeline skips every stage', async (t) => {
  const again = await runIn(dir, text);
  t.deepEqual(again.stages.map((s) => s.status), ['skipped', 'skipped', 'skipped', 'skipped']);
});

test('an interrupted evaluation of a train-grm model (a plain Judge) resumes from its log with the same report', async (t) => {
  const judge = await judgeForModel(new ModelJudgeOpener(), join(run.runDir, 'train-v1', 'grm-v1'), await cpuBackend(), { batchSize: 8 });
  t.teardown(() => judge.dispose());
  const calls = { n: 0 };
  const counting: Judge = async (batch, c) => { calls.n += batch.length; return judge(batch, c); };
  const records: DataRecord[] = heldOut;
  const options = { position: 'both', batchSize: 5 };
  const work = mkdtempSync(join(tmpdir(), 'gramr-grm-resume-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const expected = await new PairwiseEvaluator().evaluate(records, judge, options, ctxOf());
  // Interrupted after two evaluator calls of 5 order-judgments each.
  const file = join(work, 'judgments.jsonl');
  const first = await RecordWriter.open(file);
  const firstLog = await JudgmentLog.open(first);
  const ac = new AbortController();
  const inner = firstLog.judge(counting);
  let n = 0;
  const stopping: Judge = async (batch, c) => { const out = await inner(batch, c); if (++n === 2) ac.abort(new Error('interrupted')); return out; };
  await t.throwsAsync(new PairwiseEvaluator().evaluate(records, stopping, options, ctxOf(ac.signal)), { message: 'interrupted' });
  await first.abandon();
  t.is(firstLog.judged, 10);
  // The re-run judges only the 14 missing order-judgments.
  const second = await RecordWriter.open(file);
  const log = await JudgmentLog.open(second);
  t.is(log.resumed, 10);
  calls.n = 0;
  const got = await new PairwiseEvaluator().evaluate(records, log.judge(counting), options, ctxOf());
  t.is(log.judged, 14);
  t.is(calls.n, 14);
  t.deepEqual(got, expected);
  t.is(await second.commit(), 24);
  t.is(new Set(lines(file).map((l) => l.key)).size, 24);
});
