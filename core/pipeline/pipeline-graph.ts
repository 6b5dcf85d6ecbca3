// The dependency graph of a pipeline, taken from what each stage reads and writes: a stage depends on the stages
// that write its inputs (and, for stages that read the whole run such as the report, on every stage before it).
// Rendered as text, Mermaid or DOT for `gramr validate --graph`, and walked for the run summary's critical path.
import type { PlannedStage } from './load-pipeline.js';

/** One stage in the graph. */
export interface GraphNode {
  /** Stage id. */
  id: string;
  /** Stage kind. */
  kind: string;
  /** Ids of the stages it waits for, in file order. */
  deps: string[];
  /** Artifacts it reads (datasets and models included). */
  inputs: string[];
  /** Artifacts it writes. */
  outputs: string[];
}

/** Graph formats `gramr validate --graph` prints. */
export const GRAPH_FORMATS = ['text', 'mermaid', 'dot'] as const;
/** One of GRAPH_FORMATS. */
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** Build the graph; nodes come in file order, which is a topological order (validation ensures it). */
export function buildGraph(stages: ReadonlyArray<Pick<PlannedStage, 'id' | 'kind' | 'inputs' | 'outputs' | 'impl'>>): GraphNode[] {
  const writer = new Map<string, string>();
  const nodes: GraphNode[] = [];
  for (const s of stages) {
    const deps = new Set<string>();
    for (const i of s.inputs) {
      const w = writer.get(i);
      if (w) deps.add(w);
    }
    if (s.impl.readsEarlierStages === true) for (const n of nodes) deps.add(n.id);
    const order = new Map(nodes.map((n, k) => [n.id, k]));
    nodes.push({ id: s.id, kind: s.kind, deps: [...deps].sort((a, b) => order.get(a)! - order.get(b)!), inputs: s.inputs, outputs: s.outputs.map((o) => o.name) });
    for (const o of s.outputs) writer.set(o.name, s.id);
  }
  return nodes;
}

/** The longest chain of stages by `ms` (the floor of the wall time with unlimited jobs), and its length. */
export function criticalPath(nodes: GraphNode[], ms: (id: string) => number): { path: string[]; ms: number } {
  const best = new Map<string, { ms: number; prev?: string }>();
  for (const n of nodes) {
    let prev: string | undefined;
    let base = 0;
    for (const d of n.deps) {
      const b = best.get(d)!.ms;
      if (b > base) [base, prev] = [b, d];
    }
    best.set(n.id, { ms: base + ms(n.id), ...(prev ? { prev } : {}) });
  }
  let end: string | undefined;
  for (const [id, b] of best) if (end === undefined || b.ms > best.get(end)!.ms) end = id;
  const path: string[] = [];
  for (let at = end; at !== undefined; at = best.get(at)!.prev) path.unshift(at);
  return { path, ms: end === undefined ? 0 : best.get(end)!.ms };
}

const quote = (s: string): string => JSON.stringify(s);

/** Render the graph as text (one line per stage), a Mermaid flowchart or a Graphviz DOT digraph. */
export function renderGraph(nodes: GraphNode[], format: GraphFormat): string {
  if (format === 'text') {
    const width = Math.max(...nodes.map((n) => n.id.length));
    return nodes.map((n) => `${n.id.padEnd(width)}  (${n.kind})  after: ${n.deps.join(', ') || '-'}  reads: ${n.inputs.join(', ') || '-'}  writes: ${n.outputs.join(', ') || '-'}`).join('\n');
  }
  const edges = nodes.flatMap((n) => n.deps.map((d) => [d, n.id] as const));
  if (format === 'mermaid') {
    const key = new Map(nodes.map((n, i) => [n.id, `s${i}`]));
    return ['flowchart TD', ...nodes.map((n) => `  ${key.get(n.id)}[${quote(`${n.id} (${n.kind})`)}]`),
      ...edges.map(([a, b]) => `  ${key.get(a)} --> ${key.get(b)}`)].join('\n');
  }
  return ['digraph pipeline {', '  rankdir=TB;', '  node [shape=box];', ...nodes.map((n) => `  ${quote(n.id)} [label="${n.id}\\n${n.kind}"];`),
    ...edges.map(([a, b]) => `  ${quote(a)} -> ${quote(b)};`), '}'].join('\n');
}
