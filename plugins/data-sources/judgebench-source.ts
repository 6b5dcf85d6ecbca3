// `judgebench`: JudgeBench (ScalerLab) pairs, label "A>B" / "B>A", from every
// `dataset=judgebench,response_model=<model>.jsonl` file in a folder (or one such file). meta.category maps the
// source: mmlu-pro-* -> knowledge, livebench-reasoning -> reasoning, livebench-math -> math, livecodebench -> coding.
// The Hub's copy (ScalerLab/JudgeBench, data/<split>-00000-of-00001.jsonl, same bytes) is read too: split gpt or claude.
import * as path from 'node:path';
import { readdir } from 'node:fs/promises';
import { injectable } from 'inversify';
import { z } from 'zod';
import type { PreferencePair } from '../../core/data/records.js';
import { onErrorOption, benchmarkPathOption, sourceOrderOption } from './common-options.js';
import { DataFileError, fieldError } from './errors.js';
import { asRecord, getField, requireId, requireString } from './fields.js';
import { sampleSeedOption, stratifiedLimitOption } from './stratified-limit.js';
import { FileDataSource, type SourceFile } from './file-data-source.js';
import { childPath, pathKind, readJsonlItems, resolveInput, type RawItem } from './file-reading.js';
import { placeSourcePair } from './pair-order.js';

/** JudgeBench's four reporting categories. */
export type JudgeBenchCategory = 'knowledge' | 'reasoning' | 'math' | 'coding';

/** The category of a JudgeBench `source` value, or undefined when it is none of the known ones. */
export function judgeBenchCategory(source: string): JudgeBenchCategory | undefined {
  if (source.startsWith('mmlu-pro')) return 'knowledge';
  if (source === 'livebench-reasoning') return 'reasoning';
  if (source === 'livebench-math') return 'math';
  if (source === 'livecodebench') return 'coding';
  return undefined;
}

const FILE_PATTERN = /^dataset=judgebench,response_model=(.+)\.jsonl$/;
/** The Hub's file names (data/<split>-00000-of-00001.jsonl) and the response model of each split. */
const HUB_FILE_PATTERN = /^(gpt|claude)-\d{5}-of-\d{5}\.jsonl$/;
const HUB_SPLIT_MODELS: Record<string, string> = { gpt: 'gpt-4o-2024-05-13', claude: 'claude-3-5-sonnet-20240620' };

/** The response model a JudgeBench file holds, from its name (GitHub or Hub form); undefined for other files. */
function responseModelOf(name: string): string | undefined {
  const hub = HUB_FILE_PATTERN.exec(name);
  return FILE_PATTERN.exec(name)?.[1] ?? (hub ? HUB_SPLIT_MODELS[hub[1]!] : undefined);
}

/** Options of `judgebench`. */
export const judgeBenchOptionsSchema = z.object({
  path: benchmarkPathOption('the folder, or one dataset=judgebench,response_model=<model>.jsonl file'),
  responseModels: z.array(z.string().min(1)).min(1).optional()
    .describe('Response-model files to read, by the model in the file name (default: all in the folder).'),
  limit: stratifiedLimitOption,
  sampleSeed: sampleSeedOption,
  onError: onErrorOption,
  order: sourceOrderOption,
}).strict();
/** Parsed options of `judgebench`. */
export type JudgeBenchOptions = z.output<typeof judgeBenchOptionsSchema>;

/** `judgebench`: PreferencePairs with meta {category, subset (the raw source), responseModel, originalId}. */
@injectable()
export class JudgeBenchSource extends FileDataSource<z.input<typeof judgeBenchOptionsSchema>, JudgeBenchOptions, PreferencePair> {
  /** The kind name. */
  readonly kind: string = 'judgebench';
  /** Absent `path`: the standard location. */
  protected override readonly standard = 'judgebench' as const;
  /** The options schema. */
  readonly schema = judgeBenchOptionsSchema;

  /** `limit` spreads over the reporting domains / categories (meta.category). */
  protected override stratumOf(r: PreferencePair): string {
    const c = r.meta?.category;
    return typeof c === 'string' ? c : '(none)';
  }

  protected async files(opts: JudgeBenchOptions, baseDir: string): Promise<SourceFile[]> {
    const p = resolveInput(this.pathOf(opts), baseDir);
    const kind = await pathKind(p);
    if (kind === undefined) throw new DataFileError(p.display, `JudgeBench folder or file not found (resolved to ${p.abs})`);
    const named = (name: string, fp = childPath(p, name)): SourceFile => ({ name, path: fp, group: responseModelOf(name) ?? name });
    const files = kind === 'file'
      ? [named(path.basename(p.abs), p)]
      : (await readdir(p.abs)).filter((n) => responseModelOf(n) !== undefined).sort().map((n) => named(n));
    if (files.length === 0) throw new DataFileError(p.display, 'holds no dataset=judgebench,response_model=<model>.jsonl file (nor the Hub\'s gpt-/claude-00000-of-00001.jsonl)');
    if (opts.responseModels === undefined) return files;
    return opts.responseModels.map((m) => {
      const hit = files.find((f) => f.group === m);
      if (hit === undefined) {
        throw new DataFileError(p.display, `has no file for response model "${m}"; available: ${files.map((f) => `"${f.group}"`).join(', ')}`);
      }
      return hit;
    });
  }

  protected items(file: SourceFile): AsyncIterable<RawItem> {
    return readJsonlItems(file.path, file.group);
  }

  protected convert(item: RawItem, opts: JudgeBenchOptions): PreferencePair[] {
    const rec = asRecord(item.value, item.loc);
    const pairId = requireId(rec, 'pair_id', item.loc);
    const subset = requireString(rec, 'source', item.loc);
    const category = judgeBenchCategory(subset);
    if (category === undefined) {
      throw fieldError(item.loc, 'source', '"mmlu-pro-<subject>", "livebench-reasoning", "livebench-math" or "livecodebench"', subset);
    }
    const prompt = requireString(rec, 'question', item.loc);
    const first = requireString(rec, 'response_A', item.loc);
    const second = requireString(rec, 'response_B', item.loc);
    const rawLabel = getField(rec, 'label');
    if (rawLabel !== 'A>B' && rawLabel !== 'B>A') throw fieldError(item.loc, 'label', '"A>B" or "B>A"', rawLabel);
    const responseModel = typeof rec.response_model === 'string' ? rec.response_model : item.group;
    const id = `judgebench:${pairId}`;
    const placed = placeSourcePair(id, first, second, rawLabel === 'A>B' ? 'A' : 'B', opts.order);
    const meta: Record<string, unknown> = { category, subset, responseModel };
    const originalId = getField(rec, 'original_id');
    if (originalId !== undefined) meta.originalId = originalId;
    if (placed.swapped) meta.swapped = true;
    return [{ id, prompt, a: placed.a, b: placed.b, label: placed.label, source: 'judgebench', meta }];
  }
}
