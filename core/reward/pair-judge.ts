// PairJudge: judges preference pairs with a JudgeModel — prompt (prompts.ts), context fit (truncate.ts),
// generation and parsing (gram-r2) or label logits (gram-v1), label probabilities (scores.ts), voting@k
// (voting.ts) and position handling (position.ts). Every model call is one batch over all pairs, orders and
// samples. Adapters: `asJudge` (evaluators), `compare` (rankers), `rewards` (RLHF, against a reference).
import { z } from 'zod';
import type { Label } from '../data/records.js';
import { ConfigError } from '../errors.js';
import type { TaskContext } from '../pipeline/task-context.js';
import type { Judge, JudgeEvidence, JudgeOutcome } from './evaluator.js';
import type { JudgeModel, LabelLogits } from './judge-model.js';
import type { Judgment, LabelProbs, Order, PairVerdict } from './judgment.js';
import { pairJudgeOptionsSchema, type PairJudgeOptions, type PairJudgeOptionsInput } from './pair-judge-options.js';
import { parseJudgment, type ParsedJudgment } from './parse-judgment.js';
import { combineOrders, ordersFor, showPair, toOriginal, type OrderResult, type PositionMode } from './position.js';
import { isGenerativeFormat, rawChat, renderJudgePrompt, userInputOf, type ChatRenderer, type PromptParts } from './prompts.js';
import type { Compare } from './ranker.js';
import { answerPrefix, checkLabelTokens, labelProbs, originalProbA } from './scores.js';
import { contentId, deriveSeed } from './seeds.js';
import { fitToContext } from './truncate.js';
import { majorityVote } from './voting.js';

/** A pair to judge. Empty strings are valid and judged as they are. */
export interface JudgeInput {
  /** Stable id: seeds (random order, sampling) derive from it. */
  id: string;
  /** The user input. */
  prompt: string;
  /** Response a (shown first in the original order). */
  a: string;
  /** Response b. */
  b: string;
  /** Optional task instruction, shown above the prompt. */
  instruction?: string;
}

/** One model call's worth of work: a pair in one order, one sample. */
interface Slot { pair: number; order: Order; sample: number; seed: number; text: string; truncated: boolean; refused: boolean }

/** Judges pairs with a JudgeModel (see the file header). */
export class PairJudge {
  /** The parsed options (defaults applied). */
  readonly options: PairJudgeOptions;

  constructor(readonly model: JudgeModel, options: PairJudgeOptionsInput = {}, readonly chat: ChatRenderer = rawChat) {
    const parsed = pairJudgeOptionsSchema.safeParse(options);
    if (!parsed.success) throw new ConfigError(`PairJudge options are invalid:\n${z.prettifyError(parsed.error)}`);
    this.options = parsed.data;
    checkLabelTokens(this.options.labelTokens);
  }

  /** Judge pairs; `position` overrides the configured mode. One verdict per pair, in order. */
  async judge(pairs: readonly JudgeInput[], ctx: TaskContext, position: PositionMode = this.options.position): Promise<PairVerdict[]> {
    ctx.signal.throwIfAborted();
    const o = this.options;
    const k = isGenerativeFormat(o.format) ? o.votes : 1;
    const slots: Slot[] = [];
    pairs.forEach((pair, i) => {
      checkPair(pair, i);
      for (const order of ordersFor(position, pair.id, ctx.seed)) {
        const fit = this.fit({ userInput: userInputOf(pair), ...showPair(pair, order) });
        for (let s = 0; s < k; s++) slots.push({ pair: i, order, sample: s, seed: deriveSeed(ctx.seed, 'judge', pair.id, order, s), ...fit });
      }
    });
    const live = slots.filter((s) => !s.refused);
    const outputs = isGenerativeFormat(o.format) ? await this.runR2(live, ctx) : await this.runV1(live, ctx);
    const byPair: Judgment[][] = pairs.map(() => []);
    let n = 0;
    for (const slot of slots) {
      const out = slot.refused ? { raw: '', parsed: refusedParse(), probs: undefined } : outputs[n++]!;
      byPair[slot.pair]!.push(this.toJudgment(pairs[slot.pair]!.id, slot, out));
    }
    return pairs.map((pair, i) => this.verdict(pair.id, byPair[i]!));
  }

