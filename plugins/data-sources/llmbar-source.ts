// `llmbar`: LLMBar (princeton-nlp) Natural + Adversarial (GPTInst, GPTOut, Manual, Neighbor) and the processed
// human-preference sets MT-Bench, FairEval, LLMEval^2. Each file is a JSON array of {input, output_1, output_2,
// label} with label 1 or 2 (the better output). Paths follow the upstream Dataset/ layout.
import { injectable } from 'inversify';
import { z } from 'zod';
import type { PreferencePair } from '../../core/data/records.js';
import { limitOption, onErrorOption, benchmarkPathOption, sourceOrderOption } from './common-options.js';
import { DataFileError, fieldError } from './errors.js';
import { asRecord, getField, requireString } from './fields.js';
import { FileDataSource, type SourceFile } from './file-data-source.js';
import { childPath, pathKind, readJsonArrayItems, requireFile, resolveInput, type RawItem } from './file-reading.js';
import { placeSourcePair } from './pair-order.js';

/** Each LLMBar subset, its group and its file below Dataset/. */
export const LLMBAR_SUBSETS = {
  Natural: { group: 'Natural', file: 'LLMBar/Natural/dataset.json' },
  GPTInst: { group: 'Adversarial', file: 'LLMBar/Adversarial/GPTInst/dataset.json' },
  GPTOut: { group: 'Adversarial', file: 'LLMBar/Adversarial/GPTOut/dataset.json' },
  Manual: { group: 'Adversarial', file: 'LLMBar/Adversarial/Manual/dataset.json' },
  Neighbor: { group: 'Adversarial', file: 'LLMBar/Adversarial/Neighbor/dataset.json' },
  'MT-Bench': { group: 'Processed', file: 'Processed/MT-Bench/dataset.json' },
  FairEval: { group: 'Processed', file: 'Processed/FairEval/dataset.json' },
  'LLMEval^2': { group: 'Processed', file: 'Processed/LLMEval^2/dataset.json' },
} as const;
/** One LLMBar subset name. */
export type LlmBarSubset = keyof typeof LLMBAR_SUBSETS;
const SUBSET_NAMES = Object.keys(LLMBAR_SUBSETS) as LlmBarSubset[];

/** Names that stand for several subsets. */
export const LLMBAR_ALIASES: Record<string, LlmBarSubset[]> = {
  LLMBar: ['Natural', 'GPTInst', 'GPTOut', 'Manual', 'Neighbor'],
  Adversarial: ['GPTInst', 'GPTOut', 'Manual', 'Neighbor'],
  Processed: ['MT-Bench', 'FairEval', 'LLMEval^2'],
};

/** Options of `llmbar`. */
export const llmBarOptionsSchema = z.object({
  path: benchmarkPathOption('the folder holding Dataset/, or Dataset/ itself'),
  subsets: z.array(z.enum(['Natural', 'GPTInst', 'GPTOut', 'Manual', 'Neighbor', 'MT-Bench', 'FairEval', 'LLMEval^2', 'LLMBar', 'Adversarial', 'Processed'])).min(1).optional()
    .describe('Subsets to read: Natural, GPTInst, GPTOut, Manual, Neighbor, MT-Bench, FairEval, LLMEval^2, or the groups ' +
      'LLMBar (the 5 LLMBar subsets), Adversarial, Processed (default: all 8).'),
  limit: limitOption,
  onError: onErrorOption,
  order: sourceOrderOption,
}).strict();
/** Parsed options of `llmbar`. */
export type LlmBarOptions = z.output<typeof llmBarOptionsSchema>;

/** The subsets a `subsets` option names, aliases expanded, in the canonical order. */
export function expandLlmBarSubsets(names: readonly string[] | undefined): LlmBarSubset[] {
  if (names === undefined) return SUBSET_NAMES;
  const wanted = new Set(names.flatMap((n) => LLMBAR_ALIASES[n] ?? [n as LlmBarSubset]));
  return SUBSET_NAMES.filter((s) => wanted.has(s));
}

/** `llmbar`: PreferencePairs with meta {subset, group}. */
@injectable()
export class LlmBarSource extends FileDataSource<z.input<typeof llmBarOptionsSchema>, LlmBarOptions, PreferencePair> {
  /** The kind name. */
  readonly kind: string = 'llmbar';
  /** Absent `path`: the standard location. */
  protected override readonly standard = 'llmbar' as const;
  /** The options schema. */
  readonly schema = llmBarOptionsSchema;

  protected async files(opts: LlmBarOptions, baseDir: string): Promise<SourceFile[]> {
    const given = resolveInput(this.pathOf(opts), baseDir);
    if ((await pathKind(given)) !== 'dir') throw new DataFileError(given.display, `LLMBar folder not found (resolved to ${given.abs})`);
    const root = (await pathKind(childPath(given, 'Dataset'))) === 'dir' ? childPath(given, 'Dataset') : given;
    const files: SourceFile[] = [];
    for (const subset of expandLlmBarSubsets(opts.subsets)) {
      const p = childPath(root, LLMBAR_SUBSETS[subset].file);
      await requireFile(p, `LLMBar ${subset} file`);
      files.push({ name: LLMBAR_SUBSETS[subset].file, path: p, group: subset });
    }
    return files;
  }

  protected async *items(file: SourceFile): AsyncIterable<RawItem> {
    yield* await readJsonArrayItems(file.path, undefined, 'LLMBar files are arrays of {input, output_1, output_2, label}', file.group);
  }

  protected convert(item: RawItem, opts: LlmBarOptions): PreferencePair[] {
    const rec = asRecord(item.value, item.loc);
    const subset = item.group as LlmBarSubset;
    const prompt = requireString(rec, 'input', item.loc);
    const first = requireString(rec, 'output_1', item.loc);
    const second = requireString(rec, 'output_2', item.loc);
    const raw = getField(rec, 'label');
    if (raw !== 1 && raw !== 2 && raw !== '1' && raw !== '2') throw fieldError(item.loc, 'label', '1 or 2 (the better output)', raw);
    const id = `llmbar:${subset}:${item.loc.index}`;
    const placed = placeSourcePair(id, first, second, String(raw) === '1' ? 'A' : 'B', opts.order);
    const meta: Record<string, unknown> = { subset, group: LLMBAR_SUBSETS[subset].group };
    if (placed.swapped) meta.swapped = true;
    return [{ id, prompt, a: placed.a, b: placed.b, label: placed.label, source: 'llmbar', meta }];
  }
}
