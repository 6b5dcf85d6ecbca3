// gramr's built-in plugins and backends: the list the CLI, the stage processes it forks and its workers load before
// a pipeline's own plugins. Core only knows plugins it is given; this is the one place that names the built-in ones.
// Plain data (no import), so `gramr --version` and the command table load nothing more.
import type { PluginRef } from '../core/di/plugin-loader.js';

/** Built-in plugins and backends, as paths relative to this file (dist/cli/), in load order. */
const BUILTIN_PATHS: readonly string[] = [
  '../plugins/data-sources/index.js',
  '../plugins/basic-stages/index.js',
  '../plugins/verifiable-math/index.js',
  '../plugins/rankers/index.js',
  '../plugins/evaluators/index.js',
  '../plugins/trainers/index.js',
  '../plugins/judging-stages/index.js',
  '../plugins/report/index.js',
  '../plugins/prover/index.js',
  '../plugins/base-model/index.js',
  '../plugins/grm/index.js',
  '../plugins/self-training/index.js',
  '../plugins/task-adapters/index.js',
  '../plugins/export/index.js',
  '../plugins/queue/index.js',
  '../plugins/server/index.js',
  '../backends/cpu/plugin.js',
  '../backends/onnx/plugin.js',
  '../backends/webgpu/plugin.js',
];

const ref = (p: string): PluginRef => ({ spec: new URL(p, import.meta.url).href, label: p.replace(/^(\.\.\/)+/, '').replace(/\/index\.js$|\.js$/, '') });

/** gramr's built-in plugins and backends as plugin references (file URLs), in load order. */
export const builtinPlugins: readonly PluginRef[] = BUILTIN_PATHS.map(ref);

/** Only the built-in backends (commands that just need a backend start faster). */
export const builtinBackends: readonly PluginRef[] = BUILTIN_PATHS.filter((p) => p.startsWith('../backends/')).map(ref);
