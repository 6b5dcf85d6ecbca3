// Picks the ChatRenderer for a model's tokenizer: its own chat template (tokenizer.renderChat with the generation
// prompt), the plain template of prompts.ts for models without one, or the raw message. "Has its own
// template" is detected by rendering a probe and comparing it with the plain form.
import type { Tokenizer } from '../model/tokenizer/tokenizer.js';
import { ConfigError } from '../errors.js';
import { plainChat, rawChat, type ChatRenderer } from './prompts.js';

/** How a judge prompt is wrapped: auto (template if the tokenizer has its own, else plain), template, plain, none. */
export type ChatMode = 'auto' | 'template' | 'plain' | 'none';

/** The chat modes, for schemas and messages. */
export const CHAT_MODES: readonly ChatMode[] = ['auto', 'template', 'plain', 'none'];

/**
 * Whether the tokenizer renders chats with a template of its own, i.e. not the plain template
 * (`[bos]<|user|>\n…\n<|assistant|>\n`) that tokenizers without one fall back to.
 */
export function hasOwnChatTemplate(tokenizer: Tokenizer): boolean {
  const probe = 'gramr probe message';
  const rendered = tokenizer.renderChat([{ role: 'user', content: probe }], { addGenerationPrompt: true });
  const plain = plainChat(probe);
  if (!rendered.endsWith(plain)) return true;
  const lead = rendered.slice(0, rendered.length - plain.length);
  return !(lead === '' || (tokenizer.bosId !== undefined && lead === tokenizer.idToToken(tokenizer.bosId)));
}

/** The renderer for `mode` (auto resolved against the tokenizer), and which one it is. */
export function chatRendererFor(tokenizer: Tokenizer | undefined, mode: ChatMode, variables?: Record<string, unknown>):
  { render: ChatRenderer; kind: Exclude<ChatMode, 'auto'> } {
  if (!CHAT_MODES.includes(mode)) throw new ConfigError(`chat mode must be one of ${CHAT_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  const kind = mode !== 'auto' ? mode : tokenizer !== undefined && hasOwnChatTemplate(tokenizer) ? 'template' : 'plain';
  if (kind === 'plain') return { render: plainChat, kind };
  if (kind === 'none') return { render: rawChat, kind };
  if (!tokenizer) throw new ConfigError('chat mode "template" needs a tokenizer with a chat template');
  const tok = tokenizer;
  return {
    kind,
    render: (message) => tok.renderChat([{ role: 'user', content: message }], { addGenerationPrompt: true, ...(variables ? { variables } : {}) }),
  };
}
