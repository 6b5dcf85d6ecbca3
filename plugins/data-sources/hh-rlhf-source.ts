// `hh-rlhf`: Anthropic HH-RLHF, gzip JSON Lines of {chosen, rejected} dialogue strings. The shared dialogue
// prefix (up to its last "\n\nAssistant:") is the prompt, rendered as text ("Human: ...\n\nAssistant: ...", or the
// single human message alone) and kept as turns in meta.messages; the rest of each dialogue is its response.
import { injectable } from 'inversify';
import { z } from 'zod';
import type { PreferencePair } from '../../core/data/records.js';
import { limitOption, onErrorOption, orderOption, benchmarkPathOption } from './common-options.js';
import { isHhDialogue, renderTurns, splitHhPair } from './conversation.js';
import { fieldError } from './errors.js';
import { asRecord, getField } from './fields.js';
import { FileDataSource, type SourceFile } from './file-data-source.js';
import { childPath, pathKind, readJsonlItems, requireFile, resolveInput, type RawItem } from './file-reading.js';
import { placeChosenRejected } from './pair-order.js';

/** Options of `hh-rlhf`. */
export const hhRlhfOptionsSchema = z.object({
  path: benchmarkPathOption('the folder, or one .jsonl.gz file'),
  subset: z.string().min(1).default('harmless-base').describe('Subfolder to read when path is a folder (default harmless-base).'),
  split: z.string().min(1).default('test').describe('File <split>.jsonl.gz to read in the subset folder (default test).'),
  limit: limitOption,
  onError: onErrorOption,
  order: orderOption,
}).strict();
/** Parsed options of `hh-rlhf`. */
export type HhRlhfOptions = z.output<typeof hhRlhfOptionsSchema>;

const DIALOGUE = 'an HH dialogue string ("\\n\\nHuman: ...\\n\\nAssistant: ...")';

/** `hh-rlhf`: PreferencePairs with meta {subset, split, messages}. */
@injectable()
export class HhRlhfSource extends FileDataSource<z.input<typeof hhRlhfOptionsSchema>, HhRlhfOptions, PreferencePair> {
  /** The kind name. */
  readonly kind: string = 'hh-rlhf';
  /** Absent `path`: the standard location. */
  protected override readonly standard = 'hh-rlhf' as const;
  /** The options schema. */
  readonly schema = hhRlhfOptionsSchema;

  protected async files(opts: HhRlhfOptions, baseDir: string): Promise<SourceFile[]> {
    const given = resolveInput(this.pathOf(opts), baseDir);
    const name = `${opts.subset}/${opts.split}.jsonl.gz`;
    const file = (await pathKind(given)) === 'dir' ? childPath(given, opts.subset, `${opts.split}.jsonl.gz`) : given;
    await requireFile(file, 'hh-rlhf file');
    return [{ name, path: file }];
  }

  protected items(file: SourceFile): AsyncIterable<RawItem> {
    return readJsonlItems(file.path);
  }

  protected convert(item: RawItem, opts: HhRlhfOptions): PreferencePair[] {
    const rec = asRecord(item.value, item.loc);
    for (const f of ['chosen', 'rejected']) if (!isHhDialogue(getField(rec, f))) throw fieldError(item.loc, f, DIALOGUE, getField(rec, f));
    const split = splitHhPair(rec.chosen as string, rec.rejected as string, ['chosen', 'rejected'], item.loc);
    const id = `hh-rlhf:${opts.subset}:${opts.split}:${item.loc.line}`;
    return [{
      id, prompt: renderTurns(split.promptTurns, { user: 'Human' }), ...placeChosenRejected(id, split.first, split.second, opts.order),
      source: 'hh-rlhf', meta: { subset: opts.subset, split: opts.split, messages: split.promptTurns },
    }];
  }
}
