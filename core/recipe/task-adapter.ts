// The TaskAdapter contract: adapts a foundation GRM to a new task from a small labeled set (METHOD.md,
// "Task adaptation"). Users write their own adapters as plugins; a built-in one fine-tunes (full or LoRA).
import type { PreferencePair } from '../data/records.js';
import type { TaskContext } from '../pipeline/task-context.js';

/** Result of adapting a model. */
export interface AdaptResult {
  /** Path of the adapted model (a checkpoint folder or a LoRA adapter file). */
  modelPath: string;
  /** Named metrics the adapter measured (e.g. held-out accuracy before and after). */
  metrics: Record<string, number>;
}

/** A task adapter of one kind. */
export interface TaskAdapter {
  /** The kind name a config uses. */
  readonly kind: string;
  /** Adapt the model at `modelPath` using the task's labeled examples; write results into `outDir`. */
  adapt(modelPath: string, examples: PreferencePair[], outDir: string, options: unknown, ctx: TaskContext):
    Promise<AdaptResult>;
}
