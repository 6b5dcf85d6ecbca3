// Exports of a Llama-family decoder for runtimes without gramr: a Hugging Face-style folder (config.json,
// generation_config.json, tokenizer files, onnx/model.onnx with a KV cache and symbolic shapes, + external data
// when large) that transformers.js and optimum load, and the older single static-shape file (input_ids -> logits).
import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type ModelConfig, toHfConfig } from '../../core/model/checkpoint/model-config.js';
import { forwardProgram } from '../../core/model/decoder-programs.js';
import { transpose2d, type HostParams } from '../../core/model/decoder-weights.js';
import { llama2cToHfJson } from '../../core/model/tokenizer/llama2c-hf-json.js';
import { Llama2cTokenizer } from '../../core/model/tokenizer/llama2c-tokenizer.js';
import type { Tokenizer } from '../../core/model/tokenizer/tokenizer.js';
import { writeFileAtomic, writeJsonAtomic } from '../../core/io/atomic-write.js';
import { input } from '../../core/tensor/primitives.js';
import type { Tensor } from '../../core/tensor/tensor.js';
import { decoderKvGraph } from './decoder-graph.js';
import { exportGraph } from './export-model.js';
import { encodeModel, type OnnxModel, type OnnxTensor } from './onnx-model.js';

/** Options of `exportDecoderOnnx`. */
export interface DecoderExportOptions {
  /** Sequence length of the model's input (static). */
  seq: number;
  /** Batch size of the model's input (static, default 1). */
  batch?: number;
  /** Element type of input_ids (default int64). */
  idsType?: 'int64' | 'int32';
  /** Allow onnxruntime's com.microsoft contrib ops (default false). */
  contribOps?: boolean;
}

/**
 * The decoder of `config` with `params` (decoder layout) as ONNX bytes with static shapes and no cache: input
 * `input_ids` [batch, seq] (int64 or int32, each row from position 0, right-padded), output `logits` float32
 * [batch, seq, vocab].
 */
export function exportDecoderOnnx(config: ModelConfig, params: HostParams, options: DecoderExportOptions): Uint8Array {
  const batch = options.batch ?? 1;
  const constants: Record<string, Float32Array> = {};
  const p: Record<string, Tensor> = {};
  for (const [name, v] of Object.entries(params)) {
    constants[name] = v.data;
    p[name] = input(name, v.shape, 'f32');
  }
  if (config.tieWordEmbeddings) { // a transposed copy serves as the head, as CausalLM does
    constants['lm_head.weight'] = transpose2d(params['model.embed_tokens.weight']!.data, config.vocabSize, config.hiddenSize);
    p['lm_head.weight'] = input('lm_head.weight', [config.hiddenSize, config.vocabSize], 'f32');
  }
  const [logits] = forwardProgram(config, p, batch, options.seq);
  return exportGraph({
    outputs: [{ name: 'logits', tensor: logits! }], constants, inputNames: { ids: 'input_ids' },
    int64Inputs: options.idsType === 'int32' ? [] : ['ids'], contribOps: options.contribOps ?? false,
    graphName: `gramr_${config.architecture}`,
  }).bytes;
}

/** Options of `exportDecoderFolder`. */
export interface FolderExportOptions {
  /** The tokenizer to write beside the model (converted when it is a llama2.c one); none: no tokenizer files. */
  tokenizer?: Tokenizer;
  /**
   * Put the weights in onnx/model.onnx_data instead of model.onnx: 'auto' (default) when they exceed
   * EXTERNAL_DATA_THRESHOLD bytes (protobuf files stop at 2 GiB), or always / never.
   */
  externalData?: 'auto' | boolean;
}

/** What `exportDecoderFolder` wrote. */
export interface FolderExport {
  /** Paths written, relative to the folder. */
  files: string[];
  /** Bytes of onnx/model.onnx plus its external data. */
  modelBytes: number;
}

/** Weight bytes above which 'auto' writes external data (well under protobuf's 2 GiB limit). */
export const EXTERNAL_DATA_THRESHOLD = 1536 * 1048576;
const EXTERNAL_DATA_FILE = 'model.onnx_data';
/** Tensors this small stay inside the model file, as the ONNX converters do. */
const EXTERNAL_MIN_BYTES = 1024;
const ALIGN = 4096;

