// Built-in plugin `grm`: the stage `train-grm` (GRAM-R² rationale SFT and the paper's baselines: label-only,
// GRAM v1, Bradley–Terry) and judgeForModel, which turns any model it wrote into an evaluator Judge. Also holds
// the helpers the recipe stages share (init, gramr.json, publishing, record checks, kind lookup). It binds the one
// JudgeOpener (core/reward/judge-opener.ts) every command and stage opens its judges with.
import { ContainerModule } from 'inversify';
import { JudgeOpenerId } from '../../core/di/identifiers.js';
import { contributeKind } from '../../core/di/kind-contribution.js';
import { ModelJudgeOpener, type JudgeOpener } from '../../core/reward/judge-opener.js';
import { TrainGrmStage, trainGrmSchema } from './train-grm-stage.js';

/** The plugin's name in contributions. */
export const GRM_PLUGIN = 'grm';

const grmModule = new ContainerModule((options) => {
  options.bind<JudgeOpener>(JudgeOpenerId).toConstantValue(new ModelJudgeOpener());
  contributeKind(options, GRM_PLUGIN, {
    point: 'Stage', kind: 'train-grm', schema: trainGrmSchema, impl: TrainGrmStage,
    description: 'train a reward model: rationale (GRAM-R²), label-only, gram-v1 (pair LM + label smoothing) or bradley-terry -> model artifact with gramr.json',
  });
});
export default grmModule;

export { TrainGrmStage, trainGrmSchema, grmExamples, trainerObjective } from './train-grm-stage.js';
export { judgeForModel, openGrm, logitJudge, rewardJudge, type OpenedGrm, type GrmJudge, type GrmJudgeOptions } from './judge-for-model.js';
export {
  GRM_OBJECTIVES, answerBlock, rationaleTarget, grmPrompt, v1PairPrompt, v1PairTarget, rationaleExample, labelOnlyExample, v1PairExample,
  v1LabelExample, bradleyTerryExample, rewardPrompt, labelText, type GrmObjective, type GrmExampleSettings,
} from './grm-targets.js';
export { readModelMeta, writeModelMeta, MODEL_META_FILE, MODEL_META_FORMAT, type ModelMeta } from '../../core/recipe/model-meta.js';
export { initSchema, scratchSchema, prepareInit, describeInit, initInputs, type InitOptions } from '../../core/recipe/model-init.js';
export { publishModel, checkpointOf } from '../../core/recipe/publish-model.js';
export { asPair, asRationaleExample, labelOf, labelBalance, type LabelBalance } from '../../core/recipe/record-checks.js';
export { kindLookupOf, bindKindLookup, splitKind, type KindLookup } from '../../core/di/kind-lookup.js';
export { kindEntry, stopIfDiverged } from '../../core/recipe/stage-helpers.js';
