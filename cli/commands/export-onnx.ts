// `gramr export-onnx`: writes a checkpoint's decoder for ONNX runtimes without gramr. By default a Hugging Face-style
// folder (config, tokenizer, onnx/model.onnx with a KV cache and symbolic shapes) that transformers.js loads; with
// `--out FILE.onnx` the single static-shape file (input_ids [batch, seq] -> logits). The export code lives in
// backends/onnx/export-decoder.ts, imported when the command runs (core imports no backend statically).
import { writeFile } from 'node:fs/promises';
import { ConfigError } from '../../core/errors.js';
import { findTokenizer } from '../../core/model/causal-lm.js';
import { loadCheckpoint } from '../../core/model/checkpoint/load-checkpoint.js';
import { paramsFromWeights } from '../../core/model/decoder-weights.js';
import { loadTokenizer } from '../../core/model/tokenizer/load-tokenizer.js';
import type { Command } from '../../core/command/command.js';
import { intOption } from '../../core/command/option-values.js';

const STATIC_ONLY = ['seq', 'batch', 'ids', 'contrib-ops'] as const;
type Values = Record<string, unknown>;

const exporter = (): Promise<typeof import('../../backends/onnx/export-decoder.js')> => import('../../backends/onnx/export-decoder.js');

async function exportFolder(values: Values, where: string): Promise<number> {
  const model = values.model as string, out = values.out as string;
  const given = STATIC_ONLY.filter((k) => values[k] !== undefined);
  if (given.length > 0) throw new ConfigError(`--${given.join(', --')}: for a single static file only (--out FILE.onnx); a folder export has dynamic shapes`, where);
  const ckpt = await loadCheckpoint(model);
  const config = ckpt.config;
  const tokenizer = typeof values.tokenizer === 'string'
    ? await loadTokenizer(values.tokenizer, { expectedVocabSize: config.vocabSize })
    : await findTokenizer(model, config.vocabSize);
  const { exportDecoderFolder } = await exporter();
  const params = paramsFromWeights(config, ckpt.weights, model);
  const done = await exportDecoderFolder(config, params, out, { tokenizer, externalData: values['external-data'] === true ? true : 'auto' });
  process.stdout.write(`wrote ${out}: ${done.files.join(', ')} (model ${(done.modelBytes / 1048576).toFixed(2)} MiB; ${config.numLayers} layers with KV cache)\n`);
  if (!tokenizer) process.stdout.write(`note: no tokenizer found next to ${model}, so the folder has no tokenizer.json; pass --tokenizer PATH to add one\n`);
  return 0;
}

async function exportStaticFile(values: Values, where: string): Promise<number> {
  const model = values.model as string, out = values.out as string;
  if (values.tokenizer !== undefined || values['external-data'] !== undefined) throw new ConfigError('--tokenizer and --external-data: for a folder export only (--out DIR, not a .onnx file)', where);
  const int = (name: string, dflt: number): number => intOption(values, name, where, 1) ?? dflt;
  const idsType = values.ids ?? 'int64';
  if (idsType !== 'int64' && idsType !== 'int32') throw new ConfigError(`--ids must be int64 or int32, got "${String(idsType)}"`, where);
  const ckpt = await loadCheckpoint(model);
  const config = ckpt.config;
  const limit = Math.min(config.maxPositions, config.slidingWindow ?? Infinity);
  const seq = int('seq', Math.min(128, limit)), batch = int('batch', 1);
  if (seq > limit) throw new ConfigError(`--seq ${seq} exceeds the model's context of ${limit} positions`, where);
  const { exportDecoderOnnx } = await exporter();
  const bytes = exportDecoderOnnx(config, paramsFromWeights(config, ckpt.weights, model), { seq, batch, idsType, contribOps: values['contrib-ops'] === true });
  await writeFile(out, bytes);
  process.stdout.write(`wrote ${out} (${(bytes.length / 1048576).toFixed(2)} MiB): input_ids ${idsType} [${batch}, ${seq}] -> logits float32 [${batch}, ${seq}, ${config.vocabSize}]\n`);
  return 0;
}

export const exportOnnxCommand: Command = {
  name: 'export-onnx',
  summary: 'Write a checkpoint as an ONNX model folder for transformers.js / onnxruntime (or one static .onnx file).',
  usage: 'gramr export-onnx --model PATH --out DIR [--tokenizer PATH] [--external-data] | --out FILE.onnx [--seq N] [--batch N] [--ids int64|int32] [--contrib-ops]',
  help: {
    model: 'checkpoint: Hugging Face folder or llama2.c .bin',
    out: 'folder to write (config.json, tokenizer, onnx/model.onnx with KV cache); a name ending in .onnx writes one static-shape file instead',
    tokenizer: 'tokenizer to write into the folder (default: the one next to the checkpoint; llama2.c tok*.bin is converted to tokenizer.json)',
    'external-data': 'keep the weights in onnx/model.onnx_data (automatic above 1.5 GiB)',
    seq: 'static file: sequence length of input_ids (default 128, at most the model\'s context)', batch: 'static file: batch size (default 1)',
    ids: 'static file: element type of input_ids: int64 (default) or int32', 'contrib-ops': 'static file: allow onnxruntime com.microsoft ops (fewer nodes; onnxruntime only)',
  },
  options: {
    model: { type: 'string' }, out: { type: 'string' }, tokenizer: { type: 'string' }, 'external-data': { type: 'boolean' },
    seq: { type: 'string' }, batch: { type: 'string' }, ids: { type: 'string' }, 'contrib-ops': { type: 'boolean' },
  },
  async run(values) {
    const where = 'gramr export-onnx';
    if (typeof values.model !== 'string' || typeof values.out !== 'string') throw new ConfigError(`--model and --out are required\nusage: ${this.usage}`, where);
    return values.out.endsWith('.onnx') ? exportStaticFile(values, where) : exportFolder(values, where);
  },
};
