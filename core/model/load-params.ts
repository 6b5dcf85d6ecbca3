// Streams a checkpoint's parameters onto a backend one tensor at a time: each tensor is read from the file into
// its final array and handed to the backend without a copy where it can adopt host arrays, so loading holds the
// weights once. Projections stay in the file's [out, in] layout on a backend that reads them so (adoptTransposed);
// elsewhere they go through one reusable scratch array and a transpose. With a quantization format, projections
// and the head are block-quantized on the way (onnx backend only).
import type { CheckpointReader } from './checkpoint/checkpoint-reader.js';
import { decoderParamSpecs } from './decoder-weights.js';
import type { ComputeBackend, DeviceBuffer } from '../tensor/backend.js';
import { QUANT_FORMATS, quantizeMatrix, type QuantBits } from '../tensor/quantize.js';
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
  const bits = quantizationBits(reader, backend, quantize);
  const specs = decoderParamSpecs(config);
  const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
  const inPlace = backend.adoptTransposed !== undefined && bits === undefined;
  const storedCodes = reader.quantization !== undefined && bits !== undefined;
  const scratch = new Float32Array(inPlace || storedCodes ? 0 : Math.max(0, ...specs.filter((s) => s.transposed).map((s) => size(s.shape))));
  // Projections and the head, [out, in] in the file (MatMulNBits's [N, K]): stored codes, or quantized from floats.
  const quantized = async (name: string, n: number, k: number, data?: Float32Array): Promise<DeviceBuffer> => backend.adoptQuantized!(storedCodes
    ? await reader.readQuantized!(name)
    : quantizeMatrix(data ?? await reader.read(name, scratch.subarray(0, n * k)), n, k, bits!));
  // A tied model's head: the embedding read as [in, out] (or a transposed copy); a stored quantized checkpoint's own.
  const tiedHead = async (embedding: Float32Array): Promise<DeviceBuffer> => {
    const [v, h] = [config.vocabSize, config.hiddenSize];
    if (bits !== undefined) return quantized('lm_head.weight', v, h, embedding);
    const src = reader.quantization ? await reader.read('lm_head.weight') : embedding;
    if (backend.adoptTransposed) return backend.adoptTransposed([h, v], src);
    return residentBuffer(backend, [h, v], transposeInto(src, v, h, new Float32Array(v * h)));
  };
  const bufs: Record<string, DeviceBuffer> = {};
  try {
    let embedding: Float32Array | undefined;
    for (const spec of specs) {
      const n = size(spec.shape);
      let data: Float32Array;
      if (spec.transposed && bits !== undefined) {
        bufs[spec.name] = await quantized(spec.name, spec.shape[1]!, spec.shape[0]!);
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
    if (config.tieWordEmbeddings) bufs['lm_head.weight'] = await tiedHead(embedding!);
  } catch (e) {
    for (const b of Object.values(bufs)) backend.free(b);
    throw e;
  }
  return new ResidentParams(bufs);
}

/**
 * Bits of the quantized weights to load: those stored in the checkpoint, or `quantize`'s; undefined for floats.
 * A stored quantized checkpoint on a backend without quantized weights loads dequantized (the same values).
 */
function quantizationBits(reader: CheckpointReader, backend: ComputeBackend, quantize: string | undefined): QuantBits | undefined {
  const asked = quantize === undefined ? undefined : QUANT_FORMATS[quantize];
  if (quantize !== undefined && asked === undefined) throw new Error(`quantize: unknown format '${quantize}'; valid: ${Object.keys(QUANT_FORMATS).join(', ')}`);
  const stored = reader.quantization;
  if (stored && asked !== undefined && asked !== stored.bits) {
    throw new Error(`--quantize ${quantize}: ${reader.source} is stored ${stored.bits}-bit (gramr quantize); load it without --quantize, or quantize its float checkpoint to ${asked} bits`);
  }
  if (stored) return backend.adoptQuantized ? stored.bits : undefined;
  if (asked !== undefined && !backend.adoptQuantized) {
    throw new Error(`--quantize ${quantize}: the ${backend.name} backend cannot run quantized weights (the onnx backend on its cpu provider can, with MatMulNBits); load without --quantize or use --backend onnx`);
  }
  return asked;
}
