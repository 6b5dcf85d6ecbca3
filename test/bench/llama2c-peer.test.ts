// llama2.c beside `gramr bench generate`: where the peers folder holds llama2c/ (run.c, build.sh; GRAMR_PEERS,
// else the bench's default peers folder) and gcc is present, the bench builds it, checks its greedy text against gramr's and reports both
// speeds; without it the result says why and reports gramr alone. The text check refuses a different continuation.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnnxBackend } from '../../backends/onnx/onnx-backend.js';
import { benchGenerate, generateText } from '../../bench/generate.js';
import { checkLlama2cText, findLlama2c } from '../../bench/llama2c-peer.js';

const found = await findLlama2c();
const skip = 'absent' in found ? found.absent : undefined;

test('the text check accepts a prefix either way and refuses a different continuation', (t) => {
  const gramr = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the park.';
  t.notThrows(() => checkLlama2cText(`${gramr.slice(0, 60)}\n`, gramr));
  t.throws(() => checkLlama2cText(gramr.replace('Lily', 'Lucy'), gramr), { message: /llama2.c's greedy text differs from gramr's/ });
});

test('without llama2.c in the peers folder the bench says so and reports gramr alone', async (t) => {
  const empty = await mkdtemp(join(tmpdir(), 'gramr-peers-'));
  try {
    const backend = new OnnxBackend({ threads: 1 });
    const r = await benchGenerate({ backend, tokens: 60, repeats: 1, warmup: 0, peers: empty });
    backend.dispose();
    t.is(r.llama2c_source, 'documented');
    t.is(r.llama2c, undefined);
    t.regex(r.llama2c_absent!, /llama2.c not found \(.*gramr-peers-.*llama2c\/run\.c is missing/);
    t.regex(generateText(r), /llama2.c not found .*: gramr alone/);
  } finally { await rm(empty, { recursive: true, force: true }); }
});

if (skip) {
  test.skip(`llama2.c side by side — skipped: ${skip}`, () => {});
} else {
  test('with llama2.c present the bench builds it, checks its text and reports its tokens/s beside gramr\'s', async (t) => {
    const backend = new OnnxBackend({ threads: 1 });
    const r = await benchGenerate({ backend, tokens: 60, repeats: 2, warmup: 0 });
    backend.dispose();
    t.is(r.llama2c_source, 'measured');
    t.is(r.llama2c!.rounds, 2);
    t.true(r.llama2c!.o3_tokens_per_s > 0 && r.llama2c!.fast_tokens_per_s > 0);
    t.is(r.llama2c!.steps, 65, 'prompt with BOS (5 positions) + 60 generated');
    t.is(r.vs_llama2c, r.tokens_per_s / r.llama2c!.o3_tokens_per_s);
    t.log(generateText(r));
  });
}
