// The preference-benchmark loaders on real data: the shipped slices (test/fixtures/data) always, the whole sets
// (GRAMR_DATA) when present. Counts checked against the raw files read here without the loaders (and against the
// numbers in each SOURCE.md), label balance, the RM-Bench 3x3 grid, JudgeBench categories, LLMBar subsets, HH
// prompts/responses and PandaLM majority votes with ties.
import 'reflect-metadata';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { PreferencePair } from '../../core/data/records.js';
import { HhRlhfSource } from '../../plugins/data-sources/hh-rlhf-source.js';
import { JudgeBenchSource } from '../../plugins/data-sources/judgebench-source.js';
import { LLMBAR_SUBSETS, LlmBarSource } from '../../plugins/data-sources/llmbar-source.js';
import { PandaLmSource } from '../../plugins/data-sources/pandalm-source.js';
import { RmBenchSource } from '../../plugins/data-sources/rm-bench-source.js';
import { sliceAndWholeTests } from '../test-data.js';
import { collect, countBy, looksBalanced, rawJsonArray, rawJsonl } from './helpers.js';

const preferred = (p: PreferencePair): string => (p.label === 'A' ? p.a : p.b);
const other = (p: PreferencePair): string => (p.label === 'A' ? p.b : p.a);
const countA = (ps: PreferencePair[]): number => ps.filter((p) => p.label === 'A').length;

sliceAndWholeTests('rm-bench: 9 pairs per prompt over the 3x3 style grid, present domains only, balanced labels', async (t, root, scope) => {
  const dir = path.join(root, 'rm-bench');
  const n = { slice: { chat: 6, code: 6, refuse: 6, respond: 6 }, whole: { chat: 129, code: 228, refuse: 284, respond: 157 } }[scope];
  const files = readdirSync(dir).filter((f) => f.endsWith('_filtered.json')).sort();
  t.deepEqual(files, ['chat_filtered.json', 'code_filtered.json', 'safety-refuse_filtered.json', 'safety-response_filtered.json']);
  const raw = new Map(files.map((f) => [f.replace('_filtered.json', ''), rawJsonArray(path.join(dir, f))]));
  const { records, stats } = await collect(new RmBenchSource(), { path: dir });
  const prompts = [...raw.values()].reduce((k, a) => k + a.length, 0);
  t.is(prompts, n.chat + n.code + n.refuse + n.respond);
  t.is(records.length, 9 * prompts);
  t.is(stats.read, records.length);
  t.deepEqual(Object.keys(countBy(records, (r) => String(r.meta!.domain))).sort(), [...raw.keys()].sort());
  t.deepEqual(countBy(records, (r) => String(r.meta!.category)), { chat: n.chat * 9, code: n.code * 9, safety: (n.refuse + n.respond) * 9 });

  const byPrompt = new Map<string, PreferencePair[]>();
  for (const r of records) {
    const key = `${r.meta!.domain}:${r.meta!.promptId}`;
    byPrompt.set(key, [...(byPrompt.get(key) ?? []), r]);
  }
  t.is(byPrompt.size, prompts);
  const styles = ['concise', 'detailed', 'markdown'];
  for (const [domain, items] of raw) {
    for (const item of items) {
      const cells = byPrompt.get(`${domain}:${item.id}`)!;
      t.is(cells.length, 9);
      const grid = cells.map((c) => `${c.meta!.chosenStyle}/${c.meta!.rejectedStyle}`).sort();
      t.deepEqual(grid, styles.flatMap((c) => styles.map((r) => `${c}/${r}`)).sort());
      t.deepEqual(countBy(cells, (c) => String(c.meta!.difficulty)), { hard: 3, normal: 3, easy: 3 });
      for (const c of cells) {
        const i = c.meta!.chosenIndex as number;
        const j = c.meta!.rejectedIndex as number;
        if (preferred(c) !== (item.chosen as string[])[i] || other(c) !== (item.rejected as string[])[j] || c.prompt !== item.prompt ||
            c.meta!.subset !== item.subset || c.meta!.chosenStyle !== styles[i]) {
          t.fail(`pair ${c.id} does not match the raw record`);
        }
        if ((j > i) !== (c.meta!.difficulty === 'hard')) t.fail(`difficulty of ${c.id}`);
      }
    }
  }
  t.true(looksBalanced(countA(records), records.length), `${countA(records)} A of ${records.length}`);

  const code = await collect(new RmBenchSource(), { path: dir, domains: ['code'], order: 'chosen-first' });
  t.is(code.records.length, n.code * 9);
  t.is(countA(code.records), code.records.length);
  t.is(code.records[0]!.meta!.language, (raw.get('code')![0]!.language as string));
});

