// Turns an onnxruntime error into a message for people: which graph (hash, size), which gramr op caused it
// (ONNX node names are `<op>_<program index>`, so ORT's "Name:'gather_17'" maps back to the program node),
// that op's operands and shapes, and the original ORT text.
import type { Program } from '../../core/tensor/program.js';
import type { LoweredProgram } from './lower-program.js';

/** The program node index named by an ORT error message, if any. */
export function failingNode(message: string, lowered: LoweredProgram): number | undefined {
  for (const m of message.matchAll(/Name:\s*'([^']+)'/g)) {
    const owner = m[1]!.split('/')[0]!;
    const i = lowered.owners.get(owner);
    if (i !== undefined) return i;
  }
  return undefined;
}

/** A message naming the graph, the phase, the gramr op that failed (when identifiable) and ORT's own text. */
export function describeRunError(e: unknown, program: Program, lowered: LoweredProgram, provider: string, phase = 'running'): string {
  const msg = (e instanceof Error ? e.message : String(e)).trim();
  const i = failingNode(msg, lowered);
  const graph = `graph ${lowered.model.graphName} (${program.nodes.length} nodes, ${program.inputs.length} inputs, ${program.outputs.length} outputs)`;
  if (i === undefined) return `onnx: ${phase} ${graph} on the ${provider} provider failed: ${msg}`;
  const node = program.nodes[i]!;
  const operands = node.inputs.map((x) => `${x.dtype}[${x.shape.join(',')}] ${x.op === 'input' ? `input '${String(x.attrs.name)}'` : x.op}`).join(', ');
  return `onnx: ${phase} ${graph} on the ${provider} provider failed at op '${node.op}' (program node ${i}: ${node}; operands ${operands || 'none'}): ${msg}`;
}
