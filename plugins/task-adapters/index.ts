// Built-in plugin `task-adapters`: the stage `adapt` (foundation GRM + small task set -> adapted GRM, measured before
// and after on a held-out set) and the TaskAdapter kind `fine-tune` (full or LoRA through core/training; targets
// label-only, prover-written rationales, or the records' own). docs/writing-a-task-adapter.md shows an outside adapter.
import { ContainerModule } from 'inversify';
import { contributeKind } from '../../core/di/kind-contribution.js';
import { adaptSchema } from './adapt-options.js';
import { AdaptStage } from './adapt-stage.js';
import { FineTuneAdapter } from './fine-tune-adapter.js';
import { fineTuneSchema } from './fine-tune-options.js';

/** The plugin's name in contributions. */
export const TASK_ADAPTERS_PLUGIN = 'task-adapters';

const taskAdaptersModule = new ContainerModule((options) => {
  contributeKind(options, TASK_ADAPTERS_PLUGIN, {
    point: 'TaskAdapter', kind: 'fine-tune', schema: fineTuneSchema, impl: FineTuneAdapter,
    description: 'fine-tune the foundation GRM on the task pairs (full or LoRA); targets label-only, prover rationales or the records\' own',
  });
  contributeKind(options, TASK_ADAPTERS_PLUGIN, {
    point: 'Stage', kind: 'adapt', schema: adaptSchema, impl: AdaptStage,
    description: 'adapt a foundation GRM to a task with a TaskAdapter kind -> adapted GRM + report (held-out metrics before / after)',
  });
});
export default taskAdaptersModule;

export { AdaptStage, renderAdaptReport } from './adapt-stage.js';
export { adaptSchema, type AdaptOptions } from './adapt-options.js';
export { FineTuneAdapter, foundationMeta } from './fine-tune-adapter.js';
export { fineTuneSchema, TARGET_MODES, type FineTuneOptions, type TargetMode } from './fine-tune-options.js';
export { adaptExamples, resolveMode, type TaskPair, type TargetLine, type ProverAccess } from './adapt-targets.js';
