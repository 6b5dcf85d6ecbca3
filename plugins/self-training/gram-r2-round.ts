// One GRAM-R² self-training round (METHOD.md step 4): pseudo-label with the current GRM (n votes, threshold), have the
// prover write the kept pairs' rationales (rule checks), merge with all earlier data and retrain from the backbone or
// the current GRM; a round that keeps nothing does not retrain. Checkpointed in the round folder (labels.jsonl and
// rationales.jsonl keyed by pair id, the trainer's train/), so a rerun after a kill redoes only what is missing.
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import type { Label, PreferencePair, RationaleExample } from '../../core/data/records.js';
import { ConfigError } from '../../core/errors.js';
import { loadTokenizer } from '../../core/model/tokenizer/load-tokenizer.js';
import type { ProofSession } from '../../core/recipe/prover.js';
import type { PseudoLabel, RoundInputs, RoundReport, RoundResult } from '../../core/recipe/self-training-strategy.js';
import type { Trainer, TrainerContext } from '../../core/recipe/trainer.js';
import { chatRendererFor } from '../../core/reward/chat-renderer.js';
import { grmExamples } from '../grm/train-grm-stage.js';
import { checkpointOf, publishModel } from '../../core/recipe/publish-model.js';
import { stopIfDiverged } from '../../core/recipe/stage-helpers.js';
import type { GramR2Options } from './gram-r2-options.js';
import { grmSettings } from './grm-settings.js';
import { KeyedLog } from './keyed-log.js';
import { pseudoLabel, type LabelLine, type VoteJudge } from './pseudo-label.js';
import { proveLabels, type RationaleLine } from './prover-rationales.js';

/** What a round runs on besides its inputs: how to open the GRM as a judge and the prover, and the trainer. */
export interface RoundDeps {
  /**
   * Opens the GRM at `grmPath` as a VoteJudge (a PairJudge) with the round's voting settings; `dispose` frees it.
   * `todo` are the pairs it will be asked about (a queue executor enqueues them all at once).
   */
  openJudge(grmPath: string, todo: readonly PreferencePair[]): Promise<{ judge: VoteJudge; dispose(): void }>;
  /** Opens the prover at `proverPath` with the round's synthesis settings; `todo` are the requests it will get. */
  openProver(proverPath: string, todo: ReadonlyArray<{ pair: PreferencePair; label: Label }>): Promise<ProofSession>;
  /** The retrain trainer: its kind, implementation and parsed options (objective sft). */
  trainer: { kind: string; impl: Trainer; options: unknown };
}

const count = (table: Record<string, number>, key: string, n = 1): void => { table[key] = (table[key] ?? 0) + n; };