  /** An evaluator Judge: pairs judged as given (position none), with this judge's voting. */
  asJudge(): Judge {
    return async (batch, ctx) => {
      const verdicts = await this.judge(batch.map((p) => ({ id: contentId(p.prompt, p.a, p.b), ...p })), ctx, 'none');
      return verdicts.map((v): JudgeOutcome => ({
        label: v.label,
        ...(v.confidence !== undefined ? { confidence: v.confidence } : {}),
        ...(v.noAnswer !== undefined ? { noAnswer: v.noAnswer } : {}),
        voteTie: v.voteTie,
        evidence: v.judgments.map(evidenceOf),
      }));
    };
  }

  /** A ranker Compare: P(a better) = the verdict's probA; without scores 1 / 0 by label, ½ for no answer. */
  readonly compare: Compare = async (prompt, pairs, ctx) => {
    const verdicts = await this.judge(pairs.map((p) => ({ id: contentId(prompt, p.a, p.b), prompt, a: p.a, b: p.b })), ctx);
    return verdicts.map((v) => v.probA ?? (v.label === 'A' ? 1 : v.label === 'B' ? 0 : 0.5));
  };

  /**
   * RLHF rewards: r = P(response preferred over reference), swap-averaged over both orders (always `both`).
   * Undefined where no order produced label probabilities (no answer in both orders, or scores off).
   */
  async rewards(items: ReadonlyArray<{ prompt: string; response: string; reference: string; instruction?: string }>,
    ctx: TaskContext): Promise<Array<number | undefined>> {
    const pairs = items.map((it) => ({
      id: contentId(it.prompt, it.response, it.reference), prompt: it.prompt, a: it.response, b: it.reference,
      ...(it.instruction !== undefined ? { instruction: it.instruction } : {}),
    }));
    return (await this.judge(pairs, ctx, 'both')).map((v) => v.probA);
  }

  /** The prompt for `parts`, fitted to the context by the overflow rule. */
  private fit(parts: PromptParts): { text: string; truncated: boolean; refused: boolean } {
    const o = this.options;
    const render = (p: PromptParts): string => renderJudgePrompt(o.format, p, this.chat);
    const ctxLen = this.model.contextLength;
    if (ctxLen === undefined) return { text: render(parts), truncated: false, refused: false };
    const limit = ctxLen - (isGenerativeFormat(o.format) ? o.maxTokens : 1);
    if (limit < 1) throw new ConfigError(`PairJudge: maxTokens ${o.maxTokens} leaves no room for a prompt in the model's context of ${ctxLen} tokens`);
    if (o.overflow === 'refuse') {
      const text = render(parts);
      return { text, truncated: false, refused: this.model.countTokens(text) > limit };
    }
    const r = fitToContext(parts, render, (t) => this.model.countTokens(t), limit, o.truncationMarker);
    return { text: r.text, truncated: r.truncated, refused: !r.fits };
  }

  /** gram-r2: one generate call, then (with scores) one labelLogits call at the answered positions. */
  private async runR2(slots: Slot[], ctx: TaskContext): Promise<Output[]> {
    if (slots.length === 0) return [];
    const o = this.options;
    const texts = await this.model.generate(slots.map((s) => ({ prompt: s.text, seed: s.seed })), {
      temperature: o.temperature, maxTokens: o.maxTokens, stop: o.stop,
      ...(o.topP !== undefined ? { topP: o.topP } : {}), ...(o.topK !== undefined ? { topK: o.topK } : {}),
    }, ctx.signal);
    expectCount('generate', texts.length, slots.length);
    const parsed = texts.map((t) => parseJudgment(t));
    const probs: Array<LabelProbs | undefined> = parsed.map(() => undefined);
    if (o.scores) {
      ctx.signal.throwIfAborted();
      const at = parsed.flatMap((p, n) => (p.labelIndex === undefined ? [] : [n]));
      const prefixes = at.map((n) => answerPrefix(slots[n]!.text, texts[n]!, parsed[n]!.labelIndex!, o.labelTokens));
      const logits = prefixes.length === 0 ? [] : await this.model.labelLogits(prefixes, o.labelTokens, ctx.signal);
      expectCount('labelLogits', logits.length, prefixes.length);
      at.forEach((n, m) => { probs[n] = labelProbs(logits[m]!); });
    }
    return texts.map((raw, n) => ({ raw, parsed: parsed[n]!, probs: probs[n] }));
  }

