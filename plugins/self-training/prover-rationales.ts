// The prover writes the rationale of each kept pseudo-label (METHOD.md recipe step 4, third and fourth bullets): the
// prover plugin's synthesis (k candidates, rule checks, proof score) runs behind a ProofSession; a pair whose every
// candidate fails a rule is dropped under its most frequent rule, and one extra rule drops a rationale that would break
// the GRM target (it contains <think>/<answer> tags). Results go through a KeyedLog, so a rerun proves only what is missing.
import type { Label, PreferencePair } from '../../core/data/records.js';
import type { TaskContext } from '../../core/pipeline/task-context.js';
import type { ProofResult, ProofSession } from '../../core/recipe/prover.js';
import { PROOF_RULES } from '../prover/proof-rules.js';
import type { KeyedLog } from './keyed-log.js';

/** One proved pair, as logged. */
export interface RationaleLine {
  /** The pair's id. */
  id: string;
  /** The label the rationale justifies (the pseudo-label). */
  label: Label;
  /** The best candidate's rationale, when one passed every rule. */
  rationale?: string;
  /** Its proof score. */
  score?: number;
  /** Candidates dropped, by the first rule they failed (rule -> count); `{}` when none. */
  candidateDrops: Record<string, number>;
  /** Why the pair is dropped: `rules:<rule>` or `prover-skipped`; absent when kept. */
  dropped?: string;
}

const TAG = /<\/?(think|answer)>/i;

/** Why a rationale would break the GRM target `<think>\n{z}\n</think>\n<answer>…` (a tag inside it); undefined when fine. */
export function targetStructureProblem(rationale: string): string | undefined {
  const m = TAG.exec(rationale);
  return m ? `the rationale contains ${JSON.stringify(m[0])}, which would end the <think> block early or add an answer` : undefined;
}

/** The rule that dropped most candidates (ties: the earlier rule in the prover's order). */
export function mainRule(drops: Record<string, number>): string {
  const order = [...PROOF_RULES, 'non-finite-score'] as string[];
  const rules = Object.keys(drops).sort((a, b) => (drops[b]! - drops[a]!) || (rank(order, a) - rank(order, b)) || (a < b ? -1 : 1));
  return rules[0] ?? 'none';
}

function rank(order: string[], rule: string): number {
  const i = order.indexOf(rule);
  return i < 0 ? order.length : i;
}

/** The logged decision for one proof result. */
export function rationaleLine(r: ProofResult): RationaleLine {
  const base = { id: r.id, label: r.label, candidateDrops: { ...r.dropped } };
  if (r.skipped !== undefined) return { ...base, dropped: 'prover-skipped' };
  if (r.rationale === undefined || r.best === undefined) return { ...base, dropped: `rules:${mainRule(r.dropped)}` };
  if (targetStructureProblem(r.rationale)) return { ...base, score: r.best.score, dropped: 'rules:target-structure' };
  return { ...base, rationale: r.rationale, score: r.best.score };
}

/**
 * Has the prover justify `label` for each pair, `batchSize` pairs per call; pairs already in `log` are not proved
 * again. Returns one line per request, in order.
 */
export async function proveLabels(session: ProofSession, requests: ReadonlyArray<{ pair: PreferencePair; label: Label }>, batchSize: number,
  log: KeyedLog<RationaleLine>, ctx: TaskContext, onBatch: (done: number) => void = () => {}): Promise<RationaleLine[]> {
  const todo = requests.filter((r) => log.get(r.pair.id) === undefined);
  for (let i = 0; i < todo.length; i += batchSize) {
    ctx.signal.throwIfAborted();
    const chunk = todo.slice(i, i + batchSize);
    const results = await session.prove(chunk, ctx);
    if (results.length !== chunk.length) throw new Error(`prover session returned ${results.length} results for ${chunk.length} requests`);
    await log.add(results.map(rationaleLine));
    onBatch(requests.length - todo.length + i + chunk.length);
  }
  return requests.map((r) => log.get(r.pair.id)!);
}
