// Opens a trained preference-proving model for synthesis: the Prover kind and the options it was trained with come
// from the model folder's gramr.json (as synthesize-rationales reads them; a folder without one is an sft-prover),
// and `synthesis` are that kind's synthesis settings (k, temperature, maxTokens, rules, seed). Shared by self-train
// and the fine-tune task adapter.
import { ConfigError } from '../../core/errors.js';
import type { ProofSession, Prover } from '../../core/recipe/prover.js';
import type { TrainerContext } from '../../core/recipe/trainer.js';
import type { KindLookup } from '../../core/di/kind-lookup.js';
import { readModelMeta } from '../../core/recipe/model-meta.js';

/** Opens the prover at `proverPath` with `synthesis` settings; a model that is not a prover is a ConfigError naming `where`. */
export async function openProverSession(proverPath: string, synthesis: Record<string, unknown>, lookup: KindLookup, ctx: TrainerContext,
  where: string): Promise<ProofSession> {
  const meta = await readModelMeta(proverPath);
  if (meta && meta.role !== 'prover') throw new ConfigError(`${where}: ${proverPath} is a ${meta.role} (gramr.json role), not a prover`);
  const kind = meta?.prover?.kind ?? 'sft-prover';
  if (!meta) ctx.progress.log(`${where}: ${proverPath} has no gramr.json; using sft-prover with default options`);
  const prover = lookup.get<Prover>('Prover', kind, {}, `${where}: prover`).impl;
  return prover.open(proverPath, meta?.prover?.options ?? {}, synthesis, ctx);
}
