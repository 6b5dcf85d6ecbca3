// Built-in plugin `self-training`: the stage `self-train` (GRAM-R² recipe step 4: rounds of pseudo-labeling, prover
// rationales, rule checks, merging and retraining) and the SelfTrainingStrategy kind `gram-r2`. One ContainerModule;
// modules only bind. Named exports are the library API (docs/self-training.md).
import { ContainerModule } from 'inversify';
import { contributeKind } from '../../core/di/kind-contribution.js';
import { gramR2Schema } from './gram-r2-options.js';
import { GramR2Strategy } from './gram-r2-strategy.js';
import { selfTrainSchema } from './self-train-options.js';
import { SelfTrainStage } from './self-train-stage.js';

/** The plugin's name in contributions. */
export const SELF_TRAINING_PLUGIN = 'self-training';

const selfTrainingModule = new ContainerModule((options) => {
  contributeKind(options, SELF_TRAINING_PLUGIN, {
    point: 'SelfTrainingStrategy', kind: 'gram-r2', schema: gramR2Schema, impl: GramR2Strategy,
    description: 'GRAM-R² round: n-vote pseudo-labels with a threshold, prover rationales (k candidates, rules), merge with all earlier data, retrain (backbone or continue)',
  });
  contributeKind(options, SELF_TRAINING_PLUGIN, {
    point: 'Stage', kind: 'self-train', schema: selfTrainSchema, impl: SelfTrainStage, executionKeys: ['executor'],
    description: 'self-train a GRM over rounds of unlabeled pairs -> final GRM + merged data + pseudo-labels + per-round report; resumable',
  });
});
export default selfTrainingModule;

export { SelfTrainStage, goldLabelOf } from './self-train-stage.js';
export { selfTrainSchema, selfTrainNames, type SelfTrainOptions } from './self-train-options.js';
export { GramR2Strategy, modelRoundDeps, parseGramR2Options } from './gram-r2-strategy.js';
export { gramR2Schema, CONFIDENCE_MODES, RETRAIN_MODES, type GramR2Options } from './gram-r2-options.js';
export { runGramR2Round, hideLabels, type RoundDeps } from './gram-r2-round.js';
export { pseudoLabel, labelLine, verdictConfidence, type LabelLine, type PseudoLabelSettings, type ConfidenceMode, type VoteJudge, type VerdictLike } from './pseudo-label.js';
export { openVoteJudge, voteSettingsOf, type VoteSettings } from './vote-judge.js';
export { proveLabels, rationaleLine, mainRule, targetStructureProblem, type RationaleLine } from './prover-rationales.js';
export { KeyedLog } from './keyed-log.js';
export { grmSettings, type GrmSettings } from './grm-settings.js';
export { evaluateModel, type EvalJudgeOptions, type EvalSummary } from './evaluate-model.js';
export { addGoldAccuracy, renderSelfTrainReport, selfTrainMetrics } from './round-report.js';
export { openProverSession } from './open-prover.js';
