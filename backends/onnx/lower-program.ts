// Lowers a compiled Program (core/tensor/program.ts) to one ONNX model: inputs become graph inputs, constants
// initializers, every other node goes through its primitive or fused-composite lowering; each requested output
// becomes a graph output. An op without a lowering fails here, at compile time, naming the op.
import { BINARY_OPS, COMPARE_OPS } from '../../core/tensor/primitives.js';
import type { Program } from '../../core/tensor/program.js';
import { broadcastShapes, sameShape, sizeOf } from '../../core/tensor/shape.js';
import type { Tensor } from '../../core/tensor/tensor.js';
import { OnnxGraphBuilder, attr, onnxTypeOf, rawBytes } from './graph-builder.js';
import { decodeAttentions, lowerDecodeAttention, type DecodeAttention } from './lower-decode-attention.js';
import { lowerMatmulGroup, matmulGroups, type MatmulGroup } from './lower-merge.js';
import type { LowerContext } from './lower-primitives.js';
import { fusedCompositeNames, loweringOf } from './onnx-lowerings.js';
import { OnnxType, encodeModel, type OnnxModel } from './onnx-model.js';
import { lowerQuantizedMatmul, quantizedMatmuls } from './lower-quantized.js';
import type { QuantizedMatrix } from '../../core/tensor/quantize.js';

/** A program lowered to ONNX, with the name mappings the backend needs to feed and read it. */
export interface LoweredProgram {
  /** The model; initializer data is dropped once encoded (`raw` is empty: it lives in `bytes` only). */
  model: OnnxModel;
  /** Its ModelProto bytes. */
  bytes: Uint8Array;
  /**
   * ONNX graph input name of each program input (same order as `program.inputs`); undefined for an input
   * embedded as an initializer (`LowerOptions.constants`).
   */
  inputNames: (string | undefined)[];
  /** ONNX graph output name of each program output (same order as `program.outputs`; all distinct). */
  outputNames: string[];
  /** Program node index by ONNX node-name owner (`<op>_<index>`), to trace runtime errors to a gramr op. */
  owners: Map<string, number>;
}

/** How `lowerProgram` lowers. */
export interface LowerOptions {
  /** True for composite ops lowered as fused ONNX subgraphs (others must have been expanded by the compiler). */
  fused: (op: string) => boolean;
  /** Program inputs embedded as initializers (their data, by input name); the graph does not take them as inputs. */
  constants?: ReadonlyMap<string, Float32Array | Int32Array>;
  /** Graph names of program inputs by input name (default `in<k>_<name>`); initializers too (default the name). */
  inputNames?: Readonly<Record<string, string>>;
  /** Graph names of the outputs, in order (default: the producing value's name). */
  outputNames?: readonly string[];
  /** i32 program inputs declared int64 in the graph and cast to int32 inside (exported models take int64 ids). */
  int64Inputs?: ReadonlySet<string>;
  /** Let fused lowerings use onnxruntime's com.microsoft contrib ops (default false: standard ONNX only). */
  contrib?: boolean;
  /**
   * Program inputs held block-quantized, by input name: neither graph inputs nor float initializers; each matmul
   * reading one becomes a MatMulNBits node (lower-quantized.ts). Needs onnxruntime's contrib ops.
   */
  quantized?: ReadonlyMap<string, QuantizedMatrix>;
  /** MatMulNBits accuracy_level of those matmuls: 4 (int8 activations, default) or 0 (f32 on dequantized weights). */
  quantAccuracy?: 0 | 4;
}

const BROADCASTING = new Set<string>([...BINARY_OPS, ...COMPARE_OPS, 'where']);

/**
 * The operands a node is lowered with: an `expand` operand of a broadcasting elementwise op is replaced by the
 * expand's own input when broadcasting still gives the node's shape (ONNX broadcasts; no tensor is materialized).
 */
export function loweredOperands(node: Tensor): readonly Tensor[] {
  if (!BROADCASTING.has(node.op) || !node.inputs.some((x) => x.op === 'expand')) return node.inputs;
  let ins = [...node.inputs];
  ins.forEach((x, i) => {
    if (x.op !== 'expand') return;
    const cand = ins.map((y, j) => (j === i ? x.inputs[0]! : y));
    if (sameShape(broadcastShapes(node.op, ...cand.map((c) => c.shape)), node.shape)) ins = cand;
  });
  return ins;
}

// Nodes the outputs need once operands are rewritten (a bypassed expand may become dead).
function liveNodes(program: Program): Set<Tensor> {
  const live = new Set<Tensor>();
  const stack = program.outputs.map((o) => program.nodes[o]!);
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (live.has(n)) continue;
    live.add(n);
    stack.push(...loweredOperands(n));
  }
  return live;
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9_]/g, '_');

