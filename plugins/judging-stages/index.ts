// Built-in plugin `judging-stages`: pipeline stages that use a model as a judge — `evaluate` (benchmark reports
// through any Evaluator kind for generative judges and every train-grm objective, resumable) and `rank` (best-of-n
// rankings through any Ranker kind, generative judges). One ContainerModule; it also binds the KindLookup its
// stages use to reach other plugins' kinds.
import { ContainerModule } from 'inversify';
import { contributeKind } from '../../core/di/kind-contribution.js';
import { EvaluateStage } from './evaluate-stage.js';
import { evaluateSchema, rankSchema } from './options.js';
import { RankStage } from './rank-stage.js';

/** The plugin's name in contributions. */
export const JUDGING_STAGES_PLUGIN = 'judging-stages';

export default new ContainerModule((options) => {
  contributeKind(options, JUDGING_STAGES_PLUGIN, { point: 'Stage', kind: 'evaluate', schema: evaluateSchema, impl: EvaluateStage,
    description: 'evaluate a model (a generative judge, or any train-grm model by its objective) on datasets with an evaluator kind -> report (markdown + JSON) and judgments (resumable)' });
  contributeKind(options, JUDGING_STAGES_PLUGIN, { point: 'Stage', kind: 'rank', schema: rankSchema, impl: RankStage,
    description: 'rank candidate sets with a model as the judge and a ranker kind -> one ranking record per set (resumable)' });
});

export { EvaluateStage, judgmentsName, promptsName } from './evaluate-stage.js';
export { RankStage } from './rank-stage.js';
export { JudgmentLog, type LoggedCall, type LoggedJudgment } from './judgment-log.js';
export { promptHash, PromptStore, readPrompts, type StoredPrompt } from './prompt-store.js';
export { openEvaluateJudge, type EvaluateJudge } from './evaluate-judge.js';
export type { KindLookup } from '../../core/di/kind-lookup.js';
export { evaluateSchema, rankSchema, type EvaluateOptions, type RankOptions } from './options.js';
