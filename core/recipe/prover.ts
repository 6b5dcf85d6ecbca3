// The preference-proving model contract (METHOD.md, recipe steps 1-2): trained by SFT on (s, l) -> proof, it
// samples, rule-checks and scores proofs for labeled pairs and returns the best one as a rationale.
// Implementations live in plugins (plugins/prover: kind `sft-prover`).
import type { Label, PreferencePair, RationaleExample } from '../data/records.js';
import type { TaskContext } from '../pipeline/task-context.js';
import type { Trainer, TrainerContext, TrainReport } from './trainer.js';

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

/** One sampled proof: dropped by a rule, or scored. */
export interface ProofCandidate {
  /** The generated proof text. */
  proof: string;
  /** Why generation ended: `eos` (the model finished), `stop`, or `length` (cut at maxTokens / the context). */
  finishReason: 'eos' | 'stop' | 'length';
  /** Tokens generated for it. */
  tokens: number;
  /** The first rule it failed (the rule names are the prover's); absent when it passed every rule. */
  failedRule?: string;
  /** What exactly failed, for people (absent when it passed). */
  detail?: string;
  /** The score, present exactly when it passed the rules. */
  scored?: ScoredProof;
}

/** Outcome of synthesizing proofs for one pair. */
export interface ProofResult {
  /** The pair's id. */
  id: string;
  /** The label the proofs had to justify. */
  label: Label;
  /** All candidates, in sampling order. */
  candidates: ProofCandidate[];
  /** The best-scoring candidate that passed the rule checks; absent if none passed. */
  best?: ScoredProof;
  /** `best` converted back to rationale form; absent if none passed. */
  rationale?: string;
  /** Candidates dropped, by the first rule they failed (rule name -> count); `{}` when none. */
  dropped: Record<string, number>;
  /** Set when the pair itself could not be proved (e.g. `prompt-too-long`); then `candidates` is empty. */
  skipped?: string;
}

/** A pair and the label a proof must justify. */
export interface ProofRequest {
  /** The pair (its `label` field is ignored; `label` below is the one proved). */
  pair: PreferencePair;
  /** The label to justify: the gold label or a pseudo-label. */
  label: Label;
}

/** One training job of a prover. */
export interface ProverTrainJob {
  /** Rationale-based examples (s, l, z): trained as (s, l) -> proof(z). */
  examples: readonly RationaleExample[];
  /** Held-out examples for the trainer's evaluation loss; none when undefined. */
  evalSet?: readonly RationaleExample[];
  /** The starting checkpoint (a scratch init or a pretrained backbone). */
  modelPath: string;
  /** Folder for checkpoints and the result (the trainer resumes from what it finds here). */
  outDir: string;
  /** The trainer that runs the SFT. */
  trainer: Trainer;
  /** Options of that trainer kind. */
  trainerOptions: unknown;
}

/** A loaded prover model, ready to synthesize; dispose it to free the backend's buffers. */
export interface ProofSession {
  /** Sample, rule-check and score proofs for each request; results are in request order and independent of batching. */
  prove(requests: readonly ProofRequest[], ctx: TaskContext): Promise<ProofResult[]>;
  /** Frees the model. */
  dispose(): void;
}

/** A preference-proving model π_ψ. */
export interface Prover {
  /** The kind name a config uses. */
  readonly kind: string;
  /**
   * Train on rationale-based examples (loss −log π_ψ(ẑ | s, l) on proof tokens only) with `job.trainer`; the result
   * folder is a checkpoint that `open` accepts. `options` are this kind's options (its schema).
   */
  train(job: ProverTrainJob, options: unknown, ctx: TrainerContext): Promise<TrainReport>;
  /** This kind's options parsed (defaults applied): what a trained model folder records, so `open` can read them back. */
  describe(options: unknown): Record<string, unknown>;
  /**
   * Load a trained prover from `modelPath` for synthesis. `trained` is what `describe` returned at training time
   * (the prompt format it learned); `options` are the synthesis settings of this kind.
   */
  open(modelPath: string, trained: Record<string, unknown>, options: unknown, ctx: TrainerContext): Promise<ProofSession>;
}
