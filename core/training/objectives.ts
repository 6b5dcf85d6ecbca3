// The three training objectives as data + graph recipes: how an example becomes token rows (with the length rule),
// the batch inputs of one bucket shape, how host batches are filled (right padding, masks), and the loss graph.
// `sft` and `label-smoothed` read SftExamples, `bradley-terry` reads PairExamples.
import type { ModelConfig } from '../model/checkpoint/model-config.js';
import type { DecoderTensors } from '../model/decoder.js';
import type { HostParams } from '../model/decoder-weights.js';
import type { Tokenizer } from '../model/tokenizer/tokenizer.js';
import type { PairExample, SftExample, TrainExample } from '../recipe/trainer.js';
import type { NamedTensors } from '../tensor/index.js';
import { ConfigError } from '../errors.js';
import { bradleyTerryLoss, labelLogits, labelSmoothedLoss, REWARD_HEAD, rewardScores, sftLoss, type LossParts } from './losses.js';
import { buildSftSequence, fitPrompt, sftTargets, type DroppedSequence, type Truncation } from './sft-example.js';
import type { BatchSpec } from './train-engine.js';

/** Objective names. */
export type ObjectiveName = 'sft' | 'label-smoothed' | 'bradley-terry';

/** An example as token rows. */
export interface EncodedExample {
  /** Token rows: one (sft, label-smoothed) or two (bradley-terry: chosen, rejected). */
  rows: number[][];
  /** sft: how many leading ids of the row are prompt. */
  promptLength: number;
  /** label-smoothed: 1 when the label is the first label token, 0 when the second. */
  first: number;
  /** Positions needed (the longest row). */
  length: number;
  /** True when the prompt was cut to fit. */
  shortened: boolean;
}

/** Host data of one batch by input name. */
export type HostBatch = Record<string, Int32Array | Float32Array>;

/** Length-rule settings shared by every objective. */
export interface EncodeSettings {
  /** Most tokens per row. */
  maxLength: number;
  /** Over-long handling. */
  truncation: Truncation;
  /** Append EOS to targets / responses. */
  addEos: boolean;
}

/** One objective. */
export interface Objective {
  /** Its name. */
  readonly name: ObjectiveName;
  /** Token rows per example in a batch. */
  readonly rowsPerExample: number;
  /** Token rows of an example, or why it was dropped; throws when the example has the wrong kind. */
  encode(example: TrainExample, index: number): EncodedExample | DroppedSequence;
  /** Batch inputs for `batch` examples of `length` positions. */
  spec(batch: number, length: number): BatchSpec;
  /** Host data of a batch; rows beyond `items` are padding (masked out). */
  fill(items: readonly EncodedExample[], batch: number, length: number): HostBatch;
  /** The loss graph of one batch. */
  loss(config: ModelConfig, p: DecoderTensors, b: NamedTensors): LossParts;
  /** Extra trainable parameters it adds to the model (the reward head), in decoder layout. */
  extraParams(config: ModelConfig): HostParams;
  /** The class label of an example, for the one-class check (undefined when it has none). */
  classOf(example: TrainExample): string | undefined;
  /** What the result records about the objective (label tokens, epsilon). */
  describe(): Record<string, unknown>;
}

const isPair = (e: TrainExample): e is PairExample => typeof (e as PairExample).chosen === 'string';

function needSft(e: TrainExample, i: number, objective: string): SftExample {
  if (typeof (e as SftExample).target !== 'string' || typeof e.prompt !== 'string') {
    throw new ConfigError(`${objective} needs examples {id, prompt, target}; example ${i} (id ${JSON.stringify(e.id)}) has ${Object.keys(e).join(', ')}`);
  }
  return e as SftExample;
}

function needPair(e: TrainExample, i: number): PairExample {
  if (!isPair(e) || typeof e.rejected !== 'string' || typeof e.prompt !== 'string') {
    throw new ConfigError(`bradley-terry needs pairs {id, prompt, chosen, rejected}; example ${i} (id ${JSON.stringify(e.id)}) has ${Object.keys(e).join(', ')}`);
  }
  return e;
}

const pad = (tok: Tokenizer): number => tok.padId ?? 0;

