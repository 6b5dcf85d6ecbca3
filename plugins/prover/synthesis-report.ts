// The synthesis report: one log line per input pair (kept or not, drops by rule, scores), folded into totals,
// score statistics and a markdown table. Pure code: the stage writes the lines and the folder.
import type { Label } from '../../core/data/records.js';
import type { ProofResult } from '../../core/recipe/prover.js';

/** One line of the synthesis log (one per input pair, in input order). */
export interface SynthesisLogLine {
  /** The pair's id. */
  id: string;
  /** The label proved, or why the pair was not proved (`unlabeled`, `tie`, `prompt-too-long`). */
  label: Label | 'unlabeled' | 'tie';
  /** 1 when a rationale was kept. */
  kept: 0 | 1;
  /** Candidates sampled. */
  candidates: number;
  /** Tokens generated. */
  tokens: number;
  /** Candidates dropped, by rule. */
  dropped: Record<string, number>;
  /** Scores of the candidates that passed the rules (sampling order). */
  scores: number[];
  /** The kept proof's score and log-likelihoods. */
  best?: { score: number; logpContext: number; logpAlone: number };
  /** Why the pair was skipped, when it was. */
  skipped?: string;
  /** Every candidate's text with its failed rule or score (only with the stage's `logProofs`). */
  proofs?: Array<{ proof: string; rule?: string; score?: number }>;
}

/** The log line of one proof result (with every candidate's text when `withProofs`). */
export function logLineOf(r: ProofResult, withProofs = false): SynthesisLogLine {
  const scores = r.candidates.flatMap((c) => (c.scored ? [c.scored.score] : []));
  return {
    id: r.id, label: r.label, kept: r.rationale !== undefined ? 1 : 0, candidates: r.candidates.length,
    tokens: r.candidates.reduce((n, c) => n + c.tokens, 0), dropped: r.dropped, scores,
    ...(r.best ? { best: { score: r.best.score, logpContext: r.best.logpContext, logpAlone: r.best.logpAlone } } : {}),
    ...(r.skipped ? { skipped: r.skipped } : {}),
    ...(withProofs ? { proofs: r.candidates.map((c) => ({ proof: c.proof, ...(c.failedRule ? { rule: c.failedRule } : {}), ...(c.scored ? { score: c.scored.score } : {}) })) } : {}),
  };
}

/** Summary statistics of a list of numbers. */
export interface Stats {
  /** How many values. */
  n: number;
  /** Smallest. */
  min: number;
  /** Mean. */
  mean: number;
  /** Median (mean of the middle two for an even count). */
  median: number;
  /** Largest. */
  max: number;
}

/** Statistics of finite values (−∞ scores are counted apart). */
export function stats(xs: readonly number[]): Stats | undefined {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = v.length >> 1;
  return { n: v.length, min: v[0]!, max: v[v.length - 1]!, mean: v.reduce((a, b) => a + b, 0) / v.length, median: v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2 };
}

/** Totals of a synthesis run. */
export interface SynthesisTotals {
  /** Input pairs seen. */
  pairs: number;
  /** Pairs proved (labeled and short enough). */
  proved: number;
  /** Pairs with a kept rationale. */
  kept: number;
  /** Kept labels. */
  keptLabels: { A: number; B: number };
  /** Pairs not proved, by reason (unlabeled, tie, prompt-too-long). */
  skipped: Record<string, number>;
  /** Proved pairs where every candidate failed a rule. */
  allCandidatesDropped: number;
  /** Candidates sampled. */
  candidates: number;
  /** Candidates dropped, by rule. */
  dropped: Record<string, number>;
  /** Tokens generated. */
  tokens: number;
  /** Scores of the kept proofs. */
  bestScore?: Stats;
  /** Scores of every candidate that passed the rules. */
  candidateScore?: Stats;
}

/** Folds log lines into totals. */
export function totalsOf(lines: readonly SynthesisLogLine[]): SynthesisTotals {
  const t: SynthesisTotals = { pairs: 0, proved: 0, kept: 0, keptLabels: { A: 0, B: 0 }, skipped: {}, allCandidatesDropped: 0, candidates: 0, dropped: {}, tokens: 0 };
  const best: number[] = [], all: number[] = [];
  for (const l of lines) {
    t.pairs++;
    if (l.skipped !== undefined) {
      const reason = l.skipped.split(':')[0]!;
      t.skipped[reason] = (t.skipped[reason] ?? 0) + 1;
      continue;
    }
    t.proved++;
    t.candidates += l.candidates;
    t.tokens += l.tokens;
    for (const [k, v] of Object.entries(l.dropped)) t.dropped[k] = (t.dropped[k] ?? 0) + v;
    all.push(...l.scores);
    if (l.kept) {
      t.kept++;
      if (l.label === 'A' || l.label === 'B') t.keptLabels[l.label]++;
      if (l.best) best.push(l.best.score);
    } else if (l.scores.length === 0) t.allCandidatesDropped++;
  }
  const b = stats(best), c = stats(all);
  if (b) t.bestScore = b;
  if (c) t.candidateScore = c;
  return t;
}

