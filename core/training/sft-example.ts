// The SFT example builder: a rendered prompt + target become token ids whose prompt part is masked out of the
// loss (ignore-index), with the length rule: an over-long example loses prompt tokens from the left (BOS kept),
// never target tokens, and is dropped (and counted) when even that cannot make it fit.
import type { Tokenizer } from '../model/tokenizer/tokenizer.js';

/** The target value of positions that are not in the loss (prompt tokens, the last position, padding). */
export const IGNORE_INDEX = -100;

/** How an example longer than `maxLength` is handled. */
export type Truncation = 'left' | 'drop';

/** Options of `buildSftSequence`. */
export interface SftSequenceOptions {
  /** Most tokens of the whole sequence (prompt + target, BOS and EOS included). */
  maxLength: number;
  /** `left` (default): cut the prompt from the left, keeping BOS; `drop`: drop the example. */
  truncation?: Truncation;
  /** Append the tokenizer's EOS after the target (default true; nothing when it has none). */
  addEos?: boolean;
}

/** A built sequence: `ids[0 .. promptLength)` are the prompt, the rest the target. */
export interface SftSequence {
  /** Prompt ids followed by target ids. */
  ids: number[];
  /** How many leading ids are prompt (not in the loss); at least 1. */
  promptLength: number;
  /** True when prompt tokens were cut to fit `maxLength`. */
  shortened: boolean;
}

/** An example the length rule dropped, with the reason. */
export interface DroppedSequence {
  /** Why: the target alone does not fit, or `truncation: drop` met an over-long example. */
  dropped: string;
}

/**
 * Keeps the right end of `prompt` so that it fits `room` tokens, keeping a leading BOS; undefined when fewer than
 * one prompt token besides BOS would remain, or when `truncation` is `drop` and cutting is needed.
 */
export function fitPrompt(prompt: readonly number[], room: number, bosId: number | undefined, truncation: Truncation = 'left'): { ids: number[]; shortened: boolean } | undefined {
  if (prompt.length <= room) return { ids: [...prompt], shortened: false };
  if (truncation === 'drop') return undefined;
  const bos = bosId !== undefined && prompt[0] === bosId ? 1 : 0;
  const keep = room - bos;
  if (keep < 1) return undefined;
  return { ids: [...prompt.slice(0, bos), ...prompt.slice(prompt.length - keep)], shortened: true };
}

/**
 * Tokenizes `prompt` (with BOS by the tokenizer's convention) and `target` (without BOS, plus EOS when `addEos`)
 * and applies the length rule. The prompt is taken as rendered by the caller (chat format); nothing is added.
 */
export function buildSftSequence(tokenizer: Tokenizer, example: { prompt: string; target: string }, options: SftSequenceOptions): SftSequence | DroppedSequence {
  const prompt = tokenizer.encode(example.prompt);
  const target = tokenizer.encode(example.target, { addBos: false });
  if ((options.addEos ?? true) && tokenizer.eosId !== undefined) target.push(tokenizer.eosId);
  if (prompt.length === 0) return { dropped: 'the prompt encodes to no tokens (nothing to condition the target on)' };
  if (target.length === 0) return { dropped: 'the target encodes to no tokens (nothing to learn)' };
  const fit = fitPrompt(prompt, options.maxLength - target.length, tokenizer.bosId, options.truncation);
  if (fit === undefined) {
    return { dropped: options.truncation === 'drop'
      ? `${prompt.length + target.length} tokens exceed maxLength ${options.maxLength} (truncation: drop)`
      : `the target alone has ${target.length} tokens; with at least one prompt token it cannot fit maxLength ${options.maxLength}` };
  }
  return { ids: [...fit.ids, ...target], promptLength: fit.ids.length, shortened: fit.shortened };
}

/**
 * Next-token targets of a sequence laid out in `length` positions: position t predicts `ids[t + 1]` when that is a
 * target token, otherwise IGNORE_INDEX (prompt, the last token, padding beyond the sequence).
 */
export function sftTargets(seq: { ids: readonly number[]; promptLength: number }, length: number): Int32Array {
  const out = new Int32Array(length).fill(IGNORE_INDEX);
  for (let t = seq.promptLength - 1; t + 1 < seq.ids.length && t < length; t++) out[t] = seq.ids[t + 1]!;
  return out;
}
