// Built-in plugin `export`: the stage `export` — a model artifact (HF checkpoint, llama2.c .bin, LoRA adapter) to a
// plain Hugging Face folder, adapters merged first, verified by reloading it (logits equal). One ContainerModule.
import { ContainerModule } from 'inversify';
import { contributeKind } from '../../core/di/kind-contribution.js';
import { ExportStage, exportSchema } from './export-stage.js';

/** The plugin's name in contributions. */
export const EXPORT_PLUGIN = 'export';

const exportModule = new ContainerModule((options) => {
  contributeKind(options, EXPORT_PLUGIN, {
    point: 'Stage', kind: 'export', schema: exportSchema, impl: () => new ExportStage(),
    description: 'export a model (checkpoint or LoRA adapter, merged) as a Hugging Face folder, verified by reloading it (logits equal)',
  });
});
export default exportModule;

export { ExportStage, exportSchema, DEFAULT_PROBES } from './export-stage.js';
export { exportModel, verifyExport, isAdapterFolder, TOKENIZER_FILES, EXTRA_FILES, type ExportResult, type ExportCheck } from './export-model.js';
