// Datasets from the Hub: the Hub's forms of the benchmarks read by the loaders (GSM8K as Parquet through
// hyparquet, JudgeBench's split files, RM-Bench's total_dataset.json), `hf://` model and dataset paths in a pipeline
// fetched from the mock Hub, and the order benchmark data is looked for (GRAMR_DATA, then the Hub cache).
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { loadAppPipeline } from '../../cli/app.js';
import { JudgeBenchSource, Gsm8kSource, RmBenchSource } from '../../plugins/data-sources/index.js';
import { pullBenchmark, resolveBenchmarkPath } from '../../plugins/data-sources/benchmark-data.js';
import { collect } from '../data-sources/helpers.js';
import { MockHub } from './mock-hub.js';
import { tinyModelFiles } from './tiny-hub-model.js';

const temp = (): string => mkdtempSync(join(tmpdir(), 'gramr-hub-data-'));

const GSM = [
  { question: 'Tom has 3 apples and buys 4. How many?', answer: 'He has 3 + 4 = <<3+4=7>>7.\n#### 7' },
  { question: 'A box holds 1,200 pens; 200 are sold. How many remain?', answer: '1200 - 200 = <<1200-200=1000>>1000\n#### 1,000' },
  { question: 'Half of 10?', answer: '10 / 2 = <<10/2=5>>5\n#### 5' },
];

test('GSM8K in the Hub\'s Parquet form (hyparquet) gives the same problems as its JSON Lines form', async (t) => {
  const dir = temp();
  writeFileSync(join(dir, 'test.jsonl'), GSM.map((r) => JSON.stringify(r)).join('\n') + '\n');
  mkdirSync(join(dir, 'main'));
  parquetWriteFile({ filename: join(dir, 'main', 'test-00000-of-00001.parquet'), columnData: [
    { name: 'question', data: GSM.map((r) => r.question), type: 'STRING' },
    { name: 'answer', data: GSM.map((r) => r.answer), type: 'STRING' },
    { name: 'row', data: GSM.map((_, i) => BigInt(i)), type: 'INT64' },
  ] });
  const jsonl = await collect(new Gsm8kSource(), { path: join(dir, 'test.jsonl') });
  const parquet = await collect(new Gsm8kSource(), { path: join(dir, 'main', 'test-00000-of-00001.parquet') });
  t.deepEqual(parquet.records, jsonl.records);
  t.deepEqual(parquet.records.map((r) => [r.id, r.answer]), [['gsm8k:test:1', '7'], ['gsm8k:test:2', '1000'], ['gsm8k:test:3', '5']]);
});

test('JudgeBench\'s Hub files (data/gpt-… and data/claude-…) name their response models', async (t) => {
  const dir = temp();
  const rec = (id: string, model: string, label: string): string => JSON.stringify({ pair_id: id, original_id: `o${id}`, source: 'livebench-math',
    question: `q${id}`, response_model: model, response_A: 'a', response_B: 'b', label });
  writeFileSync(join(dir, 'gpt-00000-of-00001.jsonl'), `${rec('1', 'gpt-4o-2024-05-13', 'A>B')}\n${rec('2', 'gpt-4o-2024-05-13', 'B>A')}\n`);
  writeFileSync(join(dir, 'claude-00000-of-00001.jsonl'), `${rec('3', 'claude-3-5-sonnet-20240620', 'A>B')}\n`);
  writeFileSync(join(dir, 'README.md'), 'not data');
  const all = await collect(new JudgeBenchSource(), { path: dir });
  t.deepEqual(all.records.map((r) => [r.meta?.responseModel, r.meta?.originalId]), [['claude-3-5-sonnet-20240620', 'o3'], ['gpt-4o-2024-05-13', 'o1'], ['gpt-4o-2024-05-13', 'o2']]);
  const gpt = await collect(new JudgeBenchSource(), { path: dir, responseModels: ['gpt-4o-2024-05-13'] });
  t.is(gpt.records.length, 2);
});

test('RM-Bench\'s total_dataset.json: domains from the records, the domains option filters', async (t) => {
  const dir = temp();
  const row = (id: number, domain: string): unknown => ({ id, domain, prompt: `p${id}`, chosen: ['c1', 'c2', 'c3'], rejected: ['r1', 'r2', 'r3'] });
  writeFileSync(join(dir, 'total_dataset.json'), JSON.stringify([row(1, 'chat'), row(2, 'math'), row(3, 'code')]));
  const all = await collect(new RmBenchSource(), { path: dir });
  t.is(all.records.length, 27);
  t.deepEqual([...new Set(all.records.map((r) => r.meta?.domain))], ['chat', 'math', 'code']);
  const code = await collect(new RmBenchSource(), { path: join(dir, 'total_dataset.json'), domains: ['code'] });
  t.deepEqual(code.records.map((r) => r.id).slice(0, 2), ['rm-bench:code:3:c0r0', 'rm-bench:code:3:c0r1']);
  t.is(code.records.length, 9);
  writeFileSync(join(dir, 'total_dataset.json'), JSON.stringify([row(4, 'poetry')]));
  const bad = await t.throwsAsync(collect(new RmBenchSource(), { path: dir }));
  t.regex(bad!.message, /domain/);
});

