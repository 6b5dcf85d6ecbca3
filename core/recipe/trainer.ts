// The Trainer contract: supervised fine-tuning (full or LoRA) of a decoder on prompt -> target examples,
// with evaluation, early stopping and checkpoints that resume exactly. Implementations live in plugins.
import type { TaskContext } from '../pipeline/task-context.js';

/** One training example: the loss is taken on `target` tokens only. */
export interface SftExample {
  /** Stable id (resume and logging). */
  id: string;
  /** Conditioning text (not in the loss). */
  prompt: string;
  /** Text the model must produce (in the loss). */
  target: string;
}

/** What a finished (or stopped) training run reports. */
export interface TrainReport {
  /** Optimizer steps taken. */
  steps: number;
  /** Last training loss. */
  finalLoss: number;
  /** Best evaluation loss, when an eval set was given. */
  bestEvalLoss?: number;
  /** Tokens processed per second. */
  tokensPerSecond: number;
  /** Why training ended: `done`, `early-stop`, or `diverged` (NaN; the last good checkpoint is kept). */
  stopReason: 'done' | 'early-stop' | 'diverged';
  /** Folder of the checkpoint written. */
  checkpoint: string;
}

/** A trainer of one kind (`full`, `lora`, ...). */
export interface Trainer {
  /** The kind name a config uses. */
  readonly kind: string;
  /**
   * Train the model at `modelPath` on `train` (and evaluate on `evalSet` if given), writing checkpoints into `outDir`;
   * resumes from the last checkpoint found in `outDir`.
   */
  train(modelPath: string, train: SftExample[], evalSet: SftExample[] | undefined, outDir: string, options: unknown,
    ctx: TaskContext): Promise<TrainReport>;
}