// Moves the large initializers' bytes to one data file (4 KiB-aligned offsets, so runtimes may map them).
function splitExternal(model: OnnxModel): { model: OnnxModel; chunks: Uint8Array[]; bytes: number } {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const initializers = model.initializers.map((t): OnnxTensor => {
    if (t.raw.length < EXTERNAL_MIN_BYTES) return t;
    const pad = (ALIGN - (offset % ALIGN)) % ALIGN;
    if (pad > 0) chunks.push(new Uint8Array(pad));
    offset += pad;
    chunks.push(t.raw);
    const moved = { ...t, raw: new Uint8Array(0), external: { location: EXTERNAL_DATA_FILE, offset, length: t.raw.length } };
    offset += t.raw.length;
    return moved;
  });
  return { model: { ...model, initializers }, chunks, bytes: offset };
}

// tokenizer.json and tokenizer_config.json: converted from llama2.c, or the files the tokenizer was read from.
async function tokenizerFiles(tok: Tokenizer): Promise<Record<string, unknown>> {
  if (tok instanceof Llama2cTokenizer) {
    const { tokenizer, config } = llama2cToHfJson(tok);
    return { 'tokenizer.json': tokenizer, 'tokenizer_config.json': config };
  }
  if (basename(tok.source) !== 'tokenizer.json') throw new Error(`ONNX export: cannot write a tokenizer.json for the tokenizer read from ${tok.source}`);
  const cfgPath = join(dirname(tok.source), 'tokenizer_config.json');
  const cfg = await stat(cfgPath).then(async () => JSON.parse(await readFile(cfgPath, 'utf8')) as Record<string, unknown>, () => ({}));
  // gramr never cleans up spaces before punctuation when decoding; transformers.js does unless told otherwise.
  return { 'tokenizer.json': JSON.parse(await readFile(tok.source, 'utf8')), 'tokenizer_config.json': { clean_up_tokenization_spaces: false, ...cfg } };
}

function generationConfig(config: ModelConfig, tok: Tokenizer | undefined): Record<string, unknown> {
  const eos = [...new Set([...config.eosTokenIds, ...(tok?.eosId === undefined ? [] : [tok.eosId])])];
  const out: Record<string, unknown> = { bos_token_id: config.bosTokenId ?? tok?.bosId ?? null, eos_token_id: eos.length === 1 ? eos[0] : eos };
  if (tok?.padId !== undefined) out.pad_token_id = tok.padId;
  else if (tok instanceof Llama2cTokenizer) out.pad_token_id = 0;
  return out;
}

/**
 * Writes `dir` as a Hugging Face-style model folder for ONNX runtimes: config.json, generation_config.json,
 * tokenizer.json and tokenizer_config.json (when a tokenizer is given), onnx/model.onnx (decoderKvGraph) and, for
 * large models, onnx/model.onnx_data (config.json then tells transformers.js to load it).
 */
export async function exportDecoderFolder(config: ModelConfig, params: HostParams, dir: string, options: FolderExportOptions = {}): Promise<FolderExport> {
  const graph = decoderKvGraph(config, params);
  const weightBytes = graph.initializers.reduce((n, t) => n + t.raw.length, 0);
  const external = options.externalData === true || ((options.externalData ?? 'auto') === 'auto' && weightBytes > EXTERNAL_DATA_THRESHOLD);
  await mkdir(join(dir, 'onnx'), { recursive: true });
  const files: string[] = [];
  const json = async (name: string, value: unknown): Promise<void> => { await writeJsonAtomic(join(dir, name), value); files.push(name); };
  const hf: Record<string, unknown> = { ...toHfConfig(config), use_cache: true };
  if (external) hf['transformers.js_config'] = { use_external_data_format: true };
  await json('config.json', hf);
  await json('generation_config.json', generationConfig(config, options.tokenizer));
  if (options.tokenizer) for (const [name, value] of Object.entries(await tokenizerFiles(options.tokenizer))) await json(name, value);
  let model = graph, modelBytes = 0;
  if (external) {
    const split = splitExternal(graph);
    model = split.model;
    modelBytes += split.bytes;
    await writeFileAtomic(join(dir, 'onnx', EXTERNAL_DATA_FILE), async (write) => { for (const c of split.chunks) await write(c); });
    files.push(`onnx/${EXTERNAL_DATA_FILE}`);
  }
  const bytes = encodeModel(model);
  await writeFileAtomic(join(dir, 'onnx', 'model.onnx'), bytes);
  files.push('onnx/model.onnx');
  return { files, modelBytes: modelBytes + bytes.length };
}
