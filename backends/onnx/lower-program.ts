// Lowers a compiled Program (core/tensor/program.ts) to one ONNX model: inputs become graph inputs, constants
// initializers, every other node goes through its primitive or fused-composite lowering; each requested output
// becomes a graph output. An op without a lowering fails here, at compile time, naming the op.
import { BINARY_OPS, COMPARE_OPS } from '../../core/tensor/primitives.js';
import type { Program, ProgramInput } from '../../core/tensor/program.js';
import { transposeInto } from '../../core/tensor/transpose.js';
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
  /**
   * 2-D f32 program inputs whose data (fed or embedded) is stored transposed: a `[K, N]` input arrives as its
   * `[N, K]` transpose (a checkpoint's `[out, in]` Linear weight). A 2-D matmul reading one as its right operand
   * becomes `Gemm(transB=1)` on the stored data; any other use reads it through one Transpose node.
   */
  transposed?: ReadonlySet<string>;
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

// The dims an input is declared with: reversed for a 2-D input stored transposed.
function storedDims(inp: ProgramInput, transposed: ReadonlySet<string>): readonly number[] {
  if (!transposed.has(inp.name)) return inp.shape;
  if (inp.shape.length !== 2 || inp.dtype !== 'f32') throw new Error(`onnx.compile: input '${inp.name}' is ${inp.dtype} [${inp.shape.join(',')}]; only 2-D f32 inputs can be stored transposed`);
  return [inp.shape[1]!, inp.shape[0]!];
}

// The transposed input a 2-D matmul reads as its right operand (lowered as Gemm with transB), if any.
function transposedRight(node: Tensor, stored: ReadonlyMap<string, string>): string | undefined {
  if (node.op !== 'matmul' || node.inputs[0]!.rank !== 2) return undefined;
  const w = node.inputs[1]!;
  return w.op === 'input' && stored.has(w.attrs.name as string) ? (w.attrs.name as string) : undefined;
}

// Throws naming every op of `program` without a lowering.
function checkLowerable(program: Program, graphName: string, fused: (op: string) => boolean): void {
  const missing = program.nodes.filter((n) => n.op !== 'input' && n.op !== 'constant' && !loweringOf(n.op, fused));
  if (missing.length === 0) return;
  const ops = [...new Set(missing.map((n) => n.op))];
  throw new Error(`onnx.compile: no ONNX lowering for op${ops.length > 1 ? 's' : ''} ${ops.map((o) => `'${o}'`).join(', ')} `
    + `(first at ${missing[0]}; graph ${graphName}). Supported: the primitives of docs/backends.md`
    + ` and the fused composites ${fusedCompositeNames().join(', ')}; other composites are expanded into primitives.`);
}

/**
 * The graph inputs and initializers of a program's inputs: graph name of each (undefined if embedded), value, and
 * for inputs stored transposed the value in the stored `[N, K]` layout (`inputValues` then holds its Transpose).
 */
interface LoweredInputs { inputNames: (string | undefined)[]; inputValues: string[]; stored: Map<string, string> }

