// The self-training contract (METHOD.md, recipe step 4): one round pseudo-labels unlabeled pairs with the current
// GRM, filters the labels, has the prover write rationales for the kept ones, and retrains the GRM on them merged
// with all earlier synthesized data. The `self-train` stage (plugins/self-training) runs the rounds, checkpoints
// them and measures them; a strategy never sees gold labels or the eval set. Implementations live in plugins.
import type { Label, PreferencePair, RationaleExample } from '../data/records.js';
import type { TrainerContext } from './trainer.js';

/** What a round decided for one unlabeled pair. */
export interface PseudoLabel {
  /** The pair's id. */
  id: string;
  /** The voted label; absent when the vote gave no answer. */
  label?: Label;
  /** The label's probability used for the threshold (softmax over the two label tokens); absent without one. */
  confidence?: number;
  /** Votes cast for A, for B, and samples without an answer. */
  votes: { A: number; B: number; none: number };
  /** Whether the pair became a training example (label kept AND a rationale passed the rules). */
  kept: boolean;
  /** Why it was dropped (`no-answer:<reason>`, `below-threshold`, `rules:<rule>`, ...); absent when kept. */
  dropped?: string;
}

/** Metrics of one self-training round. Counts are pairs; rates are fractions in [0, 1]. */
export interface RoundReport {
  /** Round number, from 1. */
  round: number;
  /** Unlabeled pairs offered. */
  offered: number;
  /** Pairs the vote gave a label. */
  labeled: number;
  /** Labeled pairs at or above the confidence threshold (sent to the prover). */
  confident: number;
  /** Pairs kept after vote, threshold and rule checks (added to the training data). */
  kept: number;
  /** kept / offered (0 when nothing was offered). */
  keptFraction: number;
  /** Kept labels by class. */
  keptLabels: { A: number; B: number };
  /** Pairs dropped, by reason (reason -> count); the counts add up to offered − kept. `{}` when none. */
  dropped: Record<string, number>;
  /** Prover candidates dropped, by the first rule they failed (all pairs sent to the prover); `{}` when none. */
  candidateDrops: Record<string, number>;
  /** Training examples of the retrain (earlier data + this round's kept); 0 when not retrained. */
  trainExamples: number;
  /** Whether the GRM was retrained this round (false: nothing kept, the GRM carries over unchanged). */
  retrained: boolean;
  /** Where training started: `backbone`, `continue` (the current GRM), or `unchanged` when not retrained. */
  startedFrom: 'backbone' | 'continue' | 'unchanged';
  /** Optimizer steps of the retrain (0 when not retrained). */
  steps: number;
  /** Final training loss of the retrain (absent when not retrained). */
  finalLoss?: number;
  /** Accuracy of the kept pseudo-labels against hidden gold labels (set by the stage, where the data has them). */
  pseudoLabelAccuracy?: number;
  /** Accuracy of every voted label (kept or not) against hidden gold labels (set by the stage). */
  votedLabelAccuracy?: number;
  /** Pairs with a gold label behind the accuracies (set by the stage). */
  goldPairs?: number;
  /**
   * Gold accuracy of the voted labels by where the round stopped them (set by the stage): `confident` (at or above
   * the threshold), `belowThreshold` (voted but under it), `ruleDropped` (confident, but no prover rationale passed
   * the rules) and `kept`. Each is `{pairs, accuracy}`; accuracy is absent for 0 pairs.
   */
  labelAccuracyBy?: Record<'confident' | 'belowThreshold' | 'ruleDropped' | 'kept', { pairs: number; accuracy?: number }>;
  /** Evaluation accuracy of the round's GRM on the eval set, when one is configured (set by the stage). */
  evalAccuracy?: number;
  /** Plain-language notes (e.g. "nothing kept: the GRM carries over unchanged"); [] when none. */
  notes: string[];
}

/** Everything one round needs, supplied by the `self-train` stage. */
export interface RoundInputs {
  /** Round number, from 1. */
  round: number;
  /** Path of the current GRM checkpoint (it labels this round). */
  grmPath: string;
  /** Path of the backbone (the GRM's initial weights), for strategies that retrain from it; absent when not configured. */
  backbonePath?: string;
  /** Path of the preference-proving model. */
  proverPath: string;
  /** This round's unlabeled pairs; `label` and `meta.goldLabel` are removed before a strategy sees them. */
  unlabeled: PreferencePair[];
  /** All synthesized training data so far (the initial synthesized set + every earlier round's additions). */
  earlier: RationaleExample[];
  /** Folder for this round's artifacts and checkpoints; a rerun after a kill finds there what the last run left. */
  outDir: string;
}

/** What a round returns. */
export interface RoundResult {
  /** The GRM after the round (the input `grmPath` when the round did not retrain). */
  grmPath: string;
  /** The examples this round adds to the training data (pair + pseudo-label + prover rationale). */
  added: RationaleExample[];
  /** One decision per unlabeled pair, in input order. */
  labels: PseudoLabel[];
  /** The round's metrics (the stage fills in the gold and eval accuracies). */
  report: RoundReport;
}

/** One self-training strategy. */
export interface SelfTrainingStrategy {
  /** The kind name a config uses. */
  readonly kind: string;
  /**
   * Run one round with this kind's `options` (parsed by its schema). Must resume from what an interrupted call left
   * in `inputs.outDir` and end with the same result; throws `ctx.signal.reason` when cancelled.
   */
  round(inputs: RoundInputs, options: unknown, ctx: TrainerContext): Promise<RoundResult>;
}
