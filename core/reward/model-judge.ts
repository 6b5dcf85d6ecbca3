// ModelJudge: the JudgeModel of the judging layer over a real CausalLM — generation through continuous batching with
// the prompts' shared prefix computed once (or static length-sorted batches), per-request seeds for sampling, stop
// strings kept in the returned text, and label-token logits (found in context) read after the same prefix (or with
// one batched last-position forward per chunk).
import { CausalLM } from '../model/causal-lm.js';
import { ContinuousBatcher } from '../model/continuous-batch.js';
import { lastLogitsProgram } from '../model/decoder-programs.js';
import type { GenerateOptions as ModelGenerateOptions, GenerationResult } from '../model/generate.js';
import { lengthBucket } from '../model/kv-cache.js';
import { RowText } from '../model/row-text.js';
import type { Tokenizer } from '../model/tokenizer/tokenizer.js';
import type { ComputeBackend } from '../tensor/backend.js';
import { chatRendererFor, type ChatMode } from './chat-renderer.js';
import type { GenerateOptions, GenerateRequest, JudgeModel, LabelLogits, LabelTokens } from './judge-model.js';
import type { ChatRenderer } from './prompts.js';

/** Options of a ModelJudge. */
export interface ModelJudgeOptions {
  /** Rows per generate / forward call (default 8): the slots of continuous batching. Results do not depend on it. */
  batchSize?: number;
  /**
   * How generate batches rows: 'continuous' (rows join and leave a fixed set of slots as they finish, and the
   * prompts' shared prefix is computed once; core/model/continuous-batch.ts) or 'static' (length-sorted chunks that
   * each run until their longest row ends). Default: continuous where the backend can write part of a buffer
   * (uploadRange: cpu, onnx, webgpu), static otherwise.
   */
  batching?: 'continuous' | 'static';
  /** How judge prompts are wrapped (`chat` renderer): auto (the model's template, else plain), template, plain, none. */
  chat?: ChatMode;
  /** Extra chat-template variables (e.g. `{enable_thinking: false}` for Qwen3). */
  chatVariables?: Record<string, unknown>;
}

/** Counters of the work a ModelJudge did (benchmarks read them). */
export interface ModelJudgeStats {
  /** CausalLM.generate calls. */
  generateCalls: number;
  /** Rows generated (after de-duplicating identical greedy prompts). */
  generatedRows: number;
  /** Tokens generated. */
  generatedTokens: number;
  /** Prompt tokens prefilled by generate. */
  promptTokens: number;
  /** Last-position forward calls made by labelLogits (with continuous batching: one per prefix). */
  forwardCalls: number;
  /** Prefix rows scored by labelLogits. */
  forwardRows: number;
}

const ENCODE_CACHE = 512;

/** A JudgeModel over a CausalLM with a tokenizer. */
export class ModelJudge implements JudgeModel {
  /** Rows per model call. */
  readonly batchSize: number;
  /** The renderer PairJudge should use for this model (see ModelJudgeOptions.chat). */
  readonly chat: ChatRenderer;
  /** Which renderer `chat` is: 'template' (the tokenizer's own), 'plain' or 'none'. */
  readonly chatKind: Exclude<ChatMode, 'auto'>;
  /** Work counters. */
  readonly stats: ModelJudgeStats = { generateCalls: 0, generatedRows: 0, generatedTokens: 0, promptTokens: 0, forwardCalls: 0, forwardRows: 0 };
  /** The batching generate uses (see ModelJudgeOptions.batching). */
  readonly batching: 'continuous' | 'static';
  /** The continuous batcher (its stats show the prefix reuse and slot use), when batching is continuous. */
  readonly batcher: ContinuousBatcher | undefined;
  private readonly tokenizer: Tokenizer;
  private readonly encoded = new Map<string, number[]>();