/** Runs (or resumes) one round; see the file header. */
export async function runGramR2Round(inputs: RoundInputs, o: GramR2Options, deps: RoundDeps, ctx: TrainerContext): Promise<RoundResult> {
  const where = `self-training round ${inputs.round}`;
  const seed = o.seed ?? ctx.seed;
  const rctx: TrainerContext = { ...ctx, seed };
  const dir = inputs.outDir;
  await mkdir(dir, { recursive: true });
  const settings = await grmSettings(inputs.grmPath, where);
  if (o.retrain === 'backbone' && inputs.backbonePath === undefined) {
    throw new ConfigError(`${where}: retrain: backbone needs the backbone (the GRM's initial weights); set the stage's backbone option, or use retrain: continue`);
  }
  const pairs = inputs.unlabeled;
  const total = pairs.length;

  // 1. Pseudo-labels: n votes per pair, majority, threshold.
  const labelLog = await KeyedLog.open<LabelLine>(path.join(dir, 'labels.jsonl'));
  let labels: LabelLine[];
  try {
    const todo = pairs.filter((p) => labelLog.get(p.id) === undefined);
    if (todo.length > 0) {
      if (labelLog.size > 0) ctx.progress.log(`${where}: resuming pseudo-labels after ${labelLog.size} pairs`);
      const opened = await deps.openJudge(inputs.grmPath, todo);
      try {
        labels = await pseudoLabel(opened.judge, pairs, o, labelLog, rctx, (done) => ctx.progress.update({ done, total, unit: 'pairs', message: `round ${inputs.round}: pseudo-labeling` }));
      } finally {
        opened.dispose();
      }
    } else {
      labels = pairs.map((p) => labelLog.get(p.id)!);
    }
    await labelLog.commit();
  } catch (e) {
    await labelLog.abandon();
    throw e;
  }

  // 2. Rationales by the prover for the confident pseudo-labels; rule checks.
  const confident = pairs.flatMap((pair, i) => (labels[i]!.confident ? [{ pair, label: labels[i]!.label! }] : []));
  const ratLog = await KeyedLog.open<RationaleLine>(path.join(dir, 'rationales.jsonl'));
  let rationales: RationaleLine[] = [];
  try {
    const todo = confident.filter((r) => ratLog.get(r.pair.id) === undefined);
    if (todo.length > 0) {
      if (ratLog.size > 0) ctx.progress.log(`${where}: resuming rationales after ${ratLog.size} pairs`);
      const session = await deps.openProver(inputs.proverPath, todo);
      try {
        rationales = await proveLabels(session, confident, o.batchSize, ratLog, rctx, (done) => ctx.progress.update({ done, total: confident.length, unit: 'pairs', message: `round ${inputs.round}: prover rationales` }));
      } finally {
        session.dispose();
      }
    } else {
      rationales = confident.map((r) => ratLog.get(r.pair.id)!);
    }
    await ratLog.commit();
  } catch (e) {
    await ratLog.abandon();
    throw e;
  }

  // 3. The round's decisions and additions.
  const byId = new Map(rationales.map((r) => [r.id, r]));
  const added: RationaleExample[] = [];
  const dropped: Record<string, number> = {};
  const candidateDrops: Record<string, number> = {};
  const keptLabels = { A: 0, B: 0 };
  const decisions: PseudoLabel[] = pairs.map((pair, i) => {
    const l = labels[i]!;
    const d: PseudoLabel = { id: pair.id, votes: l.votes, kept: false, ...(l.label ? { label: l.label } : {}), ...(l.confidence !== undefined ? { confidence: l.confidence } : {}) };
    const r = byId.get(pair.id);
    if (r) for (const [rule, n] of Object.entries(r.candidateDrops)) count(candidateDrops, rule, n);
    const why = l.dropped ?? r?.dropped;
    if (why !== undefined) { count(dropped, why); return { ...d, dropped: why }; }
    added.push({ ...pair, label: l.label as Label, rationale: r!.rationale! });
    keptLabels[l.label as Label]++;
    return { ...d, kept: true };
  });
  const report: RoundReport = {
    round: inputs.round, offered: total, labeled: labels.filter((l) => l.label !== undefined).length, confident: confident.length,
    kept: added.length, keptFraction: total ? added.length / total : 0, keptLabels, dropped, candidateDrops,
    trainExamples: 0, retrained: false, startedFrom: 'unchanged', steps: 0, notes: [],
  };
  if (added.length === 0) {
    report.notes.push(`nothing kept (${total} offered${Object.keys(dropped).length ? `; dropped: ${Object.entries(dropped).map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}): the GRM was not retrained and carries over unchanged`);
    ctx.progress.log(`${where}: ${report.notes[0]}`);
    return { grmPath: inputs.grmPath, added, labels: decisions, report };
  }

  // 4. Merge with all earlier synthesized data and retrain.
  const start = o.retrain === 'backbone' ? inputs.backbonePath! : inputs.grmPath;
  const data = [...inputs.earlier, ...added];
  const tokenizer = await loadTokenizer(start);
  const examples = grmExamples('rationale', data, { format: settings.format, chat: chatRendererFor(tokenizer, settings.chat).render, labelTokens: settings.labelTokens });
  ctx.progress.log(`${where}: retraining from ${o.retrain === 'backbone' ? 'the backbone' : 'the current GRM'} on ${data.length} examples (${inputs.earlier.length} earlier + ${added.length} new)`);
  const trained = await deps.trainer.impl.train({ modelPath: start, train: examples, outDir: path.join(dir, 'train'), options: deps.trainer.options }, rctx);
  stopIfDiverged(trained, where);
  const grmDir = path.join(dir, 'grm');
  await mkdir(grmDir, { recursive: true });
  const addEos = (deps.trainer.options as { addEos?: boolean }).addEos !== false;
  await publishModel(checkpointOf(trained, where), grmDir, {
    ...settings.meta, addEos,
    training: {
      trainer: deps.trainer.kind, steps: trained.steps, finalLoss: trained.finalLoss, stopReason: trained.stopReason,
      init: `self-train round ${inputs.round} (${o.retrain === 'backbone' ? 'from the backbone' : 'continued from the previous GRM'})`,
      objectiveDetail: { objective: 'sft', examples: data.length, earlier: inputs.earlier.length, added: added.length },
    },
  });
  Object.assign(report, { trainExamples: data.length, retrained: true, startedFrom: o.retrain, steps: trained.steps, finalLoss: trained.finalLoss });
  return { grmPath: grmDir, added, labels: decisions, report };
}

/** The pairs of a round without their labels: `label` and `meta.goldLabel` removed (a strategy never sees gold). */
export function hideLabels(pair: PreferencePair): PreferencePair {
  const { label: _label, meta, ...rest } = pair;
  if (meta === undefined) return rest;
  const { goldLabel: _gold, ...m } = meta;
  return { ...rest, meta: m };
}
