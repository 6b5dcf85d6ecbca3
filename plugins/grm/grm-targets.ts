// Training examples of the GRM objectives: the GRAM-R² target `<think>\n{z}\n</think>\n<answer>\n{l}\n</answer>`
// (objective `rationale`), the generative baseline without rationale (`label-only`), GRAM v1's two stages (response-
// pair LM text, then one label token after the judge prompt) and Bradley–Terry pairs. The targets are exactly what
// core/reward's parseJudgment reads (the label between <answer> and </answer>).
import type { Label, PreferencePair, RationaleExample } from '../../core/data/records.js';
import type { PairExample, SftExample } from '../../core/recipe/trainer.js';
import type { LabelTokens } from '../../core/reward/judge-model.js';
import { untrusted } from '../../core/model/tokenizer/untrusted-text.js';
import { renderJudgePrompt, userInputOf, type ChatRenderer, type PromptFormat } from '../../core/reward/prompts.js';

/** The GRM objectives of `train-grm`. */
export const GRM_OBJECTIVES = ['rationale', 'label-only', 'gram-v1', 'bradley-terry'] as const;

/** One GRM objective. */
export type GrmObjective = (typeof GRM_OBJECTIVES)[number];

/** The GRAM-R² answer block for a label: `<answer>\n{label}\n</answer>`. */
export function answerBlock(label: string): string {
  return `<answer>\n${label}\n</answer>`;
}

/** The GRAM-R² target: `<think>\n{rationale}\n</think>\n<answer>\n{label}\n</answer>`. */
export function rationaleTarget(rationale: string, label: string): string {
  return `<think>\n${untrusted(rationale)}\n</think>\n${answerBlock(label)}`;
}

/** The judge prompt of a pair shown as given (a = A), rendered by `chat`. */
export function grmPrompt(pair: PreferencePair, format: PromptFormat, chat: ChatRenderer): string {
  return renderJudgePrompt(format, { userInput: userInputOf(pair), first: pair.a, second: pair.b }, chat);
}

/** GRAM v1 stage 1 prompt: `[User Question]\n{x}\n\n` (raw text, no chat template). */
export function v1PairPrompt(pair: PreferencePair): string {
  return `[User Question]\n${untrusted(userInputOf(pair))}\n\n`;
}

/** GRAM v1 stage 1 target: both responses in the v1 "Answer" delimiters (METHOD.md, GRAM v1 stage 1). */
export function v1PairTarget(pair: PreferencePair): string {
  return `[The Start of Assistant A's Answer]\n${untrusted(pair.a)}\n[The End of Assistant A's Answer]\n\n`
    + `[The Start of Assistant B's Answer]\n${untrusted(pair.b)}\n[The End of Assistant B's Answer]`;
}

/** The label text of a label: `A` -> labelTokens.A. */
export function labelText(label: Label, tokens: LabelTokens): string {
  return label === 'A' ? tokens.A : tokens.B;
}

/** Settings shared by the builders. */
export interface GrmExampleSettings {
  /** Judge prompt format. */
  format: PromptFormat;
  /** Chat renderer the prompts go through. */
  chat: ChatRenderer;
  /** The label texts. */
  labelTokens: LabelTokens;
}

/** SFT example of objective `rationale`: prompt(s) -> <think> z </think><answer> l </answer>. */
export function rationaleExample(ex: RationaleExample, s: GrmExampleSettings): SftExample {
  return { id: ex.id, prompt: grmPrompt(ex, s.format, s.chat), target: rationaleTarget(ex.rationale, labelText(ex.label, s.labelTokens)) };
}

/** SFT example of objective `label-only`: prompt(s) -> <answer> l </answer>. */
export function labelOnlyExample(ex: PreferencePair & { label: Label }, s: GrmExampleSettings): SftExample {
  return { id: ex.id, prompt: grmPrompt(ex, s.format, s.chat), target: answerBlock(labelText(ex.label, s.labelTokens)) };
}

/** GRAM v1 stage 1 example: the response pair as language-model text after the question. */
export function v1PairExample(pair: PreferencePair): SftExample {
  return { id: `${pair.id}#pair`, prompt: v1PairPrompt(pair), target: v1PairTarget(pair) };
}

/** GRAM v1 stage 2 example: prompt(s) -> the one label token (trained with the label-smoothed loss). */
export function v1LabelExample(ex: PreferencePair & { label: Label }, s: GrmExampleSettings): SftExample {
  return { id: ex.id, prompt: grmPrompt(ex, s.format, s.chat), target: labelText(ex.label, s.labelTokens) };
}

/** The prompt of a Bradley–Terry reward r(prompt, response): the user input as one chat message. */
export function rewardPrompt(pair: { prompt: string; instruction?: string }, chat: ChatRenderer): string {
  return chat(untrusted(userInputOf(pair)));
}

/** Bradley–Terry example: r(prompt, chosen) must exceed r(prompt, rejected). */
export function bradleyTerryExample(ex: PreferencePair & { label: Label }, chat: ChatRenderer): PairExample {
  const [chosen, rejected] = ex.label === 'A' ? [ex.a, ex.b] : [ex.b, ex.a];
  return { id: ex.id, prompt: rewardPrompt(ex, chat), chosen, rejected };
}
