// Judge prompts: fill the GRAM-R² or GRAM v1 template literally (one pass; a response containing "{response_2}"
// or "$&" stays as written) and render the filled text as one user message through a caller-supplied chat renderer.
import { untrusted } from '../model/tokenizer/untrusted-text.js';
import { GRAM_R2_TEMPLATE, GRAM_V1_TEMPLATE } from './prompt-templates.js';

/** Which judge prompt: `gram-r2` (rationale, then `<answer>`) or `gram-v1` (label directly after "#Preferred: "). */
export type PromptFormat = 'gram-r2' | 'gram-v1' | 'compact';

/** The prompt formats, for schemas and messages. */
export const PROMPT_FORMATS: readonly PromptFormat[] = ['gram-r2', 'gram-v1', 'compact'];

/** The pair as the compact prompts show it (the judge's and the prover's): question, A and B, one line each. */
export const COMPACT_PAIR_LINES = 'Q: {user_input}\nA: {response_1}\nB: {response_2}';

/**
 * A short judge prompt for models trained from scratch on short contexts (the demo's byte-level models): the
 * GRAM-R² task in four lines. The reply format is GRAM-R²'s: `<think> rationale </think><answer> A|B </answer>`.
 */
export const COMPACT_TEMPLATE = `Which response is better?\n${COMPACT_PAIR_LINES}`;

/**
 * The pair as the GRAM-R² judge prompt shows it: its closing block from "[User Question]" to "[The End of Assistant
 * B's Response]" (placeholders {user_input}, {response_1}, {response_2}); the full prover prompt shows the same.
 */
export const JUDGE_PAIR_BLOCK = GRAM_R2_TEMPLATE.slice(GRAM_R2_TEMPLATE.lastIndexOf('[User Question]'));

/** Whether a format's reply is a rationale then an `<answer>` (gram-r2, compact), not a bare label (gram-v1). */
export function isGenerativeFormat(format: PromptFormat): boolean {
  return format !== 'gram-v1';
}

/** The three texts a judge prompt shows, in the order shown. */
export interface PromptParts {
  /** The user input (with the task instruction, if any, already joined: see `userInputOf`). */
  userInput: string;
  /** The response shown first, as "A". */
  first: string;
  /** The response shown second, as "B". */
  second: string;
}

/**
 * Renders one user message into the model's full input text (its chat template, generation prompt included). Text
 * from outside in the message must be marked with `untrusted` (renderJudgePrompt does it).
 */
export type ChatRenderer = (userMessage: string) => string;

/**
 * The plain chat format for models trained from scratch (no chat template of their own):
 * `"<|user|>\n" + message + "\n<|assistant|>\n"`. The markers are ordinary text, so a byte tokenizer works;
 * a trainer of such a model must format its SFT examples with this same function.
 */
export const plainChat: ChatRenderer = (userMessage) => `<|user|>\n${userMessage}\n<|assistant|>\n`;

/** The identity renderer: the filled template is the whole model input (base models, GRAM v1 scoring). */
export const rawChat: ChatRenderer = (userMessage) => userMessage;

/** The template text of a format. */
export function templateOf(format: PromptFormat): string {
  return format === 'gram-r2' ? GRAM_R2_TEMPLATE : format === 'compact' ? COMPACT_TEMPLATE : GRAM_V1_TEMPLATE;
}

/**
 * Replace `{name}` placeholders in one pass with the literal values (no `$` patterns, no re-substitution of
 * placeholders that appear inside values). Placeholders not named in `values` are left as they are.
 * Throws when a named placeholder does not occur in the template (a wrong template for these values).
 */
export function fillTemplate(template: string, values: Record<string, string>): string {
  for (const name of Object.keys(values)) {
    if (!template.includes(`{${name}}`)) {
      throw new Error(`fillTemplate: the template has no placeholder {${name}}; placeholders given: ${Object.keys(values).join(', ')}`);
    }
  }
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole: string, name: string) =>
    Object.prototype.hasOwnProperty.call(values, name) ? values[name]! : whole);
}

/** The user input a prompt shows: the pair's prompt, preceded by its instruction and a blank line when it has one. */
export function userInputOf(pair: { prompt: string; instruction?: string }): string {
  return pair.instruction !== undefined && pair.instruction !== '' ? `${pair.instruction}\n\n${pair.prompt}` : pair.prompt;
}

/** The filled template (the user message) for a format. */
export function renderUserMessage(format: PromptFormat, parts: PromptParts): string {
  if (format === 'gram-r2' || format === 'compact') {
    return fillTemplate(templateOf(format), { user_input: parts.userInput, response_1: parts.first, response_2: parts.second });
  }
  return fillTemplate(GRAM_V1_TEMPLATE, { input: parts.userInput, response_a: parts.first, response_b: parts.second });
}

/** The parts marked untrusted (see untrusted-text.ts): special tokens written in them are never matched. */
export function untrustedParts(parts: PromptParts): PromptParts {
  return { userInput: untrusted(parts.userInput), first: untrusted(parts.first), second: untrusted(parts.second) };
}

/**
 * The full model input: the filled template rendered as one user message by `chat`. The three texts are marked
 * untrusted, so `Tokenizer.encode` parses special tokens only in the template and the chat markers; `withoutMarks`
 * gives the text to show.
 */
export function renderJudgePrompt(format: PromptFormat, parts: PromptParts, chat: ChatRenderer): string {
  return chat(renderUserMessage(format, untrustedParts(parts)));
}
