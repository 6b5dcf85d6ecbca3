// Stage `train-grm` (METHOD.md recipe steps 3 and 5, and the paper's baselines): trains a reward model with one of
// four objectives — `rationale` (GRAM-R²: prompt(s) -> <think> z </think><answer> l </answer>), `label-only` (the
// generative baseline: -> <answer> l </answer>), `gram-v1` (stage 1 response-pair LM, then label smoothing over the two
// label tokens) and `bradley-terry` (a scalar head) — and publishes the checkpoint with gramr.json so judgeForModel
// knows how to judge with it. Trainers resume from their checkpoints in the stage folder after a kill.
import { inject, injectable } from 'inversify';
import * as path from 'node:path';
import { z } from 'zod';
import type { Label, PreferencePair, RationaleExample } from '../../core/data/records.js';
import { WorkError } from '../../core/errors.js';
import { loadTokenizer } from '../../core/model/tokenizer/load-tokenizer.js';
import type { OutputDecl, Stage, StageContext, StageResult } from '../../core/pipeline/stage.js';
import type { Trainer, TrainExample, TrainReport } from '../../core/recipe/trainer.js';
import { CHAT_MODES, chatRendererFor, type ChatMode } from '../../core/reward/chat-renderer.js';
import { PROMPT_FORMATS, type PromptFormat } from '../../core/reward/prompts.js';
import { kindEntry, stopIfDiverged } from '../../core/recipe/stage-helpers.js';
import {
  bradleyTerryExample, GRM_OBJECTIVES, labelOnlyExample, rationaleExample, v1LabelExample, v1PairExample, type GrmExampleSettings, type GrmObjective,
} from './grm-targets.js';
import { splitKind, type KindLookup } from '../../core/di/kind-lookup.js';
import { describeInit, initInputs, initSchema, prepareInit } from '../../core/recipe/model-init.js';
import { MODEL_META_FORMAT } from '../../core/recipe/model-meta.js';
import { checkpointOf, publishModel } from '../../core/recipe/publish-model.js';
import { asPair, asRationaleExample, labelBalance, labelOf } from '../../core/recipe/record-checks.js';
import { KindLookupId } from '../../core/di/identifiers.js';
import { readChecked } from '../../core/data/read-checked.js';

/** Options of `train-grm`. */
export const trainGrmSchema = z.object({
  from: z.string().describe('training data: RationaleExample records (objective rationale) or labeled pairs (the other objectives)'),
  eval: z.string().optional().describe('held-out examples of the same kind, for the trainer\'s eval loss / early stopping (gram-v1: both stages)'),
  pairs: z.string().optional().describe('gram-v1 stage 1: response pairs for the pair LM (labels unused); default: the pairs of `from`'),
  to: z.string().describe('model artifact to write (HF checkpoint + gramr.json)'),
  objective: z.enum(GRM_OBJECTIVES).default('rationale')
    .describe('rationale (GRAM-R²), label-only (generative baseline), gram-v1 (pair LM + label smoothing), bradley-terry (scalar head)'),
  init: initSchema,
  trainer: kindEntry('full', 'Trainer').describe('the Trainer kind and its options; train-grm sets objective, labels and epsilon'),
  stage1: z.record(z.string(), z.unknown()).default({}).describe('gram-v1: trainer options overriding `trainer` for stage 1 (e.g. {steps: 200})'),
  format: z.enum(PROMPT_FORMATS as [PromptFormat, ...PromptFormat[]]).default('compact')
    .describe('judge prompt format of the inputs: compact (from-scratch models), gram-r2, gram-v1'),
  chat: z.enum(CHAT_MODES as [ChatMode, ...ChatMode[]]).default('auto')
    .describe('how prompts are wrapped: auto (the tokenizer\'s chat template if it has one, else plain), template, plain, none'),
  labelTokens: z.object({ A: z.string().min(1), B: z.string().min(1) }).strict().default({ A: 'A', B: 'B' })
    .describe('label texts written in <answer> (and the two tokens of gram-v1); each one token'),
  epsilon: z.number().min(0).max(0.5).default(0.05).describe('gram-v1 stage 2 label smoothing ε (0.05 = PyTorch label_smoothing 0.1)'),
  seed: z.number().int().optional().describe('seed of the scratch init and the trainer (default: the pipeline seed)'),
  limit: z.number().int().positive().optional().describe('use at most this many records of `from`'),
}).strict().superRefine((o, ctx) => {
  if ((o.objective === 'rationale' || o.objective === 'label-only') && o.format === 'gram-v1') {
    ctx.addIssue({ code: 'custom', path: ['format'], message: `objective ${o.objective} writes <answer> after the prompt; format gram-v1 expects the label token right after "#Preferred: " (use compact or gram-r2, or objective gram-v1)` });
  }
  if (o.objective !== 'gram-v1' && o.pairs !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['pairs'], message: 'pairs (the stage 1 response pairs) is only used by objective gram-v1' });
  }
});
type TrainGrmOptions = z.output<typeof trainGrmSchema>;

