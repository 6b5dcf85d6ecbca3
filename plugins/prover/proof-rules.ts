// Rule checks on synthesized proofs (METHOD.md, recipe steps 2 and 4): each candidate is dropped by the FIRST rule
// it fails, in the order of PROOF_RULES, and counted under that rule. Optional domain content check for the
// demo data (verifiable-math's checkRationale).
import type { Label } from '../../core/data/records.js';
import { checkColumnRationale } from '../verifiable-math/columns.js';
import { checkRationale } from '../verifiable-math/rationale.js';
import { parseProof } from './proof-layout.js';

/** The rules, in the order they are applied. */
export const PROOF_RULES = ['empty', 'truncated', 'structure', 'length', 'label', 'copies-input', 'content'] as const;

/** One rule name. */
export type ProofRule = (typeof PROOF_RULES)[number];

/** Domain content checks a config can turn on. */
export const CONTENT_CHECKS = ['none', 'verifiable-math', 'columns'] as const;

/** Limits of the rule checks. */
export interface ProofRuleLimits {
  /** Longest rationale (the proof body) in UTF-8 bytes. */
  maxRationaleBytes: number;
  /** A rationale that contains the pair's prompt or a whole response of at least this many bytes copies its input. */
  minCopyBytes: number;
  /**
   * Domain content check: `none`; `verifiable-math` (checkRationale: steps quoted, arithmetic claims true); `columns`
   * (checkColumnRationale: every carry, digit and match flag recomputed from the prompt, the verdict from the flags).
   */
  content: (typeof CONTENT_CHECKS)[number];
}

/** Defaults of the limits (documented in docs/recipe.md). */
export const DEFAULT_RULE_LIMITS: ProofRuleLimits = { maxRationaleBytes: 2048, minCopyBytes: 20, content: 'none' };

/** The verdict on one candidate. */
export interface ProofCheck {
  /** The first failed rule; absent when the proof passed. */
  failed?: ProofRule;
  /** What failed, for people. */
  detail?: string;
  /** The proof's rationale, when the layout parsed. */
  rationale?: string;
}

/**
 * Check one proof for `pair` that should justify `label`. `finishReason` is how its generation ended (`length`
 * means it was cut: rule `truncated`).
 */
export function checkProof(proof: string, pair: { prompt: string; a: string; b: string }, label: Label,
  finishReason: 'eos' | 'stop' | 'length', limits: ProofRuleLimits): ProofCheck {
  if (proof.trim() === '') return { failed: 'empty', detail: 'the proof is empty' };
  if (finishReason === 'length') return { failed: 'truncated', detail: 'generation was cut at maxTokens or the context limit before the model ended the proof' };
  const parsed = parseProof(proof);
  if (!parsed) return { failed: 'structure', detail: 'not in the proof layout "Claim: <A|B> is better.\\n<rationale>\\nHence <A|B> is better."' };
  const rationale = parsed.rationale;
  if (rationale.trim() === '') return { failed: 'structure', detail: 'the rationale between the claim and the closing line is empty', rationale };
  const bytes = Buffer.byteLength(rationale, 'utf8');
  if (bytes > limits.maxRationaleBytes) return { failed: 'length', detail: `the rationale has ${bytes} bytes; at most ${limits.maxRationaleBytes} are allowed`, rationale };
  if (parsed.claim !== label || parsed.conclusion !== label) {
    return { failed: 'label', detail: `the proof claims ${parsed.claim} and concludes ${parsed.conclusion}; it must justify ${label}`, rationale };
  }
  for (const [what, text] of [['prompt', pair.prompt], ['response A', pair.a], ['response B', pair.b]] as const) {
    const t = text.trim();
    if (Buffer.byteLength(t, 'utf8') >= limits.minCopyBytes && rationale.includes(t)) {
      return { failed: 'copies-input', detail: `the rationale repeats the whole ${what} instead of explaining`, rationale };
    }
  }
  if (limits.content === 'verifiable-math') {
    const c = checkRationale(pair, rationale, label, { maxBytes: limits.maxRationaleBytes });
    if (!c.ok) return { failed: 'content', detail: c.reasons.join('; '), rationale };
  }
  if (limits.content === 'columns') {
    const reasons = checkColumnRationale(pair, rationale, label);
    if (reasons.length > 0) return { failed: 'content', detail: reasons.join('; '), rationale };
  }
  return { rationale };
}

/** Adds one drop to a rule -> count table. */
export function countDrop(table: Record<string, number>, rule: string): void {
  table[rule] = (table[rule] ?? 0) + 1;
}
