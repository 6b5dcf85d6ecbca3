// Conversational preference data: Anthropic HH dialogue strings ("\n\nHuman: ...\n\nAssistant: ...") and
// [{role, content}] message lists (also ShareGPT-style {from, value}). Two conversations of a pair share a
// prefix (the prompt); what follows it in each is that side's response.
import { RecordError, fieldError, type RecordLocation } from './errors.js';

/** One turn of a conversation. */
export interface Turn {
  /** `user`, `assistant`, `system` (HH's Human/Assistant and ShareGPT's human/gpt are mapped to these). */
  role: string;
  /** The turn's text. */
  content: string;
}

/** A pair of conversations split into the shared prompt and the two responses. */
export interface SplitConversation {
  /** The shared prefix as turns (empty when the conversations share nothing). */
  promptTurns: Turn[];
  /** The first conversation's response (its text after the shared prefix). */
  first: string;
  /** The second conversation's response. */
  second: string;
}

const HH_MARKER = /\n\n(Human|Assistant):/g;
const ASSISTANT = '\n\nAssistant:';

/** True for an HH dialogue string: it opens with a Human turn and has an Assistant turn. */
export function isHhDialogue(v: unknown): v is string {
  return typeof v === 'string' && /^(\n\n)?Human:/.test(v) && v.includes(ASSISTANT);
}

/** True for a list of message objects (role/content or from/value). */
export function isMessageList(v: unknown): v is unknown[] {
  return Array.isArray(v) && v.length > 0 &&
    v.every((m) => m !== null && typeof m === 'object' && !Array.isArray(m) && ('role' in m || 'from' in m));
}

/** Split an HH dialogue (or prefix of one) into turns. */
export function parseHhTurns(text: string): Turn[] {
  const turns: Turn[] = [];
  const marks = [...text.matchAll(HH_MARKER)];
  const lead = text.slice(0, marks[0]?.index ?? text.length).trim();
  if (lead !== '') turns.push({ role: 'system', content: lead });
  marks.forEach((m, i) => {
    const start = m.index! + m[0].length;
    const end = marks[i + 1]?.index ?? text.length;
    turns.push({ role: m[1] === 'Human' ? 'user' : 'assistant', content: text.slice(start, end).trim() });
  });
  return turns;
}

/**
 * Split two HH dialogues: the prompt is their longest common prefix cut back to its last "\n\nAssistant:",
 * each response is the rest of its dialogue after that marker (trimmed; it may hold further turns when the two
 * dialogues diverge earlier than their last Assistant turn, as 5 harmless-base test pairs do).
 */
export function splitHhPair(x: string, y: string, fields: [string, string], loc: RecordLocation): SplitConversation {
  const nx = x.startsWith('Human:') ? `\n\n${x}` : x;
  const ny = y.startsWith('Human:') ? `\n\n${y}` : y;
  let n = 0;
  while (n < nx.length && n < ny.length && nx.charCodeAt(n) === ny.charCodeAt(n)) n++;
  // The last marker lying wholly inside the common prefix.
  const cut = n >= ASSISTANT.length ? nx.lastIndexOf(ASSISTANT, n - ASSISTANT.length) : -1;
  if (cut < 0) {
    throw new RecordError(loc, fields[0], `and "${fields[1]}" must be dialogues sharing a prefix that ends in ` +
      '"\\n\\nAssistant:" (the prompt), but they share none');
  }
  return {
    promptTurns: parseHhTurns(nx.slice(0, cut)),
    first: nx.slice(cut + ASSISTANT.length).trim(),
    second: ny.slice(cut + ASSISTANT.length).trim(),
  };
}

const ROLE_ALIASES: Record<string, string> = { human: 'user', gpt: 'assistant', bot: 'assistant', model: 'assistant' };

/** Validate a message list into turns; errors name the element (`chosen[2].content`). */
export function toTurns(value: unknown, field: string, loc: RecordLocation): Turn[] {
  if (!Array.isArray(value)) throw fieldError(loc, field, 'a list of {role, content} messages', value);
  return value.map((m, i) => {
    if (m === null || typeof m !== 'object' || Array.isArray(m)) throw fieldError(loc, `${field}[${i}]`, 'an object {role, content}', m);
    const rec = m as Record<string, unknown>;
    const roleKey = 'role' in rec ? 'role' : 'from';
    const contentKey = 'content' in rec ? 'content' : 'value';
    const role = rec[roleKey];
    const content = rec[contentKey];
    if (typeof role !== 'string') throw fieldError(loc, `${field}[${i}].role`, 'a string', role);
    if (typeof content !== 'string') throw fieldError(loc, `${field}[${i}].content`, 'a string', content);
    const lower = role.toLowerCase();
    return { role: ROLE_ALIASES[lower] ?? lower, content };
  });
}

/** Split two message lists: the shared leading turns are the prompt, the rest of each is its response. */
export function splitMessagePair(x: Turn[], y: Turn[], fields: [string, string], loc: RecordLocation): SplitConversation {
  let k = 0;
  while (k < x.length && k < y.length && x[k]!.role === y[k]!.role && x[k]!.content === y[k]!.content) k++;
  if (k === x.length || k === y.length) {
    const which = k === x.length ? fields[0] : fields[1];
    throw new RecordError(loc, which, `has no turns after the prefix it shares with "${which === fields[0] ? fields[1] : fields[0]}", ` +
      'so there is no response to compare');
  }
  const response = (rest: Turn[]): string => (rest.length === 1 ? rest[0]!.content : renderTurns(rest));
  return { promptTurns: x.slice(0, k), first: response(x.slice(k)), second: response(y.slice(k)) };
}

/** Names used when rendering turns as text. */
export type RoleNames = Record<string, string>;

/** Default rendering names; HH data renders with `{ user: 'Human' }`. */
export const DEFAULT_ROLE_NAMES: RoleNames = { user: 'User', assistant: 'Assistant', system: 'System' };

/**
 * Render turns as the prompt text: a single user turn is its content alone; anything else is
 * "Name: content" blocks separated by blank lines.
 */
export function renderTurns(turns: Turn[], names: RoleNames = DEFAULT_ROLE_NAMES): string {
  if (turns.length === 1 && turns[0]!.role === 'user') return turns[0]!.content;
  const name = (role: string): string => names[role] ?? DEFAULT_ROLE_NAMES[role] ?? role.charAt(0).toUpperCase() + role.slice(1);
  return turns.map((t) => `${name(t.role)}: ${t.content}`).join('\n\n');
}
