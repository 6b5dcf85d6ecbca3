// Small helpers the recipe's training stages share: the `{kind, ...options}` schema of a nested kind entry (a
// trainer, a prover) and the divergence rule (a diverged run stops the stage, naming the step).
import { z } from 'zod';
import { WorkError } from '../errors.js';
import type { TrainReport } from './trainer.js';

/** A `{kind, ...options}` entry. */
export const kindEntry = (kind: string, what: string): z.ZodType<{ kind: string } & Record<string, unknown>> =>
  z.looseObject({ kind: z.string().default(kind).describe(`${what} kind`) }).prefault({}) as unknown as z.ZodType<{ kind: string } & Record<string, unknown>>;

/** Throws when training diverged: the stage stops, naming the step; the last good weights stay in the stage folder. */
export function stopIfDiverged(report: TrainReport, where: string): void {
  if (report.stopReason !== 'diverged') return;
  throw new WorkError(`${where}: training diverged (non-finite loss) at step ${report.divergedAtStep ?? '?'}; `
    + `the last good weights are kept in ${report.checkpoint}; lower the learning rate or check the data, then re-run`);
}
