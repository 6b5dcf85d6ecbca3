// One gram-r2 round with a scripted GRM and a scripted prover session (real trainer on a tiny backbone): only confident
// pseudo-labels go to the prover; the prover's rationales (not the GRM's) are trained on; rule drops are counted;
// the retrain data is ALL earlier data + the new examples; retrain backbone starts from the backbone and continue from
// the current GRM; a round that keeps nothing does not train; a rerun of a finished round redoes nothing.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Label, PreferencePair, RationaleExample } from '../../core/data/records.js';
import { ConfigError } from '../../core/errors.js';
import { loadAppPipeline } from '../../cli/app.js';
import type { ProofRequest, ProofResult, ProofSession } from '../../core/recipe/prover.js';
import type { RoundResult } from '../../core/recipe/self-training-strategy.js';
import type { SftExample, Trainer, TrainJob } from '../../core/recipe/trainer.js';
import { initScratchCheckpoint } from '../../core/training/scratch-checkpoint.js';
import { rationaleTarget } from '../../plugins/grm/grm-targets.js';
import { parseGramR2Options } from '../../plugins/self-training/gram-r2-strategy.js';
import { hideLabels, runGramR2Round, type RoundDeps } from '../../plugins/self-training/gram-r2-round.js';
import { FullTrainer } from '../../plugins/trainers/index.js';
import { cpuContext, FIXTURE_DIR, FIXTURE_SCRATCH, tempDir, vmathPairs, vmathSeed } from './fixture-models.js';
import { pipeline, vmathSet } from './pipelines.js';
import { GRM_RATIONALE, scriptedJudge, type ScriptedVote } from './scripted-grm.js';

const options = parseGramR2Options({ votes: 3, threshold: 0.7, retrain: 'backbone' });
const TRAIN = { objective: 'sft', steps: 1, lr: 0.001, batchSize: 8, maxLength: 320, warmup: 0, evalEvery: 0, checkpointEvery: 100 };

/** Scripted deps: the GRM votes by `script`; the prover writes `PROVER <id> <label>` except where `proof` says otherwise. */
function deps(pairs: readonly PreferencePair[], script: (i: number, s: number) => ScriptedVote, proof: (r: ProofRequest) => Partial<ProofResult> = () => ({})) {
  const calls = { judgeOpened: 0, proverOpened: 0, proved: [] as Array<{ id: string; label: Label }>, trained: [] as TrainJob[] };
  const recording: Trainer = { kind: 'full', train: (job, ctx) => { calls.trained.push(job); return new FullTrainer().train(job, ctx); } };
  const d: RoundDeps = {
    trainer: { kind: 'full', impl: recording, options: TRAIN },
    async openJudge() { calls.judgeOpened++; return { judge: scriptedJudge(pairs, 3, script).judge, dispose: () => {} }; },
    async openProver(): Promise<ProofSession> {
      calls.proverOpened++;
      return {
        prove: async (requests) => requests.map((r): ProofResult => {
          calls.proved.push({ id: r.pair.id, label: r.label });
          const rationale = `PROVER ${r.pair.id} ${r.label}`;
          return { id: r.pair.id, label: r.label, candidates: [], dropped: {}, best: { proof: rationale, logpContext: -1, logpAlone: -2, score: -0.5 }, rationale, ...proof(r) };
        }),
        dispose: () => {},
      };
    },
  };
  return { d, calls };
}

let backbone = '';
test.before(async () => {
  backbone = path.join(tempDir({ teardown: (fn) => process.once('exit', fn) }), 'backbone');
  await initScratchCheckpoint(backbone, FIXTURE_SCRATCH, 0);
});

