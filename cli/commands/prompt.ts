// `gramr prompt`: prints a judge prompt exactly as the model receives it — the GRAM-R², GRAM v1 or compact template
// filled literally (core/reward/prompts.ts) — optionally wrapped in the plain chat format or, given a model folder or
// tokenizer, in that model's own chat template (as `judge`, `eval` and pipelines wrap it). No weights are loaded.
import { loadTokenizer } from '../../core/model/tokenizer/load-tokenizer.js';
import { ConfigError } from '../../core/errors.js';
import { CHAT_MODES, chatRendererFor } from '../../core/reward/chat-renderer.js';
import { enumOption } from '../../core/command/option-values.js';
import { withoutMarks } from '../../core/model/tokenizer/untrusted-text.js';
import { plainChat, rawChat, renderJudgePrompt, userInputOf, PROMPT_FORMATS } from '../../core/reward/prompts.js';
import type { Command } from '../../core/command/command.js';

export const promptCommand: Command = {
  name: 'prompt',
  summary: 'Print a filled judge prompt (gram-r2, gram-v1 or compact template), exactly as sent; no model needed.',
  usage: 'gramr prompt --template gram-r2|gram-v1|compact --prompt P --a A --b B [--instruction I] [--chat none|plain|template|auto] [--model M | --tokenizer T]',
  help: {
    template: 'gram-r2 (GRAM-R², rationale then <answer>), gram-v1 (ends in "#Preferred: ") or compact (four lines, for small from-scratch models)',
    prompt: 'the user question (required; may be empty)', a: 'response shown as A (required; may be empty)', b: 'response shown as B (required; may be empty)',
    instruction: 'task instruction shown above the question (joined with a blank line)',
    chat: 'none (default): the user message only; plain: wrapped as "<|user|>\\n…\\n<|assistant|>\\n"; template: the model\'s chat template; auto: the template if the model has its own, else plain (template and auto need --model or --tokenizer)',
    model: 'a model folder whose tokenizer (tokenizer.json + tokenizer_config.json chat template) wraps the prompt', tokenizer: 'a tokenizer file or folder (instead of --model)',
  },
  options: {
    template: { type: 'string' }, prompt: { type: 'string' }, a: { type: 'string' }, b: { type: 'string' }, instruction: { type: 'string' }, chat: { type: 'string' },
    model: { type: 'string' }, tokenizer: { type: 'string' },
  },
  async run(values, positionals) {
    const where = 'gramr prompt';
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}"\nusage: ${this.usage}`, where);
    const format = enumOption(values, 'template', where, PROMPT_FORMATS, 'gram-r2');
    if (values.template === undefined) throw new ConfigError(`--template is required (${PROMPT_FORMATS.join(' or ')})`, where);
    for (const name of ['prompt', 'a', 'b']) if (typeof values[name] !== 'string') throw new ConfigError(`--${name} is required (an empty string is allowed)`, where);
    const prompt = values.prompt as string;
    const chat = enumOption(values, 'chat', where, CHAT_MODES, 'none');
    const from = typeof values.tokenizer === 'string' ? values.tokenizer : typeof values.model === 'string' ? values.model : undefined;
    if ((chat === 'template' || chat === 'auto') && from === undefined) {
      throw new ConfigError(`--chat ${chat} wraps the prompt in a model's chat template: give --model DIR (a model folder) or --tokenizer FILE`, where);
    }
    const render = chat === 'plain' ? plainChat : chat === 'none' ? rawChat : chatRendererFor(await loadTokenizer(from!), chat).render;
    const instruction = typeof values.instruction === 'string' ? values.instruction : undefined;
    const userInput = userInputOf(instruction !== undefined ? { prompt, instruction } : { prompt });
    process.stdout.write(withoutMarks(renderJudgePrompt(format, { userInput, first: values.a as string, second: values.b as string }, render)));
    return 0;
  },
};