// Each program input becomes a graph input (int64 ones cast to int32), an initializer, or nothing (quantized).
function lowerInputs(b: OnnxGraphBuilder, program: Program, opts: LowerOptions): LoweredInputs {
  const inputValues: string[] = [];
  const transposed = opts.transposed ?? new Set<string>();
  const inputNames = program.inputs.map((inp, k) => {
    const name = opts.inputNames?.[inp.name];
    const dims = storedDims(inp, transposed);
    if (opts.quantized?.has(inp.name)) {
      inputValues.push(''); // read only by the MatMulNBits nodes, through their initializers
      return undefined;
    }
    const data = opts.constants?.get(inp.name);
    if (data) {
      if (data.length !== sizeOf(inp.shape)) throw new Error(`onnx.compile: constant '${inp.name}' has ${data.length} values; the input is ${inp.dtype} [${inp.shape.join(',')}]`);
      inputValues.push(b.initializer(name ?? safe(inp.name), onnxTypeOf(inp.dtype), dims, rawBytes(data)));
      return undefined;
    }
    const graphName = name ?? `in${k}_${safe(inp.name)}`;
    if (opts.int64Inputs?.has(inp.name)) {
      b.input(graphName, OnnxType.INT64, inp.shape);
      b.setOwner(`input_${k}`);
      inputValues.push(b.op('Cast', [graphName], [attr.int('to', OnnxType.INT32)]));
    } else {
      b.input(graphName, inp.dtype, dims);
      inputValues.push(graphName);
    }
    return graphName;
  });
  const stored = new Map<string, string>();
  program.inputs.forEach((inp, k) => {
    if (!transposed.has(inp.name) || opts.quantized?.has(inp.name)) return;
    stored.set(inp.name, inputValues[k]!);
    b.setOwner(`input_${k}`);
    inputValues[k] = b.op('Transpose', [inputValues[k]!]); // pruned by build() when only Gemms read the input
  });
  return { inputNames, inputValues, stored };
}

/** Nodes lowered other than one by one: merged matmul groups, quantized matmuls, one-token decode attentions. */
interface SpecialNodes {
  groupOf: Map<Tensor, MatmulGroup>;
  quantizedMatmuls: Map<Tensor, string>;
  decode: Map<Tensor, DecodeAttention>;
  /** Cache updates read only by decode attentions: they emit nothing. */
  skipped: Set<Tensor>;
}

function specialNodes(program: Program, opts: LowerOptions): SpecialNodes {
  // Sibling matmuls on embedded weights (q/k/v) are emitted together at the first member (lower-merge.ts).
  const constants = opts.constants;
  const groups = constants ? matmulGroups(program, (name) => constants.get(name) instanceof Float32Array) : [];
  // One-token decode attentions read their caches directly; their one-row cache updates emit nothing.
  const decode = opts.fused('causal_attention') && opts.fused('kv_cache_update') ? decodeAttentions(program) : new Map<Tensor, DecodeAttention>();
  return {
    groupOf: new Map(groups.flatMap((g) => g.members.map((m) => [m, g] as const))),
    quantizedMatmuls: quantizedMatmuls(program, opts.quantized ?? new Map<string, QuantizedMatrix>()),
    decode,
    skipped: new Set([...decode.values()].flatMap((p) => [p.k, p.v])),
  };
}

/** The state of one program's lowering while its nodes are emitted in order. */
interface NodeLowering {
  b: OnnxGraphBuilder;
  program: Program;
  opts: LowerOptions;
  special: SpecialNodes;
  inputValues: string[];
  /** Inputs stored transposed -> their value in the stored layout. */
  stored: Map<string, string>;
  inputIndex: Map<string, number>;
  nodeIndex: Map<Tensor, number>;
  /** ONNX value of each program node ('' for nodes nothing reads). */
  value: string[];
  /** Values that are graph inputs or initializers (an output naming one needs an Identity). */
  leaves: Set<string>;
  owners: Map<string, number>;
  bools: Map<string, string>;
  /** Values of merged matmul members, emitted at their group's first member. */
  preset: Map<Tensor, string>;
  emitted: Set<MatmulGroup>;
}

// The weights of a merged matmul group member, in `[K, N]` layout (a weight stored transposed is transposed back).
function groupWeights(s: NodeLowering, name: string): Float32Array {
  const data = s.opts.constants!.get(name) as Float32Array;
  if (!s.stored.has(name)) return data;
  const [k, n] = s.program.inputs[s.inputIndex.get(name)!]!.shape as [number, number];
  return transposeInto(data, n, k, new Float32Array(data.length));
}

