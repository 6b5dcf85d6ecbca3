// What generation and scoring need of a model: its config, tokenizer and backend, and a way to compile, feed and run
// decoder programs against its resident weights. CausalLM implements it; generate.ts and logprobs.ts depend only
// on this contract, not on CausalLM.
import type { ModelConfig } from './checkpoint/model-config.js';
import type { DecoderTensors } from './decoder.js';
import type { Tokenizer } from './tokenizer/tokenizer.js';
import type { CompiledGraph, ComputeBackend, DeviceBuffer } from '../tensor/backend.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

/** Host data of one program feed. */
export interface HostFeed {
  /** Shape of the buffer. */
  shape: number[];
  /** Element type. */
  dtype: DType;
  /** Values, row-major. */
  data: ArrayLike<number>;
}

/** A model whose weights are resident on a backend, able to run decoder programs. */
export interface ModelRunner {
  /** The architecture. */
  readonly config: ModelConfig;
  /** The backend holding the weights. */
  readonly backend: ComputeBackend;
  /** The tokenizer, when the model has one (string prompts need it). */
  readonly tokenizer?: Tokenizer;
  /** Longest sequence the model attends over. */
  readonly contextLimit: number;
  /** The program compiled under `key`, built on first use by `build(p)` from the parameter inputs. */
  program(key: string, build: (p: DecoderTensors) => Tensor[]): CompiledGraph;
  /** A new buffer holding `feed` (the caller frees it). */
  upload(feed: HostFeed): DeviceBuffer;
  /** Runs a program with the resident weights plus `buffers` and `host` feeds; the caller frees the outputs. */
  run(graph: CompiledGraph, buffers: Readonly<Record<string, DeviceBuffer>>, host?: Readonly<Record<string, HostFeed>>): Promise<DeviceBuffer[]>;
  /** Downloads a buffer as f32 values and frees it. */
  take(buffer: DeviceBuffer): Promise<Float32Array>;
  /** Right-pads rows with 0 to `t` tokens (row-major `[B, t]`), checking every id is in the vocabulary. */
  padIds(rows: readonly (readonly number[])[], t: number): Int32Array;
}
