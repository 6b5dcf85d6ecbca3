// Training examples of the fine-tune adapter. A rationale GRM (objective rationale / label-only) gets, per pair, the
// GRAM-R² target with a rationale (the record's own, or one the prover writes for the gold label) or a label-only
// target `<answer>\nl\n</answer>`; GRAM v1 and Bradley–Terry models get their own objective's examples (no rationale).
import type { Label, PreferencePair, RationaleExample } from '../../core/data/records.js';
import type { TaskContext } from '../../core/pipeline/task-context.js';
import type { ProofSession } from '../../core/recipe/prover.js';
import type { TrainExample } from '../../core/recipe/trainer.js';
import type { GrmExampleSettings, GrmObjective } from '../grm/grm-targets.js';
import { labelOnlyExample, rationaleExample } from '../grm/grm-targets.js';
import { grmExamples } from '../grm/train-grm-stage.js';
import type { KeyedLog } from '../self-training/keyed-log.js';
import { proveLabels, type RationaleLine } from '../self-training/prover-rationales.js';
import type { TargetMode } from './fine-tune-options.js';

/** A labeled task pair (label A or B), possibly with its own rationale. */
export type TaskPair = PreferencePair & { label: Label; rationale?: string };

/** Where each example's target came from. */
export interface TargetLine {
  /** The pair's id. */
  id: string;
  /** `rationale` (the record's), `prover`, `label-only`, `objective` (gram-v1 / bradley-terry), or `dropped`. */
  target: 'rationale' | 'prover' | 'label-only' | 'objective' | 'dropped';
  /** The rationale trained on, when there is one. */
  rationale?: string;
  /** Why the prover gave none (`rules:<rule>`, `prover-skipped`). */
  proverDropped?: string;
}

/** What the prover step needs: an opener (called only when some pair needs a proof) and its resumable log. */
export interface ProverAccess {
  /** Opens the prover session. */
  open(): Promise<ProofSession>;
  /** Proof results by pair id (resumable). */
  log: KeyedLog<RationaleLine>;
  /** Pairs per prover call. */
  batchSize: number;
}

/** The mode each pair resolves to (before proving). */
export function resolveMode(mode: TargetMode, pair: TaskPair, hasProver: boolean): 'rationale' | 'prover' | 'label-only' {
  if (mode === 'auto') return typeof pair.rationale === 'string' ? 'rationale' : hasProver ? 'prover' : 'label-only';
  return mode;
}

/** Builds the training examples and the per-pair target log; see the file header. */
export async function adaptExamples(objective: GrmObjective, pairs: readonly TaskPair[], mode: TargetMode, fallback: 'label-only' | 'drop',
  s: GrmExampleSettings, prover: ProverAccess | undefined, ctx: TaskContext): Promise<{ examples: TrainExample[]; lines: TargetLine[] }> {
  if (objective === 'gram-v1' || objective === 'bradley-terry') {
    return { examples: grmExamples(objective, pairs, s), lines: pairs.map((p) => ({ id: p.id, target: 'objective' })) };
  }
  const modes = pairs.map((p) => resolveMode(mode, p, prover !== undefined));
  const toProve = pairs.filter((_, i) => modes[i] === 'prover');
  let proofs = new Map<string, RationaleLine>();
  if (toProve.length > 0) {
    if (!prover) throw new Error('adapt: targets prover needs a prover model (the stage option prover)');
    const requests = toProve.map((pair) => ({ pair, label: pair.label }));
    let lines: RationaleLine[];
    if (requests.some((r) => prover.log.get(r.pair.id) === undefined)) {
      const session = await prover.open();
      try {
        lines = await proveLabels(session, requests, prover.batchSize, prover.log, ctx);
      } finally {
        session.dispose();
      }
    } else {
      lines = requests.map((r) => prover.log.get(r.pair.id)!);
    }
    proofs = new Map(lines.map((l) => [l.id, l]));
  }
  const examples: TrainExample[] = [];
  const lines: TargetLine[] = pairs.map((pair, i): TargetLine => {
    const m = modes[i]!;
    if (m === 'rationale') {
      if (typeof pair.rationale !== 'string') throw new Error(`adapt: targets rationale needs a rationale on every record; record ${JSON.stringify(pair.id)} has none`);
      examples.push(rationaleExample(pair as RationaleExample, s));
      return { id: pair.id, target: 'rationale', rationale: pair.rationale };
    }
    if (m === 'prover') {
      const p = proofs.get(pair.id)!;
      if (p.rationale !== undefined) {
        examples.push(rationaleExample({ ...pair, rationale: p.rationale }, s));
        return { id: pair.id, target: 'prover', rationale: p.rationale };
      }
      if (fallback === 'drop') return { id: pair.id, target: 'dropped', proverDropped: p.dropped! };
      examples.push(labelOnlyExample(pair, s));
      return { id: pair.id, target: 'label-only', proverDropped: p.dropped! };
    }
    examples.push(labelOnlyExample(pair, s));
    return { id: pair.id, target: 'label-only' };
  });
  return { examples, lines };
}
