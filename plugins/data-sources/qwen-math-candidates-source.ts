// `qwen-math-candidates`: Qwen2.5-Math's rm@8/maj@8 example (MATH problems, 8 sampled CoT solutions each with
// a correctness flag `score`, extracted answers `pred` and RM scores `pred_score`). mode `candidates` yields one
// CandidateSet per problem; mode `pairs` yields every (correct, wrong) combination as a PreferencePair.
import * as path from 'node:path';
import { injectable } from 'inversify';
import { z } from 'zod';
import type { PreferencePair } from '../../core/data/records.js';
import { limitOption, onErrorOption, orderOption, benchmarkPathOption } from './common-options.js';
import { RecordError, fieldError } from './errors.js';
import { asRecord, getField, optionalString, requireArray, requireId, requireString, requireStringArray } from './fields.js';
import { FileDataSource, type SourceFile } from './file-data-source.js';
import { fileOrDefaultInFolder, readJsonlItems, resolveInput, type RawItem } from './file-reading.js';
import { placeChosenRejected } from './pair-order.js';
import type { Candidate, CandidateSet } from './records.js';

/** Options of `qwen-math-candidates`. */
export const qwenMathOptionsSchema = z.object({
  path: benchmarkPathOption('math_cot_100.jsonl, or its folder'),
  mode: z.enum(['candidates', 'pairs']).default('candidates')
    .describe('candidates: one CandidateSet per problem; pairs: one PreferencePair per (correct, wrong) response combination.'),
  limit: limitOption,
  onError: onErrorOption,
  order: orderOption.describe('pairs mode: which response is A (hashed by id, or the correct one first).'),
}).strict();
/** Parsed options of `qwen-math-candidates`. */
export type QwenMathOptions = z.output<typeof qwenMathOptionsSchema>;

const SOURCE = 'qwen25-math-rm-maj';

/** `qwen-math-candidates`: CandidateSets (or correct-vs-wrong PreferencePairs) from sampled MATH solutions. */
@injectable()
export class QwenMathCandidatesSource extends FileDataSource<z.input<typeof qwenMathOptionsSchema>, QwenMathOptions, CandidateSet | PreferencePair> {
  /** The kind name. */
  readonly kind: string = 'qwen-math-candidates';
  /** Absent `path`: the standard location. */
  protected override readonly standard = 'qwen-math-candidates' as const;
  /** The options schema. */
  readonly schema = qwenMathOptionsSchema;

  protected async files(opts: QwenMathOptions, baseDir: string): Promise<SourceFile[]> {
    const file = await fileOrDefaultInFolder(resolveInput(this.pathOf(opts), baseDir), 'math_cot_100.jsonl', 'Qwen math candidates file');
    return [{ name: path.basename(file.abs), path: file }];
  }

  protected items(file: SourceFile): AsyncIterable<RawItem> {
    return readJsonlItems(file.path);
  }

  protected convert(item: RawItem, opts: QwenMathOptions): Array<CandidateSet | PreferencePair> {
    const set = this.candidateSet(item);
    if (opts.mode === 'candidates') return [set];
    const pairs: PreferencePair[] = [];
    set.candidates.forEach((good, i) => {
      if (!good.correct) return;
      set.candidates.forEach((bad, j) => {
        if (bad.correct) return;
        const id = `${set.id}:c${i}w${j}`;
        pairs.push({
          id, prompt: set.prompt, ...placeChosenRejected(id, good.text, bad.text, opts.order), source: SOURCE,
          meta: { problemId: set.id, correctIndex: i, wrongIndex: j, ...(set.meta?.level === undefined ? {} : { level: set.meta.level }) },
        });
      });
    });
    return pairs;
  }

  private candidateSet(item: RawItem): CandidateSet {
    const loc = item.loc;
    const rec = asRecord(item.value, loc);
    const idx = requireId(rec, 'idx', loc);
    const prompt = requireString(rec, 'question', loc);
    const responses = requireStringArray(rec, 'response', loc);
    if (responses.length === 0) throw new RecordError(loc, 'response', 'must hold at least one response, got an empty array');
    const score = requireArray(rec, 'score', loc);
    if (score.length !== responses.length) {
      throw new RecordError(loc, 'score', `must have one entry per response (${responses.length}), got ${score.length}`);
    }
    const pred = getField(rec, 'pred') === undefined ? undefined : requireStringArray(rec, 'pred', loc, responses.length);
    const rm = getField(rec, 'pred_score') === undefined ? undefined : requireArray(rec, 'pred_score', loc, responses.length);
    const candidates = responses.map((text, i): Candidate => {
      if (typeof score[i] !== 'boolean') throw fieldError(loc, `score[${i}]`, 'true or false (is response i correct)', score[i]);
      const c: Candidate = { text, correct: score[i] as boolean };
      if (pred !== undefined) c.answer = pred[i]!;
      if (rm !== undefined) {
        const s = Array.isArray(rm[i]) ? (rm[i] as unknown[])[0] : rm[i];
        if (typeof s !== 'number') throw fieldError(loc, `pred_score[${i}]`, 'a number or [number] (the RM score)', rm[i]);
        c.rmScore = s;
      }
      return c;
    });
    const answer = optionalString(rec, 'answer', loc) ?? optionalString(rec, 'gt', loc);
    const solution = optionalString(rec, 'solution', loc) ?? optionalString(rec, 'gt_cot', loc);
    const meta: Record<string, unknown> = {};
    for (const [from, to] of [['level', 'level'], ['gt', 'normalizedAnswer'], ['system', 'system']] as const) {
      const v = optionalString(rec, from, loc);
      if (v !== undefined) meta[to] = v;
    }
    const set: CandidateSet = { id: `qwen-math:${idx}`, prompt, candidates, source: SOURCE, meta };
    if (answer !== undefined) set.answer = answer;
    if (solution !== undefined) set.solution = solution;
    return set;
  }
}
