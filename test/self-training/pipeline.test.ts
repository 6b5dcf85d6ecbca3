// self-train through the pipeline runner with the trained fixture models (h32, 2 layers, byte tokenizer) on tiny
// verifiable-math splits: two rounds of pseudo-labels (3 votes), prover rationales, merging with all earlier data and
// retraining from the backbone; the outputs agree with each other and with hidden gold labels; a kill -9 mid-run
// resumes to identical files; a round whose rationales all fail the rules keeps nothing and does not retrain.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RationaleExample } from '../../core/data/records.js';
import type { RoundReport } from '../../core/recipe/self-training-strategy.js';
import type { RationaleLine } from '../../plugins/self-training/prover-rationales.js';
import { countCorrect, FIXTURE_DIR, FIXTURE_SCRATCH, tempDir, vmathPairs } from './fixture-models.js';
import { pipeline, runIn, selfTrainPipeline, SMALL_STRATEGY, vmathSet } from './pipelines.js';

const lines = <T>(file: string): T[] => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
const OUT_FILES = ['grm-st/model.safetensors', 'grm-st/gramr.json', 'grm-st/config.json', 'grm-st-data.jsonl', 'grm-st-labels.jsonl', 'grm-st-report/report.json'];
const outFiles = (stageDir: string): Record<string, string> => Object.fromEntries(OUT_FILES.map((f) => [f, readFileSync(path.join(stageDir, f)).toString('base64')]));

let stageDir = '';
let summary = '';
test.before(async () => {
  const dir = tempDir({ teardown: (fn) => process.once('exit', fn) });
  const t0 = Date.now();
  const r = await runIn(dir, selfTrainPipeline());
  stageDir = path.join(r.runDir, 'self-train');
  summary = `${r.stages[0]!.summary} (${Date.now() - t0} ms)`;
});

test('two rounds: pseudo-labels, prover rationales, merged data, retrain continuing from the current GRM, per-round report', (t) => {
  t.log(summary);
  const report = JSON.parse(readFileSync(path.join(stageDir, 'grm-st-report/report.json'), 'utf8')) as { rounds: RoundReport[]; initialEvalAccuracy: number; finalTrainExamples: number };
  const [r1, r2] = report.rounds as [RoundReport, RoundReport];
  for (const r of report.rounds) t.log(`round ${r.round}: kept ${r.kept}/${r.offered}, dropped ${JSON.stringify(r.dropped)}, candidates ${JSON.stringify(r.candidateDrops)}, pseudo-label acc ${r.pseudoLabelAccuracy}, eval ${r.evalAccuracy}`);
  t.true(r1.kept > 0 && r2.kept > 0, 'both rounds keep something (else nothing below is exercised)');
  // Counts add up: every offered pair is kept or dropped for one reason.
  for (const r of report.rounds) {
    t.is(r.offered, 4);
    t.is(r.kept + Object.values(r.dropped).reduce((a, b) => a + b, 0), r.offered);
    t.is(r.keptLabels.A + r.keptLabels.B, r.kept);
    t.is(r.keptFraction, r.kept / r.offered);
  }
  // Merged data: the 8 initial examples, then round 1's and round 2's additions; each retrain used all of it so far.
  const data = lines<RationaleExample>(path.join(stageDir, 'grm-st-data.jsonl'));
  t.is(data.length, 8 + r1.kept + r2.kept);
  t.is(report.finalTrainExamples, data.length);
  t.is(r1.trainExamples, 8 + r1.kept);
  t.is(r2.trainExamples, 8 + r1.kept + r2.kept);
  t.deepEqual(data.slice(0, 8).map((d) => d.id), vmathPairs('seed', 8, 3).map((p) => p.id));
  // The rationales of the additions are the prover's (round-N/rationales.jsonl), the labels the pseudo-labels.
  const labels = lines<{ round: number; id: string; label?: string; kept: boolean; gold?: string; correct?: boolean }>(path.join(stageDir, 'grm-st-labels.jsonl'));
  t.is(labels.length, 8);
  for (const [i, round] of [[8, 1], [8 + r1.kept, 2]] as const) {
    const proofs = new Map(lines<RationaleLine>(path.join(stageDir, `round-${round}/rationales.jsonl`)).map((l) => [l.id, l]));
    const added = data.slice(i, i + (round === 1 ? r1.kept : r2.kept));
    for (const d of added) {
      t.is<string | undefined, string | undefined>(d.rationale, proofs.get(d.id)!.rationale);
      t.is<string | undefined, string | undefined>(d.label, labels.find((l) => l.id === d.id)!.label);
      t.is((d.meta as Record<string, unknown>).goldLabel, undefined, 'gold labels never reach the training data');
    }
  }
  // Pseudo-label accuracy from the hidden gold labels, recomputed here from the data source.
  const gold = new Map([...vmathPairs('unlabeled-1', 4), ...vmathPairs('unlabeled-2', 4)].map((p) => [p.id, (p.meta as { goldLabel: string }).goldLabel]));
  for (const r of report.rounds) {
    const kept = labels.filter((l) => l.round === r.round && l.kept);
    t.is(r.pseudoLabelAccuracy, kept.filter((l) => l.label === gold.get(l.id)).length / kept.length);
    t.true(kept.every((l) => l.gold === gold.get(l.id) && l.correct === (l.label === l.gold)));
  }
  // retrain: continue — round 1 trains on from the initial GRM, round 2 from round 1's GRM.
  const startOf = (round: number): string => (JSON.parse(readFileSync(path.join(stageDir, `round-${round}/train/run.json`), 'utf8')) as { modelPath: string }).modelPath;
  t.is(startOf(1), path.join(FIXTURE_DIR, 'grm'));
  t.is(startOf(2), path.join(stageDir, 'round-1/grm'));
  t.true(r1.retrained && r2.retrained && r1.startedFrom === 'continue');
  t.regex(readFileSync(path.join(stageDir, 'grm-st-report/report.md'), 'utf8'), /\| 2 \| u2 \| 4 \|/);
});