const f = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(4));

/** One sentence about the run (the stage summary). */
export function summaryOf(t: SynthesisTotals): string {
  const drops = Object.entries(t.dropped).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const skipped = Object.entries(t.skipped).map(([k, v]) => `${k} ${v}`).join(', ');
  const head = `${t.kept} of ${t.pairs} pairs kept (${t.proved} proved${skipped ? `; skipped: ${skipped}` : ''}); candidates dropped: ${drops}`;
  if (t.proved > 0 && t.kept === 0) return `${head}. No rationale passed the rules: every candidate of every pair was dropped (see the drop counts)`;
  return t.bestScore ? `${head}; kept score median ${f(t.bestScore.median)}` : head;
}

/** The markdown report. */
export function renderSynthesisReport(t: SynthesisTotals, settings: Record<string, unknown>): string {
  const rows = (o: Record<string, number>): string[] => Object.entries(o).sort((a, b) => b[1] - a[1]).map(([k, v]) => `| ${k} | ${v} |`);
  const statRow = (name: string, s: Stats | undefined): string => (s ? `| ${name} | ${s.n} | ${f(s.min)} | ${f(s.median)} | ${f(s.mean)} | ${f(s.max)} |` : `| ${name} | 0 | – | – | – | – |`);
  return [
    '# Rationale synthesis', '', summaryOf(t) + '.', '',
    '| pairs | proved | kept | kept A | kept B | all candidates dropped | candidates | tokens |', '|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${t.pairs} | ${t.proved} | ${t.kept} | ${t.keptLabels.A} | ${t.keptLabels.B} | ${t.allCandidatesDropped} | ${t.candidates} | ${t.tokens} |`, '',
    '## Candidates dropped, by the first rule they failed', '', '| rule | candidates |', '|---|---:|', ...(Object.keys(t.dropped).length ? rows(t.dropped) : ['| (none) | 0 |']), '',
    ...(Object.keys(t.skipped).length ? ['## Pairs not proved', '', '| reason | pairs |', '|---|---:|', ...rows(t.skipped), ''] : []),
    '## Proof scores  −log π(ẑ|s,l) / log π(ẑ)  (higher is better, ≤ 0)', '', '| set | n | min | median | mean | max |', '|---|---:|---:|---:|---:|---:|',
    statRow('kept proofs', t.bestScore), statRow('all candidates that passed the rules', t.candidateScore), '',
    '## Settings', '', '```json', JSON.stringify(settings, null, 2), '```', '',
  ].join('\n');
}

/** What to change when candidates are dropped by `rule`, in words. */
const REMEDY: Record<string, (o: { maxTokens: number; k: number }) => string> = {
  truncated: (o) => `every such candidate hit maxTokens (${o.maxTokens}) before the proof ended: raise \`maxTokens\``,
  empty: () => 'the prover wrote nothing: train the prover longer (train-prover steps) or check its chat template',
  structure: () => 'proofs lack the expected structure: train the prover longer (train-prover steps)',
  label: () => 'proofs conclude the other label: train the prover longer or sample more candidates (`k`)',
  length: () => 'proofs are longer than allowed: raise `rules.maxRationaleBytes`',
  'copies-input': () => 'proofs copy the input: raise `rules.minCopyBytes` or train the prover longer',
  content: () => 'proofs fail the content check: train the prover longer or set `rules.content: none`',
};

/**
 * The message of a synthesis that kept nothing (the next stage would have no examples): why (the drop counts, the
 * main rule explained) and what to change; undefined when something was kept.
 */
export function emptyOutputMessage(t: SynthesisTotals, o: { maxTokens: number; k: number }): string | undefined {
  if (t.kept > 0) return undefined;
  if (t.proved === 0) {
    const skipped = Object.entries(t.skipped).map(([k, v]) => `${k} ${v}`).join(', ');
    return `no pair could be proved (${t.pairs} pairs${skipped ? `; skipped: ${skipped}` : ''}), so the output is empty; give it labeled pairs (label A or B)`;
  }
  const drops = Object.entries(t.dropped).sort((a, b) => b[1] - a[1]);
  const [main] = drops;
  const why = main ? ` ${main[0] === 'truncated' && main[1] === t.candidates ? 'All' : 'Most'} by rule "${main[0]}": ${REMEDY[main[0]]?.(o) ?? 'see the log'}.` : '';
  return `no rationale passed the rules: 0 of ${t.proved} proved pairs kept, so the output is empty and the next stage would have nothing to train on. `
    + `${t.candidates} candidates dropped: ${drops.map(([k, v]) => `${k} ${v}`).join(', ')}.${why} The per-pair log and report say more.`;
}
