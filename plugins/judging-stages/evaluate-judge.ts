// The judge `evaluate` measures, picked by the model folder: a model train-grm wrote (gramr.json, role grm) is judged
// the way its objective calls for (judgeForModel: generation, label logits or the scalar reward head); any other
// model (e.g. a Hugging Face checkpoint) is a generative judge — the JudgeOpener's PairJudge with the stage's `judge`
// options.
import { ConfigError } from '../../core/errors.js';
import type { StageContext } from '../../core/pipeline/stage.js';
import type { Judge } from '../../core/reward/evaluator.js';
import type { JudgeOpener } from '../../core/reward/judge-opener.js';
import type { PairJudge } from '../../core/reward/pair-judge.js';
import { pairJudgeOptionsSchema } from '../../core/reward/pair-judge-options.js';
import { judgeForModel, type GrmJudgeOptions } from '../grm/judge-for-model.js';
import { readModelMeta } from '../../core/recipe/model-meta.js';
import { openStageJudge } from './open-judge.js';
import type { EvaluateOptions } from './options.js';

/** The opened judge of an evaluate stage; call `dispose` when done. */
export interface EvaluateJudge {
  /** What the JudgmentLog wraps: the train-grm judge, or the PairJudge. */
  inner: Judge | PairJudge;
  /** How the model was judged, for report.json's `run`. */
  run: Record<string, unknown>;
  /** The same in words, for report.md (e.g. `train-grm bradley-terry judge (reward head)`). */
  note: string;
  /** Tokens generated so far (generative judges), else undefined. */
  generatedTokens(): number | undefined;
  /** Frees the model. */
  dispose(): void;
}

const HOW: Record<string, string> = {
  rationale: 'rationale generation', 'label-only': 'label generation', 'gram-v1': 'label logits', 'bradley-terry': 'reward head',
};

/** The PairJudge default of maxTokens: the evaluate stage's `judge.maxTokens` left unset. */
const DEFAULT_MAX_TOKENS = pairJudgeOptionsSchema.parse({}).maxTokens;

/** Open the judge of an evaluate stage (see the file header). */
export async function openEvaluateJudge(judges: JudgeOpener, o: EvaluateOptions, ctx: StageContext): Promise<EvaluateJudge> {
  const modelPath = ctx.artifacts.modelPath(o.model);
  const meta = await readModelMeta(modelPath);
  if (meta?.role === 'grm') {
    if (o.tokenizer !== undefined) {
      throw new ConfigError(`model "${o.model}" was written by train-grm (gramr.json, objective ${meta.objective}) and is judged with its own tokenizer; `
        + 'leave `tokenizer` out', `stage "${ctx.stageId}" (evaluate)`);
    }
    // gramr.json supplies prompt format, chat and label tokens; generation limits only matter to generative objectives.
    const generative = meta.objective === 'rationale' || meta.objective === 'label-only';
    const grmOptions: GrmJudgeOptions = {
      batchSize: o.batchSize,
      ...(generative ? { temperature: o.judge.temperature, votes: o.judge.votes } : {}),
      ...(generative && o.judge.maxTokens !== DEFAULT_MAX_TOKENS ? { maxTokens: o.judge.maxTokens } : {}),
    };
    const judge = await judgeForModel(judges, modelPath, await ctx.backend(), grmOptions);
    return {
      inner: judge,
      run: { judgeKind: 'train-grm', objective: judge.objective, chat: meta.chat, promptFormat: meta.promptFormat, grmJudge: grmOptions },
      note: `train-grm ${judge.objective} judge (${HOW[judge.objective] ?? judge.objective}; chat: ${meta.chat})`,
      generatedTokens: () => undefined,
      dispose: () => judge.dispose(),
    };
  }
  const { judge, model, dispose } = await openStageJudge(judges, o, o.judge, ctx);
  return {
    inner: judge,
    run: { judgeKind: 'generative', judge: judge.options, chat: model.chatKind },
    note: `chat: ${model.chatKind}`,
    generatedTokens: () => model.stats.generatedTokens,
    dispose,
  };
}
