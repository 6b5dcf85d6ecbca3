// Chat templates: Jinja sources from tokenizer_config.json rendered with @huggingface/jinja, and the plain
// template gramr uses for models trained from scratch (byte tokenizer, llama2.c models without a template).
import { Template } from '@huggingface/jinja';
import { ModelFormatError } from '../checkpoint/model-format-error.js';
import type { ChatMessage, ChatRenderOptions } from './tokenizer.js';
import { fieldsOf } from './json-fields.js';

/**
 * The plain template: `<bos>` (when the tokenizer has one), then per message `<|role|>\n` + content + `\n`;
 * assistant turns end with the EOS token before the newline; the generation prompt is `<|assistant|>\n`.
 */
export const PLAIN_CHAT_TEMPLATE =
  "{%- if bos_token %}{{- bos_token }}{%- endif %}" +
  "{%- for message in messages %}" +
  "{{- '<|' + message.role + '|>\\n' + message.content }}" +
  "{%- if message.role == 'assistant' and eos_token %}{{- eos_token }}{%- endif %}" +
  "{{- '\\n' }}" +
  "{%- endfor %}" +
  "{%- if add_generation_prompt %}{{- '<|assistant|>\\n' }}{%- endif %}";

/** Special-token strings a template may refer to. */
export interface TemplateTokens {
  /** The BOS token text, e.g. "<s>". */
  bos_token?: string;
  /** The EOS token text, e.g. "<|im_end|>". */
  eos_token?: string;
  /** The pad token text. */
  pad_token?: string;
  /** The unknown token text. */
  unk_token?: string;
}

/** A compiled chat template. */
export class ChatTemplate {
  /** The Jinja source. */
  readonly source: string;
  private readonly template: Template;

  /** Compile `source`; `origin` names the file it came from, for errors. */
  constructor(source: string, private readonly tokens: TemplateTokens, private readonly origin: string) {
    this.source = source;
    try {
      this.template = new Template(source);
    } catch (err) {
      throw new ModelFormatError(`chat template does not parse: ${(err as Error).message}`, { file: origin, item: 'chat_template' });
    }
  }

  /** Render messages to the prompt text. */
  render(messages: readonly ChatMessage[], options: ChatRenderOptions = {}): string {
    const vars: Record<string, unknown> = {
      messages: messages.map((m) => ({ ...m })),
      add_generation_prompt: options.addGenerationPrompt === true,
      ...this.tokens,
      ...options.variables,
    };
    try {
      return this.template.render(vars);
    } catch (err) {
      throw new ModelFormatError(`chat template failed to render ${messages.length} message(s): ${(err as Error).message}`, { file: this.origin, item: 'chat_template' });
    }
  }
}

/** The template string in a tokenizer_config.json `chat_template` value (a string, or a list with a "default" entry). */
export function pickChatTemplate(value: unknown, file: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const named = value.map(fieldsOf) as { name?: unknown; template?: unknown }[];
    const def = named.find((t) => t.name === 'default') ?? named[0];
    if (typeof def?.template === 'string') return def.template;
  }
  throw new ModelFormatError('chat_template must be a string or a list of {name, template}', { file, item: 'chat_template' });
}
