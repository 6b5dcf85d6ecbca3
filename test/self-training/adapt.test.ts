// Stage `adapt` with the built-in `fine-tune` adapter on the fixture GRM and tiny verifiable-math "measures" splits:
// full fine-tuning with prover-written targets (checked against the trainer's recorded data hash) and LoRA with
// label-only targets (merged into a full checkpoint); both change the weights and report held-out metrics before and
// after that equal the share of held-out pairs each model labels right, counted from its own judgments.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { loadCheckpoint } from '../../core/model/checkpoint/load-checkpoint.js';
import * as path from 'node:path';
import type { Label } from '../../core/data/records.js';
import { canonicalJson, sha256 } from '../../core/pipeline/hash.js';
import { plainChat } from '../../core/reward/prompts.js';
import { answerBlock, grmPrompt, rationaleTarget } from '../../plugins/grm/grm-targets.js';
import type { TargetLine } from '../../plugins/task-adapters/adapt-targets.js';
import type { RationaleLine } from '../../plugins/self-training/prover-rationales.js';
import { countCorrect, FIXTURE_DIR, tempDir, vmathPairs } from './fixture-models.js';
import { pipeline, runIn, vmathSet } from './pipelines.js';

const lines = <T>(file: string): T[] => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
const TRAIN = { steps: 3, lr: 0.003, batchSize: 8, maxLength: 320, warmup: 0, evalEvery: 0 };
const task = vmathPairs('adapt-train', 6);
const held = vmathPairs('adapt-test', 4);

let runDir = '';
test.before(async (t) => {
  const dir = tempDir({ teardown: (fn) => process.once('exit', fn) });
  const common = `    model: grm\n    from: task\n    eval: held\n    evaluator: { kind: pairwise, position: none }\n    evalJudge: { maxTokens: 96 }\n`;
  const r = await runIn(dir, pipeline('adapt', { task: vmathSet('adapt-train', 6), held: vmathSet('adapt-test', 4) }, `  - stage: adapt
    id: full-prover
${common}    prover: prover
    adapter: ${JSON.stringify({ kind: 'fine-tune', targets: 'prover', proof: { k: 2, maxTokens: 100, rules: { maxRationaleBytes: 100 } }, trainer: TRAIN })}
    to: adapted
  - stage: adapt
    id: lora-label-only
${common}    adapter: ${JSON.stringify({ kind: 'fine-tune', targets: 'label-only', trainer: { kind: 'lora', ...TRAIN, lr: 0.02 } })}
    to: adapted-lora
`));
  for (const s of r.stages) t.log(`${s.id}: ${s.summary} (${s.ms} ms)`);
  runDir = r.runDir;
});

/** The share of the held-out pairs the model at `modelDir` labels right, counted from its own judgments. */
async function accuracyOf(modelDir: string): Promise<number> {
  const c = await countCorrect(modelDir, held);
  return c.correct / c.total;
}

test('fine-tune (full) on prover-written targets: the weights change, the data trained on is the prover\'s, before/after are measured', async (t) => {
  const sd = path.join(runDir, 'full-prover');
  const targets = lines<TargetLine>(path.join(sd, 'work/targets.jsonl'));
  const proofs = new Map(lines<RationaleLine>(path.join(sd, 'work/rationales.jsonl')).map((l) => [l.id, l]));
  t.deepEqual(targets.map((l) => l.id), task.map((p) => p.id));
  t.true(targets.some((l) => l.target === 'prover'), 'the prover wrote at least one rationale');
  for (const l of targets) {
    const p = proofs.get(l.id)!;
    t.is(p.label, task.find((x) => x.id === l.id)!.label as Label, 'proved for the gold label');
    if (l.target === 'prover') t.is<string | undefined, string | undefined>(l.rationale, p.rationale);
    else t.true(l.target === 'label-only' && l.proverDropped === p.dropped, 'fallback: label-only when every candidate failed');
  }
  // The trainer recorded a hash of exactly the examples built from those targets.
  const expected = task.map((p) => {
    const l = targets.find((x) => x.id === p.id)!;
    return { id: p.id, prompt: grmPrompt(p, 'compact', plainChat), target: l.target === 'prover' ? rationaleTarget(l.rationale!, p.label!) : answerBlock(p.label!) };
  });
  const run = JSON.parse(readFileSync(path.join(sd, 'work/train/run.json'), 'utf8')) as { data: string; modelPath: string };
  t.is(run.data, sha256(canonicalJson([expected, null])));
  t.is(run.modelPath, path.join(FIXTURE_DIR, 'grm'));
  t.notDeepEqual(readFileSync(path.join(sd, 'adapted/model.safetensors')), readFileSync(path.join(FIXTURE_DIR, 'grm/model.safetensors')));
  const report = JSON.parse(readFileSync(path.join(sd, 'adapted-report/report.json'), 'utf8')) as { before: { metrics: Record<string, number> }; after: { metrics: Record<string, number> }; adapterMetrics: Record<string, number> };
  t.is(report.adapterMetrics.proverRationales, targets.filter((l) => l.target === 'prover').length);
  t.is(report.adapterMetrics.examples, 6);
  t.is(report.before.metrics.accuracy, await accuracyOf(path.join(FIXTURE_DIR, 'grm')));
  t.is(report.after.metrics.accuracy, await accuracyOf(path.join(sd, 'adapted')));
  t.regex(readFileSync(path.join(sd, 'adapted-report/report.md'), 'utf8'), /\| accuracy \| [0-9.]+% \| [0-9.]+% \| [+-][0-9.]+ \|/);
  const meta = JSON.parse(readFileSync(path.join(sd, 'adapted/gramr.json'), 'utf8')) as { role: string; objective: string; training: { trainer: string; steps: number } };
  t.like(meta, { role: 'grm', objective: 'rationale', training: { trainer: 'full', steps: 3 } });
});

test('fine-tune with LoRA on label-only targets: an adapter over the base that loads as a model differing from it', async (t) => {
  const sd = path.join(runDir, 'lora-label-only');
  const targets = lines<TargetLine>(path.join(sd, 'work/targets.jsonl'));
  t.true(targets.every((l) => l.target === 'label-only' && l.rationale === undefined));
  const meta = JSON.parse(readFileSync(path.join(sd, 'adapted-lora/gramr.json'), 'utf8')) as { training: { trainer: string } };
  t.is(meta.training.trainer, 'lora');
  t.false(existsSync(path.join(sd, 'adapted-lora/model.safetensors')), 'no merged copy');
  const [adapted, base] = [await loadCheckpoint(path.join(sd, 'adapted-lora')), await loadCheckpoint(path.join(FIXTURE_DIR, 'grm'))];
  const name = 'model.layers.0.self_attn.q_proj.weight';
  t.notDeepEqual(adapted.weights.get(name)!.data, base.weights.get(name)!.data, 'the merged-as-read weights differ from the base');
  const report = JSON.parse(readFileSync(path.join(sd, 'adapted-lora-report/report.json'), 'utf8')) as { after: { metrics: Record<string, number> } };
  t.is(report.after.metrics.accuracy, await accuracyOf(path.join(sd, 'adapted-lora')));
});
