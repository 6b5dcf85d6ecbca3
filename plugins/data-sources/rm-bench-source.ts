// `rm-bench`: RM-Bench (THU-KEG). Each prompt has 3 chosen x 3 rejected style variants (concise, detailed
// plain text, detailed markdown); every chosen[i] vs rejected[j] cell becomes one pair: 9 pairs per prompt, with
// meta {domain, category, subset, chosenStyle, rejectedStyle, difficulty}. One file per domain:
// <domain>_filtered.json; `category` is RM-Bench's reporting domain (safety-refuse/-response pool into safety).
// The Hub's copy (THU-KEG/RM-Bench) is one total_dataset.json with a `domain` field per prompt; it is read when no
// per-domain file is there.
import * as path from 'node:path';
import { injectable } from 'inversify';
import { z } from 'zod';
import type { PreferencePair } from '../../core/data/records.js';
import { onErrorOption, orderOption, benchmarkPathOption } from './common-options.js';
import { DataFileError, fieldError } from './errors.js';
import { asRecord, optionalString, requireId, requireString, requireStringArray } from './fields.js';
import { sampleSeedOption, stratifiedLimitOption } from './stratified-limit.js';
import { FileDataSource, type SourceFile } from './file-data-source.js';
import { childPath, pathKind, readJsonArrayItems, requireFile, resolveInput, type RawItem } from './file-reading.js';
import { placeChosenRejected } from './pair-order.js';

/** The single file of the Hub's RM-Bench repo. */
const TOTAL_FILE = 'total_dataset.json';

/** RM-Bench's domains, in report order. The shared snapshot lacks `math` (its file is over 4 MiB). */
export const RM_BENCH_DOMAINS = ['chat', 'math', 'code', 'safety-refuse', 'safety-response'] as const;
/** One RM-Bench domain. */
export type RmBenchDomain = (typeof RM_BENCH_DOMAINS)[number];
/** The style of variant i (index into chosen / rejected). */
export const RM_BENCH_STYLES = ['concise', 'detailed', 'markdown'] as const;

/**
 * RM-Bench's difficulty of cell (chosen i, rejected j): `hard` when the rejected response is more styled
 * (j > i, the upper triangle), `normal` on the diagonal, `easy` when the chosen one is more styled.
 */
export function rmBenchDifficulty(i: number, j: number): 'hard' | 'normal' | 'easy' {
  return j > i ? 'hard' : j === i ? 'normal' : 'easy';
}

/** Options of `rm-bench`. */
export const rmBenchOptionsSchema = z.object({
  path: benchmarkPathOption('a folder holding <domain>_filtered.json files, or the Hub\'s total_dataset.json (or its folder)'),
  domains: z.array(z.enum(RM_BENCH_DOMAINS)).min(1).optional()
    .describe('Domains to read (default: every domain whose file is present; naming one whose file is absent is an error).'),
  limit: stratifiedLimitOption,
  sampleSeed: sampleSeedOption,
  onError: onErrorOption,
  order: orderOption,
}).strict();
/** Parsed options of `rm-bench`. */
export type RmBenchOptions = z.output<typeof rmBenchOptionsSchema>;

/** `rm-bench`: 9 PreferencePairs per prompt from the 3x3 style grid. */
@injectable()
export class RmBenchSource extends FileDataSource<z.input<typeof rmBenchOptionsSchema>, RmBenchOptions, PreferencePair> {
  /** The kind name. */
  readonly kind: string = 'rm-bench';
  /** Absent `path`: the standard location. */
  protected override readonly standard = 'rm-bench' as const;
  /** The options schema. */
  readonly schema = rmBenchOptionsSchema;

  /** `limit` spreads over the reporting domains / categories (meta.category). */
  protected override stratumOf(r: PreferencePair): string {
    const c = r.meta?.category;
    return typeof c === 'string' ? c : '(none)';
  }

  protected async files(opts: RmBenchOptions, baseDir: string): Promise<SourceFile[]> {
    const dir = resolveInput(this.pathOf(opts), baseDir);
    const kind = await pathKind(dir);
    if (kind === 'file' && path.basename(dir.abs) === TOTAL_FILE) return [{ name: TOTAL_FILE, path: dir }];
    if (kind !== 'dir') {
      throw new DataFileError(dir.display, `${kind === undefined ? 'not found' : 'is a file'}: rm-bench needs the folder ` +
        `holding <domain>_filtered.json (resolved to ${dir.abs})`);
    }
    const present = await Promise.all(RM_BENCH_DOMAINS.map(async (d) => (await pathKind(childPath(dir, `${d}_filtered.json`))) === 'file'));
    const total = childPath(dir, TOTAL_FILE);
    if (!present.includes(true) && (await pathKind(total)) === 'file') return [{ name: TOTAL_FILE, path: total }];
    const files: SourceFile[] = [];
    for (const domain of opts.domains ?? RM_BENCH_DOMAINS) {
      const name = `${domain}_filtered.json`;
      const p = childPath(dir, name);
      if (opts.domains !== undefined) await requireFile(p, `RM-Bench ${domain} file`);
      else if (!present[RM_BENCH_DOMAINS.indexOf(domain)]) continue;
      files.push({ name, path: p, group: domain });
    }
    if (files.length === 0) {
      throw new DataFileError(dir.display, `holds no RM-Bench file (expected one of ${RM_BENCH_DOMAINS.map((d) => `${d}_filtered.json`).join(', ')}, or ${TOTAL_FILE})`);
    }
    return files;
  }

  protected async *items(file: SourceFile): AsyncIterable<RawItem> {
    yield* await readJsonArrayItems(file.path, undefined, 'RM-Bench files are arrays of {id, prompt, chosen[3], rejected[3]}', file.group);
  }

  protected convert(item: RawItem, opts: RmBenchOptions): PreferencePair[] {
    const rec = asRecord(item.value, item.loc);
    const domain = item.group ?? requireString(rec, 'domain', item.loc);
    if (!(RM_BENCH_DOMAINS as readonly string[]).includes(domain)) throw fieldError(item.loc, 'domain', RM_BENCH_DOMAINS.join(', '), domain);
    if (opts.domains !== undefined && !opts.domains.includes(domain as RmBenchDomain)) return [];
    const promptId = requireId(rec, 'id', item.loc);
    const prompt = requireString(rec, 'prompt', item.loc);
    const chosen = requireStringArray(rec, 'chosen', item.loc, 3);
    const rejected = requireStringArray(rec, 'rejected', item.loc, 3);
    const subset = optionalString(rec, 'subset', item.loc);
    const extra: Record<string, unknown> = {};
    if (subset !== undefined) extra.subset = subset;
    for (const [from, to] of [['language', 'language'], ['task_id', 'taskId']] as const) {
      const v = optionalString(rec, from, item.loc);
      if (v !== undefined) extra[to] = v;
    }
    const pairs: PreferencePair[] = [];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const id = `rm-bench:${domain}:${promptId}:c${i}r${j}`;
        pairs.push({
          id, prompt, ...placeChosenRejected(id, chosen[i]!, rejected[j]!, opts.order), source: 'rm-bench',
          meta: {
            domain, category: domain.startsWith('safety') ? 'safety' : domain, ...extra, promptId, chosenStyle: RM_BENCH_STYLES[i], rejectedStyle: RM_BENCH_STYLES[j],
            chosenIndex: i, rejectedIndex: j, difficulty: rmBenchDifficulty(i, j),
          },
        });
      }
    }
    return pairs;
  }
}
