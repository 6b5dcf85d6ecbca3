// Exporting a model as a plain Hugging Face folder (config.json, model.safetensors in the base's dtype unless told
// otherwise, the tokenizer files) from an HF checkpoint, a llama2.c .bin, or a LoRA adapter folder (merged into its base
// first, W + (alpha/r)·A·B), and verifying the export by reloading it: the reloaded model's logits on probe texts must
// equal the reference's (the source, or the merged parameters, rounded to the written dtype).
import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { linkOrCopy } from '../../core/io/link-file.js';
import * as path from 'node:path';
import { WorkError } from '../../core/errors.js';
import { CausalLM } from '../../core/model/causal-lm.js';
import { loadCheckpoint } from '../../core/model/checkpoint/load-checkpoint.js';
import { saveHfCheckpoint } from '../../core/model/checkpoint/hf-checkpoint.js';
import { paramsFromWeights, weightsFromParams, type HostParams } from '../../core/model/decoder-weights.js';
import { decodeToFloat32 } from '../../core/model/checkpoint/dtype-decode.js';
import { encodeFloat32, type WriteDtype } from '../../core/model/checkpoint/dtype-encode.js';
import { modelDtype } from '../../core/training/adapter-checkpoint.js';
import { loadTokenizer, TOKENIZER_FILES } from '../../core/model/tokenizer/load-tokenizer.js';
import type { Tokenizer } from '../../core/model/tokenizer/tokenizer.js';
import type { ComputeBackend } from '../../core/tensor/backend.js';
import { isAdapterModel } from '../../core/training/adapter-files.js';
import { ADAPTER_FILES, loadLoraAdapter } from '../../core/training/lora-adapter.js';
import { mergedParams } from '../../core/training/lora-merge.js';

/** Tokenizer files copied byte for byte when the source has them. */
export { TOKENIZER_FILES };

/** Files beside the weights that describe the model for gramr or HF tools, copied when `extras` is on. */
export const EXTRA_FILES = ['gramr.json', 'training.json', 'reward_head.safetensors', 'generation_config.json'];

/** What was exported. */
export interface ExportResult {
  /** Whether the source was a LoRA adapter (merged into `basePath`). */
  merged: boolean;
  /** The base model of a merged adapter. */
  basePath?: string;
  /** The dtype of the written weights. */
  dtype: WriteDtype;
  /** Files written into the export folder (names). */
  files: string[];
  /** Opens the reference model the export must reproduce (the source, or the merged parameters); dispose it. */
  reference(backend: ComputeBackend): Promise<CausalLM>;
}

const folderOf = async (p: string): Promise<string> => ((await stat(p)).isDirectory() ? p : path.dirname(p));

/** Parameters rounded to `dtype` as written (F32: unchanged), so a reference model holds exactly the written values. */
function roundParams(params: HostParams, dtype: WriteDtype): HostParams {
  if (dtype === 'F32') return params;
  return Object.fromEntries(Object.entries(params).map(([k, p]) => [k, { shape: p.shape, data: decodeToFloat32(encodeFloat32(p.data, dtype), dtype) }]));
}

/** Whether `p` is a LoRA adapter folder (adapter_config.json and no config.json). */
export const isAdapterFolder = isAdapterModel;

async function copyKnown(from: string, to: string, names: readonly string[], skip: ReadonlySet<string>): Promise<string[]> {
  const out: string[] = [];
  for (const n of names) {
    if (skip.has(n) || !existsSync(path.join(from, n))) continue;
    await linkOrCopy(path.join(from, n), path.join(to, n));
    out.push(n);
  }
  return out;
}

// Tokenizer files: copied from the folder that has them; otherwise the loaded tokenizer saves its own.
async function writeTokenizer(fromDirs: readonly string[], outDir: string, tokenizer: Tokenizer): Promise<string[]> {
  for (const d of fromDirs) {
    if (existsSync(path.join(d, 'tokenizer.json'))) return copyKnown(d, outDir, TOKENIZER_FILES, new Set());
  }
  return (await tokenizer.save(outDir)).map((p) => path.basename(p));
}