function fillIds(items: readonly EncodedExample[], rowsPer: number, batch: number, length: number, padId: number): { ids: Int32Array; last: Int32Array } {
  const ids = new Int32Array(rowsPer * batch * length).fill(padId), last = new Int32Array(rowsPer * batch);
  items.forEach((it, b) => it.rows.forEach((row, r) => {
    const rowIndex = r * batch + b;
    ids.set(row, rowIndex * length);
    last[rowIndex] = row.length - 1;
  }));
  return { ids, last };
}

/** (a) SFT: cross-entropy on target tokens; the class label is read from the target with `labelPattern`. */
export function sftObjective(tok: Tokenizer, s: EncodeSettings, labelPattern: string): Objective {
  const pattern = labelPattern === '' ? undefined : new RegExp(labelPattern, 's');
  return {
    name: 'sft', rowsPerExample: 1,
    encode(e, i) {
      const seq = buildSftSequence(tok, needSft(e, i, 'sft'), s);
      if ('dropped' in seq) return seq;
      return { rows: [seq.ids], promptLength: seq.promptLength, first: 0, length: seq.ids.length, shortened: seq.shortened };
    },
    spec: (batch, length) => ({ ids: { shape: [batch, length], dtype: 'i32' }, targets: { shape: [batch, length], dtype: 'i32' } }),
    fill(items, batch, length) {
      const { ids } = fillIds(items, 1, batch, length, pad(tok));
      const targets = new Int32Array(batch * length).fill(-100);
      items.forEach((it, b) => targets.set(sftTargets({ ids: it.rows[0]!, promptLength: it.promptLength }, length), b * length));
      return { ids, targets };
    },
    loss: (config, p, b) => sftLoss(config, p, b.ids!, b.targets!),
    extraParams: () => ({}),
    classOf(e) {
      const t = (e as SftExample).target;
      const m = pattern && typeof t === 'string' ? pattern.exec(t) : undefined;
      return m ? (m[1] ?? m[0]) : undefined;
    },
    describe: () => ({ objective: 'sft' }),
  };
}

/** The two label token ids: from `labels`, else the two distinct targets of `data`; each must be one token. */
export function resolveLabelTokens(tok: Tokenizer, data: readonly TrainExample[], labels: readonly [string, string] | undefined): { texts: [string, string]; ids: [number, number] } {
  let texts: string[];
  if (labels) texts = [...labels];
  else {
    texts = [...new Set(data.map((e, i) => needSft(e, i, 'label-smoothed').target))].sort();
    if (texts.length === 1) throw new ConfigError(`label-smoothed: every training target is ${JSON.stringify(texts[0])} (one class); set options.labels to name the other label`);
    if (texts.length !== 2) throw new ConfigError(`label-smoothed needs exactly two distinct targets (the label tokens); found ${texts.length}: ${texts.slice(0, 6).map((x) => JSON.stringify(x)).join(', ')}${texts.length > 6 ? ', ...' : ''}`);
  }
  const ids = texts.map((t) => {
    const enc = tok.encode(t, { addBos: false });
    if (enc.length !== 1) throw new ConfigError(`label-smoothed: label ${JSON.stringify(t)} encodes to ${enc.length} tokens [${enc.join(', ')}]; each label must be exactly one token`);
    return enc[0]!;
  });
  if (ids[0] === ids[1]) throw new ConfigError(`label-smoothed: labels ${JSON.stringify(texts[0])} and ${JSON.stringify(texts[1])} are the same token ${ids[0]}`);
  return { texts: texts as [string, string], ids: ids as [number, number] };
}

