// The table of `gramr` commands. Each command's module is imported only when that command runs (the main help
// imports them all for their summaries), so `gramr --version` and a single command load only what they use.
import type { Command } from '../../core/command/command.js';

/** Command names in help order, each with the import of its module. */
export const COMMAND_LOADERS: Readonly<Record<string, () => Promise<Command>>> = {
  run: async () => (await import('./run.js')).runCommand,
  study: async () => (await import('./study.js')).studyCommand,
  validate: async () => (await import('./validate.js')).validateCommand,
  plugins: async () => (await import('./plugins.js')).pluginsCommand,
  generate: async () => (await import('./generate.js')).generateCommand,
  logits: async () => (await import('./logits.js')).logitsCommand,
  prompt: async () => (await import('./prompt.js')).promptCommand,
  judge: async () => (await import('./judge.js')).judgeCommand,
  judgments: async () => (await import('./judgments.js')).judgmentsCommand,
  view: async () => (await import('./view.js')).viewCommand,
  eval: async () => (await import('./eval.js')).evalCommand,
  data: async () => (await import('./data.js')).dataCommand,
  rank: async () => (await import('./rank.js')).rankCommand,
  'export-onnx': async () => (await import('./export-onnx.js')).exportOnnxCommand,
  quantize: async () => (await import('./quantize.js')).quantizeCommand,
  bench: async () => (await import('./bench.js')).benchCommand,
};

/** Every command, loaded (for the main help). */
export function loadAllCommands(): Promise<Command[]> {
  return Promise.all(Object.values(COMMAND_LOADERS).map((load) => load()));
}