  /** gram-v1: one labelLogits call at the end of each prompt; the label is the more probable token. */
  private async runV1(slots: Slot[], ctx: TaskContext): Promise<Output[]> {
    if (slots.length === 0) return [];
    const logits: LabelLogits[] = await this.model.labelLogits(slots.map((s) => s.text), this.options.labelTokens, ctx.signal);
    expectCount('labelLogits', logits.length, slots.length);
    return logits.map((l) => {
      const probs = labelProbs(l);
      const label: Label | undefined = probs.A > probs.B ? 'A' : probs.B > probs.A ? 'B' : undefined;
      const parsed: ParsedJudgment = { label, noAnswer: label ? undefined : 'tied-logits', rationale: undefined, answers: [], labelIndex: undefined };
      return { raw: '', parsed, probs };
    });
  }

  private toJudgment(pairId: string, slot: Slot, out: Output): Judgment {
    const shownLabel = out.parsed.label;
    return {
      pairId, order: slot.order, sample: slot.sample, seed: slot.seed,
      label: toOriginal(shownLabel, slot.order), shownLabel,
      confidence: shownLabel !== undefined && out.probs ? out.probs[shownLabel] : undefined,
      shownProbs: out.probs, rationale: out.parsed.rationale, raw: out.raw,
      noAnswer: out.parsed.noAnswer, truncated: slot.truncated, prompt: slot.text,
    };
  }

  /** Vote within each order, then combine the orders. */
  private verdict(pairId: string, judgments: Judgment[]): PairVerdict {
    const orders = [...new Set(judgments.map((j) => j.order))];
    let voteTie = false;
    const results: OrderResult[] = orders.map((order) => {
      const vote = majorityVote(judgments.filter((j) => j.order === order)
        .map((j) => ({ label: j.label, probA: originalProbA(j), ...(j.noAnswer ? { noAnswer: j.noAnswer } : {}) })));
      voteTie ||= vote.tie;
      return { order, label: vote.label, probA: vote.probA, noAnswer: vote.noAnswer };
    });
    const c = combineOrders(results);
    return { pairId, label: c.label, confidence: c.confidence, probA: c.probA, noAnswer: c.noAnswer, voteTie, ordersDisagree: c.ordersDisagree, judgments };
  }
}

/** A judgment as evaluator evidence (shown-order label and probabilities). */
export function evidenceOf(j: Judgment): JudgeEvidence {
  return {
    prompt: j.prompt ?? '', raw: j.raw, sample: j.sample, seed: j.seed,
    ...(j.shownLabel !== undefined ? { label: j.shownLabel } : {}), ...(j.shownProbs ? { probs: j.shownProbs } : {}),
    ...(j.rationale !== undefined ? { rationale: j.rationale } : {}), ...(j.noAnswer !== undefined ? { noAnswer: j.noAnswer } : {}),
    truncated: j.truncated,
  };
}

/** What one live slot produced. */
interface Output { raw: string; parsed: ParsedJudgment; probs: LabelProbs | undefined }

function refusedParse(): ParsedJudgment {
  return { label: undefined, noAnswer: 'prompt-too-long', rationale: undefined, answers: [], labelIndex: undefined };
}

function checkPair(pair: JudgeInput, index: number): void {
  const id = typeof pair?.id === 'string' ? `"${pair.id}"` : `at index ${index}`;
  for (const field of ['id', 'prompt', 'a', 'b'] as const) {
    if (typeof pair?.[field] !== 'string') {
      throw new TypeError(`PairJudge: pair ${id} field "${field}" must be a string (empty is allowed), got ${pair?.[field] === undefined ? 'undefined' : typeof pair[field]}`);
    }
  }
  if (pair.instruction !== undefined && typeof pair.instruction !== 'string') {
    throw new TypeError(`PairJudge: pair ${id} field "instruction" must be a string when present, got ${typeof pair.instruction}`);
  }
}

function expectCount(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`JudgeModel.${what} returned ${got} results for ${want} inputs`);
}