/** What a dataset gave: usable examples and skipped records by reason. */
interface ReadExamples { examples: Array<PreferencePair & { label: Label }>; skipped: Record<string, number> }

async function readLabeled(name: string, limit: number | undefined, needRationale: boolean, ctx: StageContext, where: string): Promise<ReadExamples> {
  const at = `${where} ("${name}")`;
  if (needRationale) return { examples: await readChecked(ctx.artifacts.records(name), asRationaleExample, at, limit), skipped: {} };
  const examples: Array<PreferencePair & { label: Label }> = [];
  const skipped: Record<string, number> = {};
  for (const p of await readChecked(ctx.artifacts.records(name), asPair, at, limit)) {
    const l = labelOf(p);
    if (l === 'A' || l === 'B') examples.push({ ...p, label: l });
    else skipped[l] = (skipped[l] ?? 0) + 1;
  }
  return { examples, skipped };
}

/** The trainer examples of an objective (gram-v1: its stage 2). */
export function grmExamples(objective: GrmObjective, data: ReadonlyArray<PreferencePair & { label: Label }>, s: GrmExampleSettings): TrainExample[] {
  switch (objective) {
    case 'rationale': return data.map((e) => rationaleExample(e as RationaleExample, s));
    case 'label-only': return data.map((e) => labelOnlyExample(e, s));
    case 'gram-v1': return data.map((e) => v1LabelExample(e, s));
    case 'bradley-terry': return data.map((e) => bradleyTerryExample(e, s.chat));
  }
}

/** The trainer options train-grm sets for an objective (over the user's). */
export function trainerObjective(objective: GrmObjective, s: { labelTokens: { A: string; B: string }; epsilon: number }): Record<string, unknown> {
  if (objective === 'gram-v1') return { objective: 'label-smoothed', labels: [s.labelTokens.A, s.labelTokens.B], epsilon: s.epsilon };
  if (objective === 'bradley-terry') return { objective: 'bradley-terry' };
  return { objective: 'sft' };
}

@injectable()
export class TrainGrmStage implements Stage<TrainGrmOptions> {
  readonly kind = 'train-grm';
  constructor(@inject(KindLookupId) private readonly lookup: KindLookup) {}

  inputs(o: TrainGrmOptions): string[] {
    return [o.from, ...(o.eval ? [o.eval] : []), ...(o.pairs ? [o.pairs] : []), ...initInputs(o.init)];
  }
  outputs(o: TrainGrmOptions): OutputDecl[] {
    return [{ name: o.to, kind: 'model' }];
  }

