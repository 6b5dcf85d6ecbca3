// Stage `train-lm`: pretrains a base language model on prompt -> completion documents (the stand-in for the LLM a
// GRM starts from: at small scale, a from-scratch model that first learns the domain's text, e.g. worked column sums).
// Trains with a Trainer kind (objective sft), publishes the checkpoint with gramr.json role `base`, and with `eval`
// measures greedy exact match of held-out completions, so a report can say what the base model knows.
import { inject, injectable } from 'inversify';
import * as path from 'node:path';
import { z } from 'zod';
import type { CompletionExample } from '../../core/data/records.js';
import { WorkError } from '../../core/errors.js';
import { CausalLM } from '../../core/model/causal-lm.js';
import { generate } from '../../core/model/generate.js';
import type { OutputDecl, Stage, StageContext, StageResult } from '../../core/pipeline/stage.js';
import type { Trainer } from '../../core/recipe/trainer.js';
import { splitKind, type KindLookup } from '../../core/di/kind-lookup.js';
import { kindEntry, stopIfDiverged } from '../../core/recipe/stage-helpers.js';
import { MODEL_META_FORMAT } from '../../core/recipe/model-meta.js';
import { describeInit, initInputs, initSchema, prepareInit } from '../../core/recipe/model-init.js';
import { checkpointOf, publishModel } from '../../core/recipe/publish-model.js';
import { KindLookupId } from '../../core/di/identifiers.js';
import { readChecked } from '../../core/data/read-checked.js';

/** Options of `train-lm`. */
export const trainLmSchema = z.object({
  from: z.string().describe('documents to train on (records with string fields prompt and completion; the loss is on the completion)'),
  eval: z.string().optional().describe('held-out documents: after training, the share whose completion the model writes exactly (greedy) is reported'),
  evalLimit: z.number().int().positive().default(200).describe('use at most this many eval documents'),
  to: z.string().describe('model artifact to write (HF checkpoint + gramr.json, role base)'),
  init: initSchema,
  trainer: kindEntry('full', 'Trainer').describe('the Trainer kind and its options, e.g. {kind: full, steps: 1000, lr: 3e-3, maxLength: 64}'),
  seed: z.number().int().optional().describe('seed of the scratch init and the trainer (default: the pipeline seed)'),
  limit: z.number().int().positive().optional().describe('use at most this many documents'),
}).strict();
type TrainLmOptions = z.output<typeof trainLmSchema>;

/** Checks one record is a document; the error names the artifact, the record and the field. */
export function asCompletion(r: unknown, index: number, where: string): CompletionExample {
  const o = r as Record<string, unknown> | null;
  const at = `${where}, record ${index + 1}`;
  if (o === null || typeof o !== 'object') throw new WorkError(`${at}: not an object`);
  for (const field of ['id', 'prompt', 'completion'] as const) {
    if (typeof o[field] !== 'string') throw new WorkError(`${at}: field "${field}" must be a string (got ${o[field] === undefined ? 'nothing' : typeof o[field]})`);
  }
  if ((o.completion as string).length === 0) throw new WorkError(`${at}: field "completion" is empty`);
  return { id: o.id as string, prompt: o.prompt as string, completion: o.completion as string };
}

function readDocuments(name: string, limit: number | undefined, ctx: StageContext, where: string): Promise<CompletionExample[]> {
  return readChecked(ctx.artifacts.records(name), asCompletion, `${where} ("${name}")`, limit);
}

/** Greedy completions of held-out documents: the share written exactly (trailing whitespace ignored). */
async function exactMatch(modelPath: string, docs: readonly CompletionExample[], ctx: StageContext): Promise<number> {
  const model = await CausalLM.load(modelPath, await ctx.backend());
  try {
    let right = 0;
    for (let i = 0; i < docs.length; i += 64) {
      const batch = docs.slice(i, i + 64);
      const longest = Math.max(...batch.map((d) => Buffer.byteLength(d.completion, 'utf8')));
      const out = await generate(model, batch.map((d) => d.prompt), { maxTokens: longest + 2, temperature: 0 });
      out.forEach((g, k) => { if (g.text.trimEnd() === batch[k]!.completion.trimEnd()) right++; });
      ctx.progress.update({ done: Math.min(i + 64, docs.length), total: docs.length, unit: 'documents' });
    }
    return right / docs.length;
  } finally {
    model.dispose();
  }
}

@injectable()
export class TrainLmStage implements Stage<TrainLmOptions> {
  readonly kind = 'train-lm';
  constructor(@inject(KindLookupId) private readonly lookup: KindLookup) {}

  inputs(o: TrainLmOptions): string[] {
    return [o.from, ...(o.eval ? [o.eval] : []), ...initInputs(o.init)];
  }
  outputs(o: TrainLmOptions): OutputDecl[] {
    return [{ name: o.to, kind: 'model' }];
  }

  async run(o: TrainLmOptions, ctx: StageContext): Promise<StageResult> {
    const where = `stage "${ctx.stageId}" (train-lm)`;
    const seed = o.seed ?? ctx.seed;
    const docs = await readDocuments(o.from, o.limit, ctx, where);
    if (docs.length === 0) throw new WorkError(`${where}: "${o.from}" has no documents to train on`);
    const held = o.eval ? await readDocuments(o.eval, o.evalLimit, ctx, where) : undefined;
    const t = splitKind(o.trainer);
    if (t.kind === 'lora' && !('merge' in t.options)) t.options.merge = true; // the artifact must be a full checkpoint
    const trainer = this.lookup.get<Trainer>('Trainer', t.kind, { seed, template: 'none', ...t.options, objective: 'sft' }, `${where}: trainer`);
    const modelPath = await prepareInit(o.init, ctx, seed);
    const report = await trainer.impl.train({
      modelPath, train: docs.map((d) => ({ id: d.id, prompt: d.prompt, target: d.completion })),
      outDir: path.join(ctx.dir, 'train'), options: trainer.options, labelsChecked: true,
    }, ctx);
    stopIfDiverged(report, where);
    const outDir = ctx.artifacts.outputDir(o.to);
    const addEos = (trainer.options as { addEos?: boolean }).addEos !== false;
    await publishModel(checkpointOf(report, where), outDir, {
      format: MODEL_META_FORMAT, role: 'base', promptFormat: 'none', chat: 'none', addEos,
      training: { trainer: t.kind, steps: report.steps, finalLoss: report.finalLoss, stopReason: report.stopReason, init: describeInit(o.init) },
    });
    const exact = held && held.length > 0 ? await exactMatch(outDir, held, ctx) : undefined;
    return {
      metrics: {
        documents: docs.length, steps: report.steps, finalLoss: report.finalLoss, tokensPerSecond: report.tokensPerSecond,
        ...(exact !== undefined ? { evalDocuments: held!.length, exactMatch: exact } : {}),
      },
      summary: `base model trained on ${docs.length} documents: ${report.steps} steps, loss ${report.finalLoss.toFixed(4)}, `
        + `${Math.round(report.tokensPerSecond)} tokens/s${exact !== undefined ? `; held-out completions exact ${(100 * exact).toFixed(1)}% of ${held!.length}` : ''} -> ${o.to}`,
    };
  }
}