  constructor(readonly model: CausalLM, options: ModelJudgeOptions = {}) {
    if (!model.tokenizer) throw new Error('ModelJudge: the model has no tokenizer; load it with one (a tokenizer.json or tok*.bin beside it, or --tokenizer)');
    this.tokenizer = model.tokenizer;
    const batchSize = options.batchSize ?? 8;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`ModelJudge: batchSize must be a positive integer, got ${batchSize}`);
    this.batchSize = batchSize;
    this.batching = options.batching ?? (model.backend.uploadRange ? 'continuous' : 'static');
    this.batcher = this.batching === 'continuous' ? new ContinuousBatcher(model, { slots: batchSize }) : undefined;
    const r = chatRendererFor(this.tokenizer, options.chat ?? 'auto', options.chatVariables);
    this.chat = r.render;
    this.chatKind = r.kind;
  }

  /**
   * Load a checkpoint (a Hugging Face folder or a llama2.c .bin; `tokenizer` overrides the one found beside it) onto
   * an initialized backend. `dispose()` frees the weights.
   */
  static async load(path: string, backend: ComputeBackend, options: ModelJudgeOptions & { tokenizer?: string } = {}): Promise<ModelJudge> {
    const { tokenizer, ...rest } = options;
    const model = await CausalLM.load(path, backend, tokenizer === undefined ? {} : { tokenizer });
    try {
      return new ModelJudge(model, rest);
    } catch (e) {
      model.dispose();
      throw e;
    }
  }

  /** Frees the model's weights. */
  dispose(): void {
    this.model.dispose();
  }

  /** The model's attention limit in tokens. */
  get contextLength(): number {
    return this.model.contextLimit;
  }

  /** Tokens `text` encodes to as a prompt (with BOS by the tokenizer's convention). */
  countTokens(text: string): number {
    return this.encode(text).length;
  }

  /**
   * Continuations of each request. Greedy requests (temperature 0) are de-duplicated; all rows of a call run
   * through the continuous batcher (`batchSize` slots), or, with static batching, sorted by length in batches of
   * `batchSize`. Sampled requests are batched too, each row sampling from `new Rng(seed).fork(0)` — its own seed
   * alone (generate's rowSeeds) — so batching never changes a result. A stop string that ended a row is appended
   * to its text.
   */
  async generate(requests: GenerateRequest[], options: GenerateOptions, signal?: AbortSignal): Promise<string[]> {
    const out: string[] = new Array<string>(requests.length);
    const base: ModelGenerateOptions = {
      maxTokens: options.maxTokens, temperature: options.temperature, stop: options.stop,
      ...(options.topP !== undefined ? { topP: options.topP } : {}), ...(options.topK !== undefined ? { topK: options.topK } : {}),
    };
    const ids = requests.map((r, i) => this.promptIds(r.prompt, `generate: request ${i}`));
    // Greedy: each distinct prompt is generated once. Sampled: every request, each row from its own seed (rowSeeds),
    // so rows of different requests share a batch safely.
    const greedy = options.temperature === 0, first = new Map<string, number>(), rows: number[] = [];
    requests.forEach((r, i) => {
      if (!greedy && !Number.isInteger(r.seed)) throw new RangeError(`ModelJudge.generate: request ${i} has seed ${r.seed}; seeds must be integers`);
      if (greedy && first.has(r.prompt)) return;
      first.set(r.prompt, i);
      rows.push(i);
    });
    const optionsOf = (chunk: number[]): ModelGenerateOptions => (greedy ? base : { ...base, rowSeeds: chunk.map((i) => [requests[i]!.seed, 0] as const) });
    const chunks = this.batcher ? [rows] : chunksOf([...rows].sort((x, y) => ids[x]!.length - ids[y]!.length || x - y), this.batchSize);
    for (const chunk of chunks) {
      signal?.throwIfAborted();
      const prompts = chunk.map((i) => ids[i]!), o = optionsOf(chunk);
      const results = await this.count(this.batcher ? this.batcher.generate(prompts, o, undefined, signal) : this.model.generate(prompts, o), chunk.length);
      chunk.forEach((i, n) => { out[i] = this.withStop(results[n]!, options.stop); });
    }
    if (greedy) requests.forEach((r, i) => { out[i] = out[first.get(r.prompt)!]!; });
    signal?.throwIfAborted();
    return out;
  }

  /**
   * Logits of the two labels as the next token after each prefix: with continuous batching, each prefix computed
   * after the shared prefix (ContinuousBatcher.lastLogits); with static batching, one batched last-position forward
   * (`last:B:T`) per `batchSize` rows (sorted by length). The label tokens are found in context (see `labelSplit`), so a
   * tokenizer that merges the label with the text before it (Qwen and Llama 3 encode "<answer>A" as "<answer" +
   * ">A") is read at the point where the two labels' tokenizations diverge.
   */
  async labelLogits(prefixes: string[], tokens: LabelTokens, signal?: AbortSignal): Promise<LabelLogits[]> {
    const splits = prefixes.map((p, i) => this.labelSplit(p, tokens, i));
    if (this.batcher) {
      const logits = await this.batcher.lastLogits(splits.map((s) => s.ids), signal);
      this.stats.forwardCalls += logits.length;
      this.stats.forwardRows += logits.length;
      return logits.map((l, i) => ({ A: l[splits[i]!.A]!, B: l[splits[i]!.B]! }));
    }
    const order = splits.map((_, i) => i).sort((x, y) => splits[x]!.ids.length - splits[y]!.ids.length || x - y);
    const out: LabelLogits[] = new Array<LabelLogits>(prefixes.length);
    const c = this.model.config, v = c.vocabSize;
    for (let s = 0; s < order.length; s += this.batchSize) {
      signal?.throwIfAborted();
      const chunk = order.slice(s, s + this.batchSize);
      const rows = chunk.map((i) => splits[i]!.ids);
      const batch = rows.length, t = lengthBucket(Math.max(...rows.map((r) => r.length)), this.model.contextLimit);
      const graph = this.model.program(`last:${batch}:${t}`, (p) => lastLogitsProgram(c, p, batch, t));
      const [buf] = await this.model.run(graph, {}, {
        ids: { shape: [batch, t], dtype: 'i32', data: this.model.padIds(rows, t) },
        last: { shape: [batch], dtype: 'i32', data: rows.map((r) => r.length - 1) },
      });
      const logits = await this.model.take(buf!);
      this.stats.forwardCalls++;
      this.stats.forwardRows += batch;
      chunk.forEach((i, b) => { out[i] = { A: logits[b * v + splits[i]!.A]!, B: logits[b * v + splits[i]!.B]! }; });
    }
    return out;
  }

  /**
   * Where the labels are read after `prefix`: `prefix + tokens.A` and `prefix + tokens.B` are encoded (as prompts)
   * and must share every token but their last one; the shared tokens are the context (`ids`) and the two last
   * tokens are the label ids. Usually `ids` is the prefix's own encoding and the ids are those of "A" and "B";
   * with a tokenizer that merges punctuation into the label (">A") they are the merged tokens, read one position
   * earlier; with a prefix ending in a space before " A" the space joins the label token. A label that is not a
   * single token at that point is an error naming both encodings.
   */
  labelSplit(prefix: string, tokens: LabelTokens, index = 0): { ids: number[]; A: number; B: number } {
    const a = this.tokenizer.encode(prefix + tokens.A), b = this.tokenizer.encode(prefix + tokens.B);
    let k = 0;
    while (k < a.length && k < b.length && a[k] === b[k]) k++;
    if (a.length !== k + 1 || b.length !== k + 1 || k === 0) {
      const show = (ids: number[]): string => `[${ids.slice(k).map((id) => `${id} ${JSON.stringify(this.tokenizer.idToToken(id) ?? '?')}`).join(', ')}]`;
      throw new Error(`ModelJudge.labelLogits: prefix ${index}: the labels ${JSON.stringify(tokens.A)} / ${JSON.stringify(tokens.B)} are not one token each after it `
        + `(${this.tokenizer.kind} tokenizer ${this.tokenizer.source}): where the two encodings diverge they continue with ${show(a)} / ${show(b)}`
        + `${k === 0 ? ' and share no context token' : ''}; choose label texts that are single tokens (e.g. "A"/"B" or " A"/" B")`);
    }
    const ids = a.slice(0, k);
    if (ids.length > this.model.contextLimit) throw new RangeError(`ModelJudge.labelLogits: prefix ${index} has ${ids.length} tokens; the model attends over at most ${this.model.contextLimit}`);
    for (const id of [a[k]!, b[k]!]) {
      if (id >= this.model.config.vocabSize) throw new RangeError(`ModelJudge.labelLogits: label token id ${id} is outside the model's vocabulary of ${this.model.config.vocabSize}`);
    }
    return { ids, A: a[k]!, B: b[k]! };
  }

  // Counts one generation call's work.
  private async count(pending: Promise<GenerationResult[]>, rows: number): Promise<GenerationResult[]> {
    const results = await pending;
    this.stats.generateCalls++;
    this.stats.generatedRows += rows;
    for (const r of results) { this.stats.generatedTokens += r.tokens.length; this.stats.promptTokens += r.promptIds.length; }
    return results;
  }


  // The continuation's text with the stop string that ended it (generate cuts before it).
  private withStop(r: GenerationResult, stop: readonly string[]): string {
    if (r.finishReason !== 'stop') return r.text;
    const full = new RowText(this.tokenizer, r.promptIds, []);
    for (const id of r.tokens) full.push(id);
    full.finish();
    const s = stop.find((x) => x !== '' && full.text.startsWith(x, r.text.length));
    if (s === undefined) throw new Error(`ModelJudge: generation stopped but no stop string follows its text (${JSON.stringify(r.text.slice(-40))})`);
    return r.text + s;
  }

  private encode(text: string): number[] {
    let ids = this.encoded.get(text);
    if (ids === undefined) {
      ids = this.tokenizer.encode(text);
      if (this.encoded.size >= ENCODE_CACHE) this.encoded.delete(this.encoded.keys().next().value!);
      this.encoded.set(text, ids);
    }
    return ids;
  }

  private promptIds(text: string, what: string): number[] {
    const ids = this.encode(text);
    if (ids.length === 0) throw new RangeError(`ModelJudge.${what} encodes to no tokens (the tokenizer adds no BOS and the text is empty)`);
    if (ids.length > this.model.contextLimit) throw new RangeError(`ModelJudge.${what} has ${ids.length} tokens; the model attends over at most ${this.model.contextLimit}`);
    return ids;
  }
}

/** `items` in consecutive chunks of at most `size`. */
function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let s = 0; s < items.length; s += size) out.push(items.slice(s, s + size));
  return out;
}