// Emits node `i` (a live node) and records its value.
function lowerNode(s: NodeLowering, node: Tensor, i: number): void {
  const { b, special, value } = s;
  const group = special.groupOf.get(node);
  if (special.skipped.has(node)) { value[i] = ''; return; } // read only by decode attentions, through its operands
  if (s.preset.has(node) || (group && s.emitted.has(group))) {
    value[i] = s.preset.get(node) ?? ''; // '': a merged member whose reshape was emitted instead (nothing reads it)
    return;
  }
  if (node.op === 'input' || node.op === 'constant') {
    value[i] = node.op === 'input' ? s.inputValues[s.inputIndex.get(node.attrs.name as string)!]!
      : b.initializer(`const_${i}`, onnxTypeOf(node.dtype), node.shape, rawBytes(node.data!));
    s.leaves.add(value[i]!);
    return;
  }
  const owner = `${node.op}_${i}`;
  s.owners.set(owner, i);
  b.setOwner(owner);
  const valueOf = (t: Tensor): string => value[s.nodeIndex.get(t)!]!;
  const qName = special.quantizedMatmuls.get(node);
  const tName = transposedRight(node, s.stored);
  const pair = special.decode.get(node);
  if (group) {
    s.emitted.add(group);
    for (const [t, v] of lowerMatmulGroup(b, group, valueOf(node.inputs[0]!), (name) => groupWeights(s, name))) s.preset.set(t, v);
    value[i] = s.preset.get(node) ?? '';
  } else if (qName !== undefined) {
    value[i] = lowerQuantizedMatmul(b, valueOf(node.inputs[0]!), qName, s.opts.quantized!.get(qName)!, s.opts.quantAccuracy ?? 4);
  } else if (tName !== undefined) {
    value[i] = b.op('Gemm', [valueOf(node.inputs[0]!), s.stored.get(tName)!], [attr.int('transB', 1)]);
  } else if (pair) {
    value[i] = lowerDecodeAttention(b, node, pair, valueOf);
  } else {
    const ctx: LowerContext = {
      b, node, ins: loweredOperands(node).map(valueOf),
      boolOf: (v) => s.bools.get(v), setBool: (v, bv) => { s.bools.set(v, bv); },
    };
    value[i] = loweringOf(node.op, s.opts.fused)!(ctx);
  }
}

// Graph outputs must be distinct values produced by nodes: inputs, constants, repeats and renamed outputs go
// through Identity.
function lowerOutputs(b: OnnxGraphBuilder, program: Program, value: string[], leaves: Set<string>, opts: LowerOptions): string[] {
  const used = new Set<string>();
  return program.outputs.map((o, k) => {
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
}

/** Lowers `program` to an ONNX model named `graphName`; throws naming every op that has no lowering. */
export function lowerProgram(program: Program, graphName: string, options: LowerOptions | ((op: string) => boolean)): LoweredProgram {
  const opts: LowerOptions = typeof options === 'function' ? { fused: options } : options;
  checkLowerable(program, graphName, opts.fused);
  const b = new OnnxGraphBuilder(opts.contrib ?? false);
  const { inputNames, inputValues, stored } = lowerInputs(b, program, opts);
  const live = liveNodes(program);
  const state: NodeLowering = {
    b, program, opts, special: specialNodes(program, opts), inputValues, stored,
    inputIndex: new Map(program.inputs.map((inp, k) => [inp.name, k])), nodeIndex: new Map(program.nodes.map((n, i) => [n, i])),
    value: new Array(program.nodes.length), leaves: new Set(), owners: new Map(), bools: new Map(), preset: new Map(), emitted: new Set(),
  };
  program.nodes.forEach((node, i) => { if (live.has(node)) lowerNode(state, node, i); });
  const outputNames = lowerOutputs(b, program, state.value, state.leaves, opts);
  const model = b.build(graphName, `gramr program ${graphName}: ${program.nodes.length} nodes`);
  const bytes = encodeModel(model);
  const slim = { ...model, initializers: model.initializers.map((t) => ({ ...t, raw: new Uint8Array(0) })) };
  return { model: slim, bytes, inputNames, outputNames, owners: state.owners };
}
