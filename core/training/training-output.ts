// Writes a training run's result into `<outDir>/model/` (atomically): `full` -> an HF checkpoint folder with the
// tokenizer; `lora` -> an adapter folder with the tokenizer, which loads over its recorded base (and, with merge,
// `<outDir>/merged/` as an HF checkpoint). A Bradley–Terry
// run adds reward_head.safetensors; every result has training.json (objective, template, steps, stop reason).
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { linkOrCopy } from '../io/link-file.js';
import { TOKENIZER_FILES } from '../model/tokenizer/load-tokenizer.js';
import { saveHfCheckpoint } from '../model/checkpoint/hf-checkpoint.js';
import type { ModelConfig } from '../model/checkpoint/model-config.js';
import type { WriteDtype } from '../model/checkpoint/dtype-encode.js';
import { weightsFromParams, type HostParams } from '../model/decoder-weights.js';
import type { Tokenizer } from '../model/tokenizer/tokenizer.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { writeDirAtomic } from './checkpoint-store.js';
import { saveLoraAdapter, type LoraAdapter } from './lora-adapter.js';
import { loraTargets, mergeLoraParams, type LoraSpec } from './lora.js';
import { REWARD_HEAD } from './losses.js';
import { saveRewardHead } from './reward-head.js';

/** What `writeTrainingResult` needs. */
export interface ResultInput {
  /** The run folder. */
  outDir: string;
  /** Base model config. */
  config: ModelConfig;
  /** Base tokenizer (saved beside full checkpoints). */
  tokenizer: Tokenizer;
  /** Base parameters (decoder layout). */
  base: HostParams;
  /** Trained values by name (full: decoder params; lora: adapters; plus the reward head). */
  trained: Readonly<Record<string, Float32Array>>;
  /** LoRA: the spec and provenance of the adapter. */
  lora?: { spec: LoraSpec; baseModelSha256: string; tokenizerFingerprint: string; baseModelPath: string; merge: boolean };
  /** dtype of the full weights written (the full result, the LoRA merge). */
  dtype: WriteDtype;
  /** Template name recorded in the result. */
  template: string;
  /** Recorded in training.json. */
  info: Record<string, unknown>;
}

/** Hard-links the tokenizer files of the model folder at `modelPath` (the folder of a file) into `dir`; false without tokenizer.json. */
async function linkTokenizerFiles(modelPath: string, dir: string): Promise<boolean> {
  const from = (await stat(modelPath)).isDirectory() ? modelPath : dirname(modelPath);
  if (!existsSync(join(from, 'tokenizer.json'))) return false;
  for (const f of TOKENIZER_FILES) if (existsSync(join(from, f))) await linkOrCopy(join(from, f), join(dir, f));
  return true;
}

/** Writes the result folders; returns the result folder and, with a merge, the merged checkpoint folder. */
export async function writeTrainingResult(r: ResultInput): Promise<{ checkpoint: string; merged?: string }> {
  const head = r.trained[REWARD_HEAD.weight] !== undefined
    ? { weight: r.trained[REWARD_HEAD.weight]!, bias: r.trained[REWARD_HEAD.bias]?.[0] ?? 0 } : undefined;
  const info = JSON.stringify({ ...r.info, template: r.template }, null, 2) + '\n';
  const modelDir = join(r.outDir, 'model');
  const fullParams = (): HostParams => {
    const p: HostParams = { ...r.base };
    for (const [n, v] of Object.entries(r.trained)) if (p[n] !== undefined) p[n] = { shape: p[n]!.shape, data: v };
    return p;
  };
  if (r.lora === undefined) {
    await writeDirAtomic(modelDir, async (tmp) => {
      await saveHfCheckpoint(tmp, r.config, weightsFromParams(r.config, fullParams()), r.tokenizer, r.dtype);
      if (head) await saveRewardHead(tmp, head);
      await writeFileAtomic(join(tmp, 'training.json'), info);
    });
    return { checkpoint: modelDir };
  }
  const lora = r.lora;
  const weights: HostParams = {};
  for (const t of loraTargets(r.config, lora.spec.targets)) {
    weights[t.a] = { shape: [t.in, lora.spec.r], data: r.trained[t.a]! };
    weights[t.b] = { shape: [lora.spec.r, t.out], data: r.trained[t.b]! };
  }
  const adapter: LoraAdapter = {
    spec: lora.spec, baseModelSha256: lora.baseModelSha256, tokenizerFingerprint: lora.tokenizerFingerprint, template: r.template,
    baseModelPath: lora.baseModelPath, weights,
    baseShape: { numLayers: r.config.numLayers, hiddenSize: r.config.hiddenSize, vocabSize: r.config.vocabSize },
  };
  await writeDirAtomic(modelDir, async (tmp) => {
    await saveLoraAdapter(tmp, adapter);
    // The tokenizer beside the adapter makes the folder a model that loads over its base (adapter-checkpoint.ts):
    // the base folder's own files, hard-linked (one copy however many stages chain), else written from memory.
    if (!(await linkTokenizerFiles(lora.baseModelPath, tmp))) await r.tokenizer.save(tmp);
    if (head) await saveRewardHead(tmp, head);
    await writeFileAtomic(join(tmp, 'training.json'), info);
  });
  if (!lora.merge) return { checkpoint: modelDir };
  const mergedDir = join(r.outDir, 'merged');
  await writeDirAtomic(mergedDir, async (tmp) => {
    await saveHfCheckpoint(tmp, r.config, weightsFromParams(r.config, mergeLoraParams(r.config, r.base, lora.spec, weights)), r.tokenizer, r.dtype);
    if (head) await saveRewardHead(tmp, head);
    await writeFileAtomic(join(tmp, 'training.json'), info);
  });
  return { checkpoint: modelDir, merged: mergedDir };
}
