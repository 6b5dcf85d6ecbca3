// The SelfTrainingStrategy kind `gram-r2`: GRAM-R²'s round (gram-r2-round.ts) with the real models — the current GRM
// as a PairJudge over a ModelJudge (its gramr.json gives format, chat and label tokens), the prover through its Prover
// kind's `open` (the prover plugin's synthesis), and the configured Trainer kind for the retrain.
import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { ProofSession } from '../../core/recipe/prover.js';
import type { RoundInputs, RoundResult, SelfTrainingStrategy } from '../../core/recipe/self-training-strategy.js';
import type { Trainer, TrainerContext } from '../../core/recipe/trainer.js';
import { ModelJudge } from '../../core/reward/model-judge.js';
import { PairJudge } from '../../core/reward/pair-judge.js';
import { splitKind, type KindLookup } from '../../core/di/kind-lookup.js';
import { gramR2Schema, type GramR2Options } from './gram-r2-options.js';
import { runGramR2Round, type RoundDeps } from './gram-r2-round.js';
import { grmSettings } from './grm-settings.js';
import { openProverSession } from './open-prover.js';

/** Service id of this plugin's kind lookup. */
export const SelfTrainingKindLookupId = Symbol.for('gramr.self-training.KindLookup');

/** Parses `gram-r2` options; invalid ones are a ConfigError. */
export function parseGramR2Options(options: unknown): GramR2Options {
  const r = gramR2Schema.safeParse(options ?? {});
  if (!r.success) throw new ConfigError(`gram-r2 strategy options are invalid:\n${z.prettifyError(r.error)}`);
  return r.data;
}

/** The real dependencies of a round: model-backed judge and prover, and the configured trainer. */
export function modelRoundDeps(o: GramR2Options, lookup: KindLookup, ctx: TrainerContext, where: string): RoundDeps {
  const seed = o.seed ?? ctx.seed;
  const t = splitKind(o.trainer);
  if (t.kind === 'lora' && !('merge' in t.options)) t.options.merge = true; // each round's GRM must be a full checkpoint
  // The rationale target is plain SFT (loss on the whole <think> z </think><answer> l </answer> target).
  const trainer = lookup.get<Trainer>('Trainer', t.kind, { seed, ...t.options, objective: 'sft' }, `${where}: trainer`);
  return {
    trainer: { kind: t.kind, impl: trainer.impl, options: trainer.options },
    async openJudge(grmPath) {
      const s = await grmSettings(grmPath, where);
      const mj = await ModelJudge.load(grmPath, await ctx.backend(), { batchSize: o.modelBatchSize, chat: s.chat });
      try {
        const judge = new PairJudge(mj, {
          format: s.format, labelTokens: s.labelTokens, position: o.position, votes: o.votes, temperature: o.temperature,
          maxTokens: Math.max(1, Math.min(o.maxTokens, Math.floor(mj.contextLength / 2))),
          ...(o.topP !== undefined ? { topP: o.topP } : {}), ...(o.topK !== undefined ? { topK: o.topK } : {}),
        }, mj.chat);
        return { judge, dispose: () => mj.dispose() };
      } catch (e) {
        mj.dispose();
        throw e;
      }
    },
    openProver(proverPath): Promise<ProofSession> {
      return openProverSession(proverPath, {
        k: o.k, temperature: o.proofTemperature, maxTokens: o.proofMaxTokens, scoreBatchSize: o.scoreBatchSize, seed,
        rules: { maxRationaleBytes: o.maxRationaleBytes, minCopyBytes: o.minCopyBytes, content: o.content },
      }, lookup, ctx, where);
    },
  };
}

/** The `gram-r2` strategy. */
@injectable()
export class GramR2Strategy implements SelfTrainingStrategy {
  readonly kind = 'gram-r2';
  constructor(@inject(SelfTrainingKindLookupId) private readonly lookup: KindLookup) {}

  round(inputs: RoundInputs, options: unknown, ctx: TrainerContext): Promise<RoundResult> {
    const o = parseGramR2Options(options);
    return runGramR2Round(inputs, o, modelRoundDeps(o, this.lookup, ctx, `self-training round ${inputs.round}`), ctx);
  }
}
