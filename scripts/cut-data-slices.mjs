#!/usr/bin/env node
// Cuts the test fixtures in test/fixtures/data/ from the full data folder (dataFolder: GRAMR_DATA, else the default; needs a build):
// stories260K and the GPT-2 tokenizer.json copied whole, and a small slice (tens of records, same file names,
// formats and folder layout) of every benchmark set, each with its SOURCE.md plus a note of what the slice holds.
// Usage (from the repo root): node scripts/cut-data-slices.mjs [OUT] (default test/fixtures/data). Deterministic:
// re-running gives the same bytes (test/test-data.test.ts checks that against the committed fixtures).
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { dataFolder } from '../dist/plugins/data-sources/benchmark-data.js';

const SRC = dataFolder(process.cwd());
const OUT = path.resolve(process.argv[2] ?? 'test/fixtures/data');
const SCRIPT = 'node scripts/cut-data-slices.mjs';

const readJsonl = (file) => {
  const buf = readFileSync(path.join(SRC, file));
  const text = (file.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
};
const writeJsonl = (file, rows) => {
  const text = Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  write(file, file.endsWith('.gz') ? gzipSync(text, { level: 9 }) : text);
};
const readJson = (file) => JSON.parse(readFileSync(path.join(SRC, file), 'utf8'));
const writeJson = (file, rows) => write(file, JSON.stringify(rows, undefined, 2) + '\n');
function write(file, data) {
  mkdirSync(path.dirname(path.join(OUT, file)), { recursive: true });
  writeFileSync(path.join(OUT, file), data);
}

/** Indexes 0..n-1 plus the extra ones, ascending and unique: the slice keeps the source order. */
const firstAnd = (n, extra = []) => [...new Set([...Array.from({ length: n }, (_, i) => i), ...extra])].sort((a, b) => a - b);
const pick = (rows, idx) => idx.map((i) => rows[i]);
const where = (rows, f) => rows.flatMap((r, i) => (f(r) ? [i] : []));

/** The set's SOURCE.md with a closing "Slice" section. */
function source(set, lines) {
  const text = readFileSync(path.join(SRC, set, 'SOURCE.md'), 'utf8').trimEnd();
  write(`${set}/SOURCE.md`, `${text}\n\n## This copy is a slice (test fixture)\n\n${lines.map((l) => `- ${l}`).join('\n')}\n` +
    `- Cut by \`${SCRIPT}\` (from the repo root, reading \`GRAMR_DATA\`, default: the data plugin's \`DEFAULT_DATA_FOLDER\`). Records keep their` +
    ' source order and bytes of content; files are re-serialized, so the sha256 values above are those of the full files.\n');
}

function whole(set, files) {
  for (const f of files) { mkdirSync(path.join(OUT, set), { recursive: true }); copyFileSync(path.join(SRC, set, f), path.join(OUT, set, f)); }
  const text = readFileSync(path.join(SRC, set, 'SOURCE.md'), 'utf8').trimEnd();
  write(`${set}/SOURCE.md`, `${text}\n\n## This copy (test fixture)\n\n- The whole files, byte for byte (copied by \`${SCRIPT}\`).\n`);
}

rmSync(OUT, { recursive: true, force: true });
whole('stories260K', ['stories260K.bin', 'tok512.bin']);
whole('gpt2-tokenizer', ['tokenizer.json']);

// RM-Bench: the first 6 prompts of each domain file.
const RMB = ['chat', 'code', 'safety-refuse', 'safety-response'];
for (const d of RMB) writeJson(`rm-bench/${d}_filtered.json`, readJson(`rm-bench/${d}_filtered.json`).slice(0, 6));
source('rm-bench', ['Each of the 4 `<domain>_filtered.json` files holds its first 6 prompts (24 prompts, 216 pairs).']);

// JudgeBench: per response-model file, the first 3 pairs of each category (knowledge, reasoning, math, coding).
const category = (s) => (s.startsWith('mmlu-pro') ? 'knowledge' : s);
const jbCounts = [];
for (const model of ['gpt-4o-2024-05-13', 'claude-3-5-sonnet-20240620']) {
  const file = `judgebench/dataset=judgebench,response_model=${model}.jsonl`;
  const rows = readJsonl(file);
  const seen = new Map();
  const idx = where(rows, (r) => { const c = category(r.source); seen.set(c, (seen.get(c) ?? 0) + 1); return seen.get(c) <= 3; });
  writeJsonl(file, pick(rows, idx));
  jbCounts.push(`${model}: ${idx.length} pairs`);
}
source('judgebench', [`Each file holds the first 3 pairs of each of the 4 categories, in file order (${jbCounts.join('; ')}).`]);

// LLMBar: the first 8 pairs of each of the 8 subset files.
const LLMBAR = ['LLMBar/Natural', 'LLMBar/Adversarial/Neighbor', 'LLMBar/Adversarial/GPTInst', 'LLMBar/Adversarial/GPTOut',
  'LLMBar/Adversarial/Manual', 'Processed/MT-Bench', 'Processed/FairEval', 'Processed/LLMEval^2'];
for (const s of LLMBAR) writeJson(`llmbar/Dataset/${s}/dataset.json`, readJson(`llmbar/Dataset/${s}/dataset.json`).slice(0, 8));
source('llmbar', ['Each of the 8 `dataset.json` files holds its first 8 pairs (64 pairs).']);

// HH: the first 25 dialogues, every pair that differs before its last assistant turn, every empty response.
const hh = readJsonl('hh-rlhf/harmless-base/test.jsonl.gz');
const cutAtLast = (d) => d.slice(0, d.lastIndexOf('\n\nAssistant:'));
const endsEmpty = (d) => /\n\nAssistant:\s*$/.test(d);
const early = where(hh, (r) => cutAtLast(r.chosen) !== cutAtLast(r.rejected));
const empty = where(hh, (r) => endsEmpty(r.chosen) || endsEmpty(r.rejected));
const hhIdx = firstAnd(25, [...early, ...empty]);
writeJsonl('hh-rlhf/harmless-base/test.jsonl.gz', pick(hh, hhIdx));
source('hh-rlhf', [`\`test.jsonl.gz\` holds ${hhIdx.length} dialogue pairs: the first 25, the ${early.length} pairs whose dialogues differ`
  + ` before the last assistant turn and the ${empty.length} with an empty response (0-based lines ${hhIdx.join(', ')}).`]);

// PandaLM: the first 30 records, the 6 whose responses are JSON booleans and the first 5 majority ties.
const panda = readJson('pandalm/testset-v1.json');
const votes = (r) => [r.annotator1, r.annotator2, r.annotator3].map(Number);
const coerced = where(panda, (r) => typeof r.response1 !== 'string' || typeof r.response2 !== 'string');
const ties = where(panda, (r) => votes(r).filter((v) => v === 0).length >= 2).slice(0, 5);
const pandaIdx = firstAnd(30, [...coerced, ...ties]);
writeJson('pandalm/testset-v1.json', pick(panda, pandaIdx));
const idxOf = (is) => is.map((i) => panda[i].idx).join(', ');
source('pandalm', [`\`testset-v1.json\` holds ${pandaIdx.length} records: the first 30, the ${coerced.length} whose responses are JSON`
  + ` booleans (idx ${idxOf(coerced)}) and the first 5 majority ties (idx ${idxOf(ties)}).`]);

// GSM8K: the first 20 problems and the first one whose final answer has a thousands comma.
const gsm = readJsonl('gsm8k/test.jsonl');
const comma = gsm.findIndex((r) => /#### \d{1,3},\d{3}/.test(r.answer));
const gsmIdx = firstAnd(20, [comma]);
writeJsonl('gsm8k/test.jsonl', pick(gsm, gsmIdx));
source('gsm8k', [`\`test.jsonl\` holds ${gsmIdx.length} problems: the first 20 and line ${comma} (0-based; its answer has a thousands comma).`]);

// MATH-500: the first 20 problems.
writeJsonl('math500/test.jsonl', readJsonl('math500/test.jsonl').slice(0, 20));
source('math500', ['`test.jsonl` holds the first 20 problems.']);

// Qwen2.5-Math candidates: the first 4 problems and the first 4 that mix correct and wrong responses.
const qwen = readJsonl('qwen25-math-rm-maj/math_cot_100.jsonl');
const mixed = where(qwen, (r) => r.score.some(Boolean) && !r.score.every(Boolean)).slice(0, 4);
const qwenIdx = firstAnd(4, mixed);
writeJsonl('qwen25-math-rm-maj/math_cot_100.jsonl', pick(qwen, qwenIdx));
source('qwen25-math-rm-maj', [`\`math_cot_100.jsonl\` holds ${qwenIdx.length} problems: the first 4 and the first 4 that mix correct and`
  + ` wrong responses (0-based lines ${qwenIdx.join(', ')}).`]);

console.log(`wrote ${OUT}`);
