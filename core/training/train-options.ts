// Option schemas of the trainer kinds (strict zod, with described defaults): what `full` and `lora` accept in a
// pipeline, and the parsed types the training loop reads. One source for defaults, docs and validation.
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { WRITE_DTYPES } from '../model/checkpoint/dtype-encode.js';

/** Modules a LoRA adapter can target (the projection matrices of every decoder layer). */
export const LORA_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;

/** One LoRA target module name. */
export type LoraModule = (typeof LORA_MODULES)[number];

/** Options shared by every trainer kind. */
const common = {
  objective: z.enum(['sft', 'label-smoothed', 'bradley-terry']).default('sft')
    .describe('loss: sft (cross-entropy on target tokens), label-smoothed (GRAM v1 stage 2, two label tokens), bradley-terry (scalar head on pairs)'),
  epsilon: z.number().min(0).max(0.5).default(0.05)
    .describe('label-smoothed: weight of the other label, −(1−ε)·log p(l) − ε·log p(other) (0.05 = PyTorch label_smoothing 0.1 with 2 classes)'),
  labels: z.tuple([z.string().min(1), z.string().min(1)]).optional()
    .describe('label-smoothed: the two label texts (each one token); default: the two distinct targets of the training data'),
  lr: z.number().positive().optional().describe('peak learning rate (default 1e-4 for full, 2e-4 for lora)'),
  epochs: z.number().positive().default(1).describe('passes over the training set (ignored when steps is set)'),
  steps: z.number().int().min(1).optional().describe('optimizer steps to take (default: from epochs)'),
  batchSize: z.number().int().min(1).default(8).describe('examples per micro-batch (padding rows fill the last batch of a bucket)'),
  gradAccum: z.number().int().min(1).default(1).describe('micro-batches per optimizer step (gradients averaged)'),
  maxLength: z.number().int().min(2).default(512).describe('most tokens of one sequence (prompt + target, BOS and EOS included)'),
  truncation: z.enum(['left', 'drop']).default('left')
    .describe('over-long examples: left = cut the prompt from the left (BOS kept, target never cut; dropped when the target alone does not fit), drop = drop them'),
  buckets: z.number().int().min(1).max(16).default(4).describe('static length buckets (one compiled program each)'),
  addEos: z.boolean().default(true).describe('sft: append the tokenizer\'s EOS to every target (so the model learns to stop)'),
  warmup: z.number().min(0).default(0.03).describe('linear warmup: a fraction of the steps when < 1, else a number of steps'),
  minLrRatio: z.number().min(0).max(1).default(0).describe('the cosine decays to lr × minLrRatio'),
  weightDecay: z.number().min(0).default(0).describe('AdamW decoupled weight decay (never on norms and biases)'),
  beta2: z.number().min(0).lt(1).default(0.999).describe('AdamW second-moment decay'),
  clip: z.number().min(0).default(1).describe('clip gradients to this global norm (0: no clipping)'),
  evalEvery: z.number().int().min(0).default(50).describe('steps between evaluations on the eval set (0: only at the end)'),
  patience: z.number().int().min(0).default(0).describe('stop after this many evaluations without improvement (0: never stop early)'),
  minDelta: z.number().min(0).default(0).describe('an eval loss must drop by more than this to count as an improvement'),
  restoreBest: z.boolean().default(true).describe('with an eval set: the result holds the weights of the best evaluation'),
  checkpointEvery: z.number().int().min(1).default(100).describe('steps between resumable checkpoints (also written at the end and on cancel)'),
  seed: z.number().int().optional().describe('seed of data order, adapter init and dropout (default: the task seed)'),
  dtype: z.enum(WRITE_DTYPES).optional()
    .describe('dtype of full weights written (full results, LoRA merges): F32, BF16 or F16; default: the base checkpoint\'s (BF16 and F16 bases stay so, else F32). LoRA adapters are always F32'),
  template: z.string().min(1).default('plain').describe('name of the prompt/chat format the data was rendered with (recorded in the result)'),
  labelPattern: z.string().default('<answer>\\s*(.*?)\\s*</answer>')
    .describe('regex whose first group is a target\'s class label, to flag a one-class dataset (sft)'),
};

/** `full`: every decoder parameter is trained. */
export const fullTrainerSchema = z.object(common).strict();

/** `lora`: base weights frozen, low-rank adapters A·B trained on the target modules. */
export const loraTrainerSchema = z.object({
  ...common,
  r: z.number().int().min(1).default(8).describe('adapter rank'),
  alpha: z.number().positive().default(16).describe('scale numerator: the update is (alpha / r)·A·B'),
  dropout: z.number().min(0).lt(1).default(0)
    .describe('dropout on the adapter branch\'s input features (one mask per step and module, shared by the batch\'s tokens)'),
  targets: z.array(z.enum(LORA_MODULES)).min(1).default([...LORA_MODULES]).describe('projection modules that get adapters'),
  merge: z.boolean().default(false).describe('also write the adapter merged into the base as an HF checkpoint (merged/), published instead of the adapter; without it the result is the adapter with a checked reference to its base, merged in memory when loaded'),
}).strict();

/** Parsed `full` options. */
export type FullTrainOptions = z.output<typeof fullTrainerSchema>;
/** Parsed `lora` options. */
export type LoraTrainOptions = z.output<typeof loraTrainerSchema>;
/** Parsed options of either kind (the LoRA fields are absent for `full`). */
export type TrainOptions = FullTrainOptions & Partial<Pick<LoraTrainOptions, 'r' | 'alpha' | 'dropout' | 'targets' | 'merge'>>;

/** Parse `options` for trainer `kind`; invalid options are a ConfigError naming the kind and the field. */
export function parseTrainOptions<S extends z.ZodType>(kind: string, schema: S, options: unknown): z.output<S> {
  const r = schema.safeParse(options ?? {});
  if (!r.success) throw new ConfigError(`${kind} trainer options are invalid:\n${z.prettifyError(r.error)}`);
  return r.data;
}
