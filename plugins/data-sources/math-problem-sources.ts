// `gsm8k` and `math500`: math problems with gold answers (MathProblem records, not pairs), for verifiable
// preference data and best-of-n with an oracle. GSM8K's gold answer is the number after "####" (thousands commas
// removed); its solution drops the <<calc>> annotations. MATH-500 gives `answer` directly (LaTeX). Files are
// JSON Lines or Parquet (read with hyparquet: parquet-reading.ts); a Parquet row's number stands in for the line.
import * as path from 'node:path';
import { injectable } from 'inversify';
import { z } from 'zod';
import { benchmarkPathOption, limitOption, onErrorOption } from './common-options.js';
import { fieldError } from './errors.js';
import { asRecord, getField, optionalString, requireId, requireString } from './fields.js';
import { FileDataSource, type SourceFile } from './file-data-source.js';
import { fileOrDefaultInFolder, resolveInput, type RawItem } from './file-reading.js';
import { readRowItems } from './parquet-reading.js';
import type { MathProblem } from './records.js';

const mathShape = { limit: limitOption, onError: onErrorOption };

/** Options of `gsm8k`. */
export const gsm8kOptionsSchema = z.object({ path: benchmarkPathOption('test.jsonl, or its folder, or the Hub\'s Parquet form (openai/gsm8k main/test-00000-of-00001.parquet)'), ...mathShape }).strict();
/** Options of `math500`. */
export const math500OptionsSchema = z.object({ path: benchmarkPathOption('test.jsonl, or its folder'), ...mathShape }).strict();
/** Parsed options of either math kind. */
export type MathOptions = z.output<typeof gsm8kOptionsSchema>;

/** Split a GSM8K `answer` into the worked solution (calc annotations removed) and the final answer. */
export function parseGsm8kAnswer(answer: string): { solution: string; final: string } | undefined {
  const at = answer.lastIndexOf('####');
  if (at < 0) return undefined;
  const final = answer.slice(at + 4).trim().replace(/(\d),(?=\d{3}\b)/g, '$1');
  if (final === '') return undefined;
  return { solution: answer.slice(0, at).replace(/<<[^>]*>>/g, '').trim(), final };
}

async function oneFile(configured: string, baseDir: string, what: string): Promise<SourceFile[]> {
  const file = await fileOrDefaultInFolder(resolveInput(configured, baseDir), 'test.jsonl', what);
  return [{ name: path.basename(file.abs), path: file, group: path.basename(file.abs).replace(/(-\d{5}-of-\d{5})?\.(jsonl(\.gz)?|parquet)$/, '') }];
}

/** `gsm8k`: MathProblem {id: gsm8k:<split>:<line>, question, answer, solution, source: gsm8k}. */
@injectable()
export class Gsm8kSource extends FileDataSource<z.input<typeof gsm8kOptionsSchema>, MathOptions, MathProblem> {
  /** The kind name. */
  readonly kind: string = 'gsm8k';
  /** Absent `path`: the standard location. */
  protected override readonly standard = 'gsm8k' as const;
  /** The options schema. */
  readonly schema = gsm8kOptionsSchema;

  protected files(opts: MathOptions, baseDir: string): Promise<SourceFile[]> {
    return oneFile(this.pathOf(opts), baseDir, 'GSM8K file');
  }

  protected items(file: SourceFile): AsyncIterable<RawItem> {
    return readRowItems(file.path, file.group);
  }

  protected convert(item: RawItem): MathProblem[] {
    const rec = asRecord(item.value, item.loc);
    const question = requireString(rec, 'question', item.loc);
    const answer = requireString(rec, 'answer', item.loc);
    const parsed = parseGsm8kAnswer(answer);
    if (parsed === undefined) throw fieldError(item.loc, 'answer', 'a worked solution ending in "#### <final answer>"', answer);
    return [{ id: `gsm8k:${item.group}:${item.loc.line}`, question, answer: parsed.final, solution: parsed.solution, source: 'gsm8k' }];
  }
}

/** `math500`: MathProblem {id: math500:<unique_id>, question, answer, solution, source: math500, meta {subject, level, uniqueId}}. */
@injectable()
export class Math500Source extends FileDataSource<z.input<typeof math500OptionsSchema>, MathOptions, MathProblem> {
  /** The kind name. */
  readonly kind: string = 'math500';
  /** Absent `path`: the standard location. */
  protected override readonly standard = 'math500' as const;
  /** The options schema. */
  readonly schema = math500OptionsSchema;

  protected files(opts: MathOptions, baseDir: string): Promise<SourceFile[]> {
    return oneFile(this.pathOf(opts), baseDir, 'MATH-500 file');
  }

  protected items(file: SourceFile): AsyncIterable<RawItem> {
    return readRowItems(file.path, file.group);
  }

  protected convert(item: RawItem): MathProblem[] {
    const rec = asRecord(item.value, item.loc);
    const question = requireString(rec, 'problem', item.loc);
    const answer = requireString(rec, 'answer', item.loc);
    if (answer.trim() === '') throw fieldError(item.loc, 'answer', 'a non-empty gold answer', answer);
    const solution = optionalString(rec, 'solution', item.loc);
    const uniqueId = getField(rec, 'unique_id') === undefined ? undefined : requireId(rec, 'unique_id', item.loc);
    const meta: Record<string, unknown> = {};
    const subject = optionalString(rec, 'subject', item.loc);
    if (subject !== undefined) meta.subject = subject;
    const level = getField(rec, 'level');
    if (level !== undefined) {
      if (typeof level !== 'number' && typeof level !== 'string') throw fieldError(item.loc, 'level', 'a number or string', level);
      meta.level = level;
    }
    if (uniqueId !== undefined) meta.uniqueId = uniqueId;
    const problem: MathProblem = {
      id: `math500:${uniqueId ?? `${item.group}:${item.loc.line}`}`, question, answer: answer.trim(), source: 'math500', meta,
    };
    if (solution !== undefined) problem.solution = solution;
    return [problem];
  }
}
