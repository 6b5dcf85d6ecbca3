// The trainers plugin: one inversify ContainerModule contributing the Trainer kinds `full` (every decoder weight
// trained) and `lora` (base frozen, low-rank adapters trained), each with its strict zod options schema. Both run
// core/training's loop; docs/training.md describes options, bucketing, checkpoints, resume, LoRA files and losses.
import { ContainerModule } from 'inversify';
import { contributeKind } from '../../core/di/kind-contribution.js';
import type { Trainer, TrainerContext, TrainJob, TrainReport } from '../../core/recipe/trainer.js';
import { runTraining } from '../../core/training/run-training.js';
import { fullTrainerSchema, loraTrainerSchema } from '../../core/training/train-options.js';

/** The plugin's name in contributions. */
export const TRAINERS_PLUGIN = 'trainers';

/** Full fine-tuning: every parameter gets AdamW updates. */
export class FullTrainer implements Trainer {
  readonly kind = 'full';
  train(job: TrainJob, ctx: TrainerContext): Promise<TrainReport> {
    return runTraining('full', job, ctx);
  }
}

/** LoRA fine-tuning: the base is a frozen input, adapters A·B (B starting at zero) are trained and saved. */
export class LoraTrainer implements Trainer {
  readonly kind = 'lora';
  train(job: TrainJob, ctx: TrainerContext): Promise<TrainReport> {
    return runTraining('lora', job, ctx);
  }
}

/** The plugin module: binds both kinds under ServiceIds.Trainer with their option schemas. */
const trainersModule = new ContainerModule((options) => {
  contributeKind<Trainer>(options, TRAINERS_PLUGIN, {
    point: 'Trainer', kind: 'full', impl: () => new FullTrainer(), schema: fullTrainerSchema,
    description: 'full fine-tuning (SFT, GRAM v1 label smoothing or Bradley–Terry head): AdamW, cosine warmup, buckets, eval, early stop, exact resume',
  });
  contributeKind<Trainer>(options, TRAINERS_PLUGIN, {
    point: 'Trainer', kind: 'lora', impl: () => new LoraTrainer(), schema: loraTrainerSchema,
    description: 'LoRA fine-tuning: frozen base, rank-r adapters on chosen projections; self-describing adapter files, optional merge',
  });
});
export default trainersModule;
