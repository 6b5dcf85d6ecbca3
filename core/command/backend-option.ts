// Chooses a command's backend from the `--backend` option every command shares (backend-choice.ts: one backend or
// a comma-separated preference list, else the default list, fastest first). The chosen backend and every failure
// before it are printed on stderr, as `gramr run` prints a pipeline's chain: each command chooses the same way.
import type { GramrContainer } from '../di/container.js';
import { backendPreference, chooseBackend, type BackendChoice } from '../pipeline/backend-choice.js';

/** Choose a command's backend from its `--backend` value and print the choice on stderr (`who: backend <chain>`). */
export async function chooseCommandBackend(container: GramrContainer, value: unknown, who: string): Promise<BackendChoice> {
  const choice = await chooseBackend(container, backendPreference(value));
  process.stderr.write(`${who}: backend ${choice.chain}\n`);
  return choice;
}
