// Accumulates the ONNX nodes, initializers, inputs and outputs of one model while a program is lowered.
// Every node is owned by the program node being lowered and named `<op>_<index>` (plus `/<OnnxOp>_<k>` when one
// gramr op needs several ONNX nodes), so a runtime error can be traced back to the gramr op.
import type { DType } from '../../core/tensor/dtype.js';
import {
  OnnxType, type OnnxAttribute, type OnnxDataType, type OnnxDim, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo,
} from './onnx-model.js';

/** ONNX element type of a gramr dtype. */
export function onnxTypeOf(dtype: DType): OnnxDataType {
  return dtype === 'i32' ? OnnxType.INT32 : OnnxType.FLOAT;
}

/** Little-endian bytes of typed-array data (copied). */
export function rawBytes(data: Float32Array | Int32Array | BigInt64Array | Uint8Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

/** Attribute shorthands. */
export const attr = {
  /** An int attribute. */
  int: (name: string, value: number): OnnxAttribute => ({ name, kind: 'int', value }),
  /** A float attribute. */
  float: (name: string, value: number): OnnxAttribute => ({ name, kind: 'float', value }),
  /** A string attribute. */
  string: (name: string, value: string): OnnxAttribute => ({ name, kind: 'string', value }),
  /** An ints attribute. */
  ints: (name: string, value: readonly number[]): OnnxAttribute => ({ name, kind: 'ints', value }),
  /** A tensor attribute. */
  tensor: (name: string, value: OnnxTensor): OnnxAttribute => ({ name, kind: 'tensor', value }),
};

/** Builder of one ONNX graph. */
export class OnnxGraphBuilder {
  /** @param contrib lowerings may use onnxruntime's com.microsoft contrib ops (fewer nodes; onnxruntime only) */
  constructor(readonly contrib = false) {}

  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxTensor[] = [];
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  private readonly constCache = new Map<string, string>();
  private readonly shared = new Map<string, string>();
  private readonly producers = new Map<string, OnnxNode>();
  private readonly opsets = new Map<string, number>();
  private owner = 'graph';
  private ownerNodes = 0;
  private counter = 0;

  /** Sets the program node that owns the nodes added next (its name prefixes theirs). */
  setOwner(name: string): void {
    this.owner = name;
    this.ownerNodes = 0;
  }

  /** A fresh value name under the current owner. */
  fresh(hint = 't'): string { return `${this.owner}/${hint}${this.counter++}`; }

  /**
   * Adds a node and returns its output value names. `outputNames` fixes them (default: fresh names);
   * the node is named after the owner.
   */
  add(opType: string, inputs: readonly string[], attributes: readonly OnnxAttribute[] = [], options: { outputs?: number; outputNames?: string[]; domain?: string } = {}): string[] {
    const outs = options.outputNames ?? Array.from({ length: options.outputs ?? 1 }, () => this.fresh(opType));
    const k = this.ownerNodes++;
    const name = k === 0 ? this.owner : `${this.owner}/${opType}_${k}`;
    const node: OnnxNode = { opType, inputs, outputs: outs, name, attributes, domain: options.domain };
    this.nodes.push(node);
    for (const o of outs) this.producers.set(o, node);
    return outs;
  }

  /** The node that produced `value` (undefined for inputs and initializers). */
  producer(value: string): OnnxNode | undefined { return this.producers.get(value); }

  /**
   * A value shared by every lowering that asks for the same `key` (e.g. a RoPE table or an attention mask built
   * from the same inputs): made once by `make`, under an owner named after the key's first user.
   */
  memo(key: string, make: () => string): string {
    let v = this.shared.get(key);
    if (v === undefined) {
      v = make();
      this.shared.set(key, v);
    }
    return v;
  }

  /** `Reshape(value, dims)`, reading through a Reshape that produced `value` (one node instead of a chain). */
  reshape(value: string, dims: readonly number[]): string {
    const p = this.producers.get(value);
    const src = p && p.opType === 'Reshape' && !p.domain ? p.inputs[0]! : value;
    return this.op('Reshape', [src, this.i64(dims)]);
  }

  /** Adds a single-output node and returns its output name. */
  op(opType: string, inputs: readonly string[], attributes: readonly OnnxAttribute[] = [], domain?: string): string {
    return this.add(opType, inputs, attributes, { domain })[0]!;
  }

  /** Declares an extra opset import (e.g. `com.microsoft`, 1). */
  useOpset(domain: string, version: number): void { this.opsets.set(domain, version); }

  /** Adds an initializer with a given name. */
  initializer(name: string, dataType: OnnxDataType, dims: readonly number[], raw: Uint8Array): string {
    this.initializers.push({ name, dataType, dims: [...dims], raw });
    return name;
  }

  /** A shared constant (deduplicated by type, dims and bytes); returns its value name. */
  constant(dataType: OnnxDataType, dims: readonly number[], data: Float32Array | Int32Array | BigInt64Array | Uint8Array): string {
    const raw = rawBytes(data);
    const key = `${dataType}|${dims.join(',')}|${Buffer.from(raw).toString('base64')}`;
    let name = this.constCache.get(key);
    if (!name) {
      name = `const${this.constCache.size}`;
      this.constCache.set(key, name);
      this.initializer(name, dataType, dims, raw);
    }
    return name;
  }

  /** A 1-D int64 constant (shapes, axes, pads). */
  i64(values: readonly number[]): string {
    return this.constant(OnnxType.INT64, [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  /** A rank-0 constant of a gramr dtype. */
  scalar(value: number, dtype: DType): string {
    return dtype === 'i32'
      ? this.constant(OnnxType.INT32, [], Int32Array.of(value))
      : this.constant(OnnxType.FLOAT, [], Float32Array.of(value));
  }

  /** Declares a graph input (of a gramr dtype, or an ONNX element type such as INT64); dims may be symbolic. */
  input(name: string, dtype: DType | OnnxDataType, dims: readonly OnnxDim[]): void {
    this.inputs.push({ name, dataType: typeof dtype === 'number' ? dtype : onnxTypeOf(dtype), dims: [...dims] });
  }

  /** Declares a graph output; dims may be symbolic. */
  output(name: string, dtype: DType, dims: readonly OnnxDim[]): void {
    this.outputs.push({ name, dataType: onnxTypeOf(dtype), dims: [...dims] });
  }

  /** The finished model: only the nodes and initializers the outputs need (lowerings may leave some unused). */
  build(graphName: string, docString?: string): OnnxModel {
    const needed = new Set(this.outputs.map((o) => o.name));
    const keep: OnnxNode[] = [];
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i]!;
      if (!n.outputs.some((o) => needed.has(o))) continue;
      keep.push(n);
      for (const x of n.inputs) if (x) needed.add(x);
    }
    keep.reverse();
    return {
      graphName, docString, nodes: keep, initializers: this.initializers.filter((t) => needed.has(t.name)),
      inputs: this.inputs, outputs: this.outputs,
      extraOpsets: [...this.opsets].map(([domain, version]) => ({ domain, version })),
    };
  }

  /** Number of nodes added so far. */
  get nodeCount(): number { return this.nodes.length; }
}
