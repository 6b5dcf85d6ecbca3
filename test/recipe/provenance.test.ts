// What a train-grm run records and prints: training.json and the LoRA adapter_config.json name the chat format the
// prompts were actually rendered with (here the model's own chat template, not the trainer's default "plain"), and
// a one-class warning is printed once (the stage checks labels; the trainer does not repeat it). Storage: the
// published model shares its files with the trainer's merged checkpoint by hard link, so the run folder holds one
// full model on disk, not two.
import test from 'ava';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pipelineText, runIn } from './pipeline-helpers.js';

const BASE = path.resolve(process.cwd(), 'test/fixtures/self-training/grm');
const oneClass = Array.from({ length: 8 }, (_, i) => ({ id: `p${i}`, prompt: `${i}+1?`, a: String(i + 1), b: String(i + 2), label: 'A' }));

/** Every file named `name` under `dir`. */
function find(dir: string, name: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile() && e.name === name).map((e) => path.join(e.parentPath, e.name));
}

test('train-grm (lora, chat: template) records template "template"; one-class warned once; one adapter and no full model on disk', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gramr-provenance-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const stages = `  - stage: train-grm
    from: pairs
    to: grm
    objective: label-only
    init: { from: base }
    chat: template
    trainer: { kind: lora, steps: 2, lr: 0.001, batchSize: 4, maxLength: 256, buckets: 1, warmup: 0, evalEvery: 0, checkpointEvery: 1000 }
`;
  const r = await runIn(dir, pipelineText(dir, 'prov', { pairs: { kind: 'inline', records: oneClass } }, stages, { base: BASE }));
  t.is(r.stages[0]!.status, 'ran');
  const stageDir = path.join(r.runDir, 'train-grm');
  const trainingJson = find(stageDir, 'training.json');
  t.true(trainingJson.length > 0);
  for (const f of trainingJson) t.is((JSON.parse(readFileSync(f, 'utf8')) as { template: string }).template, 'template', f);
  const adapters = find(stageDir, 'adapter_config.json');
  t.true(adapters.length > 0, 'a lora run without merge keeps its adapter');
  for (const f of adapters) t.is((JSON.parse(readFileSync(f, 'utf8')) as { gramr: { template: string } }).gramr.template, 'template', f);
  const events = readFileSync(path.join(stageDir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; message?: string });
  const oneClassLines = events.filter((e) => /one-class/.test(e.message ?? ''));
  t.log(oneClassLines.map((e) => e.message).join('\n'));
  t.is(oneClassLines.length, 1, 'the one-class warning is printed once');
  t.regex(oneClassLines[0]!.message!, /^warning: one-class data: all 8 examples of "pairs" are labeled A/);
  t.true(existsSync(path.join(stageDir, 'manifest.json')));
  // No full model on disk: the published model is the adapter (over its base), linked from the trainer's result.
  t.deepEqual(find(r.runDir, 'model.safetensors'), []);
  const weights = find(r.runDir, 'adapter_model.safetensors');
  t.true(weights.length >= 2, weights.join(', '));
  const inodes = new Set(weights.map((f) => statSync(f).ino));
  t.is(inodes.size, 1, `${weights.length} adapter_model.safetensors files, ${inodes.size} on disk`);
  t.is(statSync(path.join(stageDir, 'grm', 'adapter_model.safetensors')).nlink, weights.length);
});