/** (b) GRAM v1 stage 2: label smoothing over the two label tokens at the answer position (the prompt's last token). */
export function labelSmoothedObjective(tok: Tokenizer, s: EncodeSettings, labels: { texts: [string, string]; ids: [number, number] }, epsilon: number): Objective {
  return {
    name: 'label-smoothed', rowsPerExample: 1,
    encode(e, i) {
      const ex = needSft(e, i, 'label-smoothed');
      const k = labels.texts.indexOf(ex.target);
      if (k < 0) throw new ConfigError(`label-smoothed: example ${i} (id ${JSON.stringify(ex.id)}) has target ${JSON.stringify(ex.target)}; valid labels: ${labels.texts.map((x) => JSON.stringify(x)).join(', ')}`);
      const prompt = tok.encode(ex.prompt);
      if (prompt.length === 0) return { dropped: 'the prompt encodes to no tokens' };
      const fit = fitPrompt(prompt, s.maxLength, tok.bosId, s.truncation);
      if (!fit) return { dropped: `the prompt's ${prompt.length} tokens exceed maxLength ${s.maxLength} (truncation: ${s.truncation})` };
      return { rows: [fit.ids], promptLength: fit.ids.length, first: k === 0 ? 1 : 0, length: fit.ids.length, shortened: fit.shortened };
    },
    spec: (batch, length) => ({
      ids: { shape: [batch, length], dtype: 'i32' }, last: { shape: [batch], dtype: 'i32' },
      first: { shape: [batch], dtype: 'f32' }, mask: { shape: [batch], dtype: 'f32' },
    }),
    fill(items, batch, length) {
      const { ids, last } = fillIds(items, 1, batch, length, pad(tok));
      const first = new Float32Array(batch), mask = new Float32Array(batch);
      items.forEach((it, b) => { first[b] = it.first; mask[b] = 1; });
      return { ids, last, first, mask };
    },
    loss: (config, p, b) => labelSmoothedLoss(labelLogits(config, p, b.ids!, b.last!, labels.ids), b.first!, b.mask!, epsilon),
    extraParams: () => ({}),
    classOf: (e) => (e as SftExample).target,
    describe: () => ({ objective: 'label-smoothed', epsilon, labels: labels.texts, labelTokenIds: labels.ids }),
  };
}

/** The reward head's initial parameters: weight [hidden, 1] and bias [1], zeros. */
export function initRewardHead(config: ModelConfig): HostParams {
  return {
    [REWARD_HEAD.weight]: { shape: [config.hiddenSize, 1], data: new Float32Array(config.hiddenSize) },
    [REWARD_HEAD.bias]: { shape: [1], data: new Float32Array(1) },
  };
}

/** (c) Bradley–Terry: a scalar head on the last token of prompt+chosen vs prompt+rejected. */
export function bradleyTerryObjective(tok: Tokenizer, s: EncodeSettings): Objective {
  return {
    name: 'bradley-terry', rowsPerExample: 2,
    encode(e, i) {
      const ex = needPair(e, i);
      const prompt = tok.encode(ex.prompt);
      const resp = [ex.chosen, ex.rejected].map((r) => {
        const ids = tok.encode(r, { addBos: false, parseSpecial: false });
        if (s.addEos && tok.eosId !== undefined) ids.push(tok.eosId);
        return ids;
      });
      if (prompt.length + resp[0]!.length === 0 || prompt.length + resp[1]!.length === 0) return { dropped: 'a row encodes to no tokens' };
      const longest = Math.max(resp[0]!.length, resp[1]!.length);
      const fit = prompt.length === 0 ? { ids: [], shortened: false } : fitPrompt(prompt, s.maxLength - longest, tok.bosId, s.truncation);
      if (!fit) return { dropped: `a response has ${longest} tokens; with at least one prompt token it cannot fit maxLength ${s.maxLength} (truncation: ${s.truncation})` };
      const rows = resp.map((r) => [...fit.ids, ...r]);
      return { rows, promptLength: fit.ids.length, first: 0, length: Math.max(rows[0]!.length, rows[1]!.length), shortened: fit.shortened };
    },
    spec: (batch, length) => ({
      ids: { shape: [2 * batch, length], dtype: 'i32' }, last: { shape: [2 * batch], dtype: 'i32' }, mask: { shape: [batch], dtype: 'f32' },
    }),
    fill(items, batch, length) {
      const { ids, last } = fillIds(items, 2, batch, length, pad(tok));
      const mask = new Float32Array(batch);
      items.forEach((_, b) => { mask[b] = 1; });
      return { ids, last, mask };
    },
    loss(config, p, b) {
      const r = rewardScores(config, p, b.ids!, b.last!);
      const n = b.mask!.shape[0]!;
      return bradleyTerryLoss(r.slice(0, 0, n), r.slice(0, n, 2 * n), b.mask!);
    },
    extraParams: initRewardHead,
    classOf: () => undefined,
    describe: () => ({ objective: 'bradley-terry', rewardHead: 'reward_head.safetensors' }),
  };
}
