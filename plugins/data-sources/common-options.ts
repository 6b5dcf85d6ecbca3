// zod pieces shared by the options schemas of every data-source kind (path, limit, onError, order).
// Every kind's schema is a `.strict()` object built from these, so unknown keys are rejected.
import { z } from 'zod';

/** `path`: a file or folder; relative paths resolve against the base folder (the pipeline file's folder). */
export function pathOption(): z.ZodString {
  return z.string().min(1).describe(`${PATH_TEXT}.`);
}

const PATH_TEXT = 'File or folder to read; a relative path resolves against the pipeline file\'s folder; hf://datasets/owner/name[@rev]/file is a file of a Hub dataset (fetched into the Hub cache)';

/** `path` of a benchmark with a standard location: optional; absent means that location (benchmark-data.ts). */
export function benchmarkPathOption(layout: string): z.ZodOptional<z.ZodString> {
  return z.string().min(1).optional().describe(`${PATH_TEXT}. Absent: the set's standard place, in the data folder (GRAMR_DATA) or else the Hub cache after \`gramr data pull\`. Layout: ${layout}.`);
}

/** `limit`: stop after this many records. */
export const limitOption = z.number().int().positive().optional().describe('Stop after this many records.');

/** `onError`: fail on the first malformed record (default) or skip it and count it. */
export const onErrorOption = z.enum(['fail', 'skip']).default('fail')
  .describe('fail: a malformed record is an error naming file, line and field; skip: skip it and count it in the read stats.');

/** `order` for sources that give chosen/rejected. */
export const orderOption = z.enum(['hashed', 'chosen-first']).default('hashed')
  .describe('Which response is A: hashed (by a hash of the record id; labels about balanced) or chosen-first.');

/** `order` for sources that already show A and B. */
export const sourceOrderOption = z.enum(['source', 'hashed', 'chosen-first']).default('source')
  .describe("Which response is A: source (the set's own order), hashed (by a hash of the record id) or chosen-first.");
