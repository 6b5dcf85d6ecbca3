// Compilation of a graph into a Program a backend can run many times: composites expanded unless the backend
// has a fused kernel, common subexpressions merged, topological order, buffer liveness and a structural hash.
import { topoOrder } from './autodiff.js';
import { decomposeNode, getComposite } from './composite.js';
import type { DType } from './dtype.js';
import { hashBytes, hashString, stableJson } from './hash.js';
import { GraphBuildError, fmt, sameShape, type Shape } from './shape.js';
import { Tensor } from './tensor.js';

/** A named placeholder the program reads. */
export interface ProgramInput {
  /** Feed name. */
  name: string;
  /** Required shape. */
  shape: Shape;
  /** Required dtype. */
  dtype: DType;
}

/** A compiled graph: what a backend executes. Backend-independent. */
export interface Program {
  /** Nodes in execution order (inputs before users); only primitives and fused composites. */
  readonly nodes: readonly Tensor[];
  /** For each requested output, its index in `nodes` (an output may repeat). */
  readonly outputs: readonly number[];
  /** The placeholders to feed, in first-use order. */
  readonly inputs: readonly ProgramInput[];
  /** For each node, the index of the last node that reads it (-1 if none); its buffer is free after that step. */
  readonly lastUse: Int32Array;
  /** Structural hash (ops, shapes, dtypes, attrs, topology, input names, constant data; not feed values). */
  readonly hash: string;
}

/** Options of `compileGraph`. */
export interface CompileOptions {
  /** True for composite op names the backend runs as fused kernels (those are not expanded). */
  fused?: (op: string) => boolean;
}

/** Expands composites (except fused ones) and merges structurally identical nodes. Returns the new outputs. */
export function lowerGraph(outputs: readonly Tensor[], fused: (op: string) => boolean = () => false): Tensor[] {
  const memo = new Map<Tensor, Tensor>();
  const expansion = new Map<Tensor, Tensor>();
  const canon = new Map<string, Tensor>();
  const intern = (t: Tensor): Tensor => {
    const key = nodeKey(t, (x) => String(x.id));
    const hit = canon.get(key);
    if (!hit) {
      canon.set(key, t);
      return t;
    }
    if (t.op === 'input' && (!sameShape(hit.shape, t.shape) || hit.dtype !== t.dtype)) {
      throw new GraphBuildError(`input '${String(t.attrs.name)}' is declared twice: ${hit.dtype} ${fmt(hit.shape)} and ${t.dtype} ${fmt(t.shape)}`);
    }
    if (t.op === 'constant' && !t.data!.every((v, i) => Object.is(v, hit.data![i]))) {
      canon.set(key + '#' + t.id, t); // hash collision of different data: keep both
      return t;
    }
    return hit;
  };
  const stack: Tensor[] = [...outputs].reverse();
  while (stack.length > 0) {
    const t = stack[stack.length - 1]!;
    if (memo.has(t)) { stack.pop(); continue; }
    if (getComposite(t.op) && !fused(t.op)) {
      let e = expansion.get(t);
      if (!e) { e = decomposeNode(t); expansion.set(t, e); }
      const done = memo.get(e);
      if (done) { memo.set(t, done); stack.pop(); } else stack.push(e);
      continue;
    }
    const todo = t.inputs.filter((x) => !memo.has(x));
    if (todo.length > 0) { stack.push(...todo); continue; }
    const ins = t.inputs.map((x) => memo.get(x)!);
    const node = ins.every((x, i) => x === t.inputs[i]) ? t : new Tensor(t.op, ins, t.attrs, t.shape, t.dtype, t.data);
    memo.set(t, intern(node));
    stack.pop();
  }
  return outputs.map((o) => memo.get(o)!);
}

// The identity of a node apart from its inputs' identities (given by `ref`).
function nodeKey(t: Tensor, ref: (x: Tensor) => string): string {
  const extra = t.op === 'input' ? String(t.attrs.name) : t.data ? hashBytes(t.data) : '';
  if (t.op === 'input') return `input|${extra}`;
  return `${t.op}|${t.dtype}|${t.shape.join(',')}|${stableJson(t.attrs)}|${t.inputs.map(ref).join(',')}|${extra}`;
}

/** Structural hash of the graph computing `outputs` as built (composites not expanded). */
export function structureHash(outputs: readonly Tensor[]): string {
  const order = topoOrder(outputs);
  return hashOrdered(order, outputs);
}

function hashOrdered(order: readonly Tensor[], outputs: readonly Tensor[]): string {
  const index = new Map<Tensor, number>();
  order.forEach((n, i) => index.set(n, i));
  const lines = order.map((n) => {
    const shape = n.op === 'input' ? `:${n.dtype}:${n.shape.join(',')}` : '';
    return nodeKey(n, (x) => String(index.get(x))) + shape;
  });
  lines.push(`out|${outputs.map((o) => index.get(o)).join(',')}`);
  return hashString(lines.join('\n'));
}

/** Compiles the graph computing `outputs`: lower, order, liveness, hash. */
export function compileGraph(outputs: readonly Tensor[], options: CompileOptions = {}): Program {
  if (outputs.length === 0) throw new GraphBuildError('compile: no outputs given');
  const lowered = lowerGraph(outputs, options.fused);
  const nodes = topoOrder(lowered);
  const index = new Map<Tensor, number>();
  nodes.forEach((n, i) => index.set(n, i));
  const lastUse = new Int32Array(nodes.length).fill(-1);
  const inputs: ProgramInput[] = [];
  nodes.forEach((n, i) => {
    for (const x of n.inputs) lastUse[index.get(x)!] = i;
    if (n.op === 'input') inputs.push({ name: n.attrs.name as string, shape: n.shape, dtype: n.dtype });
  });
  return { nodes, outputs: lowered.map((o) => index.get(o)!), inputs, lastUse, hash: hashOrdered(nodes, lowered) };
}
