// CheckpointReader: an open checkpoint whose config and tensor list are known and checked but whose tensors are
// read one at a time, on request (so a large model's weights never sit in memory twice while being loaded).
// Readers come from openCheckpoint (load-checkpoint.ts); readAllWeights turns one into a whole Checkpoint.
import type { TensorSpec, Weights } from './canonical-weights.js';
import type { Checkpoint, CheckpointFormat } from './checkpoint.js';
import type { ModelConfig } from './model-config.js';
import type { QuantBits, QuantizedMatrix } from '../../tensor/quantize.js';

/** How a stored quantized checkpoint holds its projections and head (see quantized-checkpoint.ts). */
export interface StoredQuantization {
  /** Bits per code. */
  bits: QuantBits;
  /** Values per block along K. */
  blockSize: number;
}

/** An open checkpoint: read tensors with `read`, then `close()`. */
export interface CheckpointReader {
  /** The model's configuration. */
  config: ModelConfig;
  /** The format it is read from. */
  format: CheckpointFormat;
  /** The folder or file it is read from. */
  source: string;
  /** Tensors present in the files but not used; [] when none. */
  ignored: string[];
  /** Every expected tensor (canonical name, [out, in] shapes), in the canonical order; all present and checked. */
  tensors: TensorSpec[];
  /** Reads one tensor as float32; into `out` (its exact element count) when given, else into a new array. */
  read(name: string, out?: Float32Array): Promise<Float32Array>;
  /** Releases the files. */
  close(): Promise<void>;
  /** Set when the projections and the head are stored block-quantized; `read` then gives their dequantized values. */
  quantization?: StoredQuantization;
  /** With `quantization`: a projection (or `lm_head.weight`, also for tied models) as stored, `[out, in]` codes. */
  readQuantized?(name: string): Promise<QuantizedMatrix>;
}

/** Reads every tensor of `reader` into a Checkpoint and closes it. */
export async function readAllWeights(reader: CheckpointReader): Promise<Checkpoint> {
  try {
    const weights: Weights = new Map();
    for (const spec of reader.tensors) weights.set(spec.name, { shape: spec.shape, data: await reader.read(spec.name) });
    return { config: reader.config, weights, format: reader.format, source: reader.source, ignored: reader.ignored };
  } finally {
    await reader.close();
  }
}

/** A reader over a checkpoint already in memory (llama2.c files are read whole); `read` copies into `out` only. */
export function memoryReader(ckpt: Checkpoint, tensors: TensorSpec[]): CheckpointReader {
  return {
    config: ckpt.config, format: ckpt.format, source: ckpt.source, ignored: ckpt.ignored, tensors,
    read: (name, out) => {
      const w = ckpt.weights.get(name);
      if (w === undefined) return Promise.reject(new Error(`${ckpt.source}: no tensor '${name}'`));
      if (out === undefined) return Promise.resolve(w.data);
      out.set(w.data);
      return Promise.resolve(out);
    },
    close: () => Promise.resolve(),
  };
}
