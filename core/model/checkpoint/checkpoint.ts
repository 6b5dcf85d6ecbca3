// The Checkpoint type returned by every checkpoint reader: config + canonical float32 weights + provenance.
// Pure types; readers are hf-checkpoint.ts and llama2c-checkpoint.ts, dispatch is load-checkpoint.ts.
import type { Weights } from './canonical-weights.js';
import type { ModelConfig } from './model-config.js';

/** Checkpoint file formats gramr reads. */
export type CheckpointFormat = 'hf-safetensors' | 'llama2c';

/** A loaded checkpoint. */
export interface Checkpoint {
  /** The model's configuration. */
  config: ModelConfig;
  /** Every expected tensor, by canonical (Hugging Face) name, as float32. */
  weights: Weights;
  /** The format it was read from. */
  format: CheckpointFormat;
  /** The folder or file it was read from. */
  source: string;
  /** Tensors present in the files but not used (rotary caches, a tied duplicate lm_head); [] when none. */
  ignored: string[];
}
