// Service identifiers: the extension points of gramr. Plugins bind implementations to these by kind
// name (`whenNamed(kind)`); core resolves them by the kind a config names. Symbols, so they never clash.

/** Extension points, by contract name. Each is bound once per kind. */
export const ServiceIds = {
  DataSource: Symbol.for('gramr.DataSource'),
  Prover: Symbol.for('gramr.Prover'),
  Trainer: Symbol.for('gramr.Trainer'),
  SelfTrainingStrategy: Symbol.for('gramr.SelfTrainingStrategy'),
  TaskAdapter: Symbol.for('gramr.TaskAdapter'),
  Ranker: Symbol.for('gramr.Ranker'),
  Evaluator: Symbol.for('gramr.Evaluator'),
  Stage: Symbol.for('gramr.Stage'),
  ComputeBackend: Symbol.for('gramr.ComputeBackend'),
  StagePlacement: Symbol.for('gramr.StagePlacement'),
} as const;

/** The name of an extension point ("DataSource", "Stage", ...). */
export type ExtensionPoint = keyof typeof ServiceIds;

/** All extension point names, in a stable order (docs and `gramr plugins` list them so). */
export const extensionPoints = Object.keys(ServiceIds) as ExtensionPoint[];

/** Multi-bound: one `KindContribution` per kind a plugin provides (its options schema and description). */
export const KindContributionId = Symbol.for('gramr.KindContribution');

/** Multi-bound: one `CommandContribution` per `gramr` command a plugin provides (its name, summary and loader). */
export const CommandContributionId = Symbol.for('gramr.CommandContribution');

/** The one KindLookup (kind-lookup.ts) the container binds for every plugin: "give me kind K of point P" at run time. */
export const KindLookupId = Symbol.for('gramr.KindLookup');

/** The one JudgeOpener (core/reward/judge-opener.ts), bound by the grm plugin: how every command and stage opens a judge for a model. */
export const JudgeOpenerId = Symbol.for('gramr.JudgeOpener');
