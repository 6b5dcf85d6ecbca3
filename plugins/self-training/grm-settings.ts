// How a GRM reads its inputs, from the gramr.json train-grm wrote (prompt format, chat mode, label tokens): the
// self-training loop judges with these settings and retrains with the same ones. A folder without gramr.json is a
// `rationale` GRM in `compact` format (as judgeForModel assumes).
import { ConfigError } from '../../core/errors.js';
import type { ChatMode } from '../../core/reward/chat-renderer.js';
import type { LabelTokens } from '../../core/reward/judge-model.js';
import type { PromptFormat } from '../../core/reward/prompts.js';
import { MODEL_META_FORMAT, readModelMeta, type ModelMeta } from '../../core/recipe/model-meta.js';

/** A rationale GRM's input settings and its recorded meta. */
export interface GrmSettings {
  /** Judge prompt format. */
  format: PromptFormat;
  /** Chat mode its prompts were rendered with. */
  chat: ChatMode;
  /** Label texts. */
  labelTokens: LabelTokens;
  /** The gramr.json to carry into retrained models (a default one when the folder had none). */
  meta: ModelMeta;
}

/** Reads the settings of the GRM at `grmPath`; a GRM of another objective (or a prover) is a ConfigError naming `where`. */
export async function grmSettings(grmPath: string, where: string): Promise<GrmSettings> {
  const found = await readModelMeta(grmPath);
  if (found && found.role !== 'grm') throw new ConfigError(`${where}: ${grmPath} is a ${found.role} (gramr.json role), not a GRM`);
  if (found && found.objective !== undefined && found.objective !== 'rationale') {
    throw new ConfigError(`${where}: the GRM ${grmPath} was trained with objective ${found.objective}; self-training needs a rationale GRM (objective rationale), which writes <think> z </think><answer> l </answer>`);
  }
  const meta: ModelMeta = found ?? {
    format: MODEL_META_FORMAT, role: 'grm', objective: 'rationale', promptFormat: 'compact', chat: 'auto', labelTokens: { A: 'A', B: 'B' }, addEos: true,
    training: { trainer: 'unknown', steps: 0, finalLoss: Number.NaN, stopReason: 'unknown', init: 'unknown' },
  };
  const format = meta.promptFormat as PromptFormat;
  if (format === 'gram-v1') throw new ConfigError(`${where}: the GRM ${grmPath} reads gram-v1 prompts; self-training needs a generative (compact or gram-r2) GRM`);
  return { format, chat: meta.chat as ChatMode, labelTokens: meta.labelTokens ?? { A: 'A', B: 'B' }, meta };
}
