// Test helpers for the judging layer: a scripted JudgeModel (its outputs and logits are functions of the
// prompt, so expected numbers can be computed by hand), readers that find which responses a prompt shows,
// and a scripted evaluator Judge.
import type { GenerateOptions, GenerateRequest, JudgeModel, LabelLogits, LabelTokens } from '../../core/reward/judge-model.js';
import type { Judge, JudgeOutcome } from '../../core/reward/evaluator.js';

/** The two responses a GRAM-R² or GRAM v1 prompt shows, read back from the prompt text. */
export function shownResponses(text: string): { first: string; second: string } {
  const grab = (who: 'A' | 'B'): string => {
    const m = new RegExp(`\\[The Start of Assistant ${who}'s (?:Response|Answer)\\]\\n([\\s\\S]*?)\\n\\[The End of Assistant ${who}'s (?:Response|Answer)\\]`).exec(text);
    if (!m) throw new Error(`scripted model: no response ${who} in prompt`);
    return m[1]!;
  };
  return { first: grab('A'), second: grab('B') };
}

/** A number written as "q=<number>" in a response (its scripted quality); 0 when absent. */
export function quality(response: string): number {
  const m = /q=(-?[0-9.]+)/.exec(response);
  return m ? Number(m[1]) : 0;
}

/** What the scripted model does. */
export interface Script {
  /** The output text for one prompt and seed. */
  generate?: (prompt: string, seed: number, options: GenerateOptions) => string;
  /** The label logits after one prefix. */
  logits?: (prefix: string, tokens: LabelTokens) => LabelLogits;
  /** Context length (default: unknown). */
  contextLength?: number;
}

/** A JudgeModel whose behaviour is a script; it records every call. Tokens = characters. */
export class ScriptedModel implements JudgeModel {
  readonly contextLength: number | undefined;
  /** Every generate call's requests and options. */
  readonly generateCalls: Array<{ requests: GenerateRequest[]; options: GenerateOptions }> = [];
  /** Every labelLogits call's prefixes and tokens. */
  readonly logitCalls: Array<{ prefixes: string[]; tokens: LabelTokens }> = [];

  constructor(private readonly script: Script) {
    this.contextLength = script.contextLength;
  }

  countTokens(text: string): number {
    return text.length;
  }

  async generate(requests: GenerateRequest[], options: GenerateOptions): Promise<string[]> {
    this.generateCalls.push({ requests, options });
    if (!this.script.generate) throw new Error('scripted model: generate not scripted');
    return requests.map((r) => this.script.generate!(r.prompt, r.seed, options));
  }

  async labelLogits(prefixes: string[], tokens: LabelTokens): Promise<LabelLogits[]> {
    this.logitCalls.push({ prefixes, tokens });
    if (!this.script.logits) throw new Error('scripted model: logits not scripted');
    return prefixes.map((p) => this.script.logits!(p, tokens));
  }
}

/** A GRAM-R² style output for a label. */
export function r2Output(label: string, why = 'the first is more precise'): string {
  return `<think>\nFeedback:\n${why}\n\nComparision:\nsee above\n\nConclusion:\n${label}\n</think>\n<answer>\n${label}\n</answer>`;
}

/** An evaluator Judge from a function of (prompt, a, b); counts calls and pairs. */
export function scriptedJudge(fn: (p: { prompt: string; a: string; b: string }) => JudgeOutcome): Judge & { calls: number[] } {
  const calls: number[] = [];
  const judge: Judge = async (batch) => {
    calls.push(batch.length);
    return batch.map(fn);
  };
  return Object.assign(judge, { calls });
}
