// Scoring continuations: log p(continuation | prompt) per token and summed, for many (prompt, continuation) pairs
// in batches. Each batch is one program run (right-padded to a length bucket) that computes the log-softmax of
// the scored targets on the backend, so only [B, T] numbers come back.
import type { ModelRunner } from './model-runner.js';
import { scoreProgram } from './decoder-programs.js';
import { lengthBucket } from './kv-cache.js';

/** One pair to score: text (encoded with the model's tokenizer) or token ids. */
export interface ScoreRequest {
  /** The conditioning text or ids; text gets BOS by the tokenizer's convention (see `addBos`). */
  prompt: string | readonly number[];
  /** The scored text or ids; text is encoded on its own, without BOS, and appended to the prompt's ids. */
  continuation: string | readonly number[];
}

/** Options of `logprobs`. */
export interface LogprobOptions {
  /** Pairs per program run (default 8). */
  batchSize?: number;
  /** For text prompts: prepend BOS (default: the tokenizer's convention). */
  addBos?: boolean;
}

/** The score of one continuation. */
export interface ContinuationScore {
  /** The continuation's token ids. */
  tokens: number[];
  /** log p(token_i | prompt, tokens before i), natural log, one per token. */
  logprobs: number[];
  /** Sum of `logprobs` (0 for an empty continuation). */
  sum: number;
}

/** Scores every request; results are in request order. */
export async function scoreContinuations(model: ModelRunner, requests: readonly ScoreRequest[], options: LogprobOptions = {}): Promise<ContinuationScore[]> {
  const batchSize = options.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const tok = model.tokenizer;
  const enc = (x: string | readonly number[], what: string, i: number, bos: boolean): number[] => {
    if (typeof x !== 'string') return [...x];
    if (!tok) throw new Error(`logprobs: request ${i}'s ${what} is text but the model has no tokenizer; pass token ids`);
    return tok.encode(x, bos ? (options.addBos === undefined ? {} : { addBos: options.addBos }) : { addBos: false });
  };
  const pairs = requests.map((r, i) => {
    const prompt = enc(r.prompt, 'prompt', i, true), cont = enc(r.continuation, 'continuation', i, false);
    if (prompt.length === 0) throw new RangeError(`logprobs: request ${i} has an empty prompt (the first token needs something to condition on, e.g. BOS)`);
    if (prompt.length + cont.length > model.contextLimit) {
      throw new RangeError(`logprobs: request ${i} has ${prompt.length} + ${cont.length} tokens; the model attends over at most ${model.contextLimit}`);
    }
    const bad = cont.find((id) => !Number.isInteger(id) || id < 0 || id >= model.config.vocabSize);
    if (bad !== undefined) throw new RangeError(`logprobs: request ${i}'s continuation has token id ${bad}, outside the vocabulary [0, ${model.config.vocabSize})`);
    return { prompt, cont };
  });
  const out: ContinuationScore[] = [];
  for (let s = 0; s < pairs.length; s += batchSize) {
    const chunk = pairs.slice(s, s + batchSize);
    const batch = chunk.length;
    // The last token predicts nothing that is scored, so sequences are prompt + continuation minus one token.
    const seqs = chunk.map((p) => [...p.prompt, ...p.cont].slice(0, Math.max(p.prompt.length + p.cont.length - 1, 1)));
    const t = lengthBucket(Math.max(...seqs.map((x) => x.length)), model.contextLimit);
    const targets = new Int32Array(batch * t).fill(-1);
    chunk.forEach((p, b) => p.cont.forEach((id, j) => { targets[b * t + p.prompt.length - 1 + j] = id; }));
    const graph = model.program(`score:${batch}:${t}`, (params) => scoreProgram(model.config, params, batch, t));
    const [buf] = await model.run(graph, {}, {
      ids: { shape: [batch, t], dtype: 'i32', data: model.padIds(seqs, t) },
      targets: { shape: [batch, t], dtype: 'i32', data: targets },
    });
    const lp = await model.take(buf!);
    chunk.forEach((p, b) => {
      const logprobs = p.cont.map((_, j) => lp[b * t + p.prompt.length - 1 + j]!);
      out.push({ tokens: p.cont, logprobs, sum: logprobs.reduce((a, x) => a + x, 0) });
    });
  }
  return out;
}
