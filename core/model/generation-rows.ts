// The rows of one generation call, shared by the static batch loop (generate.ts) and continuous batching
// (continuous-batch.ts): prompts encoded and checked, each row's token limit, sampling RNG and streamed text, and
// the per-row step that picks the next token from the row's logits and decides whether the row ends (EOS, stop
// string, length).
import type { ModelRunner } from './model-runner.js';
import { RowText } from './row-text.js';
import { checkSampling, sampleToken, type SamplingOptions } from './sampling.js';
import { Rng } from '../tensor/rng.js';

/** Options of `generate`. */
export interface GenerateOptions extends SamplingOptions {
  /** Most tokens to generate per prompt (default 128); fewer when the context limit comes first. */
  maxTokens?: number;
  /** Seed of the sampling RNG; row b draws from `new Rng(seed).fork(b)` (default 0). */
  seed?: number;
  /**
   * Per-row seeds instead: row b draws from `new Rng(rowSeeds[b][0]).fork(rowSeeds[b][1])`, so a row's samples
   * depend only on its own seed and callers can batch rows of different requests without changing any result.
   */
  rowSeeds?: ReadonlyArray<readonly [seed: number, fork: number]>;
  /** Stop when the generated text contains one of these; the text is cut before it (needs a tokenizer). */
  stop?: readonly string[];
  /** Token ids that end a row; default: the config's eosTokenIds plus the tokenizer's eosId. */
  eosIds?: readonly number[];
  /** Generate through EOS tokens (they are kept as ordinary tokens). */
  ignoreEos?: boolean;
  /** Use the KV cache (default true); false recomputes the whole sequence each step (reference path). */
  useCache?: boolean;
  /** For string prompts: prepend BOS (default: the tokenizer's convention). */
  addBos?: boolean;
}

/** Why a row stopped. */
export type FinishReason = 'eos' | 'stop' | 'length';

/** One generated continuation. */
export interface GenerationResult {
  /** The prompt's token ids (as encoded). */
  promptIds: number[];
  /** Generated ids, without the EOS that ended the row (a stop string's tokens are included). */
  tokens: number[];
  /** Generated text, cut before the stop string ('' without a tokenizer). */
  text: string;
  /** eos, stop (a stop string), or length (maxTokens or the context limit). */
  finishReason: FinishReason;
}

/** A streaming event: each generated token, then one final event per row. */
export interface TokenEvent {
  /** Index of the prompt. */
  row: number;
  /** The new token, or undefined in the row's final event. */
  token: number | undefined;
  /** Text that became printable with this event ('' while held back: an incomplete character or a possible stop string). */
  text: string;
  /** Set in the row's final event. */
  finishReason?: FinishReason;
}

/** Streaming callback. */
export type OnToken = (event: TokenEvent) => void;

/** One row's state. */
export interface Row {
  /** Prompt token ids. */
  prompt: number[];
  /** Tokens generated so far. */
  tokens: number[];
  /** Most tokens this row may generate (maxTokens, or fewer at the context limit). */
  limit: number;
  rng: Rng;
  text: RowText | undefined;
  /** Set once the row ended. */
  done: FinishReason | undefined;
}

/** The rows of one call: encoded, checked, and stepped one sampled token at a time. */
export class GenerationRows {
  readonly rows: Row[];
  private readonly eos: Set<number>;

  constructor(private readonly model: ModelRunner, prompts: readonly (string | readonly number[])[], private readonly options: GenerateOptions, private readonly onToken?: OnToken) {
    checkSampling(options);
    const maxTokens = options.maxTokens ?? 128;
    if (!Number.isInteger(maxTokens) || maxTokens < 0) throw new RangeError(`maxTokens must be an integer >= 0, got ${maxTokens}`);
    const tok = model.tokenizer;
    const stop = (options.stop ?? []).filter((s) => s !== '');
    if (stop.length > 0 && !tok) throw new Error('generate: stop strings need a tokenizer (load the model with one)');
    this.eos = new Set(options.ignoreEos ? [] : options.eosIds ?? [...model.config.eosTokenIds, ...(tok?.eosId !== undefined ? [tok.eosId] : [])]);
    const limit = model.contextLimit;
    if (options.rowSeeds && options.rowSeeds.length !== prompts.length) {
      throw new RangeError(`generate: rowSeeds has ${options.rowSeeds.length} entries for ${prompts.length} prompts`);
    }
    this.rows = prompts.map((p, b) => {
      if (typeof p === 'string' && !tok) throw new Error(`generate: prompt ${b} is text but the model has no tokenizer; pass token ids`);
      const ids = typeof p === 'string' ? tok!.encode(p, options.addBos === undefined ? {} : { addBos: options.addBos }) : [...p];
      if (ids.length === 0) throw new RangeError(`generate: prompt ${b} encodes to no tokens (give it a BOS or some text)`);
      if (ids.length > limit) throw new RangeError(`generate: prompt ${b} has ${ids.length} tokens; the model attends over at most ${limit}`);
      return {
        prompt: ids, tokens: [], limit: Math.min(maxTokens, limit - ids.length), rng: options.rowSeeds ? new Rng(options.rowSeeds[b]![0]).fork(options.rowSeeds[b]![1]) : new Rng(options.seed ?? 0).fork(b),
        text: tok ? new RowText(tok, ids, stop) : undefined, done: undefined,
      };
    });
  }

  /** True while some row has not ended. */
  get live(): boolean { return this.rows.some((r) => !r.done); }

  /** Picks row b's next token from its logits `[vocab]` (or ends the row); no-op for an ended row. */
  step(b: number, logits: Float32Array): void {
    const r = this.rows[b]!;
    if (r.done) return;
    if (r.tokens.length >= r.limit) { this.finish(b, 'length'); return; }
    const id = sampleToken(logits, this.options, r.rng);
    if (this.eos.has(id)) { this.finish(b, 'eos'); return; }
    r.tokens.push(id);
    const text = r.text ? r.text.push(id) : '';
    this.onToken?.({ row: b, token: id, text });
    if (r.text?.stopped) this.finish(b, 'stop');
    else if (r.tokens.length >= r.limit) this.finish(b, 'length');
  }

  /** Steps every live row from a `[rows, vocab]` logits block; returns false once every row has ended. */
  stepAll(logits: Float32Array): boolean {
    const v = this.model.config.vocabSize;
    this.rows.forEach((_, b) => this.step(b, logits.subarray(b * v, (b + 1) * v)));
    return this.live;
  }

  /** The results, in prompt order. */
  results(): GenerationResult[] {
    return this.rows.map((r) => ({ promptIds: r.prompt, tokens: r.tokens, text: r.text ? r.text.text : '', finishReason: r.done ?? 'length' }));
  }

  private finish(b: number, why: FinishReason): void {
    const r = this.rows[b]!;
    r.done = why;
    const rest = r.text ? r.text.finish() : '';
    this.onToken?.({ row: b, token: undefined, text: rest, finishReason: why });
  }
}
