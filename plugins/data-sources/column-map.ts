// Maps one record of a generic JSON/JSONL file to a PreferencePair through a column map: chosen/rejected or
// a/b(+label) columns, plain text or conversations (HH dialogue strings, [{role, content}] lists).
import { z } from 'zod';
import type { Label, PreferencePair } from '../../core/data/records.js';
import { isHhDialogue, isMessageList, renderTurns, splitHhPair, splitMessagePair, toTurns, type Turn } from './conversation.js';
import { RecordError, fieldError, type RecordLocation } from './errors.js';
import { getField, optionalString, requireId, requireString, type RawRecord } from './fields.js';
import { placeChosenRejected, type PairOrder } from './pair-order.js';

/** The column map: which record field holds each part of a pair (dotted paths reach nested fields). */
export const columnsSchema = z.object({
  id: z.string().min(1).optional().describe('Field holding the record id (default "id"; absent: <source>:<line or index>).'),
  prompt: z.string().min(1).optional().describe('Field holding the prompt text (default "prompt").'),
  instruction: z.string().min(1).optional().describe('Field holding a separate task instruction (only when mapped).'),
  chosen: z.string().min(1).optional().describe('Field holding the preferred response (default "chosen").'),
  rejected: z.string().min(1).optional().describe('Field holding the other response (default "rejected").'),
  a: z.string().min(1).optional().describe('Field holding response A (a/b mode).'),
  b: z.string().min(1).optional().describe('Field holding response B (a/b mode).'),
  label: z.string().min(1).optional().describe('Field holding the label in a/b mode (default "label"; absent: unlabeled).'),
}).strict().superRefine((c, ctx) => {
  if ((c.a !== undefined || c.b !== undefined) && (c.chosen !== undefined || c.rejected !== undefined)) {
    ctx.addIssue({ code: 'custom', message: 'map either chosen/rejected or a/b, not both' });
  }
  if ((c.a === undefined) !== (c.b === undefined)) ctx.addIssue({ code: 'custom', message: 'map both a and b' });
});

/** The column map as configured. */
export type Columns = z.output<typeof columnsSchema>;

/** Label values understood without configuration; `labels` adds to or overrides these. */
export const DEFAULT_LABELS: Readonly<Record<string, Label | 'tie'>> = {
  A: 'A', B: 'B', a: 'A', b: 'B', '1': 'A', '2': 'B', 'A>B': 'A', 'B>A': 'B', tie: 'tie', Tie: 'tie', TIE: 'tie',
};

/** What the mapper needs from the options. */
export interface ColumnMapOptions {
  /** The column map. */
  columns: Columns;
  /** Extra label values. */
  labels: Record<string, Label | 'tie'>;
  /** How responses are read. */
  conversation: 'auto' | 'text' | 'hh' | 'messages';
  /** Placement of chosen/rejected pairs. */
  order: PairOrder;
  /** Fields copied into meta. */
  metaFields: string[];
}

function labelOf(raw: unknown, field: string, loc: RecordLocation, labels: Record<string, Label | 'tie'>): Label | 'tie' {
  const key = typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : undefined;
  const all = { ...DEFAULT_LABELS, ...labels };
  const hit = key === undefined ? undefined : all[key];
  if (hit === undefined) {
    const valid = Object.keys(all).map((k) => JSON.stringify(k)).join(', ');
    throw fieldError(loc, field, `one of ${valid} (add values with the "labels" option)`, raw);
  }
  return hit;
}

/** Map one record to a pair. `fallbackId` is used when the record has no id field and none is mapped. */
export function mapColumns(rec: RawRecord, loc: RecordLocation, opts: ColumnMapOptions, source: string, fallbackId: string): PreferencePair {
  const cols = opts.columns;
  const idField = cols.id ?? 'id';
  const id = cols.id !== undefined || getField(rec, idField) !== undefined ? requireId(rec, idField, loc) : fallbackId;

  let mode: 'ab' | 'cr';
  if (cols.a !== undefined) mode = 'ab';
  else if (cols.chosen !== undefined || cols.rejected !== undefined) mode = 'cr';
  else if (getField(rec, 'chosen') !== undefined || getField(rec, 'rejected') !== undefined) mode = 'cr';
  else if (getField(rec, 'a') !== undefined || getField(rec, 'b') !== undefined) mode = 'ab';
  else {
    throw new RecordError(loc, undefined, 'has neither "chosen"/"rejected" nor "a"/"b" fields; ' +
      `map its fields with the "columns" option (it has: ${Object.keys(rec).map((k) => `"${k}"`).join(', ')})`);
  }
  const fields: [string, string] = mode === 'ab' ? [cols.a ?? 'a', cols.b ?? 'b'] : [cols.chosen ?? 'chosen', cols.rejected ?? 'rejected'];
  const vx = getField(rec, fields[0]);
  const vy = getField(rec, fields[1]);

  let kind = opts.conversation;
  if (kind === 'auto') kind = isMessageList(vx) || isMessageList(vy) ? 'messages' : isHhDialogue(vx) && isHhDialogue(vy) ? 'hh' : 'text';
  let first: string;
  let second: string;
  let turns: Turn[] = [];
  if (kind === 'text') {
    first = requireString(rec, fields[0], loc);
    second = requireString(rec, fields[1], loc);
  } else {
    const split = kind === 'hh'
      ? splitHhPair(requireString(rec, fields[0], loc), requireString(rec, fields[1], loc), fields, loc)
      : splitMessagePair(toTurns(vx, fields[0], loc), toTurns(vy, fields[1], loc), fields, loc);
    ({ first, second } = split);
    turns = split.promptTurns;
  }
  const promptField = cols.prompt ?? 'prompt';
  const prompt = turns.length > 0 ? renderTurns(turns, kind === 'hh' ? { user: 'Human' } : undefined) : requireString(rec, promptField, loc);

  const pair: PreferencePair = { id, prompt, a: first, b: second, source };
  if (mode === 'cr') Object.assign(pair, placeChosenRejected(id, first, second, opts.order));
  else {
    const labelField = cols.label ?? 'label';
    const raw = getField(rec, labelField);
    if (raw !== undefined || cols.label !== undefined) pair.label = labelOf(raw, labelField, loc, opts.labels);
  }
  if (cols.instruction !== undefined) {
    const instruction = optionalString(rec, cols.instruction, loc);
    if (instruction !== undefined) pair.instruction = instruction;
  }
  const meta: Record<string, unknown> = {};
  for (const f of opts.metaFields) {
    const v = getField(rec, f);
    if (v !== undefined) meta[f] = v;
  }
  if (turns.length > 0) meta.messages = turns;
  if (Object.keys(meta).length > 0) pair.meta = meta;
  return pair;
}
