// Fuzz pass over the text readers: pipeline files (YAML/JSON text, damaged documents, --set overrides), JSON Lines
// (core readJsonl, the data-source reader and the jsonl kind, plain and gzip) and the reward server's request
// bodies (parsed and checked by the functions the server calls). Every input must be accepted or refused with a
// clean error: ConfigError, WorkError, DataFileError / RecordError, or an HttpError with a 4xx status.
import test from 'ava';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { stringify as toYaml } from 'yaml';
import { newReadStats } from '../../core/data/data-source.js';
import { loadAppPipeline } from '../../cli/app.js';
import { applyOverrides } from '../../core/pipeline/overrides.js';
import { readJsonl } from '../../core/pipeline/record-writer.js';
import { defaultTaskContext } from '../../core/pipeline/task-context.js';
import { readJsonlItems, resolveInput } from '../../plugins/data-sources/file-reading.js';
import { JsonlSource, jsonlOptionsSchema } from '../../plugins/data-sources/generic-sources.js';
import { HttpError, parseJson, parseJudgeRequest, parseRewardRequest } from '../../plugins/server/request-bodies.js';
import { RecordError } from '../../plugins/data-sources/errors.js';
import { cleanly, cleanlySync, damagedBytes, damagedJson, fuzzParams, nastyJson, requireClean, scratchFolder } from './fuzz-helpers.js';

const { dir, file: tempFile } = scratchFolder('gramr-fuzz-text-');

async function drain(it: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of it) n++;
  return n;
}

// --- pipeline files ------------------------------------------------------------------------------------------------
const pairsFile = tempFile('pairs.jsonl', '{"id":"p1","prompt":"q","chosen":"a","rejected":"b"}\n');
const basePipeline = {
  name: 'fuzz', backend: { prefer: ['cpu'] }, seed: 1,
  datasets: { pairs: { kind: 'jsonl', path: pairsFile, limit: 5 } },
  stages: [
    { stage: 'load', from: 'pairs', to: 'loaded' },
    { stage: 'dataset-stats', inputs: ['loaded'], to: 'stats' },
  ],
};
const yamlPieces = fc.constantFrom('&a ', '*a', '*b', '<<: *a', '!!binary ', '!!js/function ', '!tag ', '{', '}', '[', ']', ': ', '- ', '\n', '  ',
  'stages', 'datasets', 'name', 'x-', '~', 'null', '"', "'", '#', '|', '>', '? ', '%YAML 1.2\n', '---\n', '...\n', '\t', '1e999', '0x1F', '.inf');

test.serial('pipeline files: the valid base loads', async (t) => {
  const p = await loadAppPipeline(tempFile('p.yaml', toYaml(basePipeline)));
  t.is(p.stages.length, 2);
});

test.serial('pipeline files: damaged documents load or are ConfigErrors', async (t) => {
  await fc.assert(fc.asyncProperty(damagedJson(basePipeline), fc.boolean(), async (doc, asJson) => {
    await cleanly(() => loadAppPipeline(tempFile(asJson ? 'p.json' : 'p.yaml', asJson ? JSON.stringify(doc) : toYaml(doc))));
  }), fuzzParams(120, 4000));
  t.pass();
});

test.serial('pipeline files: damaged and random YAML text loads or is a ConfigError', async (t) => {
  const text = toYaml(basePipeline);
  const arb = fc.oneof(damagedBytes(Buffer.from(text)), fc.array(yamlPieces, { maxLength: 40 }).map((p) => Buffer.from(p.join(''))), fc.uint8Array({ maxLength: 200 }));
  await fc.assert(fc.asyncProperty(arb, async (bytes) => {
    await cleanly(() => loadAppPipeline(tempFile('p.yaml', bytes)));
  }), fuzzParams(150, 5000));
  t.pass();
});

test.serial('--set overrides with any key and value apply or are ConfigErrors, and never touch prototypes', (t) => {
  const key = fc.array(fc.oneof(fc.constantFrom('stages', 'datasets', 'name', '__proto__', 'constructor', 'prototype', 'toString', '0', '[0]', '[99]', ''),
    fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.'));
  const value = fc.oneof(fc.string({ maxLength: 20 }), fc.array(yamlPieces, { maxLength: 12 }).map((p) => p.join('')), fc.json());
  fc.assert(fc.property(fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 3 }), (sets) => {
    cleanlySync(() => applyOverrides(structuredClone(basePipeline), sets.map(([k, v]) => `${k}=${v}`)));
    if (Object.keys(Object.prototype).length !== 0) throw new Error(`Object.prototype polluted: ${Object.keys(Object.prototype).join(', ')}`);
  }), fuzzParams(2000, 3000));
  t.pass();
});

// --- JSON Lines ----------------------------------------------------------------------------------------------------
const baseLines = ['{"id":"p1","prompt":"q","chosen":"a","rejected":"b"}', '{"id":"p2","prompt":"é😀","a":"x","b":"y","label":"A>B"}',
  '', '{"id":"p3","prompt":"q3","chosen":[{"role":"user","content":"hi"}],"rejected":"n"}'].join('\n') + '\n';
