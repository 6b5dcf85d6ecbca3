// The built-in TaskAdapter kind `fine-tune` (METHOD.md, "Task adaptation"): fine-tunes the foundation GRM on a small
// labeled task set with a Trainer kind (full, or LoRA: an adapter over its recorded base), through core/training. Pairs
// without rationales get targets by the `targets` option (adapt-targets.ts); a prover's rationales are logged by pair
// id (resumable), the trainer resumes from its checkpoints, and the result is published with gramr.json.
import { inject, injectable } from 'inversify';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import { ConfigError, WorkError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/io/atomic-write.js';
import { loadTokenizer } from '../../core/model/tokenizer/load-tokenizer.js';
import type { AdaptJob, AdaptResult, TaskAdapter } from '../../core/recipe/task-adapter.js';
import type { Trainer, TrainerContext } from '../../core/recipe/trainer.js';
import { chatRendererFor, type ChatMode } from '../../core/reward/chat-renderer.js';
import type { PromptFormat } from '../../core/reward/prompts.js';
import type { GrmObjective } from '../grm/grm-targets.js';
import { splitKind, type KindLookup } from '../../core/di/kind-lookup.js';
import { MODEL_META_FORMAT, readModelMeta, type ModelMeta } from '../../core/recipe/model-meta.js';
import { checkpointOf, publishModel } from '../../core/recipe/publish-model.js';
import { stopIfDiverged } from '../../core/recipe/stage-helpers.js';
import { trainerObjective } from '../grm/train-grm-stage.js';
import { KeyedLog } from '../self-training/keyed-log.js';
import { openProverSession } from '../self-training/open-prover.js';
import type { RationaleLine } from '../self-training/prover-rationales.js';
import { adaptExamples, type TaskPair } from './adapt-targets.js';
import { fineTuneSchema, type FineTuneOptions } from './fine-tune-options.js';
import { KindLookupId } from '../../core/di/identifiers.js';

/** The foundation model's gramr.json, or the defaults judgeForModel assumes (a compact rationale GRM). */
export async function foundationMeta(modelPath: string, where: string): Promise<ModelMeta> {
  const meta = await readModelMeta(modelPath);
  if (meta && meta.role !== 'grm') throw new ConfigError(`${where}: ${modelPath} is a ${meta.role} (gramr.json role), not a GRM`);
  return meta ?? {
    format: MODEL_META_FORMAT, role: 'grm', objective: 'rationale', promptFormat: 'compact', chat: 'auto', labelTokens: { A: 'A', B: 'B' }, addEos: true,
    training: { trainer: 'unknown', steps: 0, finalLoss: Number.NaN, stopReason: 'unknown', init: 'unknown' },
  };
}

/** The `fine-tune` adapter. */
@injectable()
export class FineTuneAdapter implements TaskAdapter {
  readonly kind = 'fine-tune';
  constructor(@inject(KindLookupId) private readonly lookup: KindLookup) {}

  async adapt(job: AdaptJob, options: unknown, ctx: TrainerContext): Promise<AdaptResult> {
    const parsed = fineTuneSchema.safeParse(options ?? {});
    if (!parsed.success) throw new ConfigError(`fine-tune adapter options are invalid:\n${z.prettifyError(parsed.error)}`);
    const o: FineTuneOptions = parsed.data;
    const where = 'fine-tune adapter';
    const seed = o.seed ?? ctx.seed;
    const meta = await foundationMeta(job.modelPath, where);
    const objective = (meta.objective ?? 'rationale') as GrmObjective;
    const labelTokens = meta.labelTokens ?? { A: 'A', B: 'B' };
    const tokenizer = await loadTokenizer(job.modelPath);
    const settings = { format: meta.promptFormat as PromptFormat, chat: chatRendererFor(tokenizer, meta.chat as ChatMode).render, labelTokens };
    const pairs = job.examples.filter((p): p is TaskPair => p.label === 'A' || p.label === 'B');
    const skipped = job.examples.length - pairs.length;
    if (skipped) ctx.progress.log(`${where}: ${skipped} pairs without an A/B label are skipped`);
    await mkdir(job.outDir, { recursive: true });

    const log = await KeyedLog.open<RationaleLine>(path.join(job.outDir, 'rationales.jsonl'));
    let built;
    try {
      const prover = job.proverPath === undefined ? undefined : {
        log, batchSize: o.batchSize,
        open: () => openProverSession(job.proverPath!, { ...o.proof, seed: o.proof.seed ?? seed }, this.lookup, ctx, where),
      };
      if (o.targets === 'prover' && !prover) throw new ConfigError(`${where}: targets: prover needs a prover model; give the adapt stage a prover (or use targets: label-only)`);
      built = await adaptExamples(objective, pairs, o.targets, o.fallback, settings, prover, { ...ctx, seed });
      await log.commit();
    } catch (e) {
      await log.abandon();
      throw e;
    }
    await writeFileAtomic(path.join(job.outDir, 'targets.jsonl'), built.lines.map((l) => JSON.stringify(l) + '\n').join(''));
    const count = (t: string): number => built.lines.filter((l) => l.target === t).length;
    if (built.examples.length === 0) throw new WorkError(`${where}: no training example is left (${job.examples.length} pairs, ${skipped} without a label, ${count('dropped')} dropped by the prover's rules)`);

    const t = splitKind(o.trainer);
    const effective: GrmObjective = objective === 'gram-v1' || objective === 'bradley-terry' ? objective : 'rationale';
    const epsilon = Number((meta.training.objectiveDetail as { epsilon?: unknown } | undefined)?.epsilon ?? 0.05);
    const trainer = this.lookup.get<Trainer>('Trainer', t.kind, { seed, ...t.options, ...trainerObjective(effective, { labelTokens, epsilon }) }, `${where}: trainer`);
    ctx.progress.log(`${where}: ${t.kind} fine-tuning on ${built.examples.length} examples (${count('prover')} prover rationales, ${count('rationale')} own rationales, ${count('label-only')} label-only)`);
    const report = await trainer.impl.train({ modelPath: job.modelPath, train: built.examples, outDir: path.join(job.outDir, 'train'), options: trainer.options }, ctx);
    stopIfDiverged(report, where);
    const modelDir = path.join(job.outDir, 'model');
    await mkdir(modelDir, { recursive: true });
    await publishModel(checkpointOf(report, where), modelDir, {
      ...meta, addEos: (trainer.options as { addEos?: boolean }).addEos !== false,
      training: {
        trainer: t.kind, steps: report.steps, finalLoss: report.finalLoss, stopReason: report.stopReason, init: `adapt:fine-tune (${meta.training.init})`,
        objectiveDetail: { ...trainerObjective(effective, { labelTokens, epsilon }), targets: o.targets, proverRationales: count('prover'), labelOnly: count('label-only') },
      },
    });
    return {
      modelPath: modelDir,
      metrics: {
        examples: built.examples.length, skipped, proverRationales: count('prover'), ownRationales: count('rationale'), labelOnly: count('label-only'),
        droppedByProver: count('dropped'), steps: report.steps, finalLoss: report.finalLoss,
      },
    };
  }
}
