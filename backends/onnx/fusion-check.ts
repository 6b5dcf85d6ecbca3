// Which forward-only composites (rms_norm, silu, rope, kv_cache_update, causal_attention) a graph may run fused.
// Autodiff differentiates such a composite through its decomposition, so a training graph already computes the
// decomposition's intermediates for the backward pass: fusing the forward there would compute it twice. A fused
// node is kept only when no node of its decomposition (beyond leaves and pure data movement) is in the program.
import { compileGraph, lowerGraph, type Program } from '../../core/tensor/program.js';
import { decomposeNode, getComposite } from '../../core/tensor/composite.js';
import { hashBytes, stableJson } from '../../core/tensor/hash.js';
import { topoOrder } from '../../core/tensor/autodiff.js';
import type { Tensor } from '../../core/tensor/tensor.js';

// Ops whose presence says nothing about duplicated work.
const CHEAP = new Set(['input', 'constant', 'iota', 'reshape', 'expand', 'transpose', 'cast']);

function key(t: Tensor, refs: readonly string[]): string {
  const extra = t.op === 'input' ? String(t.attrs.name) : t.data ? hashBytes(t.data) : '';
  return `${t.op}|${t.dtype}|${t.shape.join(',')}|${stableJson(t.attrs)}|${refs.join(',')}|${extra}`;
}

/**
 * The ops among `candidates` that `program` (compiled with them fused) also computes through their
 * decomposition; those must be expanded instead. `fused` is the predicate the program was compiled with.
 */
export function duplicatedFusions(program: Program, candidates: ReadonlySet<string>, fused: (op: string) => boolean): Set<string> {
  const found = new Set<string>();
  const targets = program.nodes.filter((n) => candidates.has(n.op));
  if (targets.length === 0) return found;
  const index = new Map<Tensor, string>(program.nodes.map((n, i) => [n, `p${i}`]));
  const byKey = new Map<string, string>();
  for (const n of program.nodes) byKey.set(key(n, n.inputs.map((x) => index.get(x)!)), index.get(n)!);
  for (const node of targets) {
    if (found.has(node.op)) continue;
    const leaves = new Set(node.inputs);
    // Nested composites the program would have expanded are expanded too (lowerGraph walks the whole ancestry,
    // so only when needed).
    const plain = decomposeNode(node);
    const root = topoOrder([plain], leaves).some((t) => getComposite(t.op) && !fused(t.op)) ? lowerGraph([plain], fused)[0]! : plain;
    const ref = new Map<Tensor, string>();
    let fresh = 0;
    for (const t of topoOrder([root], leaves)) {
      if (leaves.has(t)) { ref.set(t, index.get(t)!); continue; }
      // A decomposition node the compiler merged into a program node, or structurally equal to one.
      const hit = index.get(t) ?? byKey.get(key(t, t.inputs.map((x) => ref.get(x)!)));
      if (hit !== undefined && !CHEAP.has(t.op)) { found.add(node.op); break; }
      ref.set(t, hit ?? `d${fresh++}`);
    }
  }
  return found;
}

/** A program compiled for ONNX lowering, with the composites it keeps fused. */
export interface FusedProgram {
  /** The program. */
  program: Program;
  /** The fusion predicate it was compiled with (lowerProgram needs the same). */
  fused: (op: string) => boolean;
  /** Composite ops that occur fused in it, sorted. */
  fusedOps: string[];
}

/**
 * Compiles `outputs` with `always` fused and as many of `candidates` as the graph allows: compiles with all of
 * them, then expands the ones the graph also computes through their decomposition, until none is left.
 */
export function compileWithFusions(outputs: readonly Tensor[], always: readonly string[], candidates: readonly string[]): FusedProgram {
  let left = [...candidates];
  for (;;) {
    const set = new Set([...always, ...left]);
    const fused = (op: string): boolean => set.has(op);
    const program = compileGraph(outputs, { fused });
    const dup = duplicatedFusions(program, new Set(left), fused);
    if (dup.size === 0) return { program, fused, fusedOps: [...set].filter((op) => program.nodes.some((n) => n.op === op)).sort() };
    left = left.filter((op) => !dup.has(op));
  }
}
