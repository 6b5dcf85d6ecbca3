// Shape checks for the records evaluators receive: a wrong shape is a WorkError naming the evaluator, the
// record's id (or index) and the field, with what is valid. Empty strings are valid (judged as they are).
import type { Label } from '../../core/data/records.js';
import { WorkError } from '../../core/errors.js';

/** A pair as the evaluators use it. */
export interface EvalPair {
  /** Record id. */
  id: string;
  /** The user input (instruction, if any, joined above it). */
  prompt: string;
  /** Response a. */
  a: string;
  /** Response b. */
  b: string;
  /** Gold label; undefined for unlabeled pairs. */
  label: Label | undefined;
  /** The record's meta (may be empty). */
  meta: Record<string, unknown>;
  /** The whole record (for `groupBy` paths). */
  record: Record<string, unknown>;
}

/** A candidate set as the best-of-n evaluator uses it. */
export interface EvalCandidateSet {
  /** Record id. */
  id: string;
  /** The prompt. */
  prompt: string;
  /** Candidate texts, in the source's order. */
  texts: string[];
  /** Oracle correctness per candidate. */
  correct: boolean[];
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (field missing)';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  return Array.isArray(v) ? 'an array' : typeof v;
}

/** The error for one bad field. */
export function fieldError(evaluator: string, record: unknown, index: number, field: string, valid: string, got: unknown): WorkError {
  const id = typeof (record as { id?: unknown })?.id === 'string' ? `"${(record as { id: string }).id}" (index ${index})` : `at index ${index}`;
  return new WorkError(`${evaluator} evaluator: record ${id}: field "${field}" must be ${valid}, got ${describe(got)}`);
}

/** Read a dotted path ("meta.subset") from a record. */
export function readPath(record: Record<string, unknown>, path: string): unknown {
  let v: unknown = record;
  for (const key of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

/**
 * Check a PreferencePair. `labels`: `required` (A or B; `tie` returns 'tie' so the caller can skip and count it),
 * or `optional` (unlabeled and tie pairs come back with label undefined).
 */
export function asPair(evaluator: string, r: unknown, index: number, labels: 'required' | 'optional'): EvalPair | 'tie' {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) throw fieldError(evaluator, r, index, '(record)', 'an object (a PreferencePair)', r);
  const rec = r as Record<string, unknown>;
  for (const f of ['id', 'prompt', 'a', 'b']) {
    if (typeof rec[f] !== 'string') throw fieldError(evaluator, rec, index, f, 'a string (empty is allowed)', rec[f]);
  }
  if (rec.instruction !== undefined && typeof rec.instruction !== 'string') throw fieldError(evaluator, rec, index, 'instruction', 'a string when present', rec.instruction);
  if (rec.meta !== undefined && (rec.meta === null || typeof rec.meta !== 'object')) throw fieldError(evaluator, rec, index, 'meta', 'an object when present', rec.meta);
  const label = rec.label;
  if (labels === 'required' && label !== 'A' && label !== 'B' && label !== 'tie') {
    throw fieldError(evaluator, rec, index, 'label', '"A" or "B" (this evaluator needs labeled pairs; "tie" pairs are skipped)', label);
  }
  if (label !== undefined && label !== 'A' && label !== 'B' && label !== 'tie') throw fieldError(evaluator, rec, index, 'label', '"A", "B", "tie" or absent', label);
  if (labels === 'required' && label === 'tie') return 'tie';
  const instruction = rec.instruction as string | undefined;
  const prompt = instruction !== undefined && instruction !== '' ? `${instruction}\n\n${rec.prompt as string}` : rec.prompt as string;
  return {
    id: rec.id as string, prompt, a: rec.a as string, b: rec.b as string,
    label: label === 'A' || label === 'B' ? label : undefined, meta: (rec.meta ?? {}) as Record<string, unknown>, record: rec,
  };
}

/** Check a CandidateSet ({id, prompt, candidates: [{text, correct}]}). */
export function asCandidateSet(evaluator: string, r: unknown, index: number): EvalCandidateSet {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) throw fieldError(evaluator, r, index, '(record)', 'an object (a CandidateSet)', r);
  const rec = r as Record<string, unknown>;
  if (typeof rec.id !== 'string') throw fieldError(evaluator, rec, index, 'id', 'a string', rec.id);
  if (typeof rec.prompt !== 'string') throw fieldError(evaluator, rec, index, 'prompt', 'a string', rec.prompt);
  if (!Array.isArray(rec.candidates) || rec.candidates.length === 0) {
    throw fieldError(evaluator, rec, index, 'candidates', 'a non-empty array of {text, correct}', rec.candidates);
  }
  const texts: string[] = [];
  const correct: boolean[] = [];
  rec.candidates.forEach((c: unknown, i: number) => {
    const cand = (c ?? {}) as Record<string, unknown>;
    if (typeof cand.text !== 'string') throw fieldError(evaluator, rec, index, `candidates[${i}].text`, 'a string', cand.text);
    if (typeof cand.correct !== 'boolean') throw fieldError(evaluator, rec, index, `candidates[${i}].correct`, 'true or false', cand.correct);
    texts.push(cand.text);
    correct.push(cand.correct);
  });
  return { id: rec.id, prompt: rec.prompt, texts, correct };
}
