// Plain-text rendering of a page of judgments for `gramr judgments`: per record pair its gold label, domain and
// flags, then each order's label (record terms and as shown), probability, failure reason and every model call's
// raw generation (and, with `prompts`, the rendered prompt).
import type { JudgmentPage, ReadOrder, ReadPair } from './judgment-reader.js';

const pct = (x: number | undefined): string => (x === undefined ? '–' : `${(100 * x).toFixed(1)}%`);

function indent(text: string, by: string): string {
  return text.split('\n').map((l) => by + l).join('\n');
}

function orderLines(o: ReadOrder, showPrompts: boolean): string[] {
  const verdict = o.label === undefined ? `no answer (${o.noAnswer ?? 'unknown'})` : `label ${o.label} (shown ${o.shownLabel})`;
  const mark = o.correct === undefined ? '' : o.correct ? ', correct' : ', wrong';
  const lines = [`  ${o.order}: ${verdict}, p ${pct(o.confidence)}${mark}`];
  for (const c of o.calls) {
    const probs = c.probs ? `P(A) ${c.probs.A.toFixed(3)} P(B) ${c.probs.B.toFixed(3)}` : 'no label probabilities';
    const rewards = c.rewards ? `, rewards ${c.rewards.map((r) => r.toFixed(3)).join(' vs ')}` : '';
    const failure = c.noAnswer ? `, no answer: ${c.noAnswer}` : '';
    lines.push(`    sample ${c.sample}${c.seed !== undefined ? ` (seed ${c.seed})` : ''}: ${c.label ?? '–'}; ${probs}${rewards}${failure}${c.truncated ? ', truncated' : ''}`);
    lines.push(`    prompt ${c.promptHash}${c.prompt !== undefined ? ` (${c.prompt.length} chars)` : ' (text not stored)'}`);
    if (showPrompts && c.prompt !== undefined) lines.push(indent(c.prompt, '      | '));
    lines.push(c.raw === '' ? '    (no generation: label read from logits / reward head)' : `    generation:\n${indent(c.raw, '      > ')}`);
  }
  return lines;
}

/** One pair as text. */
export function formatPair(p: ReadPair, showPrompts: boolean): string {
  const flags = [p.wrong && 'wrong', p.flipped && 'flipped', p.noAnswer && 'no answer'].filter(Boolean).join(', ');
  const head = `pair ${p.id ?? p.key}${p.domain ? ` [${p.domain}]` : ''}${p.gold ? `, gold ${p.gold}` : ', no gold label'}${flags ? ` — ${flags}` : ''}`;
  return [head, ...p.orders.flatMap((o) => orderLines(o, showPrompts))].join('\n');
}

/** A page as text, with a line saying what it shows out of how many. */
export function formatPage(page: JudgmentPage, stage: string, showPrompts: boolean): string {
  const shown = page.pairs.length === 0 ? 'none' : `${page.offset + 1}–${page.offset + page.pairs.length}`;
  return [`${stage}: ${page.total} matching pair(s), showing ${shown}`, '', ...page.pairs.map((p) => `${formatPair(p, showPrompts)}\n`)].join('\n');
}
