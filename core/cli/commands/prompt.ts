// `gramr prompt`: prints a judge prompt exactly as the model receives its user message — the GRAM-R², GRAM v1 or
// compact template filled literally (core/reward/prompts.ts) — optionally wrapped in the plain chat format. No model needed.
import { ConfigError } from '../../errors.js';
import { enumOption } from '../../reward/judge-cli-options.js';
import { withoutMarks } from '../../model/tokenizer/untrusted-text.js';
import { plainChat, rawChat, renderJudgePrompt, userInputOf, PROMPT_FORMATS } from '../../reward/prompts.js';
import type { Command } from '../command.js';

export const promptCommand: Command = {
  name: 'prompt',
  summary: 'Print a filled judge prompt (gram-r2, gram-v1 or compact template), exactly as sent; no model needed.',
  usage: 'gramr prompt --template gram-r2|gram-v1|compact --prompt P --a A --b B [--instruction I] [--chat none|plain]',
  help: {
    template: 'gram-r2 (GRAM-R², rationale then <answer>), gram-v1 (ends in "#Preferred: ") or compact (four lines, for small from-scratch models)',
    prompt: 'the user question (required; may be empty)', a: 'response shown as A (required; may be empty)', b: 'response shown as B (required; may be empty)',
    instruction: 'task instruction shown above the question (joined with a blank line)',
    chat: 'none (default): the user message only; plain: wrapped as "<|user|>\\n…\\n<|assistant|>\\n"',
  },
  options: { template: { type: 'string' }, prompt: { type: 'string' }, a: { type: 'string' }, b: { type: 'string' }, instruction: { type: 'string' }, chat: { type: 'string' } },
  async run(values, positionals) {
    const where = 'gramr prompt';
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}"\nusage: ${this.usage}`, where);
    const format = enumOption(values, 'template', where, PROMPT_FORMATS, 'gram-r2');
    if (values.template === undefined) throw new ConfigError(`--template is required (${PROMPT_FORMATS.join(' or ')})`, where);
    for (const name of ['prompt', 'a', 'b']) if (typeof values[name] !== 'string') throw new ConfigError(`--${name} is required (an empty string is allowed)`, where);
    const prompt = values.prompt as string;
    const chat = enumOption(values, 'chat', where, ['none', 'plain'] as const, 'none');
    const instruction = typeof values.instruction === 'string' ? values.instruction : undefined;
    const userInput = userInputOf(instruction !== undefined ? { prompt, instruction } : { prompt });
    process.stdout.write(withoutMarks(renderJudgePrompt(format, { userInput, first: values.a as string, second: values.b as string }, chat === 'plain' ? plainChat : rawChat)));
    return 0;
  },
};
