// The ONNX backend's options and capabilities, and the rough cost estimate that picks a graph's thread count.
import type { BackendCapabilities } from '../../core/tensor/backend.js';
import type { Program } from '../../core/tensor/program.js';
import { sizeOf } from '../../core/tensor/shape.js';
import type { OnnxProvider } from './providers.js';

/** Options of the ONNX backend. */
export interface OnnxBackendOptions {
  /** Execution provider: 'cpu' (default), 'webgpu' (bundled) or 'cuda' (needs its libraries, see docs/onnx.md). */
  provider?: OnnxProvider;
  /** Intra-op threads of each session (default 2). */
  threads?: number;
  /** Lower softmax/log_softmax to native ONNX ops (default true); false expands every composite. */
  fused?: boolean;
  /** Most sessions kept; the least recently used is released beyond it (default 32). */
  maxSessions?: number;
  /** Let idle intra-op workers spin between ops (default true, onnxruntime's default); false suits a busy machine. */
  spinning?: boolean;
  /**
   * Graphs estimated below this many floating-point operations per run get one intra-op thread (a thread pool
   * costs more than it gives on a one-token decode step or a short prompt). Default 2e7; 0 gives every graph
   * `threads`.
   */
  smallGraphFlops?: number;
  /**
   * Let fused lowerings use onnxruntime's com.microsoft contrib ops (RotaryEmbedding): fewer nodes per decode step.
   * Default true on the cpu provider.
   */
  contribOps?: boolean;
  /** Call onnxruntime-node's native binding directly when its layout allows (default true; cpu provider only). */
  directBinding?: boolean;
  /**
   * Compile-time constants (`compile(outputs, {constants})`) up to this many bytes per graph are embedded as
   * initializers; beyond it they stay graph inputs that `run` feeds itself. Each session holds its own copy of
   * what is embedded (plus onnxruntime's prepacked matmul weights), so this bounds memory per program. Default
   * 64 MiB.
   */
  maxConstantBytes?: number;
  /**
   * How matmuls on quantized weights compute: 4 (default) quantizes their activations to int8 per block (fast,
   * adds that rounding), 0 computes in f32 on the dequantized weights (exact, slower).
   */
  quantAccuracy?: 0 | 4;
  /**
   * Most live sessions of programs with quantized weights (default 4): each holds its own prepacked copy of
   * them, so beyond this the least recently used is released (and recreated if needed again).
   */
  maxQuantizedSessions?: number;
}

/** Capabilities plus the execution provider that runs the sessions. */
export interface OnnxCapabilities extends BackendCapabilities {
  /** The execution provider sessions run on. */
  provider: OnnxProvider;
}

/** Floating-point operations of one run, roughly: 2*M*N*K per matmul, one per element elsewhere. */
export function estimateFlops(program: Program): number {
  let f = 0;
  for (const n of program.nodes) {
    if (n.op === 'input' || n.op === 'constant') continue;
    const size = sizeOf(n.shape);
    f += n.op === 'matmul' ? 2 * size * n.inputs[0]!.shape[n.inputs[0]!.rank - 1]! : size;
  }
  return f;
}
