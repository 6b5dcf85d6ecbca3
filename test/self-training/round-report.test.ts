// The self-training report's threshold table: gold accuracy of the voted labels above and below the threshold, and
// of the confident ones the prover's rules kept vs dropped, counted by hand from a small list of decisions.
import test from 'ava';
import type { Label } from '../../core/data/records.js';
import type { PseudoLabel, RoundReport } from '../../core/recipe/self-training-strategy.js';
import { addGoldAccuracy, labelAccuracyBy, renderSelfTrainReport } from '../../plugins/self-training/round-report.js';

const v = { A: 0, B: 0, none: 0 };
const LABELS: PseudoLabel[] = [
  { id: 'p1', label: 'A', votes: v, kept: true },
  { id: 'p2', label: 'B', votes: v, kept: true },
  { id: 'p3', label: 'A', votes: v, kept: false, dropped: 'rules:content' },
  { id: 'p4', label: 'B', votes: v, kept: false, dropped: 'rules:content' },
  { id: 'p5', label: 'A', votes: v, kept: false, dropped: 'below-threshold' },
  { id: 'p6', label: 'A', votes: v, kept: false, dropped: 'below-threshold' },
  { id: 'p7', label: 'B', votes: v, kept: false, dropped: 'below-threshold' },
  { id: 'p8', votes: v, kept: false, dropped: 'no-answer:no-answer-tag' },
];
// Gold: p1 A (right), p2 A (wrong), p3 B (wrong), p4 A (wrong), p5 A (right), p6 B (wrong), p7 A (wrong), p8 A.
const GOLD = new Map<string, Label>([['p1', 'A'], ['p2', 'A'], ['p3', 'B'], ['p4', 'A'], ['p5', 'A'], ['p6', 'B'], ['p7', 'A'], ['p8', 'A']]);

test('labels are counted above / below the threshold and kept / dropped by the rules, with their gold accuracy', (t) => {
  const by = labelAccuracyBy(LABELS, GOLD);
  t.deepEqual(by.confident, { pairs: 4, accuracy: 1 / 4 });
  t.deepEqual(by.kept, { pairs: 2, accuracy: 1 / 2 });
  t.deepEqual(by.ruleDropped, { pairs: 2, accuracy: 0 });
  t.deepEqual(by.belowThreshold, { pairs: 3, accuracy: 1 / 3 });
  t.deepEqual(labelAccuracyBy(LABELS, new Map()).kept, { pairs: 0 });
});

test('the report renders the threshold table from the round reports', (t) => {
  const report = { round: 1, offered: 8, labeled: 7, confident: 4, kept: 2, keptFraction: 0.25, keptLabels: { A: 1, B: 1 }, dropped: {}, candidateDrops: {}, trainExamples: 0, retrained: false, startedFrom: 'unchanged', steps: 0, notes: [] } as RoundReport;
  addGoldAccuracy(report, LABELS, GOLD);
  t.is(report.pseudoLabelAccuracy, 0.5);
  const md = renderSelfTrainReport([report], { strategy: 'gram-r2', settings: {}, datasets: ['u1'] });
  t.true(md.includes('| 1 | 4 (25.0%) | 3 (33.3%) | 2 (50.0%) | 2 (0.0%) |'), md);
});