const earlier = vmathSeed(5, 3);
const round1Pairs = vmathPairs('unlabeled-1', 6).map(hideLabels);
// Pairs 0, 1, 3, 5 are confident (see pseudo-label.test.ts for the arithmetic); 2 is below the threshold, 4 unanswered.
const SCRIPT1: ScriptedVote[][] = [
  [['A', 0.9], ['A', 0.8], ['B', 0.9]], [['B', 0.95], ['B', 0.95], ['B', 0.95]], [['A', 0.6], ['A', 0.65], ['A', 0.5]],
  [undefined, undefined, ['A', 0.99]], [undefined, undefined, undefined], [['A', 0.8], ['B', 0.9], undefined],
];
// The prover fails every candidate of pair 3 (2 by length, 1 by structure) and writes a tag into pair 5's rationale.
const proof1 = (r: ProofRequest): Partial<ProofResult> => (r.pair.id === round1Pairs[3]!.id ? { best: undefined, rationale: undefined, dropped: { length: 2, structure: 1 } }
  : r.pair.id === round1Pairs[5]!.id ? { rationale: 'B: ok </think> <answer>B</answer>' } : {});

test('round from the backbone, then a round continuing from its GRM, then a round that keeps nothing', async (t) => {
  const dir = tempDir(t);
  const ctx = cpuContext();
  // Round 1 (retrain: backbone).
  const a = deps(round1Pairs, (i, s) => SCRIPT1[i]![s]!, proof1);
  const r1 = await runGramR2Round({ round: 1, grmPath: path.join(FIXTURE_DIR, 'grm'), backbonePath: backbone, proverPath: 'unused', unlabeled: round1Pairs, earlier, outDir: path.join(dir, 'round-1') }, options, a.d, ctx);
  t.deepEqual(a.calls.proved, [0, 1, 3, 5].map((i) => ({ id: round1Pairs[i]!.id, label: (['A', 'B', 'A', 'A', 'A', 'B'] as const)[i]! })), 'only the confident pairs, with their pseudo-labels');
  t.deepEqual(r1.added.map((e) => [e.id, e.label, e.rationale]), [[round1Pairs[0]!.id, 'A', `PROVER ${round1Pairs[0]!.id} A`], [round1Pairs[1]!.id, 'B', `PROVER ${round1Pairs[1]!.id} B`]]);
  t.deepEqual(r1.report.dropped, { 'below-threshold': 1, 'no-answer:no-answer-tag': 1, 'rules:length': 1, 'rules:target-structure': 1 });
  t.deepEqual(r1.report.candidateDrops, { length: 2, structure: 1 });
  t.like(r1.report, { offered: 6, labeled: 5, confident: 4, kept: 2, keptFraction: 2 / 6, keptLabels: { A: 1, B: 1 }, retrained: true, startedFrom: 'backbone', trainExamples: 7, steps: 1 });
  t.deepEqual(r1.labels.map((l) => [l.kept, l.dropped]), [[true, undefined], [true, undefined], [false, 'below-threshold'], [false, 'rules:length'], [false, 'no-answer:no-answer-tag'], [false, 'rules:target-structure']]);
  // The retrain: from the backbone, on the 5 earlier examples + the 2 new ones, with the PROVER's rationales.
  t.is(a.calls.trained.length, 1);
  const job1 = a.calls.trained[0]!;
  t.is(job1.modelPath, backbone);
  const train1 = job1.train as SftExample[];
  t.deepEqual(train1.map((e) => e.id), [...earlier.map((e) => e.id), round1Pairs[0]!.id, round1Pairs[1]!.id]);
  t.true(train1[5]!.target === rationaleTarget(`PROVER ${round1Pairs[0]!.id} A`, 'A') && train1[6]!.target === rationaleTarget(`PROVER ${round1Pairs[1]!.id} B`, 'B'));
  t.false(train1.some((e) => e.target.includes(GRM_RATIONALE) || e.prompt.includes(GRM_RATIONALE)), 'the GRM\'s own rationales are never trained on');
  t.is(train1[0]!.target, rationaleTarget(earlier[0]!.rationale, earlier[0]!.label));
  t.is(r1.grmPath, path.join(dir, 'round-1/grm'));
  t.true(existsSync(path.join(r1.grmPath, 'model.safetensors')) && existsSync(path.join(r1.grmPath, 'gramr.json')));

  // Round 2 (retrain: continue): trains on from round 1's GRM, on everything so far (5 + 2) + 6 new.
  const round2Pairs = vmathPairs('unlabeled-2', 6).map(hideLabels);
  const b = deps(round2Pairs, () => ['A', 0.95]);
  const r2 = await runGramR2Round({
    round: 2, grmPath: r1.grmPath, backbonePath: backbone, proverPath: 'unused', unlabeled: round2Pairs, earlier: [...earlier, ...r1.added], outDir: path.join(dir, 'round-2'),
  }, { ...options, retrain: 'continue' }, b.d, ctx);
  t.like(r2.report, { kept: 6, retrained: true, startedFrom: 'continue', trainExamples: 13 });
  t.is(b.calls.trained[0]!.modelPath, r1.grmPath);
  t.deepEqual(b.calls.trained[0]!.train.map((e) => e.id), [...earlier.map((e) => e.id), ...r1.added.map((e) => e.id), ...round2Pairs.map((p) => p.id)]);
  const run2 = JSON.parse(readFileSync(path.join(dir, 'round-2/train/run.json'), 'utf8')) as { modelPath: string };
  t.is(run2.modelPath, r1.grmPath);
  t.notDeepEqual(readFileSync(path.join(r1.grmPath, 'model.safetensors')), readFileSync(path.join(backbone, 'model.safetensors')), 'round 1 trained the backbone');

  // Round 3: every label below the threshold -> nothing kept, no prover, no training, the GRM carries over.
  const c = deps(round2Pairs, () => ['B', 0.55]);
  const r3 = await runGramR2Round({ round: 3, grmPath: r2.grmPath, backbonePath: backbone, proverPath: 'unused', unlabeled: round2Pairs, earlier: [], outDir: path.join(dir, 'round-3') }, options, c.d, ctx);
  t.like(r3.report, { offered: 6, labeled: 6, confident: 0, kept: 0, retrained: false, startedFrom: 'unchanged', trainExamples: 0, steps: 0 });
  t.deepEqual(r3.report.dropped, { 'below-threshold': 6 });
  t.is(r3.grmPath, r2.grmPath);
  t.deepEqual([c.calls.proverOpened, c.calls.trained.length], [0, 0]);
  t.regex(r3.report.notes[0]!, /nothing kept \(6 offered; dropped: below-threshold 6\): the GRM was not retrained and carries over unchanged/);
  t.false(existsSync(path.join(dir, 'round-3/train')));

  // A rerun of round 1 in its folder: nothing is judged or proved again; the trainer returns its finished run.
  const again = deps(round1Pairs, (i, s) => SCRIPT1[i]![s]!, proof1);
  const r1b: RoundResult = await runGramR2Round({ round: 1, grmPath: path.join(FIXTURE_DIR, 'grm'), backbonePath: backbone, proverPath: 'unused', unlabeled: round1Pairs, earlier, outDir: path.join(dir, 'round-1') }, options, again.d, ctx);
  t.deepEqual([again.calls.judgeOpened, again.calls.proverOpened], [0, 0]);
  t.deepEqual(r1b, r1);
});

test('retrain: backbone without a backbone is refused, at validation and in the round', async (t) => {
  const dir = tempDir(t);
  const text = pipeline('st-bad', { u1: vmathSet('unlabeled-1', 2) }, '  - stage: self-train\n    grm: grm\n    prover: prover\n    rounds: [u1]\n    to: out\n');
  const file = path.join(dir, 'p.yaml');
  (await import('node:fs')).writeFileSync(file, text);
  const err = await t.throwsAsync(loadAppPipeline(file));
  t.true(err instanceof ConfigError);
  t.regex(err!.message, /stages\[0\]\.backbone: .*retrains from the backbone by default/);
  const { d } = deps(round1Pairs, () => ['A', 0.9]);
  await t.throwsAsync(runGramR2Round({ round: 1, grmPath: path.join(FIXTURE_DIR, 'grm'), proverPath: 'x', unlabeled: round1Pairs, earlier: [] as RationaleExample[], outDir: path.join(dir, 'r') }, options, d, cpuContext()),
    { instanceOf: ConfigError, message: /retrain: backbone needs the backbone/ });
});
