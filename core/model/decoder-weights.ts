// The decoder's parameters: Hugging Face canonical names with the graph's layout (projection weights stored
// [in, out] so the graph computes x @ W; the embedding stays [vocab, hidden]; lm_head is [hidden, vocab]),
// and the conversions to and from checkpoint weights.
import { expectedTensors, type Weights } from './checkpoint/canonical-weights.js';
import type { ModelConfig } from './checkpoint/model-config.js';
import { transposeInto } from '../tensor/transpose.js';

/** One parameter as host data in the decoder's layout. */
export interface HostParam {
  /** Dimensions in the decoder's layout ([in, out] for projections). */
  shape: number[];
  /** Row-major values. */
  data: Float32Array;
}

/** All parameters of a decoder by canonical name (what TrainStep's `params` option takes). */
export type HostParams = Record<string, HostParam>;

/** A parameter's name and shape in the decoder's layout. */
export interface ParamSpec {
  /** Canonical (Hugging Face) name. */
  name: string;
  /** Shape in the decoder's layout. */
  shape: number[];
  /** True when the checkpoint stores it transposed ([out, in] Linear weights and lm_head). */
  transposed: boolean;
}

/** Linear weights ([out, in] in checkpoints) and lm_head are transposed; embeddings, norms and biases are not. */
function isTransposed(name: string, shape: readonly number[]): boolean {
  return shape.length === 2 && name !== 'model.embed_tokens.weight';
}

/** Every parameter of a decoder with this config, in the canonical order, with its decoder-layout shape. */
export function decoderParamSpecs(config: ModelConfig): ParamSpec[] {
  return expectedTensors(config).map((s) => {
    const transposed = isTransposed(s.name, s.shape);
    return { name: s.name, shape: transposed ? [s.shape[1]!, s.shape[0]!] : [...s.shape], transposed };
  });
}

/** Transposes a row-major [rows, cols] matrix into a new array. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  return transposeInto(data, rows, cols, new Float32Array(data.length));
}

/** Checkpoint weights (HF names and shapes) -> decoder parameters. Errors name the missing or misshapen tensor. */
export function paramsFromWeights(config: ModelConfig, weights: Weights, source = 'weights'): HostParams {
  const out: HostParams = {};
  for (const spec of decoderParamSpecs(config)) {
    const w = weights.get(spec.name);
    const hf = spec.transposed ? [spec.shape[1]!, spec.shape[0]!] : spec.shape;
    if (w === undefined) throw new Error(`${source}: tensor '${spec.name}' is missing (expected shape [${hf.join(', ')}])`);
    if (w.shape.length !== hf.length || w.shape.some((d, i) => d !== hf[i])) {
      throw new Error(`${source}: tensor '${spec.name}' has shape [${w.shape.join(', ')}], expected [${hf.join(', ')}]`);
    }
    out[spec.name] = { shape: spec.shape, data: spec.transposed ? transpose2d(w.data, hf[0]!, hf[1]!) : w.data };
  }
  return out;
}

/** Decoder parameters -> checkpoint weights (HF names and [out, in] shapes), e.g. for saveHfCheckpoint. */
export function weightsFromParams(config: ModelConfig, params: Readonly<Record<string, { shape: readonly number[]; data: ArrayLike<number> }>>): Weights {
  const out: Weights = new Map();
  for (const spec of decoderParamSpecs(config)) {
    const p = params[spec.name];
    if (p === undefined) throw new Error(`weightsFromParams: parameter '${spec.name}' is missing (expected [${spec.shape.join(', ')}])`);
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (p.data.length !== n) throw new Error(`weightsFromParams: '${spec.name}' has ${p.data.length} values, expected ${n} for [${spec.shape.join(', ')}]`);
    const data = Float32Array.from(p.data);
    out.set(spec.name, spec.transposed
      ? { shape: [spec.shape[1]!, spec.shape[0]!], data: transpose2d(data, spec.shape[0]!, spec.shape[1]!) }
      : { shape: [...spec.shape], data });
  }
  return out;
}
