// Streams a checkpoint's parameters onto a backend one tensor at a time: each tensor is read from the file into
// its final array and handed to the backend without a copy where it can adopt host arrays, so loading holds the
// weights once. Projections stay in the file's [out, in] layout on a backend that reads them so (adoptTransposed);
// elsewhere they go through one reusable scratch array and a transpose. With a quantization format, projections
// and the head are block-quantized on the way (onnx backend only).
import type { CheckpointReader } from './checkpoint/checkpoint-reader.js';
import { decoderParamSpecs } from './decoder-weights.js';
import type { ComputeBackend, DeviceBuffer } from '../tensor/backend.js';
import { QUANT_FORMATS, quantizeMatrix } from '../tensor/quantize.js';
import { transposeInto } from '../tensor/transpose.js';

/** Parameter buffers already resident on a backend (what CausalLM takes instead of host values). */
export class ResidentParams {
  /**
   * @param buffers every decoder parameter by canonical name, plus `lm_head.weight` for tied models (the embedding
   *   read transposed, or a transposed copy of it); the CausalLM that takes them frees them
   */
  constructor(readonly buffers: Readonly<Record<string, DeviceBuffer>>) {}
}

/** Host data onto `backend`: adopted without a copy when the backend can, else allocate + upload. */
export function residentBuffer(backend: ComputeBackend, shape: number[], data: Float32Array): DeviceBuffer {
  if (backend.adopt) return backend.adopt(shape, 'f32', data);
  const b = backend.allocate(shape, 'f32');
  try {
    backend.upload(b, data);
  } catch (e) {
    backend.free(b);
    throw e;
  }
  return b;
}

/** Reads every decoder parameter of `reader` onto `backend` (closing nothing: the caller closes the reader). */
export async function loadParams(reader: CheckpointReader, backend: ComputeBackend, quantize?: string): Promise<ResidentParams> {
  const config = reader.config;
  const bits = quantize === undefined ? undefined : QUANT_FORMATS[quantize];
  if (quantize !== undefined && bits === undefined) throw new Error(`quantize: unknown format '${quantize}'; valid: ${Object.keys(QUANT_FORMATS).join(', ')}`);
  if (bits !== undefined && !backend.adoptQuantized) {
    throw new Error(`--quantize ${quantize}: the ${backend.name} backend cannot run quantized weights (the onnx backend on its cpu provider can, with MatMulNBits); load without --quantize or use --backend onnx`);
  }
  // Projections and the head are quantized straight from their [out, in] file layout (MatMulNBits's [N, K]).
  const quantized = (shape: number[], data: Float32Array): DeviceBuffer => backend.adoptQuantized!(quantizeMatrix(data, shape[0]!, shape[1]!, bits!));
  const specs = decoderParamSpecs(config);
  const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
  const inPlace = backend.adoptTransposed !== undefined && bits === undefined;
  const scratch = new Float32Array(inPlace ? 0 : Math.max(0, ...specs.filter((s) => s.transposed).map((s) => size(s.shape))));
  const bufs: Record<string, DeviceBuffer> = {};
  try {
    let embedding: Float32Array | undefined;
    for (const spec of specs) {
      const n = size(spec.shape);
      let data: Float32Array;
      if (spec.transposed && bits !== undefined) {
        bufs[spec.name] = quantized([spec.shape[1]!, spec.shape[0]!], await reader.read(spec.name, scratch.subarray(0, n)));
        continue;
      }
      if (spec.transposed && backend.adoptTransposed) {
        bufs[spec.name] = backend.adoptTransposed(spec.shape, await reader.read(spec.name));
        continue;
      }
      if (spec.transposed) {
        const src = await reader.read(spec.name, scratch.subarray(0, n));
        data = transposeInto(src, spec.shape[1]!, spec.shape[0]!, new Float32Array(n));
      } else {
        data = await reader.read(spec.name);
      }
      if (spec.name === 'model.embed_tokens.weight') embedding = data;
      bufs[spec.name] = residentBuffer(backend, spec.shape, data);
    }
    if (config.tieWordEmbeddings && bits !== undefined) bufs['lm_head.weight'] = quantized([config.vocabSize, config.hiddenSize], embedding!);
    else if (config.tieWordEmbeddings && backend.adoptTransposed) bufs['lm_head.weight'] = backend.adoptTransposed([config.hiddenSize, config.vocabSize], embedding!);
    else if (config.tieWordEmbeddings) {
      const head = transposeInto(embedding!, config.vocabSize, config.hiddenSize, new Float32Array(config.vocabSize * config.hiddenSize));
      bufs['lm_head.weight'] = residentBuffer(backend, [config.hiddenSize, config.vocabSize], head);
    }
  } catch (e) {
    for (const b of Object.values(bufs)) backend.free(b);
    throw e;
  }
  return new ResidentParams(bufs);
}
