// The SelfTrainingStrategy kind `gram-r2`: GRAM-R²'s round (gram-r2-round.ts) with the real models — the current GRM
// as a PairJudge over a ModelJudge (its gramr.json gives format, chat and label tokens), the prover through its Prover
// kind's `open` (the prover plugin's synthesis), and the configured Trainer kind for the retrain. With the stage's
// executor `queue`, the votes and the proofs are `vote` / `prove` jobs done by `gramr work` processes instead.
import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { ProofSession } from '../../core/recipe/prover.js';
import type { RoundInputs, RoundResult, SelfTrainingStrategy } from '../../core/recipe/self-training-strategy.js';
import type { Trainer, TrainerContext } from '../../core/recipe/trainer.js';
import { splitKind, type KindLookup } from '../../core/di/kind-lookup.js';
import { queueOf, type ExecutorContext, type ExecutorOptions } from '../queue/executor-options.js';
import { gramR2Schema, type GramR2Options } from './gram-r2-options.js';
import { runGramR2Round, type RoundDeps } from './gram-r2-round.js';
import { openProverSession } from './open-prover.js';
import { judgeInputOf } from './pseudo-label.js';
import { openVoteJudge, voteSettingsOf } from './vote-judge.js';
import { JudgeOpenerId, KindLookupId } from '../../core/di/identifiers.js';
import type { JudgeOpener } from '../../core/reward/judge-opener.js';

/** Parses `gram-r2` options; invalid ones are a ConfigError. */
export function parseGramR2Options(options: unknown): GramR2Options {
  const r = gramR2Schema.safeParse(options ?? {});
  if (!r.success) throw new ConfigError(`gram-r2 strategy options are invalid:\n${z.prettifyError(r.error)}`);
  return r.data;
}

/**
 * The real dependencies of a round: model-backed judge and prover (in this process, or as queue jobs when `executor`
 * is a queue), and the configured trainer.
 */
export function modelRoundDeps(o: GramR2Options, lookup: KindLookup, judges: JudgeOpener, ctx: TrainerContext, where: string, executor?: ExecutorOptions): RoundDeps {
  const seed = o.seed ?? ctx.seed;
  const q = queueOf(executor);
  const t = splitKind(o.trainer);
  // The rationale target is plain SFT (loss on the whole <think> z </think><answer> l </answer> target).
  const trainer = lookup.get<Trainer>('Trainer', t.kind, { seed, ...t.options, objective: 'sft' }, `${where}: trainer`);
  return {
    trainer: { kind: t.kind, impl: trainer.impl, options: trainer.options },
    async openJudge(grmPath, todo) {
      if (q) {
        const { queuedVoteJudge } = await import('../queue/queue-sessions.js');
        const run = await queuedVoteJudge(q, grmPath, voteSettingsOf(o), seed, todo.map(judgeInputOf), where);
        ctx.progress.log(`${where}: votes through queue "${q.queue}": ${run.stats.storedBefore} of ${run.stats.total} pairs already stored, ${run.stats.enqueued} enqueued`);
        return run;
      }
      return openVoteJudge(judges, grmPath, await ctx.backend(), voteSettingsOf(o), where);
    },
    async openProver(proverPath, todo): Promise<ProofSession> {
      const synthesis = {
        k: o.k, temperature: o.proofTemperature, maxTokens: o.proofMaxTokens, scoreBatchSize: o.scoreBatchSize, seed,
        rules: { maxRationaleBytes: o.maxRationaleBytes, minCopyBytes: o.minCopyBytes, content: o.content },
      };
      if (q) {
        const { queuedProofSession } = await import('../queue/queue-sessions.js');
        const run = await queuedProofSession(q, proverPath, synthesis, todo, where);
        ctx.progress.log(`${where}: proofs through queue "${q.queue}": ${run.stats.storedBefore} of ${run.stats.total} pairs already stored, ${run.stats.enqueued} enqueued`);
        return run;
      }
      return openProverSession(proverPath, synthesis, lookup, ctx, where);
    },
  };
}

/** The `gram-r2` strategy. */
@injectable()
export class GramR2Strategy implements SelfTrainingStrategy {
  readonly kind = 'gram-r2';
  /** The stage executors this strategy runs with (the self-train stage checks its `executor` against them). */
  readonly executors = ['local', 'queue'] as const;
  constructor(@inject(KindLookupId) private readonly lookup: KindLookup, @inject(JudgeOpenerId) private readonly judges: JudgeOpener) {}

  round(inputs: RoundInputs, options: unknown, ctx: TrainerContext): Promise<RoundResult> {
    const o = parseGramR2Options(options);
    const executor = (ctx as TrainerContext & ExecutorContext).executor;
    return runGramR2Round(inputs, o, modelRoundDeps(o, this.lookup, this.judges, ctx, `self-training round ${inputs.round}`, executor), ctx);
  }
}
