// The self-train report: gold accuracies of pseudo-labels (from labels the strategy never saw), the per-round table
// as markdown, and the flat metrics of the stage result. Pure functions over RoundReports.
import type { Label } from '../../core/data/records.js';
import type { PseudoLabel, RoundReport } from '../../core/recipe/self-training-strategy.js';

/** Fills `pseudoLabelAccuracy`, `votedLabelAccuracy` and `goldPairs` of `report` from hidden gold labels by pair id. */
export function addGoldAccuracy(report: RoundReport, labels: readonly PseudoLabel[], gold: ReadonlyMap<string, Label>): void {
  let kept = 0, keptRight = 0, voted = 0, votedRight = 0, withGold = 0;
  for (const l of labels) {
    const g = gold.get(l.id);
    if (g === undefined) continue;
    withGold++;
    if (l.label === undefined) continue;
    voted++;
    if (l.label === g) votedRight++;
    if (l.kept) { kept++; if (l.label === g) keptRight++; }
  }
  report.goldPairs = withGold;
  report.labelAccuracyBy = labelAccuracyBy(labels, gold);
  if (kept > 0) report.pseudoLabelAccuracy = keptRight / kept;
  if (voted > 0) report.votedLabelAccuracy = votedRight / voted;
}

type Bucket = 'confident' | 'belowThreshold' | 'ruleDropped' | 'kept';

/** Where a voted label stopped: under the threshold, dropped by the prover's rules, or kept (confident covers both). */
function bucketsOf(l: PseudoLabel): Bucket[] {
  if (l.label === undefined || l.dropped === 'no-confidence') return [];
  if (l.dropped === 'below-threshold') return ['belowThreshold'];
  if (l.kept) return ['confident', 'kept'];
  return l.dropped?.startsWith('rules:') ? ['confident', 'ruleDropped'] : ['confident'];
}

/** Gold accuracy of the voted labels above and below the threshold, and kept vs dropped by the rules. */
export function labelAccuracyBy(labels: readonly PseudoLabel[], gold: ReadonlyMap<string, Label>): NonNullable<RoundReport['labelAccuracyBy']> {
  const n = { confident: [0, 0], belowThreshold: [0, 0], ruleDropped: [0, 0], kept: [0, 0] };
  for (const l of labels) {
    const g = gold.get(l.id);
    if (g === undefined) continue;
    for (const b of bucketsOf(l)) { n[b][0]!++; if (l.label === g) n[b][1]!++; }
  }
  const out = {} as NonNullable<RoundReport['labelAccuracyBy']>;
  for (const [b, [pairs, right]] of Object.entries(n) as Array<[Bucket, number[]]>) out[b] = pairs ? { pairs: pairs!, accuracy: right! / pairs! } : { pairs: 0 };
  return out;
}

const pct = (x: number | undefined): string => (x === undefined ? '–' : `${(100 * x).toFixed(1)}%`);
const table = (t: Record<string, number>): string => Object.entries(t).sort(([, a], [, b]) => b - a).map(([k, v]) => `${k} ${v}`).join(', ') || '–';

