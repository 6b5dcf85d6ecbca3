// LoRA adapter folders: adapter_model.safetensors (PEFT names and layout: `base_model.model.<module>.lora_A.weight`
// [r, in] and `lora_B.weight` [out, r]) + adapter_config.json (PEFT fields, plus a `gramr` block binding the adapter
// to its base: sha256 of the base safetensors, tokenizer fingerprint, template name). Loading checks everything;
// applying to another base is refused with both hashes. Merging writes a normal HF checkpoint.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelConfig } from '../model/checkpoint/model-config.js';
import { readSafetensors } from '../model/checkpoint/safetensors-file.js';
import { writeSafetensors } from '../model/checkpoint/safetensors-writer.js';
import { transpose2d, type HostParams } from '../model/decoder-weights.js';
import type { Tokenizer } from '../model/tokenizer/tokenizer.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { baseModelSha256, tokenizerFingerprint } from './fingerprint.js';
import { loraTargets, type LoraSpec } from './lora.js';
import { LORA_MODULES, type LoraModule } from './train-options.js';
import { ADAPTER_FILES } from './adapter-files.js';

export { ADAPTER_FILES };

/** File names of an adapter folder. */

/** An adapter in memory: its spec, provenance and A/B matrices in decoder layout (A [in, r], B [r, out]). */
export interface LoraAdapter {
  /** Rank, alpha, dropout and targets. */
  spec: LoraSpec;
  /** sha256 of the base checkpoint's safetensors (baseModelSha256). */
  baseModelSha256: string;
  /** Fingerprint of the tokenizer it was trained with (tokenizerFingerprint). */
  tokenizerFingerprint: string;
  /** Name of the chat/plain template the training prompts were rendered with. */
  template: string;
  /** Where the base was loaded from when training (informational). */
  baseModelPath: string;
  /** Layers and hidden size of the base (checked on load against a base config). */
  baseShape: { numLayers: number; hiddenSize: number; vocabSize: number };
  /** `<module>.lora_A` / `.lora_B` matrices by name, decoder layout. */
  weights: HostParams;
}

const PEFT_PREFIX = 'base_model.model.';

/** Writes `adapter` into `dir` (atomically, file by file). Returns the paths written. */
export async function saveLoraAdapter(dir: string, adapter: LoraAdapter): Promise<string[]> {
  const tensors: [string, { shape: number[]; data: Float32Array }][] = [];
  for (const [name, p] of Object.entries(adapter.weights).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [rows, cols] = p.shape as [number, number];
    tensors.push([`${PEFT_PREFIX}${name}.weight`, { shape: [cols, rows], data: transpose2d(p.data, rows, cols) }]);
  }
  const s = adapter.spec;
  const config = {
    peft_type: 'LORA', task_type: 'CAUSAL_LM', r: s.r, lora_alpha: s.alpha, lora_dropout: s.dropout,
    target_modules: [...s.targets], bias: 'none', fan_in_fan_out: false, inference_mode: true,
    base_model_name_or_path: adapter.baseModelPath,
    gramr: {
      format: 1, base_model_sha256: adapter.baseModelSha256, tokenizer_fingerprint: adapter.tokenizerFingerprint,
      template: adapter.template, num_hidden_layers: adapter.baseShape.numLayers, hidden_size: adapter.baseShape.hiddenSize,
      vocab_size: adapter.baseShape.vocabSize,
    },
  };
  const paths = [join(dir, ADAPTER_FILES.weights), join(dir, ADAPTER_FILES.config)];
  await writeSafetensors(paths[0]!, tensors, { format: 'pt' });
  await writeFileAtomic(paths[1]!, JSON.stringify(config, null, 2) + '\n');
  return paths;
}

function field<T>(obj: Record<string, unknown>, key: string, ok: (v: unknown) => boolean, what: string, file: string): T {
  const v = obj[key];
  if (!ok(v)) throw new Error(`${file} [${key}]: ${v === undefined ? 'missing' : `invalid value ${JSON.stringify(v)}`}; expected ${what}`);
  return v as T;
}

