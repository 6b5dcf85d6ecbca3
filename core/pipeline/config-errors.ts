// Turns zod issues into messages for people: the file, the line (from the YAML source when known), the path
// inside the file (`stages[2].threshold`), what is wrong, and what is valid.
import type { z } from 'zod';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';

/** A parsed source document, to find line numbers of paths. */
export interface SourceMap {
  /** The file name errors use. */
  file: string;
  /** The YAML document (JSON is YAML too). */
  doc: Document;
  /** Line counter filled while parsing. */
  lines: LineCounter;
}

/** Parse YAML/JSON text keeping positions; returns errors as readable strings. */
export function parseSource(file: string, text: string): { map: SourceMap; errors: string[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, merge: true });
  // Only the first error: later ones are usually consequences of it.
  const errors = doc.errors.slice(0, 1).map((e) => {
    const pos = e.linePos?.[0];
    return `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML/JSON: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`;
  });
  return { map: { file, doc, lines }, errors };
}

/** Format a path: ['stages', 2, 'threshold'] -> `stages[2].threshold`. */
export function formatPath(p: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const k of p) out += typeof k === 'number' ? `[${k}]` : out ? `.${String(k)}` : String(k);
  return out || '(top level)';
}

/** `file:line` for a path in the source, or just `file`. */
export function locate(map: SourceMap | undefined, p: ReadonlyArray<PropertyKey>, fallback: string): string {
  if (!map) return fallback;
  for (let n = p.length; n >= 0; n--) {
    const node = map.doc.getIn(p.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return `${map.file}:${map.lines.linePos(node.range[0]).line}`;
  }
  return map.file;
}

type Def = { type?: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; element?: z.ZodType; valueType?: z.ZodType; options?: z.ZodType[] };
function def(s: z.ZodType): Def {
  return ((s as unknown as { _zod?: { def?: Def } })._zod?.def ?? {}) as Def;
}

/** Unwrap optional/default/nullable/pipe wrappers. */
function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (let i = 0; i < 10; i++) {
    const d = def(cur);
    if (d.innerType) cur = d.innerType;
    else break;
  }
  return cur;
}

/** The keys an object schema at `p` accepts, for "valid keys" hints. Best effort; [] when unknown. */
export function validKeysAt(schema: z.ZodType, p: ReadonlyArray<PropertyKey>): string[] {
  let cur: z.ZodType | undefined = schema;
  for (const k of p) {
    if (!cur) return [];
    const d = def(unwrap(cur));
    if (d.shape && typeof k === 'string') cur = d.shape[k];
    else if (d.element && typeof k === 'number') cur = d.element;
    else if (d.valueType) cur = d.valueType;
    else return [];
  }
  const d = cur ? def(unwrap(cur)) : {};
  return d.shape ? Object.keys(d.shape) : [];
}

/** One message per zod issue, prefixed with `prefix` path segments (e.g. ['stages', 2]). */
export function describeIssues(issues: z.core.$ZodIssue[], schema: z.ZodType, prefix: PropertyKey[], map: SourceMap | undefined, file: string): string[] {
  return issues.map((issue) => {
    const full = [...prefix, ...issue.path];
    const where = `${locate(map, full, file)}: ${formatPath(full)}`;
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue as { keys: string[] }).keys;
      const valid = validKeysAt(schema, issue.path);
      return keys.map((k) => `${locate(map, [...full, k], file)}: ${formatPath([...full, k])}: unknown key "${k}"${valid.length ? `; valid keys: ${valid.join(', ')}` : ''}`).join('\n');
    }
    if (issue.code === 'invalid_value') {
      const values = (issue as { values: unknown[] }).values;
      return `${where}: ${issue.message}; valid values: ${values.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    return `${where}: ${issue.message}`;
  });
}
