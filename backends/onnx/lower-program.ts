// Lowers a compiled Program (core/tensor/program.ts) to one ONNX model: inputs become graph inputs, constants
// initializers, every other node goes through its primitive or fused-composite lowering; each requested output
// becomes a graph output. An op without a lowering fails here, at compile time, naming the op.
import { BINARY_OPS, COMPARE_OPS } from '../../core/tensor/primitives.js';
import type { Program } from '../../core/tensor/program.js';
import { broadcastShapes, sameShape } from '../../core/tensor/shape.js';
import type { Tensor } from '../../core/tensor/tensor.js';
import { OnnxGraphBuilder, onnxTypeOf, rawBytes } from './graph-builder.js';
import { COMPOSITE_LOWERINGS } from './lower-composites.js';
import { PRIMITIVE_LOWERINGS, type LowerContext, type Lowering } from './lower-primitives.js';
import { encodeModel, type OnnxModel } from './onnx-model.js';

/** A program lowered to ONNX, with the name mappings the backend needs to feed and read it. */
export interface LoweredProgram {
  /** The model. */
  model: OnnxModel;
  /** Its ModelProto bytes. */
  bytes: Uint8Array;
  /** ONNX graph input name of each program input (same order as `program.inputs`). */
  inputNames: string[];
  /** ONNX graph output name of each program output (same order as `program.outputs`; all distinct). */
  outputNames: string[];
  /** Program node index by ONNX node-name owner (`<op>_<index>`), to trace runtime errors to a gramr op. */
  owners: Map<string, number>;
}

/** Lowering of `op`, if any (fused composites only when `fused(op)`). */
export function loweringOf(op: string, fused: (op: string) => boolean): Lowering | undefined {
  return PRIMITIVE_LOWERINGS[op] ?? (fused(op) ? COMPOSITE_LOWERINGS[op] : undefined);
}

/** Composite names with a fused ONNX lowering. */
export function fusedCompositeNames(): string[] { return Object.keys(COMPOSITE_LOWERINGS).sort(); }

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
export function lowerProgram(program: Program, graphName: string, fused: (op: string) => boolean): LoweredProgram {
  const missing = program.nodes.filter((n) => n.op !== 'input' && n.op !== 'constant' && !loweringOf(n.op, fused));
  if (missing.length > 0) {
    const ops = [...new Set(missing.map((n) => n.op))];
    throw new Error(`onnx.compile: no ONNX lowering for op${ops.length > 1 ? 's' : ''} ${ops.map((o) => `'${o}'`).join(', ')} `
      + `(first at ${missing[0]}; graph ${graphName}). Supported: the primitives of docs/backends.md`
      + ` and the fused composites ${fusedCompositeNames().join(', ')}; other composites are expanded into primitives.`);
  }
  const b = new OnnxGraphBuilder();
  const value: string[] = new Array(program.nodes.length);
  const leaves = new Set<string>();
  const owners = new Map<string, number>();
  const bools = new Map<string, string>();
  const inputIndex = new Map(program.inputs.map((inp, k) => [inp.name, k]));
  const nodeIndex = new Map(program.nodes.map((n, i) => [n, i]));
  const inputNames = program.inputs.map((inp, k) => `in${k}_${safe(inp.name)}`);
  program.inputs.forEach((inp, k) => b.input(inputNames[k]!, inp.dtype, inp.shape));
  const live = liveNodes(program);
  program.nodes.forEach((node, i) => {
    if (!live.has(node)) return;
    if (node.op === 'input') {
      value[i] = inputNames[inputIndex.get(node.attrs.name as string)!]!;
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
    const ctx: LowerContext = {
      b, node, ins: loweredOperands(node).map((x) => value[nodeIndex.get(x)!]!),
      boolOf: (v) => bools.get(v), setBool: (v, bv) => { bools.set(v, bv); },
    };
    value[i] = loweringOf(node.op, fused)!(ctx);
  });
  // Graph outputs must be distinct values produced by nodes: inputs, constants and repeats go through Identity.
  const used = new Set<string>();
  const outputNames = program.outputs.map((o, k) => {
    const node = program.nodes[o]!;
    let name = value[o]!;
    if (leaves.has(name) || used.has(name)) {
      b.setOwner(`output_${k}`);
      name = b.op('Identity', [name]);
    }
    used.add(name);
    b.output(name, node.dtype, node.shape);
    return name;
  });
  const model = b.build(graphName, `gramr program ${graphName}: ${program.nodes.length} nodes`);
  return { model, bytes: encodeModel(model), inputNames, outputNames, owners };
}
