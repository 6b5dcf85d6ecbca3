// `gramr export-onnx`: writes a checkpoint's decoder as a standalone ONNX model (weights as initializers,
// standard opset-17 ops unless --contrib-ops) that onnxruntime runs without gramr: input_ids [batch, seq] ->
// logits [batch, seq, vocab]. Relies on core/model (checkpoint, decoder graph) and backends/onnx's exportGraph.
import { writeFile } from 'node:fs/promises';
import { exportGraph } from '../../../backends/onnx/export-model.js';
import { ConfigError } from '../../errors.js';
import { loadCheckpoint } from '../../model/checkpoint/load-checkpoint.js';
import type { ModelConfig } from '../../model/checkpoint/model-config.js';
import { forwardProgram } from '../../model/decoder-programs.js';
import { paramsFromWeights, transpose2d, type HostParams } from '../../model/decoder-weights.js';
import { input } from '../../tensor/primitives.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Command } from '../command.js';

/** Options of `exportDecoderOnnx`. */
export interface DecoderExportOptions {
  /** Sequence length of the model's input (static). */
  seq: number;
  /** Batch size of the model's input (static, default 1). */
  batch?: number;
  /** Element type of input_ids (default int64). */
  idsType?: 'int64' | 'int32';
  /** Allow onnxruntime's com.microsoft contrib ops (default false). */
  contribOps?: boolean;
}

/**
 * The decoder of `config` with `params` (decoder layout) as ONNX bytes: input `input_ids` [batch, seq] (int64 or
 * int32, each row from position 0, right-padded), output `logits` float32 [batch, seq, vocab].
 */
export function exportDecoderOnnx(config: ModelConfig, params: HostParams, options: DecoderExportOptions): Uint8Array {
  const batch = options.batch ?? 1;
  const constants: Record<string, Float32Array> = {};
  const p: Record<string, Tensor> = {};
  for (const [name, v] of Object.entries(params)) {
    constants[name] = v.data;
    p[name] = input(name, v.shape, 'f32');
  }
  if (config.tieWordEmbeddings) { // a transposed copy serves as the head, as CausalLM does
    constants['lm_head.weight'] = transpose2d(params['model.embed_tokens.weight']!.data, config.vocabSize, config.hiddenSize);
    p['lm_head.weight'] = input('lm_head.weight', [config.hiddenSize, config.vocabSize], 'f32');
  }
  const [logits] = forwardProgram(config, p, batch, options.seq);
  return exportGraph({
    outputs: [{ name: 'logits', tensor: logits! }], constants, inputNames: { ids: 'input_ids' },
    int64Inputs: options.idsType === 'int32' ? [] : ['ids'], contribOps: options.contribOps ?? false,
    graphName: `gramr_${config.architecture}`,
  }).bytes;
}

export const exportOnnxCommand: Command = {
  name: 'export-onnx',
  summary: 'Write a checkpoint\'s decoder as a standalone ONNX model (input_ids -> logits, weights inside).',
  usage: 'gramr export-onnx --model PATH --out FILE [--seq N] [--batch N] [--ids int64|int32] [--contrib-ops]',
  help: {
    model: 'checkpoint: Hugging Face folder or llama2.c .bin', out: 'ONNX file to write',
    seq: 'sequence length of input_ids (static; default 128, at most the model\'s context)', batch: 'batch size (static; default 1)',
    ids: 'element type of input_ids: int64 (default) or int32', 'contrib-ops': 'allow onnxruntime com.microsoft ops (fewer nodes; onnxruntime only)',
  },
  options: { model: { type: 'string' }, out: { type: 'string' }, seq: { type: 'string' }, batch: { type: 'string' }, ids: { type: 'string' }, 'contrib-ops': { type: 'boolean' } },
  async run(values) {
    const where = 'gramr export-onnx';
    if (typeof values.model !== 'string' || typeof values.out !== 'string') throw new ConfigError(`--model and --out are required\nusage: ${this.usage}`, where);
    const int = (name: string, dflt: number): number => {
      const v = values[name] === undefined ? dflt : Number(values[name]);
      if (!Number.isInteger(v) || v <= 0) throw new ConfigError(`--${name} must be a positive integer, got "${String(values[name])}"`, where);
      return v;
    };
    const idsType = values.ids ?? 'int64';
    if (idsType !== 'int64' && idsType !== 'int32') throw new ConfigError(`--ids must be int64 or int32, got "${String(idsType)}"`, where);
    const ckpt = await loadCheckpoint(values.model);
    const config = ckpt.config;
    const limit = Math.min(config.maxPositions, config.slidingWindow ?? Infinity);
    const seq = int('seq', Math.min(128, limit)), batch = int('batch', 1);
    if (seq > limit) throw new ConfigError(`--seq ${seq} exceeds the model's context of ${limit} positions`, where);
    const bytes = exportDecoderOnnx(config, paramsFromWeights(config, ckpt.weights, values.model), { seq, batch, idsType, contribOps: values['contrib-ops'] === true });
    await writeFile(values.out, bytes);
    process.stdout.write(`wrote ${values.out} (${(bytes.length / 1048576).toFixed(2)} MiB): input_ids ${idsType} [${batch}, ${seq}] -> logits float32 [${batch}, ${seq}, ${config.vocabSize}]\n`);
    return 0;
  },
};
