// The trainers plugin: its ContainerModule binds `full` and `lora` under ServiceIds.Trainer with strict option
// schemas whose defaults are described; bad options are ConfigErrors naming the field; scratch checkpoints load.
import 'reflect-metadata';
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Container } from 'inversify';
import { KindContributionId, ServiceIds } from '../../core/di/identifiers.js';
import type { KindContribution } from '../../core/di/kind-contribution.js';
import { CausalLM } from '../../core/model/causal-lm.js';
import { ByteTokenizer } from '../../core/model/tokenizer/byte-tokenizer.js';
import type { Trainer } from '../../core/recipe/trainer.js';
import { initScratchCheckpoint } from '../../core/training/scratch-checkpoint.js';
import { fullTrainerSchema, loraTrainerSchema } from '../../core/training/train-options.js';
import trainersModule, { FullTrainer, LoraTrainer } from '../../plugins/trainers/index.js';
import { cleanup, context, cpu, tempDir, tinyBase } from './helpers.js';

test('the module binds full and lora as Trainer kinds with strict, described schemas', (t) => {
  const container = new Container();
  container.load(trainersModule);
  t.true(container.get<Trainer>(ServiceIds.Trainer, { name: 'full' }) instanceof FullTrainer);
  t.true(container.get<Trainer>(ServiceIds.Trainer, { name: 'lora' }) instanceof LoraTrainer);
  const contributions = container.getAll<KindContribution>(KindContributionId);
  t.deepEqual(contributions.map((c) => `${c.point}/${c.kind}/${c.plugin}`).sort(), ['Trainer/full/trainers', 'Trainer/lora/trainers']);
  for (const c of contributions) {
    t.false(c.schema.safeParse({ learningRate: 1 }).success, `${c.kind} rejects unknown keys`);
    t.true(c.schema.safeParse({}).success);
  }
  const full = fullTrainerSchema.parse({}), lora = loraTrainerSchema.parse({});
  t.like(full, { objective: 'sft', epsilon: 0.05, epochs: 1, batchSize: 8, gradAccum: 1, maxLength: 512, buckets: 4, truncation: 'left', clip: 1, patience: 0, template: 'plain' });
  t.like(lora, { r: 8, alpha: 16, dropout: 0, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], merge: false });
  t.false('r' in full);
  // every option has a description (the config reference is generated from them)
  for (const schema of [fullTrainerSchema, loraTrainerSchema]) {
    for (const [key, field] of Object.entries(schema.shape)) t.true(((field as { description?: string }).description ?? '').length > 10, key);
  }
});

test('bad options are ConfigErrors naming the kind and the field; scratch checkpoints load with their tokenizer', async (t) => {
  const dir = await tempDir('plugin');
  try {
    const base = await tinyBase(dir);
    const job = { modelPath: base, train: [{ id: 'a', prompt: 'q', target: 'a' }], outDir: join(dir, 'out') };
    await t.throwsAsync(new LoraTrainer().train({ ...job, options: { r: 0 } }, await context()), { message: /lora trainer options are invalid:[\s\S]*r/ });
    await t.throwsAsync(new FullTrainer().train({ ...job, options: { targets: ['q_proj'] } }, await context()), { message: /full trainer options are invalid:[\s\S]*targets/ });
    await t.throwsAsync(new FullTrainer().train({ ...job, options: { objective: 'bradley-terry', steps: 1 } }, await context()),
      { message: /bradley-terry needs pairs \{id, prompt, chosen, rejected\}; example 0 \(id "a"\) has id, prompt, target/ });
    const tok = new ByteTokenizer({ extraSpecials: ['<|user|>', '<|assistant|>'] });
    const { config } = await initScratchCheckpoint(join(dir, 'scratch'), { hiddenSize: 32, layers: 2, heads: 4, kvHeads: 2, intermediate: 48, maxPositions: 128, tokenizer: tok }, 7);
    t.like(config, { vocabSize: 261, hiddenSize: 32, numLayers: 2, numHeads: 4, numKvHeads: 2, intermediateSize: 48, maxPositions: 128, bosTokenId: 257, eosTokenIds: [258] });
    const model = await CausalLM.load(join(dir, 'scratch'), await cpu());
    t.is(model.tokenizer!.vocabSize, 261);
    t.deepEqual(model.tokenizer!.encode('<|user|>'), [257, 259]);
    model.dispose();
    const small = await initScratchCheckpoint(join(dir, 'rope'), { hiddenSize: 32, layers: 1, heads: 4, intermediate: 48, maxPositions: 64, ropeTheta: 300 }, 7);
    t.is(small.config.ropeTheta, 300);
    const written = JSON.parse(await readFile(join(dir, 'rope', 'config.json'), 'utf8')) as { rope_theta: number };
    t.is(written.rope_theta, 300);
    t.is(config.ropeTheta, 10000);
  } finally {
    await cleanup(dir);
  }
});
