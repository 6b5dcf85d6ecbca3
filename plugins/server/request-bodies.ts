// Parsing and checking the JSON bodies of the reward server's POST routes. Every problem is an HttpError whose
// message names the field, the index and what is valid; limits on the number of items are 413s.
import type { PairItem } from './reward-model.js';

/** An error answered as `{"error": message}` with an HTTP status. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); this.name = 'HttpError'; }
}

/** A /get_reward request after parsing: one (prompt, response[, reference]) per item. */
export interface RewardRequest {
  /** The user inputs. */
  prompts: string[];
  /** The responses to reward. */
  responses: string[];
  /** References to compare each response with (pairwise models); undefined = pointwise rewards. */
  references: string[] | undefined;
}

/** How /get_reward splits queries and how many items a request may hold. */
export interface RewardParseOptions {
  /** Queries without `prompts` are split at the LAST occurrence of this text (prompt before it, response after). */
  separator: string;
  /** Most items per request (413 above it). */
  maxItems: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Parse a request body as JSON (400 on a syntax error). */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch (e) {
    throw new HttpError(400, `the request body is not valid JSON: ${(e as Error).message}`);
  }
}

function stringArray(body: Record<string, unknown>, field: string, maxItems: number): string[] | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new HttpError(400, `field "${field}" must be an array of strings, got ${typeName(v)}`);
  if (v.length > maxItems) throw new HttpError(413, `field "${field}" has ${v.length} items; this server takes at most ${maxItems} per request (--max-items)`);
  v.forEach((x, i) => { if (typeof x !== 'string') throw new HttpError(400, `field "${field}"[${i}] must be a string, got ${typeName(x)}`); });
  return v as string[];
}

/** Check /get_reward's body (see docs/serving.md for the accepted shapes). */
export function parseRewardRequest(raw: unknown, o: RewardParseOptions): RewardRequest {
  if (!isObject(raw)) throw new HttpError(400, `the body must be a JSON object like {"query": [...]} or {"prompts": [...], "responses": [...]}, got ${typeName(raw)}`);
  const known = new Set(['query', 'prompts', 'responses', 'references', 'labels']);
  const unknown = Object.keys(raw).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new HttpError(400, `unknown field(s) ${unknown.map((k) => `"${k}"`).join(', ')}; valid fields: query, prompts, responses, references (labels is an alias of references)`);
  const query = stringArray(raw, 'query', o.maxItems);
  const prompts = stringArray(raw, 'prompts', o.maxItems);
  const responses = stringArray(raw, 'responses', o.maxItems);
  const references = stringArray(raw, 'references', o.maxItems) ?? stringArray(raw, 'labels', o.maxItems);
  const sameLength = (name: string, xs: string[] | undefined, n: number): void => {
    if (xs !== undefined && xs.length !== n) throw new HttpError(400, `field "${name}" has ${xs.length} items but there are ${n} responses; give one per response`);
  };
  let out: RewardRequest;
  if (responses !== undefined) {
    if (query !== undefined) throw new HttpError(400, 'give either "query" or "responses", not both');
    if (prompts === undefined) throw new HttpError(400, 'field "prompts" is required with "responses" (one prompt per response)');
    sameLength('prompts', prompts, responses.length);
    out = { prompts, responses, references: undefined };
  } else if (query !== undefined) {
    sameLength('prompts', prompts, query.length);
    const split = query.map((q, i) => {
      if (prompts !== undefined) {
        if (!q.startsWith(prompts[i]!)) throw new HttpError(400, `query[${i}] does not start with prompts[${i}]; each query must be its prompt followed by the response`);
        return { prompt: prompts[i]!, response: q.slice(prompts[i]!.length) };
      }
      const at = q.lastIndexOf(o.separator);
      if (at < 0) throw new HttpError(400, `query[${i}] does not contain the separator ${JSON.stringify(o.separator)} (--separator); send "prompts" alongside "query", or "prompts" + "responses"`);
      return { prompt: q.slice(0, at), response: q.slice(at + o.separator.length) };
    });
    out = { prompts: split.map((s) => s.prompt), responses: split.map((s) => s.response), references: undefined };
  } else {
    throw new HttpError(400, 'the body needs "query" (prompt + response texts) or "prompts" and "responses"');
  }
  sameLength(raw.references !== undefined ? 'references' : 'labels', references, out.responses.length);
  return { ...out, references };
}

/** A /v1/judge request. */
export interface JudgeRequest {
  /** The pair, shown as given (a first). */
  pair: PairItem;
  /** Judge both orders and swap-average. */
  swap: boolean;
}

/** Check /v1/judge's body: {prompt, a, b, votes?, swap?}. */
export function parseJudgeRequest(raw: unknown, canVote: boolean): JudgeRequest {
  if (!isObject(raw)) throw new HttpError(400, `the body must be a JSON object {"prompt", "a", "b", "votes"?, "swap"?}, got ${typeName(raw)}`);
  const unknown = Object.keys(raw).filter((k) => !['prompt', 'a', 'b', 'votes', 'swap'].includes(k));
  if (unknown.length > 0) throw new HttpError(400, `unknown field(s) ${unknown.map((k) => `"${k}"`).join(', ')}; valid fields: prompt, a, b, votes, swap`);
  for (const f of ['prompt', 'a', 'b']) {
    if (typeof raw[f] !== 'string') throw new HttpError(400, `field "${f}" must be a string (empty is allowed), got ${typeName(raw[f])}`);
  }
  const votes = raw.votes ?? 1;
  if (typeof votes !== 'number' || !Number.isInteger(votes) || votes < 1 || votes > 64) throw new HttpError(400, `field "votes" must be an integer from 1 to 64, got ${JSON.stringify(votes)}`);
  if (votes > 1 && !canVote) throw new HttpError(400, `votes = ${votes} needs a generative reward model served with --temperature > 0; this one judges deterministically, so use votes 1`);
  const swap = raw.swap ?? false;
  if (typeof swap !== 'boolean') throw new HttpError(400, `field "swap" must be true or false, got ${typeName(swap)}`);
  return { pair: { prompt: raw.prompt as string, a: raw.a as string, b: raw.b as string, votes }, swap };
}
