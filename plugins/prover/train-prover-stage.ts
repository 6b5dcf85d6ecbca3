// Stage `train-prover` (METHOD.md recipe step 1): rationale examples -> a preference-proving model (model artifact).
// Starts from a seeded scratch model or a model artifact, trains with the configured Prover and Trainer kinds
// (the trainer resumes from its checkpoints in the stage folder after a kill), and publishes the checkpoint with
// gramr.json (role prover, prompt format, options).
import { inject, injectable } from 'inversify';
import * as path from 'node:path';
import { z } from 'zod';
import type { RationaleExample } from '../../core/data/records.js';
import { WorkError } from '../../core/errors.js';
import type { OutputDecl, Stage, StageContext, StageResult } from '../../core/pipeline/stage.js';
import type { Prover } from '../../core/recipe/prover.js';
import type { Trainer } from '../../core/recipe/trainer.js';
import { splitKind, type KindLookup } from '../../core/di/kind-lookup.js';
import { kindEntry, stopIfDiverged } from '../../core/recipe/stage-helpers.js';
import { MODEL_META_FORMAT } from '../../core/recipe/model-meta.js';
import { describeInit, initInputs, initSchema, prepareInit } from '../../core/recipe/model-init.js';
import { checkpointOf, publishModel } from '../../core/recipe/publish-model.js';
import { asRationaleExample, labelBalance } from '../../core/recipe/record-checks.js';
import { KindLookupId } from '../../core/di/identifiers.js';
import { readChecked } from '../../core/data/read-checked.js';

/** Options of `train-prover`. */
export const trainProverSchema = z.object({
  from: z.string().describe('rationale examples (RationaleExample records: pair, label A|B, rationale)'),
  eval: z.string().optional().describe('held-out rationale examples for the trainer\'s eval loss / early stopping'),
  to: z.string().describe('model artifact to write (HF checkpoint + gramr.json)'),
  init: initSchema,
  prover: kindEntry('sft-prover', 'Prover').describe('the Prover kind and its options, e.g. {kind: sft-prover, promptFormat: compact, unconditionalRate: 0.1}'),
  trainer: kindEntry('full', 'Trainer').describe('the Trainer kind and its options, e.g. {kind: full, steps: 400, lr: 1e-3, maxLength: 384}'),
  seed: z.number().int().optional().describe('seed of the scratch init and the trainer (default: the pipeline seed)'),
  limit: z.number().int().positive().optional().describe('use at most this many examples'),
}).strict();
type TrainProverOptions = z.output<typeof trainProverSchema>;

/** Reads `name` as rationale examples (checked), at most `limit`. */
export function readRationaleExamples(name: string, limit: number | undefined, ctx: StageContext, where: string): Promise<RationaleExample[]> {
  return readChecked(ctx.artifacts.records(name), asRationaleExample, `${where} ("${name}")`, limit);
}

@injectable()
export class TrainProverStage implements Stage<TrainProverOptions> {
  readonly kind = 'train-prover';
  constructor(@inject(KindLookupId) private readonly lookup: KindLookup) {}

  inputs(o: TrainProverOptions): string[] {
    return [o.from, ...(o.eval ? [o.eval] : []), ...initInputs(o.init)];
  }
  outputs(o: TrainProverOptions): OutputDecl[] {
    return [{ name: o.to, kind: 'model' }];
  }

  async run(o: TrainProverOptions, ctx: StageContext): Promise<StageResult> {
    const where = `stage "${ctx.stageId}" (train-prover)`;
    const seed = o.seed ?? ctx.seed;
    const examples = await readRationaleExamples(o.from, o.limit, ctx, where);
    if (examples.length === 0) throw new WorkError(`${where}: "${o.from}" has no examples to train on`);
    const evalSet = o.eval ? await readRationaleExamples(o.eval, undefined, ctx, where) : undefined;
    const balance = labelBalance(examples.map((e) => e.label), `examples of "${o.from}"`);
    if (balance.warning) ctx.progress.log(`warning: ${balance.warning}`);
    const p = splitKind(o.prover), t = splitKind(o.trainer);
    const prover = this.lookup.get<Prover>('Prover', p.kind, p.options, `${where}: prover`);
    const trainer = this.lookup.get<Trainer>('Trainer', t.kind, { seed, ...t.options }, `${where}: trainer`);
    const modelPath = await prepareInit(o.init, ctx, seed);
    const report = await prover.impl.train({
      examples, ...(evalSet ? { evalSet } : {}), modelPath, outDir: path.join(ctx.dir, 'train'), trainer: trainer.impl, trainerOptions: trainer.options,
    }, p.options, ctx);
    stopIfDiverged(report, where);
    const described = prover.impl.describe(p.options);
    const addEos = (trainer.options as { addEos?: boolean }).addEos !== false;
    const outDir = ctx.artifacts.outputDir(o.to);
    await publishModel(checkpointOf(report, where), outDir, {
      format: MODEL_META_FORMAT, role: 'prover', promptFormat: String(described.promptFormat ?? 'compact'), chat: String(described.chat ?? 'auto'),
      addEos, prover: { kind: p.kind, options: { ...described, addEos } },
      training: { trainer: t.kind, steps: report.steps, finalLoss: report.finalLoss, stopReason: report.stopReason, init: describeInit(o.init) },
    });
    return {
      metrics: {
        examples: examples.length, labelsA: balance.A, labelsB: balance.B, oneClass: balance.oneClass ? 1 : 0, steps: report.steps,
        finalLoss: report.finalLoss, tokensPerSecond: report.tokensPerSecond, ...(report.bestEvalLoss !== undefined ? { bestEvalLoss: report.bestEvalLoss } : {}),
      },
      summary: `prover trained on ${examples.length} examples: ${report.steps} steps, loss ${report.finalLoss.toFixed(4)}, ${Math.round(report.tokensPerSecond)} tokens/s -> ${o.to}${balance.oneClass ? ' (WARNING: one-class data)' : ''}`,
    };
  }
}
