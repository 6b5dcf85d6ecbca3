// Publishing a trainer's result as a stage's model artifact: the files of the result folder (a full checkpoint:
// config.json, weights, tokenizer, reward head, training.json; or a LoRA model: the adapter, its base reference and
// the tokenizer) are hard-linked (else copied) into the artifact folder, and gramr.json is written beside them. Only
// plain files are linked (the trainer's resumable checkpoints stay in the stage folder).
import { readdir } from 'node:fs/promises';
import { linkOrCopy } from '../io/link-file.js';
import * as path from 'node:path';
import { WorkError } from '../errors.js';
import type { TrainReport } from './trainer.js';
import { isModelFolder } from '../training/adapter-checkpoint.js';
import { writeModelMeta, type ModelMeta } from './model-meta.js';

/**
 * The loadable model folder of a training report: the merged checkpoint (LoRA with merge: true), else the result
 * folder (a full checkpoint, or a LoRA model that loads over its recorded base).
 */
export function checkpointOf(report: TrainReport, where: string): string {
  const dir = report.mergedCheckpoint ?? report.checkpoint;
  if (!isModelFolder(dir)) {
    throw new WorkError(`${where}: the trainer's result ${dir} is neither a checkpoint (config.json) nor a LoRA model (adapter_config.json)`);
  }
  return dir;
}

/** Links (else copies) the checkpoint's files into `outDir` and writes `meta` as gramr.json; returns the files copied. */
export async function publishModel(checkpoint: string, outDir: string, meta: ModelMeta): Promise<string[]> {
  const copied: string[] = [];
  for (const e of await readdir(checkpoint, { withFileTypes: true })) {
    if (!e.isFile()) continue;
    await linkOrCopy(path.join(checkpoint, e.name), path.join(outDir, e.name));
    copied.push(e.name);
  }
  await writeModelMeta(outDir, meta);
  return copied;
}
