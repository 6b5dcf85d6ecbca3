// Exporting a model as a plain Hugging Face folder (config.json, model.safetensors in F32, the tokenizer files) from
// an HF checkpoint, a llama2.c .bin, or a LoRA adapter folder (merged into its base first, W + (alpha/r)·A·B), and
// verifying the export by reloading it: the reloaded model's logits on probe texts must equal the source's (the source
// model, or the merged parameters in memory for an adapter).
import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { linkOrCopy } from '../../core/io/link-file.js';
import * as path from 'node:path';
import { WorkError } from '../../core/errors.js';
import { CausalLM } from '../../core/model/causal-lm.js';
import { loadCheckpoint } from '../../core/model/checkpoint/load-checkpoint.js';
import { saveHfCheckpoint } from '../../core/model/checkpoint/hf-checkpoint.js';
import { weightsFromParams } from '../../core/model/decoder-weights.js';
import { loadTokenizer } from '../../core/model/tokenizer/load-tokenizer.js';
import type { Tokenizer } from '../../core/model/tokenizer/tokenizer.js';
import type { ComputeBackend } from '../../core/tensor/backend.js';
import { ADAPTER_FILES, loadLoraAdapter, mergedParams } from '../../core/training/lora-adapter.js';

/** Tokenizer files copied byte for byte when the source has them. */
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'tokenizer.model', 'chat_template.jinja'];

/** Files beside the weights that describe the model for gramr or HF tools, copied when `extras` is on. */
export const EXTRA_FILES = ['gramr.json', 'training.json', 'reward_head.safetensors', 'generation_config.json'];

/** What was exported. */
export interface ExportResult {
  /** Whether the source was a LoRA adapter (merged into `basePath`). */
  merged: boolean;
  /** The base model of a merged adapter. */
  basePath?: string;
  /** Files written into the export folder (names). */
  files: string[];
  /** Opens the reference model the export must reproduce (the source, or the merged parameters); dispose it. */
  reference(backend: ComputeBackend): Promise<CausalLM>;
}

const folderOf = async (p: string): Promise<string> => ((await stat(p)).isDirectory() ? p : path.dirname(p));

/** Whether `p` is a LoRA adapter folder (adapter_config.json and no config.json). */
export function isAdapterFolder(p: string): boolean {
  return existsSync(path.join(p, ADAPTER_FILES.config)) && !existsSync(path.join(p, 'config.json'));
}

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
export async function exportModel(source: string, outDir: string, options: { basePath?: string; extras?: boolean } = {}): Promise<ExportResult> {
  await mkdir(outDir, { recursive: true });
  const extras = options.extras ?? true;
  if (isAdapterFolder(source)) {
    const adapter = await loadLoraAdapter(source);
    const basePath = options.basePath ?? adapter.baseModelPath;
    if (!basePath || !existsSync(basePath)) {
      throw new WorkError(`export: ${source} is a LoRA adapter; its base ${basePath ? `${basePath} does not exist` : 'is not recorded'}: give the base model (option base)`);
    }
    const baseDir = await folderOf(basePath);
    const tokenizer = await loadTokenizer(existsSync(path.join(source, 'tokenizer.json')) ? source : basePath);
    const { config, params } = await mergedParams(basePath, source, tokenizer);
    await saveHfCheckpoint(outDir, config, weightsFromParams(config, params));
    const files = ['model.safetensors', 'config.json', ...(await writeTokenizer([source, baseDir], outDir, tokenizer))];
    if (extras) {
      files.push(...(await copyKnown(source, outDir, EXTRA_FILES, new Set())));
      files.push(...(await copyKnown(baseDir, outDir, EXTRA_FILES, new Set([...files, 'reward_head.safetensors', 'training.json']))));
    }
    return { merged: true, basePath, files, reference: async (backend) => CausalLM.fromParams(config, backend, params, tokenizer) };
  }
  const ckpt = await loadCheckpoint(source);
  const dir = await folderOf(source);
  const tokenizer = await loadTokenizer(dir, { expectedVocabSize: ckpt.config.vocabSize });
  await saveHfCheckpoint(outDir, ckpt.config, ckpt.weights);
  const files = ['model.safetensors', 'config.json', ...(await writeTokenizer([dir], outDir, tokenizer))];
  if (extras) files.push(...(await copyKnown(dir, outDir, EXTRA_FILES, new Set())));
  return { merged: false, files, reference: (backend) => CausalLM.load(source, backend) };
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
