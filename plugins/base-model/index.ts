// Built-in plugin `base-model`: the stage `train-lm`, which pretrains the base language model a GRM and a prover
// start from (prompt -> completion documents, e.g. the verifiable-math `pretrain` split). One ContainerModule.
import { ContainerModule } from 'inversify';
import { contributeKind } from '../../core/di/kind-contribution.js';
import { TrainLmStage, trainLmSchema } from './train-lm-stage.js';

const baseModelModule = new ContainerModule((options) => {
  contributeKind(options, 'base-model', {
    point: 'Stage', kind: 'train-lm', schema: trainLmSchema, impl: TrainLmStage,
    description: 'pretrain a base language model on prompt -> completion documents (scratch or from a model) -> model artifact (role base); optional held-out exact match',
  });
});
export default baseModelModule;

export { TrainLmStage, trainLmSchema, asCompletion } from './train-lm-stage.js';