/** Writes `source` (a checkpoint or, with its base, a LoRA adapter) into `outDir` as an HF folder. */
export async function exportModel(source: string, outDir: string, options: { basePath?: string; extras?: boolean; dtype?: WriteDtype } = {}): Promise<ExportResult> {
  await mkdir(outDir, { recursive: true });
  const extras = options.extras ?? true;
  const dtype = options.dtype ?? await modelDtype(options.basePath ?? source);
  if (isAdapterFolder(source)) {
    const adapter = await loadLoraAdapter(source);
    const basePath = options.basePath ?? adapter.baseModelPath;
    if (!basePath || !existsSync(basePath)) {
      throw new WorkError(`export: ${source} is a LoRA adapter; its base ${basePath ? `${basePath} does not exist` : 'is not recorded'}: give the base model (option base)`);
    }
    const baseDir = await folderOf(basePath);
    const tokenizer = await loadTokenizer(existsSync(path.join(source, 'tokenizer.json')) ? source : basePath);
    const { config, params: merged } = await mergedParams(basePath, source, tokenizer);
    const params = roundParams(merged, dtype);
    await saveHfCheckpoint(outDir, config, weightsFromParams(config, params), undefined, dtype);
    const files = ['model.safetensors', 'config.json', ...(await writeTokenizer([source, baseDir], outDir, tokenizer))];
    if (extras) {
      files.push(...(await copyKnown(source, outDir, EXTRA_FILES, new Set())));
      files.push(...(await copyKnown(baseDir, outDir, EXTRA_FILES, new Set([...files, 'reward_head.safetensors', 'training.json']))));
    }
    return { merged: true, basePath, dtype, files, reference: async (backend) => CausalLM.fromParams(config, backend, params, tokenizer) };
  }
  const ckpt = await loadCheckpoint(source);
  const dir = await folderOf(source);
  const tokenizer = await loadTokenizer(dir, { expectedVocabSize: ckpt.config.vocabSize });
  await saveHfCheckpoint(outDir, ckpt.config, ckpt.weights, undefined, dtype);
  const files = ['model.safetensors', 'config.json', ...(await writeTokenizer([dir], outDir, tokenizer))];
  if (extras) files.push(...(await copyKnown(dir, outDir, EXTRA_FILES, new Set())));
  const reference = dtype === 'F32' ? (backend: ComputeBackend) => CausalLM.load(source, backend)
    : async (backend: ComputeBackend) => CausalLM.fromParams(ckpt.config, backend, roundParams(paramsFromWeights(ckpt.config, ckpt.weights, source), dtype), tokenizer);
  return { merged: false, dtype, files, reference };
}

/** The outcome of reloading an export. */
export interface ExportCheck {
  /** Largest |logit difference| over every position of every probe. */
  maxAbsDiff: number;
  /** Logits compared (positions × vocabulary). */
  compared: number;
  /** Probes whose token ids differ between the source and the exported tokenizer (must be 0). */
  tokenizerMismatches: number;
}

/** Reloads `outDir` and compares its logits on `probes` with `reference` (and the two tokenizers' encodings). */
export async function verifyExport(reference: CausalLM, outDir: string, backend: ComputeBackend, probes: readonly string[]): Promise<ExportCheck> {
  const exported = await CausalLM.load(outDir, backend);
  try {
    const refTok = reference.tokenizer, expTok = exported.tokenizer;
    if (!refTok || !expTok) throw new WorkError(`export: ${outDir}: ${!expTok ? 'the exported folder has no tokenizer' : 'the source has no tokenizer'}`);
    const limit = Math.min(reference.contextLimit, exported.contextLimit);
    const ids = probes.map((p) => refTok.encode(p).slice(0, limit));
    const tokenizerMismatches = probes.filter((p, i) => JSON.stringify(expTok.encode(p).slice(0, limit)) !== JSON.stringify(ids[i])).length;
    const [a, b] = [await reference.forward(ids), await exported.forward(ids)];
    let maxAbsDiff = 0, compared = 0;
    a.forEach((row, r) => row.forEach((la, t) => {
      const lb = b[r]![t]!;
      for (let v = 0; v < la.length; v++) { const d = Math.abs(la[v]! - lb[v]!); if (!(d <= maxAbsDiff)) maxAbsDiff = d; }
      compared += la.length;
    }));
    return { maxAbsDiff, compared, tokenizerMismatches };
  } finally {
    exported.dispose();
  }
}
