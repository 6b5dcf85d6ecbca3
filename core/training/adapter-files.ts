// The files of a LoRA adapter folder (PEFT layout) and the test that tells one from a full checkpoint folder. Kept
// apart from the adapter code so that loading a checkpoint imports the training modules only for an adapter.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The two files of an adapter folder. */
export const ADAPTER_FILES = { weights: 'adapter_model.safetensors', config: 'adapter_config.json' } as const;

/** True for a LoRA adapter folder (adapter_config.json, no config.json of its own). */
export function isAdapterModel(dir: string): boolean {
  return existsSync(join(dir, ADAPTER_FILES.config)) && !existsSync(join(dir, 'config.json'));
}
