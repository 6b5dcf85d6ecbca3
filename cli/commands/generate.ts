// `gramr generate`: text generation with a checkpoint on a chosen backend (resolved through the plugin container,
// like pipelines). Prints exactly the prompt plus the generated text, streamed token by token, then a newline.
import { createAppContainer } from '../app.js';
import { GENERATE_HELP, GENERATE_OPTIONS, runGenerate } from '../../core/model/cli-generate.js';
import { chooseCommandBackend } from '../../core/command/backend-option.js';
import type { Command } from '../../core/command/command.js';

export const generateCommand: Command = {
  name: 'generate',
  summary: 'Generate text from a prompt with a checkpoint (greedy or sampled).',
  usage: 'gramr generate --model PATH [--tokenizer PATH] --prompt TEXT [--max-tokens N] [--temperature T] [--top-p P] [--top-k K] [--seed S] [--stop S]... [--backend NAME]',
  help: GENERATE_HELP,
  options: GENERATE_OPTIONS,
  async run(values) {
    const container = await createAppContainer([], { backendsOnly: true });
    const { backend } = await chooseCommandBackend(container, values.backend, 'gramr generate');
    try {
      return await runGenerate(values, backend, (s) => { process.stdout.write(s); });
    } finally {
      backend.dispose();
    }
  },
};
