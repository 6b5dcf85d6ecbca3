// Quality of quantized weights against F32 on the same checkpoint (`gramr bench scale` reports speed; this reports
// what quantization costs): F32 generates greedily from N seeded prompts; then F32 and the quantized model score
// the same sequences (teacher forcing) and we report the mean KL(F32 || quantized) of the next-token distributions
// and how often their argmax agrees, plus how often free-running greedy generation gives the same token.
// `node dist/bench/scale-quality.js --model DIR [--quantize int4] [--prompts 20] [--tokens 64]`
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { OnnxBackend } from '../backends/onnx/onnx-backend.js';
import { CausalLM } from '../core/model/causal-lm.js';
import { promptIds } from './scale-run.js';

/** What the quality run reports. */
export interface QualityResult {
  /** Quantization format compared with F32. */
  quantize: string;
  /** Prompts x generated tokens. */
  prompts: number;
  tokens: number;
  /** Mean KL(F32 || quantized) in nats over every scored position. */
  mean_kl: number;
  /** Positions where both models' argmax agree (teacher forcing on F32's greedy sequences). */
  argmax_agreement: number;
  /** Generated tokens equal to F32's at the same position when both generate freely. */
  greedy_agreement: number;
  /** Mean max |logit| of F32 (how peaked the random model's distributions are). */
  mean_max_logit: number;
}

function klAndArgmax(p: Float32Array, q: Float32Array): { kl: number; same: boolean; max: number } {
  let mp = -Infinity, mq = -Infinity, ap = 0, aq = 0;
  for (let i = 0; i < p.length; i++) { if (p[i]! > mp) { mp = p[i]!; ap = i; } if (q[i]! > mq) { mq = q[i]!; aq = i; } }
  let sp = 0, sq = 0;
  for (let i = 0; i < p.length; i++) { sp += Math.exp(p[i]! - mp); sq += Math.exp(q[i]! - mq); }
  const lp = Math.log(sp) + mp, lq = Math.log(sq) + mq;
  let kl = 0;
  for (let i = 0; i < p.length; i++) { const a = p[i]! - lp; kl += Math.exp(a) * (a - (q[i]! - lq)); }
  return { kl, same: ap === aq, max: Math.max(Math.abs(mp), Math.abs(p[ap]!)) };
}

/** Compares `quantize` with F32 on `model` (onnx backend, 2 threads). */
export async function scaleQuality(model: string, quantize: 'int8' | 'int4', prompts = 20, tokens = 64, batch = 5): Promise<QualityResult> {
  const backend = new OnnxBackend({ threads: 2 });
  await backend.init();
  const f32 = await CausalLM.load(model, backend, { tokenizer: false });
  const q = await CausalLM.load(model, backend, { tokenizer: false, quantize });
  let kl = 0, same = 0, scored = 0, greedy = 0, maxLogit = 0;
  for (let from = 0; from < prompts; from += batch) {
    const rows = Array.from({ length: Math.min(batch, prompts - from) }, (_, i) => promptIds(16, 1000 + from + i));
    const ref = await f32.generate(rows, { maxTokens: tokens, ignoreEos: true });
    const mine = await q.generate(rows, { maxTokens: tokens, ignoreEos: true });
    ref.forEach((r, b) => { greedy += r.tokens.filter((t, i) => mine[b]!.tokens[i] === t).length; });
    const seqs = ref.map((r, b) => [...rows[b]!, ...r.tokens]);
    const [lf, lq] = [await f32.forward(seqs), await q.forward(seqs)];
    seqs.forEach((s, b) => {
      for (let t = rows[b]!.length - 1; t < s.length - 1; t++) {
        const r = klAndArgmax(lf[b]![t]!, lq[b]![t]!);
        kl += r.kl; same += r.same ? 1 : 0; maxLogit += r.max; scored++;
      }
    });
  }
  f32.dispose();
  q.dispose();
  backend.dispose();
  return { quantize, prompts, tokens, mean_kl: kl / scored, argmax_agreement: same / scored, greedy_agreement: greedy / (prompts * tokens), mean_max_logit: maxLogit / scored };
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string, dflt: string): string => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1]! : dflt; };
  const fmt = arg('quantize', 'int4');
  if (fmt !== 'int8' && fmt !== 'int4') throw new Error(`--quantize must be int8 or int4, got '${fmt}'`);
  const r = await scaleQuality(arg('model', '.tmp/bench-scale/qwen2.5-0.5b-f32'), fmt, Number(arg('prompts', '20')), Number(arg('tokens', '64')));
  process.stdout.write(JSON.stringify(r) + '\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(() => process.exit(0), (e: unknown) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
}
