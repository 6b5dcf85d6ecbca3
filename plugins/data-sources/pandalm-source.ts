// `pandalm`: the PandaLM human-annotated test set (a JSON array; 3 annotators, each 0 = tie, 1 or 2 = the better
// response). The label is the majority vote: `tie` when the majority says tie, or when all three disagree
// (meta.noMajority). meta.votes holds the three votes as A/B/tie in the pair's own order.
import { injectable } from 'inversify';
import { z } from 'zod';
import type { Label, PreferencePair } from '../../core/data/records.js';
import { limitOption, onErrorOption, benchmarkPathOption, sourceOrderOption } from './common-options.js';
import { fieldError } from './errors.js';
import { asRecord, getField, optionalString, requireId, requireString } from './fields.js';
import { FileDataSource, type SourceFile } from './file-data-source.js';
import { fileOrDefaultInFolder, readJsonArrayItems, resolveInput, type RawItem } from './file-reading.js';
import { placeSourcePair } from './pair-order.js';

/** Options of `pandalm`. */
export const pandaLmOptionsSchema = z.object({
  path: benchmarkPathOption('testset-v1.json, or its folder'),
  ties: z.enum(['keep', 'drop']).default('keep').describe('keep: yield tie pairs with label "tie"; drop: leave them out (not counted as skipped).'),
  limit: limitOption,
  onError: onErrorOption,
  order: sourceOrderOption,
}).strict();
/** Parsed options of `pandalm`. */
export type PandaLmOptions = z.output<typeof pandaLmOptionsSchema>;

type Vote = Label | 'tie';
const VOTE: Record<string, Vote> = { '0': 'tie', '1': 'A', '2': 'B' };

/** The majority of three votes; `tie` with noMajority when all differ. */
export function majorityVote(votes: readonly Vote[]): { label: Vote; noMajority: boolean } {
  const counts = new Map<Vote, number>();
  for (const v of votes) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: Vote = 'tie';
  let bestCount = 0;
  for (const [v, c] of counts) if (c > bestCount) [best, bestCount] = [v, c];
  return bestCount * 2 > votes.length ? { label: best, noMajority: false } : { label: 'tie', noMajority: true };
}

/** `pandalm`: PreferencePairs (ties allowed) with meta {votes, voteCounts, cmpKey, motivationApp, instruction, input}. */
@injectable()
export class PandaLmSource extends FileDataSource<z.input<typeof pandaLmOptionsSchema>, PandaLmOptions, PreferencePair> {
  /** The kind name. */
  readonly kind: string = 'pandalm';
  /** Absent `path`: the standard location. */
  protected override readonly standard = 'pandalm' as const;
  /** The options schema. */
  readonly schema = pandaLmOptionsSchema;

  protected async files(opts: PandaLmOptions, baseDir: string): Promise<SourceFile[]> {
    const file = await fileOrDefaultInFolder(resolveInput(this.pathOf(opts), baseDir), 'testset-v1.json', 'PandaLM test set');
    return [{ name: 'testset-v1.json', path: file }];
  }

  protected async *items(file: SourceFile): AsyncIterable<RawItem> {
    yield* await readJsonArrayItems(file.path, undefined, 'the PandaLM test set is an array of {idx, instruction, input, response1, response2, annotator1..3}');
  }

  protected convert(item: RawItem, opts: PandaLmOptions): PreferencePair[] {
    const rec = asRecord(item.value, item.loc);
    const idx = requireId(rec, 'idx', item.loc);
    const instruction = requireString(rec, 'instruction', item.loc);
    const input = optionalString(rec, 'input', item.loc) ?? '';
    const coerced: string[] = [];
    // 6 responses in testset-v1.json are the JSON boolean `true` (a "True" answer that upstream's export turned into
    // a boolean); scalars are kept as their text and listed in meta.coerced, anything else is an error.
    const [first, second] = ['response1', 'response2'].map((f) => {
      const v = getField(rec, f);
      if (typeof v === 'boolean' || typeof v === 'number') {
        coerced.push(f);
        return String(v);
      }
      return requireString(rec, f, item.loc);
    }) as [string, string];
    const sourceVotes = ['annotator1', 'annotator2', 'annotator3'].map((f) => {
      const raw = getField(rec, f);
      const v = typeof raw === 'number' || typeof raw === 'string' ? VOTE[String(raw)] : undefined;
      if (v === undefined) throw fieldError(item.loc, f, '0 (tie), 1 or 2 (the better response), as a number or string', raw);
      return v;
    });
    const { label, noMajority } = majorityVote(sourceVotes);
    if (label === 'tie' && opts.ties === 'drop') return [];
    const id = `pandalm:${idx}`;
    const placed = placeSourcePair(id, first, second, label, opts.order);
    const flip = (v: Vote): Vote => (placed.swapped && v !== 'tie' ? (v === 'A' ? 'B' : 'A') : v);
    const votes = sourceVotes.map(flip);
    const voteCounts = { A: votes.filter((v) => v === 'A').length, B: votes.filter((v) => v === 'B').length, tie: votes.filter((v) => v === 'tie').length };
    const meta: Record<string, unknown> = { votes, voteCounts, instruction, input };
    if (noMajority) meta.noMajority = true;
    if (coerced.length > 0) meta.coerced = coerced;
    for (const [from, to] of [['cmp_key', 'cmpKey'], ['motivation_app', 'motivationApp']] as const) {
      const v = optionalString(rec, from, item.loc);
      if (v !== undefined) meta[to] = v;
    }
    if (placed.swapped) meta.swapped = true;
    // The judge prompt has one user-input slot, so the prompt is the instruction with the input (when any) below it.
    const prompt = input.trim() === '' ? instruction : `${instruction}\n\n${input}`;
    return [{ id, prompt, a: placed.a, b: placed.b, label: placed.label, source: 'pandalm', meta }];
  }
}