test('benchmark data: GRAMR_DATA first, else the pulled Hub copy, else an error naming `gramr data pull`', async (t) => {
  const data = temp();
  mkdirSync(join(data, 'rm-bench'));
  const cache = temp();
  t.is(await resolveBenchmarkPath('rm-bench', '/nowhere', { GRAMR_DATA: data, HF_HUB_CACHE: cache }), join(data, 'rm-bench'));
  const err = await t.throwsAsync(resolveBenchmarkPath('judgebench', '/nowhere', { GRAMR_DATA: data, HF_HUB_CACHE: cache }));
  t.regex(err!.message, /no judgebench data: not in .*judgebench \(GRAMR_DATA\) and not pulled from the Hub: run `gramr data pull judgebench` \(ScalerLab\/JudgeBench\)/);
  const github = await t.throwsAsync(resolveBenchmarkPath('pandalm', '/nowhere', { GRAMR_DATA: data, HF_HUB_CACHE: cache }));
  t.regex(github!.message, /pandalm is not on the Hub: download it from github\.com\/WeOpenML\/PandaLM/);
  // A copy in the cache's layout (as `gramr data pull` or Python leaves it) is found offline.
  const commit = 'a'.repeat(40);
  const snap = join(cache, 'datasets--ScalerLab--JudgeBench', 'snapshots', commit, 'data');
  mkdirSync(snap, { recursive: true });
  for (const f of ['gpt', 'claude']) writeFileSync(join(snap, `${f}-00000-of-00001.jsonl`), '');
  mkdirSync(join(cache, 'datasets--ScalerLab--JudgeBench', 'refs'));
  writeFileSync(join(cache, 'datasets--ScalerLab--JudgeBench', 'refs', 'main'), commit);
  t.is(await resolveBenchmarkPath('judgebench', '/nowhere', { GRAMR_DATA: data, HF_HUB_CACHE: cache }), snap);
});

test('a pipeline names a Hub model and a hf://datasets file: both fetched once the file is valid', async (t) => {
  const hub = new MockHub();
  const slice = JSON.stringify([{ id: 1, domain: 'chat', prompt: 'p', chosen: ['a', 'b', 'c'], rejected: ['x', 'y', 'z'] }]);
  hub.add('model', 'acme/tiny', await tinyModelFiles());
  hub.add('dataset', 'THU-KEG/RM-Bench', { 'total_dataset.json': Buffer.from(slice) });
  await hub.start();
  const cache = temp();
  const saved = { HF_ENDPOINT: process.env.HF_ENDPOINT, HF_HUB_CACHE: process.env.HF_HUB_CACHE };
  Object.assign(process.env, { HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: cache });
  try {
    const dir = temp();
    const file = join(dir, 'p.yaml');
    const text = (model: string): string => `name: t\nbackend: { prefer: [cpu] }\nmodels:\n  judge: { path: ${model} }\n` +
      'datasets:\n  bench: { kind: rm-bench, path: "hf://datasets/THU-KEG/RM-Bench/total_dataset.json" }\n' +
      'stages:\n  - stage: load\n    from: bench\n    to: loaded\n';
    writeFileSync(file, text('acme/tiny'));
    const p = await loadAppPipeline(file);
    const modelCommit = hub.repos.get('model:acme/tiny')!.commit, dataCommit = hub.repos.get('dataset:THU-KEG/RM-Bench')!.commit;
    t.is(p.models.get('judge')!.path, join(cache, 'models--acme--tiny', 'snapshots', modelCommit));
    t.is((p.datasets.get('bench')!.options as { path: string }).path, join(cache, 'datasets--THU-KEG--RM-Bench', 'snapshots', dataCommit, 'total_dataset.json'));
    // An invalid file fetches nothing (acme/other is not cached): its errors come first.
    const before = hub.requests.length;
    writeFileSync(file, text('acme/other') + '  - stage: no-such-stage\n');
    await t.throwsAsync(loadAppPipeline(file), { message: /unknown Stage kind "no-such-stage"|no-such-stage/ });
    t.is(hub.requests.length, before);
    // A Hub failure names the place in the file.
    writeFileSync(file, text('acme/missing'));
    await t.throwsAsync(loadAppPipeline(file), { message: /p\.yaml:4: models\.judge\.path: acme\/missing: no such model repo/ });
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    await hub.close();
  }
});

test('gramr data pull gsm8k: the Hub\'s Parquet file into the cache, then found and read like the JSON Lines set', async (t) => {
  const dir = temp();
  const file = join(dir, 'test.parquet');
  parquetWriteFile({ filename: file, columnData: [
    { name: 'question', data: GSM.map((r) => r.question), type: 'STRING' },
    { name: 'answer', data: GSM.map((r) => r.answer), type: 'STRING' },
  ] });
  const hub = new MockHub();
  hub.add('dataset', 'openai/gsm8k', { 'main/test-00000-of-00001.parquet': readFileSync(file) });
  await hub.start();
  try {
    const cache = temp();
    const settings = { endpoint: hub.endpoint, offline: false, refresh: false, cacheDir: cache };
    const pulled = await pullBenchmark('gsm8k', { settings, onProgress: () => {} });
    t.is(pulled, join(cache, 'datasets--openai--gsm8k', 'snapshots', hub.repos.get('dataset:openai/gsm8k')!.commit, 'main', 'test-00000-of-00001.parquet'));
    const found = await resolveBenchmarkPath('gsm8k', '/nowhere', { GRAMR_DATA: temp(), HF_HUB_CACHE: cache });
    t.is(found, pulled);
    const { records } = await collect(new Gsm8kSource(), { path: found });
    t.deepEqual(records.map((r) => [r.id, r.answer]), [['gsm8k:test:1', '7'], ['gsm8k:test:2', '1000'], ['gsm8k:test:3', '5']]);
  } finally {
    await hub.close();
  }
});
