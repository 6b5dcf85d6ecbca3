// Candidate sets to rank, as `gramr rank` and the `rank` stage read them: `{id?, prompt, candidates: [...]}` where a
// candidate is a string or an object with a `text` string (CandidateSet records, with `correct`, fit). A wrong shape
// is a WorkError naming the source, the record and the field.
import { WorkError } from '../errors.js';

/** One set of candidate responses to a prompt. */
export interface RankInput {
  /** The record's id, or `<index>` (from 0) when it has none. */
  id: string;
  /** The prompt the candidates answer. */
  prompt: string;
  /** Candidate texts, in the record's order (indices in rankings refer to this order). */
  texts: string[];
}

/** Check one record and return it as a RankInput; `where` names the file or dataset in errors. */
export function asRankInput(record: unknown, index: number, where: string): RankInput {
  const at = `${where}: record ${index}`;
  if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new WorkError(`${at}: must be an object {prompt, candidates: [...]}`);
  const r = record as Record<string, unknown>;
  if (r.id !== undefined && typeof r.id !== 'string') throw new WorkError(`${at}: field "id" must be a string when present, got ${typeof r.id}`);
  if (typeof r.prompt !== 'string') throw new WorkError(`${at}: field "prompt" must be a string, got ${r.prompt === undefined ? 'nothing' : typeof r.prompt}`);
  if (!Array.isArray(r.candidates) || r.candidates.length === 0) {
    throw new WorkError(`${at}: field "candidates" must be a non-empty array of strings or {text} objects`);
  }
  const texts = r.candidates.map((c: unknown, i: number) => {
    if (typeof c === 'string') return c;
    const text = c !== null && typeof c === 'object' ? (c as { text?: unknown }).text : undefined;
    if (typeof text !== 'string') throw new WorkError(`${at}: candidates[${i}] must be a string or an object with a "text" string`);
    return text;
  });
  return { id: typeof r.id === 'string' ? r.id : String(index), prompt: r.prompt, texts };
}
