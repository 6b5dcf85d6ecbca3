// The TaskAdapter contract: adapts a foundation GRM to a new task from a small labeled set (METHOD.md, "Task
// adaptation"). The `adapt` stage (plugins/task-adapters) reads the data, measures the model before and after on a
// held-out set and publishes the result; an adapter only adapts. Users write their own adapters as plugins
// (docs/writing-a-task-adapter.md); the built-in `fine-tune` adapter fine-tunes (full or LoRA) via core/training.
import type { PreferencePair } from '../data/records.js';
import type { TrainerContext } from './trainer.js';

/** One adaptation job. */
export interface AdaptJob {
  /** The foundation GRM: an HF checkpoint folder (with its tokenizer and, when gramr wrote it, gramr.json). */
  modelPath: string;
  /** The task's labeled pairs (label A|B); a pair may carry a `rationale` (a RationaleExample). */
  examples: PreferencePair[];
  /** Folder for the adapter's work (checkpoints, logs) and its result; a rerun after a kill finds what it left. */
  outDir: string;
  /** A preference-proving model, when the stage was given one (adapters may use it to write rationales). */
  proverPath?: string;
}

/** Result of adapting a model. */
export interface AdaptResult {
  /**
   * Path of the adapted model: a loadable HF checkpoint folder (LoRA adapters merged), inside `outDir`. The stage
   * copies it to its model artifact and adds the foundation model's gramr.json when the folder has none.
   */
  modelPath: string;
  /** Named numbers the adapter measured (examples used, steps, loss, ...); `{}` when none. */
  metrics: Record<string, number>;
}

/** A task adapter of one kind. */
export interface TaskAdapter {
  /** The kind name a config uses. */
  readonly kind: string;
  /** Adapt `job.modelPath` to the task of `job.examples` with this kind's `options` (parsed by its schema). */
  adapt(job: AdaptJob, options: unknown, ctx: TrainerContext): Promise<AdaptResult>;
}