  async run(o: TrainGrmOptions, ctx: StageContext): Promise<StageResult> {
    const where = `stage "${ctx.stageId}" (train-grm, objective ${o.objective})`;
    const seed = o.seed ?? ctx.seed;
    const needRationale = o.objective === 'rationale';
    const data = await readLabeled(o.from, o.limit, needRationale, ctx, where);
    if (data.examples.length === 0) {
      throw new WorkError(`${where}: "${o.from}" has no usable examples (${Object.entries(data.skipped).map(([k, v]) => `${v} ${k}`).join(', ') || 'it is empty'})`);
    }
    const evalData = o.eval ? await readLabeled(o.eval, undefined, needRationale, ctx, where) : undefined;
    const balance = labelBalance(data.examples.map((e) => e.label), `examples of "${o.from}"`);
    if (balance.warning) ctx.progress.log(`warning: ${balance.warning}`);
    const t = splitKind(o.trainer);
    const modelPath = await prepareInit(o.init, ctx, seed);
    const tokenizer = await loadTokenizer(modelPath);
    const chat = chatRendererFor(tokenizer, o.chat);
    const settings: GrmExampleSettings = { format: o.format, chat: chat.render, labelTokens: o.labelTokens };
    // Provenance: training.json / adapter_config.json record the chat format actually used (the user's `template` wins).
    const template = { template: chat.kind };
    const train = (objective: GrmObjective, rows: ReadonlyArray<PreferencePair & { label: Label }>): TrainExample[] => grmExamples(objective, rows, settings);

    let start = modelPath;
    let stage1: TrainReport | undefined;
    if (o.objective === 'gram-v1') {
      const pairs = o.pairs ? (await this.readPairs(o.pairs, ctx, where)) : data.examples;
      const t1 = this.lookup.get<Trainer>('Trainer', t.kind, { seed, ...t.options, ...o.stage1, objective: 'sft' }, `${where}: stage 1 trainer`);
      ctx.progress.log(`gram-v1 stage 1: response-pair LM on ${pairs.length} pairs`);
      stage1 = await t1.impl.train({
        modelPath, train: pairs.map(v1PairExample), ...(evalData ? { evalSet: evalData.examples.map(v1PairExample) } : {}),
        outDir: path.join(ctx.dir, 'train-stage1'), options: t1.options,
      }, ctx);
      stopIfDiverged(stage1, `${where}: stage 1`);
      start = checkpointOf(stage1, `${where}: stage 1`);
      ctx.progress.log(`gram-v1 stage 2: label smoothing (ε ${o.epsilon}) on ${data.examples.length} labeled pairs`);
    }
    const trainer = this.lookup.get<Trainer>('Trainer', t.kind, { seed, ...template, ...t.options, ...trainerObjective(o.objective, o) }, `${where}: trainer`);
    // The stage checked the label balance above; the trainer logs its own other warnings (once).
    const report = await trainer.impl.train({
      modelPath: start, train: train(o.objective, data.examples), ...(evalData ? { evalSet: train(o.objective, evalData.examples) } : {}),
      outDir: path.join(ctx.dir, 'train'), options: trainer.options, labelsChecked: true,
    }, ctx);
    stopIfDiverged(report, where);
    const addEos = (trainer.options as { addEos?: boolean }).addEos !== false;
    await publishModel(checkpointOf(report, where), ctx.artifacts.outputDir(o.to), {
      format: MODEL_META_FORMAT, role: 'grm', objective: o.objective, promptFormat: o.format, chat: o.chat, labelTokens: o.labelTokens, addEos,
      training: {
        trainer: t.kind, steps: report.steps + (stage1?.steps ?? 0), finalLoss: report.finalLoss, stopReason: report.stopReason, init: describeInit(o.init),
        objectiveDetail: { ...trainerObjective(o.objective, o), ...(stage1 ? { stage1Steps: stage1.steps, stage1FinalLoss: stage1.finalLoss } : {}) },
      },
    });
    const skipped = Object.values(data.skipped).reduce((a, b) => a + b, 0);
    return {
      metrics: {
        examples: data.examples.length, skipped, labelsA: balance.A, labelsB: balance.B, oneClass: balance.oneClass ? 1 : 0,
        steps: report.steps, finalLoss: report.finalLoss, tokensPerSecond: report.tokensPerSecond,
        ...(report.bestEvalLoss !== undefined ? { bestEvalLoss: report.bestEvalLoss } : {}), ...(stage1 ? { stage1Steps: stage1.steps, stage1FinalLoss: stage1.finalLoss } : {}),
      },
      summary: `${o.objective} GRM on ${data.examples.length} examples${skipped ? ` (${skipped} skipped)` : ''}: ${report.steps} steps, loss ${report.finalLoss.toFixed(4)}, ${Math.round(report.tokensPerSecond)} tokens/s -> ${o.to}${balance.oneClass ? ' (WARNING: one-class data)' : ''}`,
    };
  }

  private readPairs(name: string, ctx: StageContext, where: string): Promise<PreferencePair[]> {
    return readChecked(ctx.artifacts.records(name), asPair, `${where} ("${name}")`);
  }
}
