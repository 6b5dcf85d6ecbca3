// One LoRA training step at real scale: rank-r adapters on q/k/v/o of a large checkpoint (bench/scale-checkpoint.ts
// writes one), a batch of one T-token sequence with a next-token loss on every position, AdamW on the adapters only
// (the base is frozen: TrainEngine differentiates only what reaches the adapters). Prints one JSON line: the load,
// the first step (graph build and session creation included), the best of the later steps as tokens/s, and peak
// RSS. PyTorch eager does the same in bench/torch_lora.py:
// `node dist/bench/scale-lora.js --model DIR [--tokens 512] [--rank 16] [--steps 3] [--backend onnx]`.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchBackend } from './bench-backend.js';
import { peakRss, promptIds } from './scale-run.js';

async function main(argv: string[]): Promise<void> {
  const arg = (name: string, d: string): string => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1]! : d; };
  const t = Number(arg('tokens', '512')), r = Number(arg('rank', '16')), steps = Number(arg('steps', '3'));
  const { loadBaseModel } = await import('../core/training/training-setup.js');
  const { AdamW, constantSchedule } = await import('../core/tensor/index.js');
  const { initLoraParams, loraView } = await import('../core/training/lora.js');
  const { sftLoss } = await import('../core/training/losses.js');
  const { TrainEngine } = await import('../core/training/train-engine.js');
  const { backend, chain } = await benchBackend(arg('backend', 'onnx'), arg('provider', ''));
  const t0 = performance.now();
  const { config, params: base } = await loadBaseModel(arg('model', '')); // as the lora trainer loads its base
  const spec = { r, alpha: 2 * r, dropout: 0, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj'] as const };
  const adapters = initLoraParams(config, spec, 1);
  const adapterCount = Object.values(adapters).reduce((n, p) => n + p.data.length, 0);
  const probe = { ids: { shape: [1, t], dtype: 'i32' as const }, targets: { shape: [1, t], dtype: 'i32' as const } };
  const engine = new TrainEngine({
    backend, trainable: adapters, frozen: base, optimizer: new AdamW({ weightDecay: 0 }), lr: constantSchedule(1e-4),
    loss: (p, b, noise) => sftLoss(config, loraView(config, spec, p, noise), b.ids!, b.targets!), probe,
  });
  const load = (performance.now() - t0) / 1000;
  const ids = promptIds(t + 1, 3);
  const data = { ids: ids.slice(0, t), targets: ids.slice(1) };
  const times: number[] = [], losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const a = performance.now();
    losses.push((await engine.step([{ key: 'x', spec: probe, data }], s)).loss);
    times.push((performance.now() - a) / 1000);
  }
  const later = times.slice(1);
  process.stdout.write(JSON.stringify({
    backend: chain, tokens: t, rank: r, adapter_parameters: adapterCount, load_s: load, first_step_s: times[0],
    step_s: later.length > 0 ? Math.min(...later) : undefined, tokens_per_s: later.length > 0 ? t / Math.min(...later) : undefined,
    losses, peak_rss: peakRss(),
  }) + '\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(() => process.exit(0), (e: unknown) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
}
