// Exact resume on the CPU backend: 2N steps straight vs N steps, a crash (no checkpoint after N), and a resume of N
// more give bit-identical weights and optimizer state — for full training with gradient accumulation over two
// length buckets, and for LoRA with dropout. Cancelling saves a checkpoint first; changed settings are refused.
import test from 'ava';
import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import type { SftExample } from '../../core/recipe/trainer.js';
import { runTraining } from '../../core/training/run-training.js';
import { additionTask, bytes, cleanup, context, tempDir, tinyBase } from './helpers.js';

// Two length buckets: the additions (8 tokens) and longer phrasings (about 24).
function data(): { train: SftExample[]; held: SftExample[] } {
  const { train, held } = additionTask();
  const longer = train.slice(0, 20).map((e) => ({ id: `long-${e.id}`, prompt: `what is ${e.prompt.replace('=', '')} then? `, target: e.target }));
  return { train: [...train, ...longer], held };
}

const common = { lr: 3e-3, steps: 8, batchSize: 8, buckets: 2, evalEvery: 2, checkpointEvery: 4, warmup: 2, weightDecay: 0.01 };

for (const variant of [
  { name: 'full, gradient accumulation 2', kind: 'full' as const, options: { ...common, gradAccum: 2 }, file: 'model.safetensors' },
  { name: 'lora, dropout 0.1', kind: 'lora' as const, options: { ...common, lr: 1e-2, r: 4, dropout: 0.1, targets: ['q_proj', 'v_proj', 'down_proj'] }, file: 'adapter_model.safetensors' },
]) {
  test(`${variant.name}: N steps + crash + resume N equals 2N straight, bit for bit`, async (t) => {
    const dir = await tempDir('resume');
    try {
      const base = await tinyBase(dir);
      const { train, held } = data();
      const options = variant.options;
      const straight = await runTraining(variant.kind, { modelPath: base, train, evalSet: held, outDir: join(dir, 'a'), options }, await context(5));
      t.is(straight.steps, 8);
      // the crash: the process dies at step 6, after the checkpoint of step 4
      const crashing = await context(5, (u) => { if (u.done === 6) throw new Error('simulated crash'); });
      await t.throwsAsync(runTraining(variant.kind, { modelPath: base, train, evalSet: held, outDir: join(dir, 'b'), options }, crashing), { message: 'simulated crash' });
      await t.notThrowsAsync(stat(join(dir, 'b/checkpoints/step-00000004/optimizer.safetensors')));
      await t.throwsAsync(stat(join(dir, 'b/report.json')));
      const resumedCtx = await context(5);
      const resumed = await runTraining(variant.kind, { modelPath: base, train, evalSet: held, outDir: join(dir, 'b'), options }, resumedCtx);
      t.is(resumed.resumedFromStep, 4);
      t.true(resumedCtx.logs.some((l) => l.startsWith('resumed from step 4')));
      t.is(resumedCtx.updates[0]!.done, 5);
      t.is(resumed.steps, 8);
      t.is(resumed.finalLoss, straight.finalLoss);
      t.deepEqual(resumed.evals, straight.evals);
      for (const f of ['weights.safetensors', 'optimizer.safetensors']) {
        t.true((await bytes(join(dir, 'a/checkpoints/step-00000008', f))).equals(await bytes(join(dir, 'b/checkpoints/step-00000008', f))), f);
      }
      t.true((await bytes(join(dir, 'a/model', variant.file))).equals(await bytes(join(dir, 'b/model', variant.file))), variant.file);
    } finally {
      await cleanup(dir);
    }
  });
}

test('cancelling saves a checkpoint and throws the reason; the resumed run matches; changed settings are refused', async (t) => {
  const dir = await tempDir('cancel');
  try {
    const base = await tinyBase(dir);
    const { train } = data();
    const options = { ...common, evalEvery: 0 };
    const straight = await runTraining('full', { modelPath: base, train, outDir: join(dir, 'a'), options }, await context(2));
    const cancelling = await context(2, (u, ctx) => { if (u.done === 3) ctx.abort.abort(new Error('user cancelled')); });
    await t.throwsAsync(runTraining('full', { modelPath: base, train, outDir: join(dir, 'b'), options }, cancelling), { message: 'user cancelled' });
    t.true(cancelling.logs.includes('cancelled at step 3; checkpoint saved'));
    const resumed = await runTraining('full', { modelPath: base, train, outDir: join(dir, 'b'), options }, await context(2));
    t.is(resumed.resumedFromStep, 3);
    t.true((await bytes(join(dir, 'a/model/model.safetensors'))).equals(await bytes(join(dir, 'b/model/model.safetensors'))));
    t.is(straight.stopReason, 'done');
    const changed = { ...common, evalEvery: 0, lr: 1e-3 };
    await t.throwsAsync(runTraining('full', { modelPath: base, train, outDir: join(dir, 'b'), options: changed }, await context(2)),
      { message: /holds a training run with different settings: options\.lr \(0\.003 -> 0\.001\)/ });
    await t.throwsAsync(runTraining('full', { modelPath: base, train: train.slice(1), outDir: join(dir, 'b'), options }, await context(2)),
      { message: /different settings: the training\/eval examples/ });
  } finally {
    await cleanup(dir);
  }
});
