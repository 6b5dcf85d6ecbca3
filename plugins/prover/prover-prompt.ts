// The preference-proving model's input: a pair s = (prompt, A, B) plus the label l it must justify, filled into a
// template and rendered as one user message through a chat renderer. `compact` (default) is four short lines
// for from-scratch byte-level models; `full` is an instruction-style prompt for pretrained backbones.
// The chat renderer comes from core/reward/chat-renderer.ts; the pair is shown with the judge prompts' own text
// (core/reward/prompts.ts), so prover and judge see a pair the same way.
import type { Label } from '../../core/data/records.js';
import { untrusted } from '../../core/model/tokenizer/untrusted-text.js';
import { COMPACT_PAIR_LINES, fillTemplate, JUDGE_PAIR_BLOCK, userInputOf, type ChatRenderer } from '../../core/reward/prompts.js';

/** Which prover prompt: `compact` (short, for scratch models) or `full` (instruction-style). */
export type ProverPromptFormat = 'compact' | 'full';

/** The prover prompt formats, for schemas and messages. */
export const PROVER_PROMPT_FORMATS: readonly ProverPromptFormat[] = ['compact', 'full'];

/** The compact prover template: the compact judge prompt's lines, then the label to justify. */
export const COMPACT_PROVER_TEMPLATE = `Prove the preference.\n${COMPACT_PAIR_LINES}\nBetter: {label}`;

/** The instruction-style prover template for pretrained backbones. */
export const FULL_PROVER_TEMPLATE = `You are given a user question, two responses (A and B), and which response is better. Write a proof of that preference: start with "Claim: <label> is better.", then explain, citing the responses' content, why the better response is better than the other, and end with "Hence <label> is better.".

${JUDGE_PAIR_BLOCK}

[Better Response]
{label}`;

/** The template text of a prover prompt format. */
export function proverTemplateOf(format: ProverPromptFormat): string {
  return format === 'full' ? FULL_PROVER_TEMPLATE : COMPACT_PROVER_TEMPLATE;
}

/** The user message asking for a proof that `label` holds for `pair` (responses shown as given: a = A). */
export function renderProverMessage(format: ProverPromptFormat, pair: { prompt: string; instruction?: string; a: string; b: string },
  label: Label): string {
  return fillTemplate(proverTemplateOf(format), { user_input: userInputOf(pair), response_1: pair.a, response_2: pair.b, label });
}

/** The full prover input: the filled template rendered by `chat`. */
export function renderProverPrompt(format: ProverPromptFormat, pair: { prompt: string; instruction?: string; a: string; b: string },
  label: Label, chat: ChatRenderer): string {
  return chat(renderProverMessage(format, { prompt: untrusted(userInputOf(pair)), a: untrusted(pair.a), b: untrusted(pair.b) }, label));
}