/** The report as markdown: settings line, one row per round, then drops and notes by round. */
export function renderSelfTrainReport(rounds: readonly RoundReport[], extra: { initialEvalAccuracy?: number; strategy: string; settings: Record<string, unknown>; datasets: string[] }): string {
  const lines = [
    '# Self-training', '',
    `Strategy \`${extra.strategy}\`; settings: ${Object.entries(extra.settings).map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ')}.`, '',
    ...(extra.initialEvalAccuracy !== undefined ? [`Initial GRM eval accuracy: ${pct(extra.initialEvalAccuracy)}.`, ''] : []),
    '| round | data | offered | labeled | confident | kept | kept % | labels A/B | pseudo-label acc | voted acc | retrained | from | train examples | steps | loss | eval acc |',
    '|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---|---|---:|---:|---:|---:|',
    ...rounds.map((r, i) => `| ${r.round} | ${extra.datasets[i] ?? ''} | ${r.offered} | ${r.labeled} | ${r.confident} | ${r.kept} | ${pct(r.keptFraction)} | ${r.keptLabels.A}/${r.keptLabels.B} | `
      + `${pct(r.pseudoLabelAccuracy)} | ${pct(r.votedLabelAccuracy)} | ${r.retrained ? 'yes' : '**no**'} | ${r.startedFrom} | ${r.trainExamples} | ${r.steps} | `
      + `${r.finalLoss === undefined ? '–' : r.finalLoss.toFixed(4)} | ${pct(r.evalAccuracy)} |`),
    '',
    'Accuracies against gold labels are computed from `meta.goldLabel` (hidden from the strategy); "pseudo-label acc" is over kept pairs, "voted acc" over every voted label.',
    '',
    ...thresholdTable(rounds),
  ];
  for (const r of rounds) {
    lines.push(`## Round ${r.round}`, '', `- dropped pairs, by reason: ${table(r.dropped)}`, `- prover candidates dropped, by rule: ${table(r.candidateDrops)}`);
    for (const n of r.notes) lines.push(`- ${n}`);
    lines.push('');
  }
  return lines.join('\n');
}

const cell = (c: { pairs: number; accuracy?: number } | undefined): string => (c === undefined ? '–' : `${c.pairs} (${pct(c.accuracy)})`);

/** What the threshold and the rules let through: pairs and gold accuracy of the labels on each side. */
function thresholdTable(rounds: readonly RoundReport[]): string[] {
  if (!rounds.some((r) => r.labelAccuracyBy !== undefined)) return [];
  return [
    '| round | at/above threshold | below threshold (dropped) | confident, kept by the rules | confident, dropped by the rules |',
    '|---:|---:|---:|---:|---:|',
    ...rounds.map((r) => { const a = r.labelAccuracyBy; return `| ${r.round} | ${cell(a?.confident)} | ${cell(a?.belowThreshold)} | ${cell(a?.kept)} | ${cell(a?.ruleDropped)} |`; }),
    '',
    'Each cell: pairs (gold accuracy of their voted labels). A threshold that means something keeps the more accurate side; rules that mean something drop the less accurate proofs.',
    '',
  ];
}

/** Flat metrics of the stage: totals, the last round's numbers, and `round<N>.<name>` per round. */
export function selfTrainMetrics(rounds: readonly RoundReport[], initialEvalAccuracy: number | undefined): Record<string, number> {
  const m: Record<string, number> = { rounds: rounds.length, kept: rounds.reduce((s, r) => s + r.kept, 0), retrainedRounds: rounds.filter((r) => r.retrained).length };
  if (initialEvalAccuracy !== undefined) m.initialEvalAccuracy = initialEvalAccuracy;
  const last = rounds[rounds.length - 1];
  if (last?.evalAccuracy !== undefined) m.evalAccuracy = last.evalAccuracy;
  for (const r of rounds) {
    const p = `round${r.round}.`;
    Object.assign(m, { [`${p}offered`]: r.offered, [`${p}kept`]: r.kept, [`${p}keptFraction`]: r.keptFraction, [`${p}retrained`]: r.retrained ? 1 : 0, [`${p}trainExamples`]: r.trainExamples });
    if (r.pseudoLabelAccuracy !== undefined) m[`${p}pseudoLabelAccuracy`] = r.pseudoLabelAccuracy;
    if (r.evalAccuracy !== undefined) m[`${p}evalAccuracy`] = r.evalAccuracy;
    for (const [b, c] of Object.entries(r.labelAccuracyBy ?? {})) {
      m[`${p}${b}Pairs`] = c.pairs;
      if (c.accuracy !== undefined) m[`${p}${b}Accuracy`] = c.accuracy;
    }
  }
  return m;
}
