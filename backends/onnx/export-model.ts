// Standalone ONNX export of a tensor graph: the graph lowered as the backend lowers it (forward-only composites
// fused, sibling matmuls merged), with chosen inputs embedded as initializers and readable input/output names, so
// that onnxruntime (or any ONNX runtime, with standard ops only) runs it without gramr. Needs no onnxruntime
// itself.
import type { Tensor } from '../../core/tensor/tensor.js';
import { compileWithFusions } from './fusion-check.js';
import { lowerProgram } from './lower-program.js';
import { alwaysFusedCompositeNames, inferenceCompositeNames } from './onnx-lowerings.js';
import type { OnnxModel, OnnxValueInfo } from './onnx-model.js';

/** What `exportGraph` writes. */
export interface ExportGraphOptions {
  /** The graph's outputs with their ONNX output names, in order. */
  outputs: readonly { name: string; tensor: Tensor }[];
  /** Inputs embedded as initializers (e.g. the weights), by input name; their shapes must match the inputs. */
  constants?: Readonly<Record<string, Float32Array | Int32Array>>;
  /** ONNX names of the inputs left to feed, by program input name (default: the input name). */
  inputNames?: Readonly<Record<string, string>>;
  /** i32 inputs declared int64 in the model (cast inside), as exported language models usually take ids. */
  int64Inputs?: readonly string[];
  /** Allow onnxruntime's com.microsoft contrib ops (default false: standard ONNX opset 17 only). */
  contribOps?: boolean;
  /** Graph name (default `gramr_export`). */
  graphName?: string;
}

/** An exported model. */
export interface ExportedGraph {
  /** ModelProto bytes. */
  bytes: Uint8Array;
  /** The model as written. */
  model: OnnxModel;
  /** Its inputs (name, element type, static dims). */
  inputs: readonly OnnxValueInfo[];
  /** Its outputs. */
  outputs: readonly OnnxValueInfo[];
  /** Composites lowered fused. */
  fusedOps: string[];
}

/** Lowers the graph computing `options.outputs` to a standalone ONNX model. */
export function exportGraph(options: ExportGraphOptions): ExportedGraph {
  const { program, fused, fusedOps } = compileWithFusions(options.outputs.map((o) => o.tensor), alwaysFusedCompositeNames(), inferenceCompositeNames());
  const constants = new Map(Object.entries(options.constants ?? {}));
  const inputNames: Record<string, string> = {};
  for (const inp of program.inputs) inputNames[inp.name] = options.inputNames?.[inp.name] ?? inp.name;
  const lowered = lowerProgram(program, options.graphName ?? 'gramr_export', {
    fused, constants, inputNames, outputNames: options.outputs.map((o) => o.name),
    int64Inputs: new Set(options.int64Inputs ?? []), contrib: options.contribOps ?? false,
  });
  const { model } = lowered;
  return { bytes: lowered.bytes, model, inputs: model.inputs, outputs: model.outputs, fusedOps };
}
