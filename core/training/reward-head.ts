// The Bradley–Terry reward head beside a checkpoint: reward_head.safetensors with `reward_head.weight` [1, hidden]
// (PyTorch Linear layout) and `reward_head.bias` [1]; and `scoreResponses`, which runs the decoder on prompt +
// response and applies the head to the final hidden state at the last token (the same rows training used: BOS by
// the tokenizer's convention, EOS appended by default).
import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import type { CausalLM } from '../model/causal-lm.js';
import { readSafetensors } from '../model/checkpoint/safetensors-file.js';
import { writeSafetensors } from '../model/checkpoint/safetensors-writer.js';
import { lengthBucket } from '../model/kv-cache.js';
import { input } from '../tensor/primitives.js';
import { REWARD_HEAD, rewardScores } from './losses.js';
import { fitPrompt } from './sft-example.js';

/** File name of the head beside a checkpoint. */
export const REWARD_HEAD_FILE = 'reward_head.safetensors';

/** A scalar reward head: r = w · h + b. */
export interface RewardHead {
  /** Weights `[hidden]`. */
  weight: Float32Array;
  /** Bias. */
  bias: number;
}

/** Writes the head as `dir/reward_head.safetensors`; returns the path. */
export async function saveRewardHead(dir: string, head: RewardHead): Promise<string> {
  const path = join(dir, REWARD_HEAD_FILE);
  await writeSafetensors(path, [
    [REWARD_HEAD.weight, { shape: [1, head.weight.length], data: Float32Array.from(head.weight) }],
    [REWARD_HEAD.bias, { shape: [1], data: Float32Array.of(head.bias) }],
  ]);
  return path;
}

/** Reads a head from a folder (its reward_head.safetensors) or the file itself. */
export async function loadRewardHead(path: string): Promise<RewardHead> {
  const file = (await stat(path)).isDirectory() ? join(path, REWARD_HEAD_FILE) : path;
  const t = await readSafetensors(file);
  const w = t.get(REWARD_HEAD.weight), b = t.get(REWARD_HEAD.bias);
  if (w === undefined || w.shape.length !== 2 || w.shape[0] !== 1) throw new Error(`${file} [${REWARD_HEAD.weight}]: ${w === undefined ? 'missing' : `shape [${w.shape.join(', ')}]`}; expected [1, hidden]`);
  if (b === undefined || b.data.length !== 1) throw new Error(`${file} [${REWARD_HEAD.bias}]: ${b === undefined ? 'missing' : `shape [${b.shape.join(', ')}]`}; expected [1]`);
  return { weight: w.data, bias: b.data[0]! };
}

/** Options of `scoreResponses`. */
export interface ScoreResponsesOptions {
  /** Rows per program run (default 8). */
  batchSize?: number;
  /** Append EOS to each response, as training does by default (default true). */
  addEos?: boolean;
}

/**
 * Scalar rewards r(prompt, response) for each item, in order. Prompts are cut from the left (BOS kept) when a row
 * would exceed the model's context; a response that cannot fit is an error naming the item.
 */
export async function scoreResponses(model: CausalLM, head: RewardHead, items: readonly { prompt: string; response: string }[], options: ScoreResponsesOptions = {}): Promise<number[]> {
  const tok = model.tokenizer;
  if (tok === undefined) throw new Error('scoreResponses: the model has no tokenizer');
  const h = model.config.hiddenSize;
  if (head.weight.length !== h) throw new Error(`scoreResponses: the reward head has ${head.weight.length} weights; the model's hidden size is ${h}`);
  const batchSize = options.batchSize ?? 8;
  const rows = items.map((it, i) => {
    const resp = tok.encode(it.response, { addBos: false, parseSpecial: false });
    if ((options.addEos ?? true) && tok.eosId !== undefined) resp.push(tok.eosId);
    const fit = fitPrompt(tok.encode(it.prompt), model.contextLimit - resp.length, tok.bosId);
    if (!fit) throw new RangeError(`scoreResponses: item ${i}'s response has ${resp.length} tokens; it cannot fit the model's ${model.contextLimit} positions`);
    const row = [...fit.ids, ...resp];
    if (row.length === 0) throw new RangeError(`scoreResponses: item ${i} encodes to no tokens`);
    return row;
  });
  const wBuf = model.upload({ shape: [h, 1], dtype: 'f32', data: head.weight });
  const bBuf = model.upload({ shape: [1], dtype: 'f32', data: [head.bias] });
  const out: number[] = [];
  try {
    for (let s = 0; s < rows.length; s += batchSize) {
      const chunk = rows.slice(s, s + batchSize);
      const n = chunk.length, t = lengthBucket(Math.max(...chunk.map((r) => r.length)), model.contextLimit);
      const graph = model.program(`reward:${n}:${t}`, (p) => [rewardScores(model.config, {
        ...p, [REWARD_HEAD.weight]: input(REWARD_HEAD.weight, [h, 1], 'f32'), [REWARD_HEAD.bias]: input(REWARD_HEAD.bias, [1], 'f32'),
      }, input('ids', [n, t], 'i32'), input('last', [n], 'i32'))]);
      const [buf] = await model.run(graph, { [REWARD_HEAD.weight]: wBuf, [REWARD_HEAD.bias]: bBuf }, {
        ids: { shape: [n, t], dtype: 'i32', data: model.padIds(chunk, t) },
        last: { shape: [n], dtype: 'i32', data: chunk.map((r) => r.length - 1) },
      });
      out.push(...(await model.take(buf!)));
    }
  } finally {
    model.backend.free(wBuf);
    model.backend.free(bBuf);
  }
  return out;
}
