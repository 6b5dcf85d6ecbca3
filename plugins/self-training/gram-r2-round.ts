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
  const run: RoundRun = { inputs, o, deps, ctx, rctx, where };
  const pairs = inputs.unlabeled;
  const total = pairs.length;

  // 1. Pseudo-labels: n votes per pair, majority, threshold.
  const labels = await roundLabels(run);
  // 2. Rationales by the prover for the confident pseudo-labels; rule checks.
  const confident = pairs.flatMap((pair, i) => (labels[i]!.confident ? [{ pair, label: labels[i]!.label! }] : []));
  const rationales = await roundRationales(run, confident);
  // 3. The round's decisions and additions.
  const { decisions, added, dropped, candidateDrops, keptLabels } = roundDecisions(pairs, labels, rationales);
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
  const grmDir = await retrainRound(run, settings, added, report);
  return { grmPath: grmDir, added, labels: decisions, report };
}

/** What every step of one round shares. */
interface RoundRun {
  inputs: RoundInputs;
  o: GramR2Options;
  deps: RoundDeps;
  /** The stage's context (progress, seed). */
  ctx: TrainerContext;
  /** The context with the round's seed. */
  rctx: TrainerContext;
  /** "self-training round N", for messages. */
  where: string;
}

/** Runs `work` on the keyed log at `file`, committing it after and abandoning it (then rethrowing) on any error. */
async function withKeyedLog<T extends { id: string }>(file: string, work: (log: KeyedLog<T>) => Promise<T[]>): Promise<T[]> {
  const log = await KeyedLog.open<T>(file);
  try {
    const lines = await work(log);
    await log.commit();
    return lines;
  } catch (e) {
    await log.abandon();
    throw e;
  }
}

/** Step 1: the pseudo-label of every unlabeled pair (in order), resumed from labels.jsonl. */
async function roundLabels({ inputs, o, deps, ctx, rctx, where }: RoundRun): Promise<LabelLine[]> {
  const pairs = inputs.unlabeled;
  return withKeyedLog<LabelLine>(path.join(inputs.outDir, 'labels.jsonl'), async (labelLog) => {
    const todo = pairs.filter((p) => labelLog.get(p.id) === undefined);
    if (todo.length === 0) return pairs.map((p) => labelLog.get(p.id)!);
    if (labelLog.size > 0) ctx.progress.log(`${where}: resuming pseudo-labels after ${labelLog.size} pairs`);
    const opened = await deps.openJudge(inputs.grmPath, todo);
    try {
      return await pseudoLabel(opened.judge, pairs, o, labelLog, rctx, (done) => ctx.progress.update({ done, total: pairs.length, unit: 'pairs', message: `round ${inputs.round}: pseudo-labeling` }));
    } finally {
      opened.dispose();
    }
  });
}

/** Step 2: the prover's rationale line of every confident pair (in order), resumed from rationales.jsonl. */
async function roundRationales({ inputs, o, deps, ctx, rctx, where }: RoundRun,
  confident: Array<{ pair: PreferencePair; label: Label }>): Promise<RationaleLine[]> {
  return withKeyedLog<RationaleLine>(path.join(inputs.outDir, 'rationales.jsonl'), async (ratLog) => {
    const todo = confident.filter((r) => ratLog.get(r.pair.id) === undefined);
    if (todo.length === 0) return confident.map((r) => ratLog.get(r.pair.id)!);
    if (ratLog.size > 0) ctx.progress.log(`${where}: resuming rationales after ${ratLog.size} pairs`);
    const session = await deps.openProver(inputs.proverPath, todo);
    try {
      return await proveLabels(session, confident, o.batchSize, ratLog, rctx, (done) => ctx.progress.update({ done, total: confident.length, unit: 'pairs', message: `round ${inputs.round}: prover rationales` }));
    } finally {
      session.dispose();
    }
  });
}

/** Step 3: each pair's decision (kept, or dropped and why), the kept examples, and the drop and label counts. */
function roundDecisions(pairs: readonly PreferencePair[], labels: LabelLine[], rationales: RationaleLine[]): {
  decisions: PseudoLabel[]; added: RationaleExample[]; dropped: Record<string, number>; candidateDrops: Record<string, number>;
  keptLabels: { A: number; B: number };
} {
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
  return { decisions, added, dropped, candidateDrops, keptLabels };
}

/** Step 4: retrains on all earlier data plus `added`, publishes the GRM in the round's grm/ and fills `report`; returns its folder. */
async function retrainRound({ inputs, o, deps, ctx, rctx, where }: RoundRun, settings: Awaited<ReturnType<typeof grmSettings>>,
  added: RationaleExample[], report: RoundReport): Promise<string> {
  const dir = inputs.outDir;
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
  return grmDir;
}

/** The pairs of a round without their labels: `label` and `meta.goldLabel` removed (a strategy never sees gold). */
export function hideLabels(pair: PreferencePair): PreferencePair {
  const { label: _label, meta, ...rest } = pair;
  if (meta === undefined) return rest;
  const { goldLabel: _gold, ...m } = meta;
  return { ...rest, meta: m };
}
