// Parses a GRAM-R² judge output `<think> z </think><answer> l </answer>`: the label is read only BETWEEN
// `<answer>` and `</answer>` (tags and label case-insensitive, label trimmed). Anything else is a counted
// "no answer", never a default B. Pure text functions; no model.
import type { Label } from '../data/records.js';
import type { NoAnswerReason } from './judgment.js';

/** What one output text says. */
export interface ParsedJudgment {
  /** The label, when every `<answer>` block holds the same A or B. */
  label: Label | undefined;
  /** Why there is no label (`no-answer-tag`, `not-a-label`, `conflicting-answers`); undefined with a label. */
  noAnswer: NoAnswerReason | undefined;
  /** The first `<think>...</think>` body, trimmed; undefined when there is no closed think block. */
  rationale: string | undefined;
  /** Trimmed contents of every `<answer>` block, in order. */
  answers: string[];
  /** Index in the text of the first block's label character (the answer position); undefined without a label. */
  labelIndex: number | undefined;
}

const ANSWER = /<answer>([\s\S]*?)<\/answer>/gi;
const THINK = /<think>([\s\S]*?)<\/think>/i;

/**
 * Parse an output. Rules: no closed `<answer>` block -> `no-answer-tag`; any block whose trimmed content is not
 * A or B (case-insensitive) -> `not-a-label`; blocks holding both A and B -> `conflicting-answers`; several blocks
 * that all hold the same label are fine (the model repeated itself) and give that label.
 */
export function parseJudgment(text: string): ParsedJudgment {
  const think = THINK.exec(text);
  const rationale = think ? think[1]!.trim() : undefined;
  const answers: string[] = [];
  let firstIndex: number | undefined;
  for (const m of text.matchAll(ANSWER)) {
    const body = m[1]!;
    answers.push(body.trim());
    if (firstIndex === undefined) firstIndex = m.index + '<answer>'.length + (body.length - body.trimStart().length);
  }
  const none = (noAnswer: NoAnswerReason): ParsedJudgment => ({ label: undefined, noAnswer, rationale, answers, labelIndex: undefined });
  if (answers.length === 0) return none('no-answer-tag');
  const labels = answers.map((a) => a.toUpperCase());
  if (labels.some((l) => l !== 'A' && l !== 'B')) return none('not-a-label');
  if (new Set(labels).size > 1) return none('conflicting-answers');
  return { label: labels[0] as Label, noAnswer: undefined, rationale, answers, labelIndex: firstIndex };
}
