// Test helper: every distinct string (prompts, responses, dialogues, solutions) of every benchmark set under a data
// root (the shipped slices in test/fixtures/data, or the full data folder), read in place. Used by the tokenizer
// round-trip tests.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** One benchmark set's texts. */
export interface TextSet {
  /** Path of the file, relative to the data root. */
  file: string;
  /** Every distinct string value found in its records. */
  texts: string[];
}

const SETS = ['rm-bench', 'judgebench', 'llmbar', 'hh-rlhf', 'pandalm', 'gsm8k', 'math500', 'qwen25-math-rm-maj'];
const cache = new Map<string, TextSet[]>();

/** All strings of all benchmark sets under `root`, per file (values of every key of every record, recursively). */
export function benchmarkTexts(root: string): TextSet[] {
  const known = cache.get(root);
  if (known) return known;
  const out: TextSet[] = [];
  for (const set of SETS) {
    for (const file of listFiles(join(root, set))) {
      if (!/\.(json|jsonl|jsonl\.gz)$/.test(file)) continue;
      const raw = readFileSync(file);
      const text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      const records: unknown[] = file.endsWith('.json') ? [JSON.parse(text)] : text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
      const strings = new Set<string>();
      const walk = (v: unknown): void => {
        if (typeof v === 'string') strings.add(v);
        else if (Array.isArray(v)) v.forEach(walk);
        else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
      };
      records.forEach(walk);
      out.push({ file: file.slice(root.length + 1), texts: [...strings] });
    }
  }
  cache.set(root, out);
  return out;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}
