// Composite ops: named nodes that stay visible in the graph, each with a decomposition into primitives.
// A backend with a fused kernel for the name runs the node as is; otherwise compile expands the decomposition.
import type { DType } from './dtype.js';
import { isPrimitive } from './primitives.js';
import { GraphBuildError, type Shape } from './shape.js';
import { Tensor, type Attrs } from './tensor.js';

/** Definition of one composite op. */
export interface CompositeDef {
  /** Op name as it appears in graphs and kernel keys (`softmax`, `rms_norm`, ...). */
  name: string;
  /** One line for docs and error messages. */
  summary: string;
  /** Builds the node from operands and JSON attributes (validates, infers the shape); used by generic builders. */
  apply(inputs: readonly Tensor[], attrs: Attrs): Tensor;
  /** The same computation in primitives (and possibly other composites); must give the node's shape and dtype. */
  decompose(inputs: readonly Tensor[], attrs: Attrs): Tensor;
  /**
   * Optional own backward: gradient of each input given the node and the gradient `g` of its output
   * (undefined where an input has none). Without it autodiff differentiates through `decompose`.
   */
  vjp?(node: Tensor, g: Tensor): (Tensor | undefined)[];
}

const registry = new Map<string, CompositeDef>();

/** Registers a composite; names must be new and must not shadow a primitive. */
export function defineComposite(def: CompositeDef): CompositeDef {
  if (isPrimitive(def.name)) throw new Error(`defineComposite: '${def.name}' is a primitive op name`);
  if (registry.has(def.name)) throw new Error(`defineComposite: composite '${def.name}' is already defined`);
  registry.set(def.name, def);
  return def;
}

/** The definition of composite `name`, or undefined. */
export function getComposite(name: string): CompositeDef | undefined {
  return registry.get(name);
}

/** Names of all defined composites, sorted. */
export function compositeNames(): string[] {
  return [...registry.keys()].sort();
}

/** Creates a composite node (builders call this after validating operands). */
export function compositeNode(name: string, inputs: readonly Tensor[], attrs: Attrs, shape: Shape, dtype: DType): Tensor {
  if (!registry.has(name)) throw new GraphBuildError(`composite '${name}' is not defined`);
  return new Tensor(name, inputs, attrs, shape, dtype);
}

/** Expands one composite node into its decomposition, checking the result has the node's shape and dtype. */
export function decomposeNode(node: Tensor): Tensor {
  const def = registry.get(node.op);
  if (!def) throw new Error(`decompose: '${node.op}' is not a composite op`);
  const out = def.decompose(node.inputs, node.attrs);
  if (out.dtype !== node.dtype || out.shape.length !== node.shape.length || out.shape.some((d, i) => d !== node.shape[i])) {
    throw new Error(`decompose: '${node.op}' decomposition gives ${out.dtype}[${out.shape}] but the node is ${node.dtype}[${node.shape}]`);
  }
  return out;
}
