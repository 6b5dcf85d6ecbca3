// Stage `export`: a model artifact (HF checkpoint, llama2.c .bin or LoRA adapter) -> a plain Hugging Face folder that
// other tools load (config.json + model.safetensors + tokenizer files; adapters merged first), verified by reloading
// it: the logits on probe texts must equal the source's within `verify.tolerance` (default 0: bit-identical), and the
// exported tokenizer must encode the probes like the source's. The export is rewritten on a rerun (it is cheap).
import * as path from 'node:path';
import { z } from 'zod';
import { WorkError } from '../../core/errors.js';
import { writeJsonAtomic } from '../../core/io/atomic-write.js';
import type { OutputDecl, Stage, StageContext, StageResult } from '../../core/pipeline/stage.js';
import { exportModel, verifyExport } from './export-model.js';
import { WRITE_DTYPES } from '../../core/model/checkpoint/dtype-encode.js';

/** Default probe texts of the verification. */
export const DEFAULT_PROBES = ['Which response is better?\nQ: 12+3?\nA: 15\nB: 16', 'The quick brown fox jumps over the lazy dog.'];

/** Options of `export`. */
export const exportSchema = z.object({
  model: z.string().describe('model artifact to export: an HF checkpoint folder, a llama2.c .bin, or a LoRA adapter folder (adapter_config.json)'),
  base: z.string().optional().describe('for a LoRA adapter: the base model artifact it was trained on (default: the base path the adapter records)'),
  to: z.string().describe('model artifact: the Hugging Face folder written'),
  dtype: z.enum(WRITE_DTYPES).optional().describe('dtype of the written weights: F32, BF16 or F16 (default: the base checkpoint\'s; BF16 and F16 bases stay so, else F32)'),
  extras: z.boolean().default(true).describe('also copy gramr.json, training.json, reward_head.safetensors and generation_config.json when present'),
  verify: z.object({
    probes: z.array(z.string().min(1)).min(1).default(DEFAULT_PROBES).describe('texts whose logits are compared (every position)'),
    tolerance: z.number().min(0).default(0).describe('largest allowed |logit difference| (0: bit-identical, which exports give: the reference holds the weights rounded to the written dtype)'),
  }).strict().prefault({}).describe('the reload check'),
}).strict();
type ExportOptions = z.output<typeof exportSchema>;

/** The `export` stage (see the file header). */
export class ExportStage implements Stage<ExportOptions> {
  readonly kind = 'export';

  inputs(o: ExportOptions): string[] {
    return [o.model, ...(o.base ? [o.base] : [])];
  }

  outputs(o: ExportOptions): OutputDecl[] {
    return [{ name: o.to, kind: 'model' }];
  }

  async run(o: ExportOptions, ctx: StageContext): Promise<StageResult> {
    const where = `stage "${ctx.stageId}" (export)`;
    const source = ctx.artifacts.modelPath(o.model);
    const out = ctx.artifacts.outputDir(o.to);
    const result = await exportModel(source, out, { ...(o.base ? { basePath: ctx.artifacts.modelPath(o.base) } : {}), extras: o.extras, ...(o.dtype ? { dtype: o.dtype } : {}) });
    const backend = await ctx.backend();
    const reference = await result.reference(backend);
    let check;
    try {
      check = await verifyExport(reference, out, backend, o.verify.probes);
    } finally {
      reference.dispose();
    }
    await writeJsonAtomic(path.join(ctx.dir, 'verify.json'), { source, merged: result.merged, basePath: result.basePath, files: result.files, ...check, tolerance: o.verify.tolerance, probes: o.verify.probes });
    if (check.tokenizerMismatches > 0) throw new WorkError(`${where}: the exported tokenizer encodes ${check.tokenizerMismatches} of ${o.verify.probes.length} probes differently from the source's`);
    if (!(check.maxAbsDiff <= o.verify.tolerance)) {
      throw new WorkError(`${where}: the reloaded export's logits differ from the source's by up to ${check.maxAbsDiff} (tolerance ${o.verify.tolerance}) over ${check.compared} logits`);
    }
    return {
      metrics: { merged: result.merged ? 1 : 0, bytesPerWeight: result.dtype === 'F32' ? 4 : 2, files: result.files.length, maxAbsDiff: check.maxAbsDiff, comparedLogits: check.compared },
      summary: `exported ${o.model}${result.merged ? ` (LoRA adapter merged into ${result.basePath})` : ''} as a Hugging Face folder in ${result.dtype} (${result.files.join(', ')}); reloaded: max |Δlogit| ${check.maxAbsDiff} over ${check.compared} logits -> ${o.to}`,
    };
  }
}
