// The application's wiring for library use and commands: a plugin container and a pipeline loader with gramr's
// built-in plugins (builtin-plugins.ts) first.
import { createGramrContainer, type GramrContainer } from '../core/di/container.js';
import type { PluginRef } from '../core/di/plugin-loader.js';
import type { Pipeline } from '../core/pipeline/load-pipeline.js';
import { builtinBackends, builtinPlugins } from './builtin-plugins.js';

export { builtinBackends, builtinPlugins };

/** A container of the built-in plugins plus `extra` outside ones; with `backendsOnly`, of the built-in backends only. */
export function createAppContainer(extra: readonly PluginRef[] = [], options: { backendsOnly?: boolean } = {}): Promise<GramrContainer> {
  return createGramrContainer([...(options.backendsOnly ? builtinBackends : builtinPlugins), ...extra]);
}

/** Load and validate a pipeline with the built-in plugins (core's loadPipeline; the file's plugins load after them). */
export async function loadAppPipeline(file: string, sets: string[] = []): Promise<Pipeline> {
  // Imported here, not at the top: commands that need no pipeline (generate, --version) skip the YAML and schema modules.
  const { loadPipeline } = await import('../core/pipeline/load-pipeline.js');
  return loadPipeline(file, sets, builtinPlugins);
}
