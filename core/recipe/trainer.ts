// The Trainer contract: fine-tuning (full or LoRA) of a decoder on prompt -> target examples (or preference
// pairs for a reward head), with evaluation, early stopping and checkpoints that resume exactly. Implementations
// live in plugins (plugins/trainers); the shared loop is core/training.
import type { TaskContext } from '../pipeline/task-context.js';
import type { ComputeBackend } from '../tensor/backend.js';

/** One training example: the loss is taken on `target` tokens only. */
export interface SftExample {
  /** Stable id (resume, data fingerprint and logging). */
  id: string;
  /** Conditioning text, already rendered by the caller (chat format); not in the loss. */
  prompt: string;
  /** Text the model must produce (in the loss). */
  target: string;
}

/** One preference pair for the Bradley–Terry objective: `prompt + chosen` must score above `prompt + rejected`. */
export interface PairExample {
  /** Stable id (resume, data fingerprint and logging). */
  id: string;
  /** Conditioning text, already rendered by the caller. */
  prompt: string;
  /** The preferred continuation. */
  chosen: string;
  /** The dispreferred continuation. */
  rejected: string;
}

/** What a trainer consumes: SFT examples (objectives `sft`, `label-smoothed`) or pairs (`bradley-terry`). */
export type TrainExample = SftExample | PairExample;

/** One training job. */
export interface TrainJob {
  /** The starting model: a Hugging Face checkpoint folder (with a tokenizer) or a llama2.c `.bin`. */
  modelPath: string;
  /** Training examples. */
  train: readonly TrainExample[];
  /** Held-out examples for the evaluation loss, early stopping and the best checkpoint; none when undefined. */
  evalSet?: readonly TrainExample[];
  /** Folder for checkpoints, the result and the report; a run resumes from the last checkpoint found here. */
  outDir: string;
  /** Options of the trainer kind (validated by its schema; `{}` gives every default). */
  options: unknown;
  /** The caller already checked and reported the examples' label balance: the trainer skips its one-class warning. */
  labelsChecked?: boolean;
}

/** The context a trainer runs in: a TaskContext plus the configured backend (a StageContext satisfies it). */
export interface TrainerContext extends TaskContext {
  /** The compute backend to train on (initialized). */
  backend(): Promise<ComputeBackend>;
}

/** One evaluation during training. */
export interface EvalPoint {
  /** Optimizer step after which it ran. */
  step: number;
  /** Mean loss over the eval set (per target token for `sft`, per example otherwise). */
  loss: number;
  /** Fraction of eval examples ranked right (`label-smoothed`, `bradley-terry`); absent for `sft`. */
  accuracy?: number;
}

/** What a finished (or stopped) training run reports. */
export interface TrainReport {
  /** Optimizer steps taken (including those before a resume). */
  steps: number;
  /** Mean training loss of the last step. */
  finalLoss: number;
  /** Best evaluation loss, when an eval set was given. */
  bestEvalLoss?: number;
  /** Step of the best evaluation loss. */
  bestStep?: number;
  /** Every evaluation, in order ([] without an eval set). */
  evals: EvalPoint[];
  /** Training tokens (non-padding positions) processed per second in this process. */
  tokensPerSecond: number;
  /** Why training ended: `done`, `early-stop`, or `diverged` (non-finite loss; the last good checkpoint is kept). */
  stopReason: 'done' | 'early-stop' | 'diverged';
  /** With `diverged`: the step whose loss, gradient norm or updated weights were not finite. */
  divergedAtStep?: number;
  /** The result folder: an HF checkpoint (`full`) or a LoRA adapter (`lora`). */
  checkpoint: string;
  /** With LoRA and `merge: true`: the merged HF checkpoint folder. */
  mergedCheckpoint?: string;
  /** The step this process resumed from (absent for a fresh run). */
  resumedFromStep?: number;
  /** Examples shortened (prompt cut from the left) and dropped by the length rule. */
  truncated: { shortened: number; dropped: number };
  /** Things a person should look at (e.g. a one-class dataset); [] when none. Also logged to progress. */
  warnings: string[];
}

/** A trainer of one kind (`full`, `lora`, ...). */
export interface Trainer {
  /** The kind name a config uses. */
  readonly kind: string;
  /**
   * Train `job.modelPath` on `job.train` (evaluating on `job.evalSet` when given), writing checkpoints and the
   * result into `job.outDir`; resumes from the last checkpoint there, and returns the saved report at once when
   * the run had already finished. Throws `ctx.signal.reason` when cancelled (after saving a checkpoint).
   */
  train(job: TrainJob, ctx: TrainerContext): Promise<TrainReport>;
}
