// Regenerates the trained models the self-training tests start from (test/fixtures/self-training/: a rationale GRM and
// an sft-prover, h32 / 2 layers / byte tokenizer) with the real train-prover and train-grm stages on 1-step
// verifiable-math seed examples. Not a test. The committed ones: 800 steps on onnx (about 5 minutes on 2 cores):
//   npx tsc -p tsconfig.json && node dist/test/self-training/make-fixtures.js [steps=600] [backend=onnx]
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadAppPipeline } from '../../cli/app.js';
import { defaultTaskContext } from '../../core/pipeline/task-context.js';
import { runPipeline } from '../../core/pipeline/runner.js';
import { judgeForModel } from '../../plugins/grm/judge-for-model.js';
import { createBackend, FIXTURE_DATA, FIXTURE_DIR, FIXTURE_SCRATCH, vmathPairs } from './fixture-models.js';
import { ModelJudgeOpener } from '../../core/reward/judge-opener.js';

const steps = Number(process.argv[2] ?? 600);
const backend = process.argv[3] ?? 'onnx';
const scratch = JSON.stringify({ scratch: FIXTURE_SCRATCH });
const trainer = JSON.stringify({ steps, lr: 0.01, batchSize: 16, maxLength: 320, evalEvery: 0, checkpointEvery: 200, warmup: 20 });
const dir = mkdtempSync(path.join(tmpdir(), 'gramr-st-fixtures-'));
const file = path.join(dir, 'fixtures.yaml');
writeFileSync(file, `name: st-fixtures
seed: 0
backend: { prefer: [${backend}, cpu] }
datasets:
  seed: ${JSON.stringify({ kind: 'verifiable-math', split: 'seed', ...FIXTURE_DATA, count: 300 })}
stages:
  - stage: train-prover
    from: seed
    to: prover
    init: ${scratch}
    prover: { chat: plain }
    trainer: ${trainer}
  - stage: train-grm
    from: seed
    to: grm
    objective: rationale
    chat: plain
    init: ${scratch}
    trainer: ${trainer}
`);
const t0 = Date.now();
const r = await runPipeline(await loadAppPipeline(file), { runsDir: path.join(dir, 'runs'), progress: 'quiet' });
for (const s of r.stages) console.log(`${s.id}: ${s.summary} (${s.ms} ms)`);
for (const name of ['prover', 'grm']) {
  const out = path.join(FIXTURE_DIR, name);
  rmSync(out, { recursive: true, force: true });
  cpSync(path.join(r.runDir, name === 'grm' ? 'train-grm' : 'train-prover', name), out, { recursive: true });
}
// How usable they are (greedy judging of held-out pairs).
const judge = await judgeForModel(new ModelJudgeOpener(), path.join(FIXTURE_DIR, 'grm'), await createBackend('cpu'), { maxTokens: 96 });
const test = vmathPairs('test', 24, 7);
const out = await judge(test.map((p) => ({ prompt: p.prompt, a: p.a, b: p.b })), defaultTaskContext());
const answered = out.filter((o) => o.label !== undefined).length;
const correct = out.filter((o, i) => o.label === test[i]!.label).length;
console.log(`grm fixture: ${answered}/${test.length} answered, ${correct} correct; ${((Date.now() - t0) / 1000).toFixed(0)} s in all`);
judge.dispose();
rmSync(dir, { recursive: true, force: true });
