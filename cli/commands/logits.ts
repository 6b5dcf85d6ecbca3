// `gramr logits`: the logits of the last position of a token-id sequence, as one JSON array (for checking a
// checkpoint against a reference implementation). The backend is resolved through the plugin container.
import { createAppContainer } from '../app.js';
import { LOGITS_HELP, LOGITS_OPTIONS, runLogits } from '../../core/model/cli-generate.js';
import { chooseCommandBackend } from '../../core/command/backend-option.js';
import type { Command } from '../../core/command/command.js';

export const logitsCommand: Command = {
  name: 'logits',
  summary: "Print the last position's logits of --ids as a JSON array.",
  usage: 'gramr logits --model PATH --ids 1,2,3 [--backend NAME]',
  help: LOGITS_HELP,
  options: LOGITS_OPTIONS,
  async run(values) {
    const container = await createAppContainer([], { backendsOnly: true });
    const { backend } = await chooseCommandBackend(container, values.backend, 'gramr logits');
    try {
      return await runLogits(values, backend, (s) => { process.stdout.write(s); });
    } finally {
      backend.dispose();
    }
  },
};
