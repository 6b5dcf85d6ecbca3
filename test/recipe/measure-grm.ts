// Measurement script (not a test): trains a GRM with train-grm on verifiable-math data through the pipeline
// runner, then judges the held-out `test` split with judgeForModel and the `pairwise` evaluator (position both),
// printing accuracy, no-answer rate, training tokens/s and wall time as JSON. Used to measure what the tiny
// models reach beyond the unit tests' budget:
//   node dist/test/recipe/measure-grm.js --objective rationale --steps 600 --backend onnx [--hidden 64 --layers 2]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PairwiseEvaluator } from '../../plugins/evaluators/pairwise-evaluator.js';
import { judgeForModel } from '../../plugins/grm/judge-for-model.js';
import { createAppContainer } from '../../cli/app.js';
import type { ComputeBackend } from '../../core/tensor/backend.js';
import { defaultTaskContext } from '../../core/pipeline/task-context.js';
import { pipelineText, runIn, pipelinePlugins } from './pipeline-helpers.js';
import { vmath } from './helpers.js';
import type { Label, PreferencePair } from '../../core/data/records.js';
import { problemOf, referenceRationale } from '../../plugins/verifiable-math/index.js';
import { ModelJudgeOpener } from '../../core/reward/judge-opener.js';

const arg = (name: string, dflt: string): string => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1]! : dflt; };

async function main(): Promise<void> {
  const objective = arg('objective', 'rationale'), steps = Number(arg('steps', '300')), backendName = arg('backend', 'cpu');
  const hidden = Number(arg('hidden', '64')), layers = Number(arg('layers', '2')), trainCount = Number(arg('train', '3000'));
  const positions = Number(arg('positions', '512')), testCount = Number(arg('test', '200')), lr = Number(arg('lr', '3e-3')), batch = Number(arg('batch', '16')), maxSteps = Number(arg('maxSteps', '1'));
  const dir = mkdtempSync(path.join(tmpdir(), 'gramr-measure-'));
  const difficulty = { maxSteps };
  const errorTypes = maxSteps < 2 ? ['slipped-digit', 'wrong-operation', 'carry-error'] : undefined;
  // The labeled split for every objective (the same pairs), with the oracle's reference rationale added: what a
  // perfect prover would write (the seed split is small by design).
  const data = vmath({ split: 'labeled', count: trainCount, difficulty, ...(errorTypes ? { errorTypes } : {}) } as never)
    .map((r) => { const p = r as PreferencePair & { label: Label }; return { ...p, rationale: referenceRationale(problemOf(p), p.a, p.b, p.label) }; });
  const test = vmath({ split: 'test', count: testCount, difficulty, ...(errorTypes ? { errorTypes } : {}) } as never);
  const text = pipelineText(dir, 'measure', { train: { kind: 'inline', records: data } }, `  - stage: train-grm
    from: train
    to: grm
    objective: ${objective}
    init: { scratch: { hiddenSize: ${hidden}, layers: ${layers}, heads: 4, intermediate: ${hidden * 3}, maxPositions: ${positions} } }
    trainer: { steps: ${steps}, lr: ${lr}, batchSize: ${batch}, maxLength: 256, evalEvery: 0, checkpointEvery: 1000, warmup: 20 }
    stage1: { steps: ${Math.round(steps / 2)} }
`).replace('backend: { prefer: [cpu] }', `backend: { prefer: [${backendName}] }`);
  const t0 = Date.now();
  const r = await runIn(dir, text);
  const trainMs = Date.now() - t0;
  const st = r.stages[0]!;
  const container = await createAppContainer(pipelinePlugins(dir).filter((p) => !p.startsWith('./')).map((p) => ({ spec: p, label: 'trainers' })));
  const backend = container.get<ComputeBackend>('ComputeBackend', backendName);
  await backend.init();
  const judge = await judgeForModel(new ModelJudgeOpener(), path.join(r.runDir, 'train-grm', 'grm'), backend, { batchSize: 16 });
  const t1 = Date.now();
  const report = await new PairwiseEvaluator().evaluate(test, judge, { position: 'both', batchSize: 32 }, defaultTaskContext(0));
  judge.dispose();
  console.log(JSON.stringify({
    objective, steps, hidden, layers, positions, backend: r.backend.name, trainExamples: data.length, testPairs: test.length,
    trainMs, tokensPerSecond: st.metrics.tokensPerSecond, finalLoss: st.metrics.finalLoss, evalMs: Date.now() - t1,
    accuracy: report.metrics.accuracy, pairAccuracy: report.metrics.pairAccuracy, noAnswerRate: report.metrics.noAnswerRate,
    flipRate: report.metrics.flipRate, firstPositionRate: report.metrics.firstPositionRate,
  }));
  rmSync(dir, { recursive: true, force: true });
}

await main();