/** Lowers `program` to an ONNX model named `graphName`; throws naming every op that has no lowering. */
export function lowerProgram(program: Program, graphName: string, options: LowerOptions | ((op: string) => boolean)): LoweredProgram {
  const opts: LowerOptions = typeof options === 'function' ? { fused: options } : options;
  const { fused } = opts;
  const missing = program.nodes.filter((n) => n.op !== 'input' && n.op !== 'constant' && !loweringOf(n.op, fused));
  if (missing.length > 0) {
    const ops = [...new Set(missing.map((n) => n.op))];
    throw new Error(`onnx.compile: no ONNX lowering for op${ops.length > 1 ? 's' : ''} ${ops.map((o) => `'${o}'`).join(', ')} `
      + `(first at ${missing[0]}; graph ${graphName}). Supported: the primitives of docs/backends.md`
      + ` and the fused composites ${fusedCompositeNames().join(', ')}; other composites are expanded into primitives.`);
  }
  const b = new OnnxGraphBuilder(opts.contrib ?? false);
  const value: string[] = new Array(program.nodes.length);
  const leaves = new Set<string>();
  const owners = new Map<string, number>();
  const bools = new Map<string, string>();
  const inputIndex = new Map(program.inputs.map((inp, k) => [inp.name, k]));
  const nodeIndex = new Map(program.nodes.map((n, i) => [n, i]));
  const inputValues: string[] = [];
  const quantized = opts.quantized ?? new Map<string, QuantizedMatrix>();
  const qMatmuls = quantizedMatmuls(program, quantized);
  const inputNames = program.inputs.map((inp, k) => {
    const name = opts.inputNames?.[inp.name];
    if (quantized.has(inp.name)) {
      inputValues.push(''); // read only by the MatMulNBits nodes, through their initializers
      return undefined;
    }
    const data = opts.constants?.get(inp.name);
    if (data) {
      if (data.length !== sizeOf(inp.shape)) throw new Error(`onnx.compile: constant '${inp.name}' has ${data.length} values; the input is ${inp.dtype} [${inp.shape.join(',')}]`);
      inputValues.push(b.initializer(name ?? safe(inp.name), onnxTypeOf(inp.dtype), inp.shape, rawBytes(data)));
      return undefined;
    }
    const graphName = name ?? `in${k}_${safe(inp.name)}`;
    if (opts.int64Inputs?.has(inp.name)) {
      b.input(graphName, OnnxType.INT64, inp.shape);
      b.setOwner(`input_${k}`);
      inputValues.push(b.op('Cast', [graphName], [attr.int('to', OnnxType.INT32)]));
    } else {
      b.input(graphName, inp.dtype, inp.shape);
      inputValues.push(graphName);
    }
    return graphName;
  });
  const live = liveNodes(program);
  // Sibling matmuls on embedded weights (q/k/v) are emitted together at the first member (lower-merge.ts).
  const constants = opts.constants;
  const groups = constants ? matmulGroups(program, (name) => constants.get(name) instanceof Float32Array) : [];
  const groupOf = new Map<Tensor, MatmulGroup>(groups.flatMap((g) => g.members.map((m) => [m, g] as const)));
  const preset = new Map<Tensor, string>();
  const emitted = new Set<MatmulGroup>();
  // One-token decode attentions read their caches directly; their one-row cache updates emit nothing.
  const decode = fused('causal_attention') && fused('kv_cache_update') ? decodeAttentions(program) : new Map<Tensor, DecodeAttention>();
  const skipped = new Set([...decode.values()].flatMap((p) => [p.k, p.v]));
  program.nodes.forEach((node, i) => {
    if (!live.has(node)) return;
    const group = groupOf.get(node);
    if (skipped.has(node)) {
      value[i] = ''; // read only by decode attentions, through its operands
      return;
    }
    if (preset.has(node) || (group && emitted.has(group))) {
      value[i] = preset.get(node) ?? ''; // '': a merged member whose reshape was emitted instead (nothing reads it)
      return;
    }
    if (node.op === 'input') {
      value[i] = inputValues[inputIndex.get(node.attrs.name as string)!]!;
      leaves.add(value[i]!);
      return;
    }
    if (node.op === 'constant') {
      value[i] = b.initializer(`const_${i}`, onnxTypeOf(node.dtype), node.shape, rawBytes(node.data!));
      leaves.add(value[i]!);
      return;
    }
    const owner = `${node.op}_${i}`;
    owners.set(owner, i);
    b.setOwner(owner);
    if (group) {
      emitted.add(group);
      const left = value[nodeIndex.get(node.inputs[0]!)!]!;
      for (const [t, v] of lowerMatmulGroup(b, group, left, (name) => constants!.get(name) as Float32Array)) preset.set(t, v);
      value[i] = preset.get(node) ?? '';
      return;
    }
    const qName = qMatmuls.get(node);
    if (qName !== undefined) {
      value[i] = lowerQuantizedMatmul(b, value[nodeIndex.get(node.inputs[0]!)!]!, qName, quantized.get(qName)!, opts.quantAccuracy ?? 4);
      return;
    }
    const pair = decode.get(node);
    if (pair) {
      value[i] = lowerDecodeAttention(b, node, pair, (t) => value[nodeIndex.get(t)!]!);
      return;
    }
    const ctx: LowerContext = {
      b, node, ins: loweredOperands(node).map((x) => value[nodeIndex.get(x)!]!),
      boolOf: (v) => bools.get(v), setBool: (v, bv) => { bools.set(v, bv); },
    };
    value[i] = loweringOf(node.op, fused)!(ctx);
  });
  // Graph outputs must be distinct values produced by nodes: inputs, constants, repeats and renamed outputs go
  // through Identity.
  const used = new Set<string>();
  const outputNames = program.outputs.map((o, k) => {
    const node = program.nodes[o]!;
    let name = value[o]!;
    const want = opts.outputNames?.[k];
    if (leaves.has(name) || used.has(name) || (want !== undefined && want !== name)) {
      b.setOwner(`output_${k}`);
      name = want === undefined ? b.op('Identity', [name]) : b.add('Identity', [name], [], { outputNames: [want] })[0]!;
    }
    used.add(name);
    b.output(name, node.dtype, node.shape);
    return name;
  });
  const model = b.build(graphName, `gramr program ${graphName}: ${program.nodes.length} nodes`);
  const bytes = encodeModel(model);
  const slim = { ...model, initializers: model.initializers.map((t) => ({ ...t, raw: new Uint8Array(0) })) };
  return { model: slim, bytes, inputNames, outputNames, owners };
}
