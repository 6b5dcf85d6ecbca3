// `gramr quantize`: writes a float checkpoint's projections and LM head block-quantized (int4 or int8, MatMulNBits
// codes and scales) into a new folder once, so `--backend onnx` loads it without quantizing again
// (core/model/checkpoint/quantized-checkpoint.ts; docs/quantized-checkpoints.md).
import { ConfigError } from '../../core/errors.js';
import { findTokenizer } from '../../core/model/causal-lm.js';
import { openCheckpoint } from '../../core/model/checkpoint/load-checkpoint.js';
import { saveQuantizedCheckpoint } from '../../core/model/checkpoint/quantized-checkpoint.js';
import { resolveModelPath } from '../../core/hub/resolve-model.js';
import type { Command } from '../../core/command/command.js';

export const quantizeCommand: Command = {
  name: 'quantize',
  summary: 'Write a checkpoint with int4/int8 block-quantized projections (loads fast with --backend onnx).',
  usage: 'gramr quantize --model PATH --to DIR --bits 4|8 [--block-size 32]',
  help: {
    model: 'float checkpoint: Hugging Face folder, llama2.c .bin or Hub id',
    to: 'new folder to write (model.safetensors, config.json with quantization_config, tokenizer)',
    bits: '4 or 8 bits per weight', 'block-size': 'weights per scale along the input axis: a power of two >= 16 (default 32)',
  },
  options: { model: { type: 'string' }, to: { type: 'string' }, bits: { type: 'string' }, 'block-size': { type: 'string' } },
  async run(values) {
    const where = 'gramr quantize';
    if (typeof values.model !== 'string' || typeof values.to !== 'string' || values.bits === undefined) throw new ConfigError(`--model, --to and --bits are required\nusage: ${this.usage}`, where);
    const bits = Number(values.bits), blockSize = values['block-size'] === undefined ? 32 : Number(values['block-size']);
    if (bits !== 4 && bits !== 8) throw new ConfigError(`--bits must be 4 or 8, got "${String(values.bits)}"`, where);
    if (!Number.isInteger(blockSize) || blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) throw new ConfigError(`--block-size must be a power of two >= 16, got "${String(values['block-size'])}"`, where);
    const path = await resolveModelPath(values.model);
    const reader = await openCheckpoint(path);
    const t0 = performance.now();
    let written: string[];
    try {
      written = await saveQuantizedCheckpoint(reader, values.to, bits, blockSize, await findTokenizer(path, reader.config.vocabSize));
    } finally {
      await reader.close();
    }
    process.stdout.write(`wrote ${values.to} (int${bits}, blocks of ${blockSize}) in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${written.join(', ')}\n`);
    return 0;
  },
};
