// Publishing a trainer's result as a stage's model artifact: the files of the result checkpoint (config.json,
// weights, tokenizer, reward head, training.json) are hard-linked (else copied) into the artifact folder, and gramr.json is written
// beside them. Only plain files are copied (the trainer's resumable checkpoints stay in the stage folder).
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { linkOrCopy } from '../../core/io/link-file.js';
import * as path from 'node:path';
import { WorkError } from '../../core/errors.js';
import type { TrainReport } from '../../core/recipe/trainer.js';
import { writeModelMeta, type ModelMeta } from './model-meta.js';

/** The loadable checkpoint folder of a training report: the merged one (LoRA with merge) or the result folder. */
export function checkpointOf(report: TrainReport, where: string): string {
  const dir = report.mergedCheckpoint ?? report.checkpoint;
  if (!existsSync(path.join(dir, 'config.json'))) {
    throw new WorkError(`${where}: the trainer's result ${dir} is not a full checkpoint (no config.json; a LoRA adapter?); `
      + 'with trainer kind lora set merge: true so the stage can publish a loadable model');
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