/** Reads an adapter folder written by `saveLoraAdapter`; errors name the file and the field or tensor. */
export async function loadLoraAdapter(dir: string): Promise<LoraAdapter> {
  const cfgPath = join(dir, ADAPTER_FILES.config), wPath = join(dir, ADAPTER_FILES.weights);
  const text = await readFile(cfgPath, 'utf8').catch((e: Error) => { throw new Error(`${cfgPath}: cannot read the adapter config (${e.message})`); });
  const cfg = JSON.parse(text) as Record<string, unknown>;
  const isInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
  if (cfg.peft_type !== 'LORA') throw new Error(`${cfgPath} [peft_type]: ${JSON.stringify(cfg.peft_type)}; only LORA adapters are supported`);
  const r = field<number>(cfg, 'r', isInt, 'a positive integer', cfgPath);
  const alpha = field<number>(cfg, 'lora_alpha', (v) => typeof v === 'number' && v > 0, 'a positive number', cfgPath);
  const dropout = typeof cfg.lora_dropout === 'number' ? cfg.lora_dropout : 0;
  const targets = field<LoraModule[]>(cfg, 'target_modules', (v) => Array.isArray(v) && v.length > 0 && v.every((x) => (LORA_MODULES as readonly unknown[]).includes(x)), `a non-empty list of ${LORA_MODULES.join(', ')}`, cfgPath);
  const g = field<Record<string, unknown>>(cfg, 'gramr', (v) => typeof v === 'object' && v !== null, 'the gramr block (base_model_sha256, tokenizer_fingerprint, template, ...)', `${cfgPath}`);
  const hex = (v: unknown): boolean => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
  const baseShape = {
    numLayers: field<number>(g, 'num_hidden_layers', isInt, 'a positive integer', `${cfgPath} gramr`),
    hiddenSize: field<number>(g, 'hidden_size', isInt, 'a positive integer', `${cfgPath} gramr`),
    vocabSize: field<number>(g, 'vocab_size', isInt, 'a positive integer', `${cfgPath} gramr`),
  };
  const weights: HostParams = {};
  for (const [name, t] of await readSafetensors(wPath)) {
    const m = /^base_model\.model\.(.+)\.weight$/.exec(name);
    if (!m || !/\.lora_[AB]$/.test(m[1]!) || t.shape.length !== 2) throw new Error(`${wPath} [${name}]: not a LoRA tensor (expected base_model.model.<module>.lora_A.weight / lora_B.weight, 2-D)`);
    const [rows, cols] = t.shape as [number, number];
    weights[m[1]!] = { shape: [cols, rows], data: transpose2d(t.data, rows, cols) };
  }
  return {
    spec: { r, alpha, dropout, targets }, weights, baseShape,
    baseModelSha256: field<string>(g, 'base_model_sha256', hex, 'a sha256 hex string', `${cfgPath} gramr`),
    tokenizerFingerprint: field<string>(g, 'tokenizer_fingerprint', hex, 'a sha256 hex string', `${cfgPath} gramr`),
    template: field<string>(g, 'template', (v) => typeof v === 'string', 'a template name', `${cfgPath} gramr`),
    baseModelPath: typeof cfg.base_model_name_or_path === 'string' ? cfg.base_model_name_or_path : '',
  };
}

/**
 * Checks that `adapter` belongs to the base at `basePath` (sha256 of its safetensors; shapes against `config`; the
 * tokenizer fingerprint when `tokenizer` is given). Throws an error naming both hashes when it does not.
 */
export async function checkAdapterBase(adapter: LoraAdapter, basePath: string, config: ModelConfig, tokenizer?: Tokenizer, where = 'LoRA adapter'): Promise<void> {
  const sha = await baseModelSha256(basePath);
  if (sha !== adapter.baseModelSha256) {
    throw new Error(`${where}: it was trained on a different base model (base sha256 ${adapter.baseModelSha256.slice(0, 16)}…, trained from ${adapter.baseModelPath || 'unknown path'}), but ${basePath} has sha256 ${sha.slice(0, 16)}…; apply it to the base it was trained on`);
  }
  checkAdapterShapes(adapter, basePath, config, where);
  if (tokenizer !== undefined && tokenizerFingerprint(tokenizer) !== adapter.tokenizerFingerprint) {
    throw new Error(`${where}: the tokenizer of ${basePath} (${tokenizer.source}) differs from the one the adapter was trained with (fingerprint ${adapter.tokenizerFingerprint.slice(0, 16)}…)`);
  }
}

/** Checks the adapter's recorded base shape and every A/B tensor against the base's `config`; throws naming the tensor. */
export function checkAdapterShapes(adapter: LoraAdapter, basePath: string, config: ModelConfig, where: string): void {
  const s = adapter.baseShape;
  if (s.numLayers !== config.numLayers || s.hiddenSize !== config.hiddenSize || s.vocabSize !== config.vocabSize) {
    throw new Error(`${where}: made for ${s.numLayers} layers, hidden ${s.hiddenSize}, vocab ${s.vocabSize}; ${basePath} has ${config.numLayers}, ${config.hiddenSize}, ${config.vocabSize}`);
  }
  for (const t of loraTargets(config, adapter.spec.targets)) {
    for (const [name, shape] of [[t.a, [t.in, adapter.spec.r]], [t.b, [adapter.spec.r, t.out]]] as const) {
      const w = adapter.weights[name];
      if (w === undefined || w.shape[0] !== shape[0] || w.shape[1] !== shape[1]) {
        throw new Error(`${where}: tensor '${name}' ${w === undefined ? 'is missing' : `has shape [${w.shape.join(', ')}]`}; expected [${shape.join(', ')}] (r=${adapter.spec.r})`);
      }
    }
  }
}

