// The node-by-node executor that backends running a Program one kernel at a time share (cpu, webgpu): feeds and
// constants in, each node's kernel called with its operands' storage, every intermediate released right after its
// last use (reference-counted, so a kernel may return an operand unchanged, as reshape does), and outputs handed
// over so the caller owns each exactly once (an output that is a feed, a constant or repeated gets a copy).
import type { Program } from './program.js';
import type { Tensor } from './tensor.js';

/** What the executor asks of a backend; `S` is its storage of one tensor (a typed array, a GPU buffer). */
export interface ExecutionHooks<S extends object> {
  /** The storage fed for input `name` (checked by the caller; never released here). */
  feed(name: string): S;
  /** The storage of a constant node (cached by the backend; never released here). */
  constant(node: Tensor): S;
  /** Computes `node` from its operands; may return one of them unchanged. Throws with the op named. */
  kernel(node: Tensor, inputs: S[]): S;
  /** Gives storage from `kernel` or `copy` back (to a pool). */
  release(storage: S): void;
  /** A new storage holding a copy of `storage` (an output the caller must own separately). */
  copy(storage: S, node: Tensor): S;
}

/** Runs `program` (see the file header); returns one storage per output, owned by the caller. */
export function executeProgram<S extends object>(program: Program, hooks: ExecutionHooks<S>): S[] {
  const { nodes, lastUse } = program;
  const isOutput = new Uint8Array(nodes.length);
  for (const o of program.outputs) isOutput[o] = 1;
  const vals: (S | undefined)[] = new Array(nodes.length);
  const refs = new Map<S, number>();
  const external = new Set<S>(); // feeds, constants and storage handed to the caller: never released here
  const release = (i: number): void => {
    const s = vals[i];
    if (s === undefined) return;
    vals[i] = undefined;
    const r = refs.get(s)! - 1;
    if (r > 0) { refs.set(s, r); return; }
    refs.delete(s);
    if (!external.has(s)) hooks.release(s);
  };
  const index = new Map<Tensor, number>();
  const outputs: S[] = [];
  try {
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      index.set(node, i);
      let s: S;
      if (node.op === 'input') { s = hooks.feed(node.attrs.name as string); external.add(s); }
      else if (node.op === 'constant') { s = hooks.constant(node); external.add(s); }
      else s = hooks.kernel(node, node.inputs.map((x) => vals[index.get(x)!]!));
      vals[i] = s;
      refs.set(s, (refs.get(s) ?? 0) + 1);
      for (const x of node.inputs) {
        const j = index.get(x)!;
        if (lastUse[j] === i && !isOutput[j]) release(j);
      }
    }
    for (const o of program.outputs) {
      let s = vals[o]!;
      if (external.has(s) || outputs.includes(s) || refs.get(s)! > 1) s = hooks.copy(s, nodes[o]!);
      else external.add(s);
      outputs.push(s);
    }
    return outputs;
  } catch (e) {
    for (const s of outputs) hooks.release(s); // copies and handed-over intermediates alike
    throw e;
  } finally {
    for (let i = 0; i < nodes.length; i++) release(i);
  }
}
