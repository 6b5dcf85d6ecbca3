// What the training loop prepares before its first step: the base model and tokenizer from a path, the objective
// from the options, the examples encoded under the length rule (with counts), and the warnings a person should see
// (one-class data, dropped examples).
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { resolveModelPath } from '../hub/resolve-model.js';
import { loadCheckpoint } from '../model/checkpoint/load-checkpoint.js';
import type { ModelConfig } from '../model/checkpoint/model-config.js';
import { paramsFromWeights, type HostParams } from '../model/decoder-weights.js';
import { loadTokenizer } from '../model/tokenizer/load-tokenizer.js';
import type { Tokenizer } from '../model/tokenizer/tokenizer.js';
import type { TrainExample } from '../recipe/trainer.js';
import { ConfigError } from '../errors.js';
import {
  bradleyTerryObjective, labelSmoothedObjective, resolveLabelTokens, sftObjective, type EncodedExample, type Objective,
} from './objectives.js';
import type { TrainOptions } from './train-options.js';

/** A base model on the host. */
export interface BaseModel {
  /** Its config. */
  config: ModelConfig;
  /** Parameters in decoder layout. */
  params: HostParams;
  /** The tokenizer found beside it. */
  tokenizer: Tokenizer;
}

/** Loads the checkpoint at `modelPath` (or a Hub id's snapshot) and the tokenizer beside it (tokenizer.json or tok*.bin). */
export async function loadBaseModel(modelPathOrId: string): Promise<BaseModel> {
  const modelPath = await resolveModelPath(modelPathOrId);
  const ckpt = await loadCheckpoint(modelPath);
  const dir = (await stat(modelPath)).isDirectory() ? modelPath : dirname(modelPath);
  const tokenizer = await loadTokenizer(dir, { expectedVocabSize: ckpt.config.vocabSize }).catch((e: Error) => {
    throw new Error(`trainer: the model ${modelPath} needs a tokenizer beside it (tokenizer.json or tok*.bin): ${e.message}`);
  });
  if (tokenizer.vocabSize > ckpt.config.vocabSize) {
    throw new Error(`trainer: the tokenizer of ${modelPath} has ${tokenizer.vocabSize} tokens but the model only ${ckpt.config.vocabSize}`);
  }
  return { config: ckpt.config, params: paramsFromWeights(ckpt.config, ckpt.weights, modelPath), tokenizer };
}

/** The objective the options ask for. */
export function makeObjective(options: TrainOptions, tok: Tokenizer, train: readonly TrainExample[]): Objective {
  const s = { maxLength: options.maxLength, truncation: options.truncation, addEos: options.addEos };
  if (options.objective === 'label-smoothed') return labelSmoothedObjective(tok, s, resolveLabelTokens(tok, train, options.labels), options.epsilon);
  if (options.objective === 'bradley-terry') return bradleyTerryObjective(tok, s);
  try {
    return sftObjective(tok, s, options.labelPattern);
  } catch (e) {
    throw new ConfigError(`labelPattern ${JSON.stringify(options.labelPattern)} is not a valid regular expression: ${(e as Error).message}`);
  }
}

/** Examples encoded under the length rule, with what the rule did. */
export interface EncodedSet {
  /** Kept examples, as token rows. */
  items: EncodedExample[];
  /** Their positions in the input list. */
  indices: number[];
  /** Kept examples whose prompt was cut. */
  shortened: number;
  /** Dropped examples (id and reason), in input order. */
  dropped: { id: string; reason: string }[];
}

/** Encodes `examples` with `objective`, keeping count of shortened and dropped ones. */
export function encodeExamples(objective: Objective, examples: readonly TrainExample[]): EncodedSet {
  const out: EncodedSet = { items: [], indices: [], shortened: 0, dropped: [] };
  examples.forEach((e, i) => {
    const r = objective.encode(e, i);
    if ('dropped' in r) { out.dropped.push({ id: e.id, reason: r.dropped }); return; }
    out.items.push(r);
    out.indices.push(i);
    if (r.shortened) out.shortened++;
  });
  return out;
}

/** A warning when every labelled training example has the same class (at least 2 examples, most labelled). */
export function oneClassWarning(objective: Objective, examples: readonly TrainExample[], pattern: string): string | undefined {
  const labels = examples.map((e) => objective.classOf(e)).filter((l): l is string => l !== undefined);
  if (labels.length < 2 || labels.length * 2 < examples.length) return undefined;
  const distinct = new Set(labels);
  if (distinct.size !== 1) return undefined;
  const how = objective.name === 'sft' ? ` (labels read with labelPattern ${JSON.stringify(pattern)})` : '';
  return `one-class dataset: all ${labels.length} labelled training examples have label ${JSON.stringify(labels[0])}${how}; a model trained on it can learn to always answer that label`;
}

/** Warnings about the length rule's effect. */
export function lengthWarnings(set: EncodedSet, what: string, maxLength: number): string[] {
  if (set.dropped.length === 0) return [];
  const first = set.dropped.slice(0, 3).map((d) => `${JSON.stringify(d.id)} (${d.reason})`).join('; ');
  return [`${set.dropped.length} ${what} example(s) dropped by the length rule (maxLength ${maxLength}): ${first}${set.dropped.length > 3 ? '; ...' : ''}`];
}
