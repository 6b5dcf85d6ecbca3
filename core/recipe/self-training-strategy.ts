// The self-training contract (METHOD.md, recipe step 4): rounds of pseudo-labeling unlabeled pairs with the
// current GRM, filtering, rationale writing by the prover, and retraining. Implementations live in plugins.
import type { PreferencePair, RationaleExample } from '../data/records.js';
import type { TaskContext } from '../pipeline/task-context.js';

/** Metrics of one self-training round. */
export interface RoundReport {
  /** Round number, from 1. */
  round: number;
  /** Unlabeled pairs offered. */
  offered: number;
  /** Pseudo-labels kept after vote, threshold and rule checks. */
  kept: number;
  /** Accuracy of kept pseudo-labels against hidden gold labels, where the data has them. */
  pseudoLabelAccuracy?: number;
  /** Evaluation accuracy of the retrained GRM, when an eval set is configured. */
  evalAccuracy?: number;
  /** Why examples were dropped (reason -> count). */
  dropped: Record<string, number>;
}

/** Everything one round needs, supplied by the `self-train` stage. */
export interface RoundInputs {
  /** Round number, from 1. */
  round: number;
  /** Path of the current GRM checkpoint. */
  grmPath: string;
  /** Path of the preference-proving model. */
  proverPath: string;
  /** This round's unlabeled pairs (gold labels, if any, are hidden from the strategy's labeling). */
  unlabeled: PreferencePair[];
  /** All synthesized training data so far (merged into the retrain set). */
  earlier: RationaleExample[];
  /** Folder for this round's artifacts and checkpoints. */
  outDir: string;
}

/** One self-training strategy. */
export interface SelfTrainingStrategy {
  /** The kind name a config uses. */
  readonly kind: string;
  /** Run one round; returns the new GRM path, the new synthesized examples and the round's report. */
  round(inputs: RoundInputs, options: unknown, ctx: TaskContext):
    Promise<{ grmPath: string; added: RationaleExample[]; report: RoundReport }>;
}