sliceAndWholeTests('judgebench: both response-model files, category counts, source order and hashed order', async (t, root, scope) => {
  const dir = path.join(root, 'judgebench');
  const n = { slice: { gpt: { knowledge: 3, reasoning: 3, math: 3, coding: 3 }, claude: 12 },
    whole: { gpt: { knowledge: 154, reasoning: 98, math: 56, coding: 42 }, claude: 270 } }[scope];
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
  const raw = files.flatMap((f) => rawJsonl(path.join(dir, f)));
  const { records } = await collect(new JudgeBenchSource(), { path: dir });
  t.is(records.length, raw.length);
  t.is(records.length, n.claude + Object.values(n.gpt).reduce((a, b) => a + b));
  const cat = (s: string): string => (s.startsWith('mmlu-pro') ? 'knowledge' : ({ 'livebench-reasoning': 'reasoning', 'livebench-math': 'math', livecodebench: 'coding' } as Record<string, string>)[s]!);
  t.deepEqual(countBy(records, (r) => String(r.meta!.category)), countBy(raw, (r) => cat(r.source as string)));
  const gpt = records.filter((r) => r.meta!.responseModel === 'gpt-4o-2024-05-13');
  t.deepEqual(countBy(gpt, (r) => String(r.meta!.category)), n.gpt);
  // Default order is the set's own: labels equal the raw ones.
  t.deepEqual(countBy(records, (r) => r.label!), countBy(raw, (r) => (r.label === 'A>B' ? 'A' : 'B')));
  t.deepEqual(records.map((r) => r.a), raw.map((r) => r.response_A));

  const hashed = await collect(new JudgeBenchSource(), { path: dir, order: 'hashed' });
  t.true(looksBalanced(countA(hashed.records), hashed.records.length));
  hashed.records.forEach((r, i) => {
    const rawBest = raw[i]!.label === 'A>B' ? raw[i]!.response_A : raw[i]!.response_B;
    if (preferred(r) !== rawBest) t.fail(`hashed pair ${r.id} lost its preferred response`);
  });
  const claude = await collect(new JudgeBenchSource(), { path: dir, responseModels: ['claude-3-5-sonnet-20240620'] });
  t.is(claude.records.length, n.claude);
});

sliceAndWholeTests('llmbar: every subset with its raw count and labels; the LLMBar alias gives the LLMBar pairs', async (t, root, scope) => {
  const dir = path.join(root, 'llmbar');
  const n = { slice: { total: 64, llmbar: 40, adv: { GPTInst: 8, GPTOut: 8, Manual: 8, Neighbor: 8 } },
    whole: { total: 885, llmbar: 419, adv: { GPTInst: 92, GPTOut: 47, Manual: 46, Neighbor: 134 } } }[scope];
  const { records } = await collect(new LlmBarSource(), { path: dir });
  let total = 0;
  for (const [subset, info] of Object.entries(LLMBAR_SUBSETS)) {
    const raw = rawJsonArray(path.join(dir, 'Dataset', info.file));
    const mine = records.filter((r) => r.meta!.subset === subset);
    t.is(mine.length, raw.length, subset);
    t.deepEqual(mine.map((r) => r.label), raw.map((r) => (r.label === 1 ? 'A' : 'B')), subset);
    t.true(mine.every((r) => r.meta!.group === info.group));
    total += raw.length;
  }
  t.is(records.length, total);
  t.is(total, n.total);
  const llmbar = await collect(new LlmBarSource(), { path: dir, subsets: ['LLMBar'] });
  t.is(llmbar.records.length, n.llmbar);
  const adv = await collect(new LlmBarSource(), { path: path.join(dir, 'Dataset'), subsets: ['Adversarial', 'Manual'] });
  t.deepEqual(countBy(adv.records, (r) => String(r.meta!.subset)), n.adv);
});