test('eval accuracies are the share of test pairs each GRM labels right, counted from its own judgments', async (t) => {
  const report = JSON.parse(readFileSync(path.join(stageDir, 'grm-st-report/report.json'), 'utf8')) as { rounds: RoundReport[]; initialEvalAccuracy: number };
  const test4 = vmathPairs('test', 4);
  t.true(test4.every((p) => p.label === 'A' || p.label === 'B'), 'the eval pairs are labeled');
  const models: Array<[string, string, number | undefined]> = [
    ['initial (fixture)', path.join(FIXTURE_DIR, 'grm'), report.initialEvalAccuracy],
    ['round 1', path.join(stageDir, 'round-1/grm'), report.rounds[0]!.evalAccuracy],
    ['final', path.join(stageDir, 'grm-st'), report.rounds[1]!.evalAccuracy],
  ];
  for (const [name, model, measured] of models) {
    const c = await countCorrect(model, test4);
    t.log(`${name}: ${c.correct} right, ${c.answered} answered of ${c.total}`);
    t.is(measured, c.correct / c.total, name);
  }
});

test('kill -9 mid-run (round 2 labeling) and rerun: the final GRM and every output are identical', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'p.yaml'), selfTrainPipeline());
  const partial = path.join(dir, 'runs/st/self-train/round-2/labels.jsonl.partial');
  // --jobs 1: the stage runs inside the killed process, so nothing writes its files after the kill (with more
  // jobs a stage process outlives its runner for a moment; the runner tests cover that case).
  const child = spawn(process.execPath, [path.join(process.cwd(), 'dist/cli/main.js'), 'run', 'p.yaml', '--jobs', '1', '--json'], { cwd: dir, stdio: 'ignore' });
  const started = Date.now();
  while (!(existsSync(partial) && statSync(partial).size > 0) && Date.now() - started < 120_000) await new Promise((r) => setTimeout(r, 5));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  t.true(existsSync(path.join(dir, 'runs/st/self-train/round-1/round.json')), 'round 1 had finished');
  t.false(existsSync(path.join(dir, 'runs/st/self-train/round-2/round.json')), 'round 2 had not');
  t.false(existsSync(path.join(dir, 'runs/st/self-train/manifest.json')));
  const again = await runIn(dir, selfTrainPipeline());
  t.is(again.stages[0]!.status, 'ran');
  t.deepEqual(outFiles(path.join(again.runDir, 'self-train')), outFiles(stageDir));
});

