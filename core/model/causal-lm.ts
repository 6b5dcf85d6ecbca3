// CausalLM: a decoder whose weights live on a backend (uploaded once; passed to every program as compile-time
// constants, which a backend may bake in, or fed by name), with a tokenizer when one is known; compiles each
// program shape once and reuses it. forward / generate / logprobs are
// here, their loops in generate.ts and logprobs.ts.
import { readdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { resolveModelPath, resolveTokenizerPath } from '../hub/resolve-model.js';
import { openCheckpoint } from './checkpoint/load-checkpoint.js';
import type { ModelConfig } from './checkpoint/model-config.js';
import type { DecoderTensors } from './decoder.js';
import { forwardProgram } from './decoder-programs.js';
import { decoderParamSpecs, transpose2d, type HostParams } from './decoder-weights.js';
import { loadParams, ResidentParams } from './load-params.js';
import { generate, type GenerateOptions, type GenerationResult, type OnToken } from './generate.js';
import { lengthBucket } from './kv-cache.js';
import { scoreContinuations, type ContinuationScore, type LogprobOptions, type ScoreRequest } from './logprobs.js';
import { checkConfig, createScratchModel } from './scratch-init.js';
import { loadTokenizer } from './tokenizer/load-tokenizer.js';
import type { Tokenizer } from './tokenizer/tokenizer.js';
import type { HostFeed, ModelRunner } from './model-runner.js';
import type { CompiledGraph, ComputeBackend, DeviceBuffer } from '../tensor/backend.js';
import type { ProgramInput } from '../tensor/program.js';
import { input } from '../tensor/primitives.js';
import type { Tensor } from '../tensor/tensor.js';

/** Options of `CausalLM.load`. */
export interface CausalLMLoadOptions {
  /**
   * A Tokenizer, a path for loadTokenizer, or false for none. Default: the tokenizer.json of a checkpoint folder,
   * or the single tok*.bin next to a llama2.c .bin file, when there is one.
   */
  tokenizer?: Tokenizer | string | false;
  /**
   * Weight-only quantization of the projections and the LM head at load: 'int8' or 'int4' (blocks of 32, see
   * core/tensor/quantize.ts). Needs a backend with `adoptQuantized` (onnx on its cpu provider); others refuse.
   */
  quantize?: 'int8' | 'int4';
}

/** Counters of the programs a CausalLM compiled and ran (tests check that steps reuse programs). */
export interface CausalLMStats {
  /** Programs compiled so far (one per kind and shape). */
  compiles: number;
  /** Program runs so far. */
  runs: number;
}

const HEAD = 'lm_head.weight';

/** Parameter values by canonical name: `{shape, data}` (HostParams) or bare arrays (TrainStep.readParams()). */
export type ParamValues = Readonly<Record<string, ArrayLike<number> | { readonly data: ArrayLike<number> }>>;

const valuesOf = (v: ArrayLike<number> | { readonly data: ArrayLike<number> } | undefined): ArrayLike<number> | undefined =>
  v === undefined ? undefined : 'data' in v && typeof v.data === 'object' ? v.data : (v as ArrayLike<number>);

/** A Llama-family causal language model on a compute backend. */
export class CausalLM implements ModelRunner {
  /** Parameter buffers by canonical name (resident on the backend; decoder layout, see decoder-weights.ts). */
  readonly params: Readonly<Record<string, DeviceBuffer>>;
  /** Program counters. */
  readonly stats: CausalLMStats = { compiles: 0, runs: 0 };
  private readonly feedsByName: Record<string, DeviceBuffer>;
  private readonly graphs = new Map<string, CompiledGraph>();
  private readonly fed = new WeakMap<CompiledGraph, readonly ProgramInput[]>();
  private tensors?: DecoderTensors;
  private disposed = false;

  /**
   * Uploads `params` (decoder layout) once. Prefer `load`, `scratch` or `fromParams`.
   * @param config the model's configuration
   * @param backend an initialized backend
   * @param params every parameter of `decoderParamSpecs(config)`
   * @param tokenizer used by string prompts, stop strings and streaming text
   */
  constructor(readonly config: ModelConfig, readonly backend: ComputeBackend, params: ParamValues | ResidentParams, readonly tokenizer?: Tokenizer) {
    checkConfig(config, 'CausalLM');
    if (params instanceof ResidentParams) {
      const { [HEAD]: head, ...rest } = params.buffers;
      this.params = config.tieWordEmbeddings && head !== undefined ? rest : { ...params.buffers };
      this.feedsByName = { ...params.buffers };
      return;
    }
    const bufs: Record<string, DeviceBuffer> = {};
    try {
      for (const spec of decoderParamSpecs(config)) {
        const data = valuesOf(params[spec.name]);
        const n = spec.shape.reduce((a, b) => a * b, 1);
        if (data === undefined || data.length !== n) {
          throw new Error(`CausalLM: parameter '${spec.name}' ${data === undefined ? 'is missing' : `has ${data.length} values`}; expected [${spec.shape.join(', ')}] (${n} values)`);
        }
        bufs[spec.name] = this.upload({ shape: spec.shape, dtype: 'f32', data });
      }
      this.params = { ...bufs };
      // Tied models: a transposed copy of the embedding serves as the head, so no program transposes it per step.
      if (config.tieWordEmbeddings) {
        const e = valuesOf(params['model.embed_tokens.weight'])!;
        bufs[HEAD] = this.upload({ shape: [config.hiddenSize, config.vocabSize], dtype: 'f32', data: transpose2d(Float32Array.from(e), config.vocabSize, config.hiddenSize) });
      }
    } catch (e) {
      for (const b of Object.values(bufs)) backend.free(b);
      throw e;
    }
    this.feedsByName = bufs;
  }

  /**
   * Loads a Hugging Face folder, a llama2.c .bin or a Hub id (see openCheckpoint) onto `backend`, one tensor at a time (the
   * weights are held once: read into their final arrays, which a host-memory backend adopts without a copy).
   */
  static async load(pathOrId: string, backend: ComputeBackend, options: CausalLMLoadOptions = {}): Promise<CausalLM> {
    const path = await resolveModelPath(pathOrId);
    const reader = await openCheckpoint(path);
    let params: ResidentParams;
    try {
      params = await loadParams(reader, backend, options.quantize);
    } finally {
      await reader.close();
    }
    const config = reader.config;
    try {
      const tok = options.tokenizer === undefined ? await findTokenizer(path, config.vocabSize)
        : options.tokenizer === false ? undefined
        : typeof options.tokenizer === 'string' ? await loadTokenizer(await resolveTokenizerPath(options.tokenizer), { expectedVocabSize: config.vocabSize })
        : options.tokenizer;
      return new CausalLM(config, backend, params, tok);
    } catch (e) {
      for (const b of Object.values(params.buffers)) backend.free(b);
      throw e;
    }
  }

  /** A new model with seeded random weights (createScratchModel). */
  static scratch(config: ModelConfig, backend: ComputeBackend, seed: number, tokenizer?: Tokenizer): CausalLM {
    return new CausalLM(config, backend, createScratchModel(config, seed), tokenizer);
  }

  /** A model from host parameters in the decoder layout (e.g. TrainStep.readParams() after training). */
  static fromParams(config: ModelConfig, backend: ComputeBackend, params: ParamValues, tokenizer?: Tokenizer): CausalLM {
    return new CausalLM(config, backend, params, tokenizer);
  }

  /** The parameters as graph inputs named like `params` (for graphs run with `run`, e.g. a loss). */
  paramTensors(): DecoderTensors {
    const all = this.programTensors();
    return Object.fromEntries(Object.keys(this.params).map((k) => [k, all[k]!]));
  }

  // What program builders get: the parameters plus, for tied models, the head copy as 'lm_head.weight'.
  private programTensors(): DecoderTensors {
    if (!this.tensors) {
      const t: Record<string, Tensor> = {};
      for (const [name, b] of Object.entries(this.feedsByName)) t[name] = input(name, b.shape, 'f32');
      this.tensors = t;
    }
    return this.tensors;
  }

  /** Current parameter values (copies), in the decoder layout. */
  async readParams(): Promise<HostParams> {
    const out: HostParams = {};
    for (const [name, b] of Object.entries(this.params)) out[name] = { shape: [...b.shape], data: Float32Array.from(await this.backend.download(b)) };
    return out;
  }

  /**
   * The program compiled under `key`, built on first use by `build(p)`, where `p` holds the parameter inputs and,
   * for tied models, `lm_head.weight` (a resident transposed copy of the embedding). The weights are passed as
   * compile-time constants: a backend may bake them into the program (the ONNX backend embeds them as
   * initializers); `run` feeds them otherwise.
   */
  program(key: string, build: (p: DecoderTensors) => Tensor[]): CompiledGraph {
    this.check();
    let g = this.graphs.get(key);
    if (!g) {
      g = this.backend.compile(build(this.programTensors()), { constants: this.feedsByName });
      this.graphs.set(key, g);
      this.stats.compiles++;
    }
    return g;
  }

  /** A new buffer holding `feed` (the caller frees it). */
  upload(feed: HostFeed): DeviceBuffer {
    const b = this.backend.allocate(feed.shape, feed.dtype);
    try {
      this.backend.upload(b, feed.dtype === 'i32' ? Int32Array.from(feed.data) : Float32Array.from(feed.data));
    } catch (e) {
      this.backend.free(b);
      throw e;
    }
    return b;
  }

  /**
   * Runs a program with the resident weights plus `buffers` (kept by the caller) and `host` feeds (uploaded for
   * this run, then freed). Returns the output buffers (the caller frees them).
   */
  async run(graph: CompiledGraph, buffers: Readonly<Record<string, DeviceBuffer>>, host: Readonly<Record<string, HostFeed>> = {}): Promise<DeviceBuffer[]> {
    this.check();
    const temps: DeviceBuffer[] = [];
    try {
      const feeds: Record<string, DeviceBuffer> = {};
      for (const i of this.fedInputs(graph)) {
        const h = host[i.name];
        if (h !== undefined) { const b = this.upload(h); temps.push(b); feeds[i.name] = b; continue; }
        const b = buffers[i.name] ?? this.feedsByName[i.name];
        if (b !== undefined) feeds[i.name] = b;
      }
      this.stats.runs++;
      return await this.backend.run(graph, feeds);
    } finally {
      for (const b of temps) this.backend.free(b);
    }
  }

  // The inputs of a graph that runs are fed (those the backend did not bind at compile time).
  private fedInputs(graph: CompiledGraph): readonly ProgramInput[] {
    let list = this.fed.get(graph);
    if (!list) {
      const bound = graph.constants;
      list = graph.program.inputs.filter((i) => !(bound && i.name in bound));
      this.fed.set(graph, list);
    }
    return list;
  }

  /** Downloads a buffer as f32 (or i32) values and frees it. */
  async take(buffer: DeviceBuffer): Promise<Float32Array> {
    try {
      const data = await this.backend.download(buffer); // already a copy
      return data instanceof Float32Array ? data : Float32Array.from(data);
    } finally { this.backend.free(buffer); }
  }

  /** Longest sequence this model attends over (maxPositions, or the sliding window when smaller). */
  get contextLimit(): number {
    return Math.min(this.config.maxPositions, this.config.slidingWindow ?? Infinity);
  }

  /**
   * Logits of every position of each row: `result[b][t]` is the `[vocab]` row after `ids[b][0..t]`. Rows may have
   * different lengths (right-padded to a length bucket in one batch).
   */
  async forward(ids: readonly (readonly number[])[]): Promise<Float32Array[][]> {
    if (ids.length === 0) return [];
    const lens = ids.map((r, b) => {
      if (r.length === 0) throw new RangeError(`forward: row ${b} has no tokens`);
      return r.length;
    });
    const batch = ids.length, t = lengthBucket(Math.max(...lens), this.contextLimit), v = this.config.vocabSize;
    const graph = this.program(`forward:${batch}:${t}`, (p) => forwardProgram(this.config, p, batch, t));
    const [out] = await this.run(graph, {}, { ids: { shape: [batch, t], dtype: 'i32', data: this.padIds(ids, t) } });
    const logits = await this.take(out!);
    return ids.map((r, b) => r.map((_, i) => logits.subarray((b * t + i) * v, (b * t + i + 1) * v)));
  }

  /** Right-pads rows with 0 to `t` tokens (row-major `[B, t]`), checking every id is in the vocabulary. */
  padIds(rows: readonly (readonly number[])[], t: number): Int32Array {
    const out = new Int32Array(rows.length * t);
    rows.forEach((r, b) => r.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= this.config.vocabSize) throw new RangeError(`token id ${id} (row ${b}, position ${i}) is outside the vocabulary [0, ${this.config.vocabSize})`);
      out[b * t + i] = id;
    }));
    return out;
  }

  /** Generates continuations of `prompts` (strings need the tokenizer); see generate.ts. */
  generate(prompts: readonly (string | readonly number[])[], options: GenerateOptions = {}, onToken?: OnToken): Promise<GenerationResult[]> {
    return generate(this, prompts, options, onToken);
  }

  /** Log-probabilities of continuations given prompts, per token and summed; see logprobs.ts. */
  logprobs(requests: readonly ScoreRequest[], options: LogprobOptions = {}): Promise<ContinuationScore[]> {
    return scoreContinuations(this, requests, options);
  }

  /** Frees the weights and forgets the compiled programs; the model is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    for (const b of Object.values(this.feedsByName)) this.backend.free(b);
    this.graphs.clear();
    this.disposed = true;
  }

  private check(): void {
    if (this.disposed) throw new Error('CausalLM: the model was disposed');
  }
}

/** The tokenizer next to a checkpoint: tokenizer.json in its folder, or the single tok*.bin beside a .bin file. */
export async function findTokenizer(path: string, vocabSize: number): Promise<Tokenizer | undefined> {
  const info = await stat(path);
  const dir = info.isDirectory() ? path : dirname(path);
  const names = await readdir(dir);
  const usable = names.includes('tokenizer.json') || (!info.isDirectory() && names.filter((n) => /^tok.*\.bin$/.test(n)).length === 1);
  return usable ? loadTokenizer(dir, { expectedVocabSize: vocabSize }) : undefined;
}