const jsonlBytes = fc.oneof(
  damagedBytes(Buffer.from(baseLines)),
  fc.array(fc.oneof(fc.json(), nastyJson.map((v) => JSON.stringify(v) ?? ''), fc.string({ maxLength: 20 })), { maxLength: 8 }).map((ls) => Buffer.from(ls.join('\n'))),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
);
const maybeGzip = fc.tuple(jsonlBytes, fc.constantFrom('plain', 'gzip', 'cut-gzip')).map(([b, how]) => {
  if (how === 'plain') return b;
  const gz = gzipSync(b);
  return how === 'gzip' ? gz : gz.subarray(0, Math.max(2, gz.length >> 1));
});

test.serial('JSON Lines: both readers read any bytes or refuse them cleanly', async (t) => {
  await fc.assert(fc.asyncProperty(maybeGzip, fc.integer({ min: 1, max: 64 }), async (bytes, cap) => {
    const file = tempFile('x.jsonl', bytes);
    await cleanly(() => drain(readJsonl(file, cap * 4)));
    await cleanly(() => drain(readJsonlItems(resolveInput(file, dir), undefined, cap * 4)));
  }), fuzzParams(300, 4000));
  t.pass();
});

test.serial('JSON Lines: the jsonl kind maps records or refuses them cleanly, and onError: skip never throws for a record', async (t) => {
  const source = new JsonlSource();
  const columns = fc.constantFrom({}, { chosen: 'a', rejected: 'b' }, { a: 'a', b: 'b', label: 'label' }, { prompt: 'nested.deep', id: 'x' });
  await fc.assert(fc.asyncProperty(maybeGzip, columns, fc.constantFrom('fail', 'skip'), async (bytes, cols, onError) => {
    const file = tempFile('x.jsonl', bytes);
    const options = jsonlOptionsSchema.parse({ path: file, columns: cols, onError });
    try {
      await drain(source.read(options, dir, defaultTaskContext(), newReadStats()));
    } catch (e) {
      requireClean(e);
      if (onError === 'skip' && e instanceof RecordError) throw new Error(`onError: skip threw for a record: ${e.message}`);
    }
  }), fuzzParams(300, 4000));
  t.pass();
});

// --- reward server request bodies ----------------------------------------------------------------------------------
const strings = fc.array(fc.string({ maxLength: 12 }), { maxLength: 5 });
const fieldValue = fc.oneof(strings, strings.map((s) => s.map((x) => `${x}\n${x}`)), nastyJson);
const rewardBody = fc.oneof(
  fc.record({ query: fieldValue, prompts: fieldValue, responses: fieldValue, references: fieldValue, labels: fieldValue, extra: nastyJson },
    { requiredKeys: [] }),
  nastyJson,
);
const judgeBody = fc.oneof(
  fc.record({ prompt: fc.oneof(fc.string(), nastyJson), a: fc.oneof(fc.string(), nastyJson), b: fc.oneof(fc.string(), nastyJson),
    votes: fc.oneof(fc.integer({ min: -2, max: 70 }), nastyJson), swap: fc.oneof(fc.boolean(), nastyJson), other: nastyJson }, { requiredKeys: [] }),
  nastyJson,
);

/** Run `fn`; a 4xx HttpError with a message is a clean refusal ('refused'), anything else is a bug. */
function requestOutcome<T>(fn: () => T): T | 'refused' {
  try {
    return fn();
  } catch (e) {
    if (e instanceof HttpError && e.status >= 400 && e.status < 500 && e.message !== '') return 'refused';
    throw e;
  }
}

test.serial('server bodies: any text is JSON or a 400', (t) => {
  fc.assert(fc.property(fc.oneof(fc.string(), fc.json(), fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('utf8'))), (text) => {
    requestOutcome(() => parseJson(text));
  }), fuzzParams(3000, 2000));
  t.pass();
});

test.serial('server bodies: /get_reward bodies parse to aligned lists or are 4xx errors', (t) => {
  fc.assert(fc.property(rewardBody, fc.constantFrom('\n', 'ASSISTANT:', ''), fc.integer({ min: 1, max: 6 }), (body, separator, maxItems) => {
    const r = requestOutcome(() => parseRewardRequest(JSON.parse(JSON.stringify(body) ?? 'null') as unknown, { separator: separator || '\n', maxItems }));
    if (r === 'refused') return;
    const n = r.responses.length;
    if (r.prompts.length !== n || (r.references !== undefined && r.references.length !== n) || n > maxItems) throw new Error(`misaligned result ${JSON.stringify(r)}`);
    if (![...r.prompts, ...r.responses, ...(r.references ?? [])].every((s) => typeof s === 'string')) throw new Error(`non-string in ${JSON.stringify(r)}`);
  }), fuzzParams(3000, 3000));
  t.pass();
});

test.serial('server bodies: /v1/judge bodies parse to a checked pair or are 4xx errors', (t) => {
  fc.assert(fc.property(judgeBody, fc.boolean(), (body, canVote) => {
    const r = requestOutcome(() => parseJudgeRequest(JSON.parse(JSON.stringify(body) ?? 'null') as unknown, canVote));
    if (r === 'refused') return;
    const { prompt, a, b, votes } = r.pair;
    if (typeof prompt !== 'string' || typeof a !== 'string' || typeof b !== 'string') throw new Error('non-string pair field');
    if (!Number.isInteger(votes) || votes! < 1 || votes! > 64 || (!canVote && votes !== 1) || typeof r.swap !== 'boolean') throw new Error(`bad settings ${JSON.stringify(r)}`);
  }), fuzzParams(3000, 3000));
  t.pass();
});
