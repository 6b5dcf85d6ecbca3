// The static import graph of a source tree, read with a regex over import/export-from lines (type-only imports
// included), and the cycles in it. Used by the no-cycle test of core/ and to key caches by the code a file runs.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** `import … from 'x'`, `import type … from 'x'`, `export … from 'x'` and `import 'x'`, across line breaks. */
const IMPORT_RE = /^[ \t]*(?:import|export)\b(?:[^'";]*?\bfrom)?\s*['"]([^'"]+)['"]/gm;

/** The relative module specifiers one file imports or re-exports statically. */
export function importSpecifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(IMPORT_RE)) if (m[1]!.startsWith('.')) found.push(m[1]!);
  return found;
}

/** `import('x')` and `new URL('x', import.meta.url)` with a literal start (quotes or backticks). */
const DYNAMIC_RE = /\bimport\s*\(\s*[`'"]([^`'"$]+)|\bnew\s+URL\s*\(\s*[`'"]([^`'"$]+)[`'"]?[^)]*?\bimport\.meta\.url/g;

/** The relative specifiers one file names at run time: dynamic `import(…)` and `new URL(…, import.meta.url)`. */
export function dynamicSpecifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(DYNAMIC_RE)) {
    const spec = m[1] ?? m[2]!;
    if (spec.startsWith('.')) found.push(spec);
  }
  return found;
}

/** The file a relative specifier names: the `.ts` source for a `.js` specifier when `ts` is set. */
export function resolveSpecifier(from: string, spec: string, ts: boolean): string {
  const target = resolve(dirname(from), spec);
  return ts ? target.replace(/\.js$/, '.ts') : target;
}

/** The import graph of every `.ts` (or `.js`) file under `root`: file → files it imports (those that exist). */
export function importGraph(root: string, ext: '.ts' | '.js'): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(ext) && !e.name.endsWith('.d.ts')) graph.set(p, edgesOf(p, ext === '.ts'));
    }
  };
  walk(root);
  return graph;
}

function edgesOf(file: string, ts: boolean): string[] {
  const targets = importSpecifiers(readFileSync(file, 'utf8')).map((s) => resolveSpecifier(file, s, ts));
  return [...new Set(targets)].filter((t) => existsSync(t));
}

/** Every cycle of the graph, one per strongly connected component (as a path of files that returns to its start). */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next); low.set(v, next++); stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) { on.delete(w); scc.push(w); if (w === v) break; }
    if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(cyclePath(graph, new Set(scc), v));
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

/** A shortest path from `start` back to itself inside one strongly connected component. */
function cyclePath(graph: Map<string, string[]>, scc: Set<string>, start: string): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    for (const w of graph.get(v) ?? []) {
      if (!scc.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = prev.get(u)!) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!prev.has(w)) { prev.set(w, v); queue.push(w); }
    }
  }
  return [start, start];
}

/** A cycle written for people: files relative to `root`, joined by arrows. */
export function describeCycle(cycle: string[], root: string): string {
  return cycle.map((f) => relative(root, f)).join(' -> ');
}

/** Every file `entry` reaches through static relative imports, itself included, sorted. */
export function dependencyClosure(entry: string, ts = false): string[] {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  for (let i = 0; i < queue.length; i++) {
    for (const dep of edgesOf(queue[i]!, ts)) if (!seen.has(dep)) { seen.add(dep); queue.push(dep); }
  }
  return [...seen].sort();
}

/** A hash of the contents of every file `entry` reaches (see dependencyClosure): changes when any of them does. */
export function dependencyHash(entry: string): string {
  const h = createHash('sha256');
  const base = dirname(entry);
  for (const f of dependencyClosure(entry)) h.update(relative(base, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}