test('retrain from the backbone, then a round that keeps nothing: no retrain, the GRM carries over, the report says so', async (t) => {
  const dir = tempDir(t);
  const strategy = { ...SMALL_STRATEGY, retrain: 'backbone', votes: 1, temperature: 0, k: 2, trainer: { ...SMALL_STRATEGY.trainer, steps: 2 } };
  // (2 steps from scratch: enough to exercise the backbone start, too few to answer anything.)
  const r = await runIn(dir, pipeline('st-empty', { seed: vmathSet('seed', 8, 3), u1: vmathSet('unlabeled-1', 3), u2: vmathSet('unlabeled-2', 3) }, `  - stage: self-train
    grm: grm
    prover: prover
    synthesized: seed
    rounds: [u1, u2]
    backbone: ${JSON.stringify({ scratch: FIXTURE_SCRATCH })}
    strategy: ${JSON.stringify(strategy)}
    to: grm-st
`));
  const sd = path.join(r.runDir, 'self-train');
  t.log(r.stages[0]!.summary);
  const [r1, r2] = (JSON.parse(readFileSync(path.join(sd, 'grm-st-report/report.json'), 'utf8')) as { rounds: RoundReport[] }).rounds as [RoundReport, RoundReport];
  // Round 1 retrained from the backbone: a new scratch model of the spec given above, not the fixture GRM.
  t.true(r1.retrained && r1.kept > 0, 'round 1 keeps something (else the retrain below is not exercised)');
  t.is(r1.startedFrom, 'backbone');
  const run = JSON.parse(readFileSync(path.join(sd, 'round-1/train/run.json'), 'utf8')) as { modelPath: string };
  t.is(run.modelPath, path.join(sd, 'backbone'));
  t.like(JSON.parse(readFileSync(path.join(sd, 'backbone/config.json'), 'utf8')), {
    hidden_size: FIXTURE_SCRATCH.hiddenSize, num_hidden_layers: FIXTURE_SCRATCH.layers, num_attention_heads: FIXTURE_SCRATCH.heads,
    intermediate_size: FIXTURE_SCRATCH.intermediate, max_position_embeddings: FIXTURE_SCRATCH.maxPositions,
  });
  const weights = (dir: string): Buffer => readFileSync(path.join(dir, 'model.safetensors'));
  t.notDeepEqual(weights(path.join(sd, 'backbone')), weights(path.join(FIXTURE_DIR, 'grm')));
  t.notDeepEqual(weights(path.join(sd, 'round-1/grm')), weights(path.join(sd, 'backbone')));
  // Round 2 votes (once, greedily) with round 1's GRM, two steps from scratch. Judged here on the same pairs it gives
  // no label at all, so round 2 has nothing to keep: it keeps nothing and does not retrain.
  const u2 = await countCorrect(path.join(sd, 'round-1/grm'), vmathPairs('unlabeled-2', 3));
  t.is(u2.answered, 0, 'the premise: round 1\'s GRM answers none of round 2\'s pairs');
  t.is(r2.kept, 0);
  t.false(r2.retrained);
  t.is(r2.startedFrom, 'unchanged');
  t.is(r2.trainExamples, 0);
  t.is(Object.values(r2.dropped).reduce((a, b) => a + b, 0), 3);
  t.false(existsSync(path.join(sd, 'round-2/train')), 'no training run on an empty round');
  t.regex(r2.notes.join(' '), /nothing kept .*not retrained and carries over unchanged/);
  t.regex(r.stages[0]!.summary!, /round 2 kept nothing and did not retrain/);
  t.regex(readFileSync(path.join(sd, 'grm-st-report/report.md'), 'utf8'), /\| 2 \| u2 \| 3 \| .*\*\*no\*\*/);
  t.deepEqual(readFileSync(path.join(sd, 'grm-st/model.safetensors')), readFileSync(path.join(sd, 'round-1/grm/model.safetensors')), 'the final GRM is round 1\'s');
  t.is(lines(path.join(sd, 'grm-st-data.jsonl')).length, 8 + r1.kept);
});
