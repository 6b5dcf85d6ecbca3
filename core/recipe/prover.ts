// The preference-proving model contract (METHOD.md, recipe steps 1-2): trained on (s, l) -> proof, it writes
// and scores proofs for labeled pairs. Implementations live in plugins (plugins/prover).
import type { Label, PreferencePair, RationaleExample } from '../data/records.js';
import type { TaskContext } from '../pipeline/task-context.js';

/** One candidate proof with its score `-log π(ẑ|s,l) / log π(ẑ)` (higher is better, range (-inf, 0]). */
export interface ScoredProof {
  /** The proof text ẑ. */
  proof: string;
  /** log π(ẑ | s, l): the proof's log-likelihood in context. */
  logpContext: number;
  /** log π(ẑ): the proof's log-likelihood without context. */
  logpAlone: number;
  /** The proof score. */
  score: number;
}

/** Outcome of synthesizing proofs for one pair. */
export interface ProofResult {
  /** The pair's id. */
  id: string;
  /** All candidates, in sampling order. */
  candidates: ScoredProof[];
  /** The best candidate that passed the rule checks, converted back to rationale form; absent if none passed. */
  rationale?: string;
  /** Why candidates were dropped (rule name -> count). */
  dropped: Record<string, number>;
}

/** A preference-proving model π_ψ. */
export interface Prover {
  /** The kind name a config uses. */
  readonly kind: string;
  /** Train on rationale-based examples (loss −log π_ψ(ẑ | s, l)); writes a checkpoint into `outDir`. */
  train(examples: AsyncIterable<RationaleExample>, outDir: string, options: unknown, ctx: TaskContext): Promise<void>;
  /** Sample k proofs for `pair` justifying `label`, score them, apply rule checks and keep the best. */
  prove(pair: PreferencePair, label: Label, options: unknown, ctx: TaskContext): Promise<ProofResult>;
}