sliceAndWholeTests('hh-rlhf: every pair of the gzip file, shared prefix as prompt, last assistant turn as response', async (t, root, scope) => {
  const dir = path.join(root, 'hh-rlhf');
  const raw = rawJsonl(path.join(dir, 'harmless-base/test.jsonl.gz'));
  const { records } = await collect(new HhRlhfSource(), { path: dir });
  t.is(records.length, raw.length);
  t.is(records.length, { slice: 34, whole: 2312 }[scope]);
  t.true(looksBalanced(countA(records), records.length), `${countA(records)} A of ${records.length}`);
  records.forEach((r, i) => {
    const c = raw[i]!.chosen as string;
    const j = raw[i]!.rejected as string;
    const turns = r.meta!.messages as Array<{ role: string; content: string }>;
    if (!c.trimEnd().endsWith(preferred(r)) || !j.trimEnd().endsWith(other(r))) t.fail(`${r.id}: responses are not the dialogue ends`);
    if (turns.at(-1)!.role !== 'user' || !c.startsWith(`\n\nHuman: ${turns[0]!.content}`)) t.fail(`${r.id}: prompt turns`);
  });
  // Pairs whose dialogues differ before the last "\n\nAssistant:" keep the rest of each dialogue as the response
  // (the slice holds all 5 of them and all 4 empty responses).
  const cutAtLast = (d: string): string => d.slice(0, d.lastIndexOf('\n\nAssistant:'));
  const early = raw.filter((r) => cutAtLast(r.chosen as string) !== cutAtLast(r.rejected as string)).length;
  t.is(early, 5);
  t.is(records.filter((r) => /\n\n(Human|Assistant):/.test(`${r.a}|${r.b}`)).length, early);
  t.is(records.filter((r) => r.a === '' || r.b === '').length, 4);
  const first = records[0]!;
  t.true(first.prompt.startsWith('Human: what are some pranks with a pen i can do?\n\nAssistant: Are you looking for practical joke ideas?'));
  const limited = await collect(new HhRlhfSource(), { path: dir, limit: 5 });
  t.deepEqual(limited.records, records.slice(0, 5));
});

sliceAndWholeTests('pandalm: majority labels with ties, votes in meta, tie drop, hashed order', async (t, root, scope) => {
  const file = path.join(root, 'pandalm/testset-v1.json');
  const n = { slice: { B: 18, A: 18, tie: 5 }, whole: { B: 472, A: 422, tie: 105 } }[scope];
  const raw = rawJsonArray(file);
  const { records } = await collect(new PandaLmSource(), { path: file });
  t.is(records.length, raw.length);
  t.deepEqual(countBy(records, (r) => r.label!), n);
  const rawMajority = raw.map((r) => {
    const v = [r.annotator1, r.annotator2, r.annotator3].map(Number);
    const best = [0, 1, 2].find((x) => v.filter((y) => y === x).length >= 2);
    return best === 1 ? 'A' : best === 2 ? 'B' : 'tie';
  });
  t.deepEqual(records.map((r) => r.label), rawMajority);
  const s = raw.findIndex((r) => new Set([r.annotator1, r.annotator2, r.annotator3].map(Number)).size > 1);
  const split = records.find((r) => r.id === `pandalm:${raw[s]!.idx}`)!;
  const votes = [raw[s]!.annotator1, raw[s]!.annotator2, raw[s]!.annotator3].map((v) => ['tie', 'A', 'B'][Number(v)]!);
  t.deepEqual(split.meta!.votes, votes);
  t.deepEqual(split.meta!.voteCounts, { A: votes.filter((v) => v === 'A').length, B: votes.filter((v) => v === 'B').length, tie: votes.filter((v) => v === 'tie').length });
  t.is(records.filter((r) => r.meta!.coerced !== undefined).length, 6);
  t.is(records.find((r) => r.id === 'pandalm:157')!.a, 'true');

  const dropped = await collect(new PandaLmSource(), { path: file, ties: 'drop' });
  t.is(dropped.records.length, n.A + n.B);
  t.is(dropped.stats.skipped, 0);

  const hashed = await collect(new PandaLmSource(), { path: file, order: 'hashed' });
  t.is(hashed.records.filter((r) => r.label === 'tie').length, n.tie);
  const decided = hashed.records.filter((r) => r.label !== 'tie');
  t.true(looksBalanced(countA(decided), decided.length));
  for (const r of hashed.records) {
    const votes = r.meta!.votes as string[];
    if (r.label !== 'tie' && votes.filter((v) => v === r.label).length < 2) t.fail(`${r.id}: votes do not follow the swap`);
  }
});
