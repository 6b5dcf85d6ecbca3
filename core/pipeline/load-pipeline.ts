// Reads a pipeline file (YAML or JSON), applies --set overrides, loads its plugins and validates the whole
// thing before any work: top-level keys, every dataset and stage against its kind's schema, artifact flow
// (each input produced earlier), and paths that must exist. All problems are reported together (exit 2).
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { DataSource } from '../data/data-source.js';
import { ConfigError } from '../errors.js';
import { HubError } from '../hub/hub-error.js';
import { parseHubRef } from '../hub/hub-id.js';
import { resolveHubFile, resolveModelPath } from '../hub/resolve-model.js';
import { createGramrContainer, type GramrContainer } from '../di/container.js';
import type { ExtensionPoint } from '../di/identifiers.js';
import type { PluginRef } from '../di/plugin-loader.js';
import { applyOverrides } from './overrides.js';
import { DEFAULT_BACKENDS } from './backend-choice.js';
import { applyAnchorOverrides } from './anchor-overrides.js';
import { describeIssues, formatPath, locate, parseSource, type SourceMap } from './config-errors.js';
import { sourceToJs } from './source-to-js.js';
import type { OutputDecl, Stage } from './stage.js';
import { ARTIFACT_NAME, ARTIFACT_NAME_RULE, checkArtifactFlow, type FlowStage } from './artifact-flow.js';
import { LOCAL_PLACEMENT, type PlacementChoice } from './placement-choice.js';

const name = z.string().regex(ARTIFACT_NAME, `use ${ARTIFACT_NAME_RULE}`);
const placementRef = z.looseObject({ kind: z.string() })
  .describe('where the whole stage runs: {kind: local} (this machine; the default) or a StagePlacement kind with its options, e.g. {kind: queue, redis: URL, queue: NAME} (a gramr work worker; see gramr plugins)');

/** The top-level shape of a pipeline file; datasets and stages are checked further against their kinds. */
export const pipelineSchema = z.object({
  name: name.describe('run folder name: runs/<name>/'),
  description: z.string().optional(),
  seed: z.number().int().min(0).default(0).describe('seed for everything random'),
  plugins: z.array(z.string()).default([]).describe('outside plugins: npm package names or paths relative to this file'),
  backend: z.object({
    prefer: z.array(z.string()).min(1),
    options: z.record(z.string(), z.record(z.string(), z.unknown())).default({})
      .describe('options per backend kind, e.g. {onnx: {provider: cuda, threads: 8}} (see gramr plugins)'),
  }).strict().default({ prefer: [...DEFAULT_BACKENDS], options: {} })
    .describe(`compute backends in order of preference; the first that initializes runs (default: ${DEFAULT_BACKENDS.join(', ')}, as every command chooses)`),
  datasets: z.record(name, z.looseObject({ kind: z.string() })).default({}),
  models: z.record(name, z.object({
    path: z.string().describe('a Hugging Face checkpoint folder or a llama2.c .bin, relative to this file; or a Hub id owner/name[@rev] (hf://owner/name[@rev]), fetched into the Hub cache'),
    tokenizer: z.string().optional().describe('tokenizer file, when not inside the checkpoint'),
  }).strict()).default({}),
  stages: z.array(z.looseObject({ stage: z.string(), id: name.optional(), placement: placementRef.optional() })).min(1),
  placement: placementRef.optional().describe('the placement of every stage that names none (default {kind: local})'),
  jobs: z.number().int().min(1).optional().describe('stages run at once by gramr run (default: the number of cores; --jobs overrides)'),
}).strict();

/** One validated stage. */
export interface PlannedStage {
  /** Position in the file. */
  index: number;
  /** Folder name under the run folder. */
  id: string;
  /** The stage kind. */
  kind: string;
  /** Options after the kind's schema (defaults filled). */
  options: unknown;
  /** The implementation. */
  impl: Stage;
  /** Artifacts read. */
  inputs: string[];
  /** Artifacts written. */
  outputs: OutputDecl[];
  /** Option keys that say how the stage executes (not hashed; see KindContribution.executionKeys). */
  executionKeys: string[];
  /** Where the whole stage runs when not here (the stage's or the pipeline's `placement`); absent: local. */
  placement?: PlacementChoice;
}

/** A pipeline ready to run. */
export interface Pipeline {
  /** Absolute path of the pipeline file. */
  file: string;
  /** The --set overrides it was loaded with (stage processes load it the same way). */
  sets: string[];
  /** The application's plugins it was loaded with (before the file's own); stage processes load it with them. */
  basePlugins: readonly PluginRef[];
  /** Its folder: relative paths resolve here. */
  baseDir: string;
  /** Run name. */
  name: string;
  /** Seed. */
  seed: number;
  /** Backend preference list. */
  backendPrefer: string[];
  /** Validated options per backend kind. */
  backendOptions: Record<string, unknown>;
  /** Declared datasets: kind and validated options. */
  datasets: Map<string, { kind: string; options: unknown }>;
  /** Declared models: absolute paths. */
  models: Map<string, { path: string; tokenizer?: string }>;
  /** Stages in order. */
  stages: PlannedStage[];
  /** The config after overrides and defaults (recorded in manifests). */
  config: z.infer<typeof pipelineSchema>;
  /** The container with built-in and outside plugins. */
  container: GramrContainer;
}

/** Parse a kind's options, collecting messages. Returns undefined on error. */
function parseKind(container: GramrContainer, point: ExtensionPoint, kind: string, raw: Record<string, unknown>, strip: string[],
  prefix: Array<string | number>, kindKey: string, map: SourceMap, file: string, errors: string[]): unknown {
  const c = container.contribution(point, kind);
  if (!c) {
    const p = [...prefix, kindKey];
    errors.push(`${locate(map, p, file)}: ${formatPath(p)}: unknown ${point} kind "${kind}"; valid kinds: ${container.kinds(point).join(', ') || '(none)'}`);
    return undefined;
  }
  const opts = Object.fromEntries(Object.entries(raw).filter(([k]) => !strip.includes(k)));
  const r = c.schema.safeParse(opts);
  if (!r.success) {
    errors.push(...describeIssues(r.error.issues, c.schema, prefix, map, file));
    return undefined;
  }
  return r.data;
}

/** A stage's placement (its own, else the pipeline's): undefined for local, the kind's validated options otherwise. */
function parsePlacement(container: GramrContainer, raw: { kind: string } & Record<string, unknown>, where: Array<string | number>,
  map: SourceMap, file: string, errors: string[]): PlacementChoice | undefined {
  if (raw.kind === LOCAL_PLACEMENT) {
    for (const k of Object.keys(raw)) {
      if (k !== 'kind') errors.push(`${locate(map, [...where, k], file)}: ${formatPath([...where, k])}: placement kind local takes no other keys (it runs the stage on this machine)`);
    }
    return undefined;
  }
  const options = parseKind(container, 'StagePlacement', raw.kind, raw, ['kind'], where, 'kind', map, file, errors);
  return options === undefined ? undefined : { kind: raw.kind, options };
}

/** A model path or dataset path that names the Hub; replaced by its local path once the config is valid. */
interface HubPath {
  where: string;
  options: Record<string, unknown>;
  key: string;
  value: string;
  model?: boolean;
}

/** Fetch Hub models and dataset files into the Hub cache (after validation) and put their local paths in place. */
async function resolveHubPaths(list: HubPath[]): Promise<void> {
  for (const h of list) {
    let local: string;
    try {
      local = h.model ? await resolveModelPath(h.value) : await resolveHubFile(h.value);
    } catch (e) {
      if (e instanceof HubError) throw new HubError(e.kind, `${h.where}: ${e.message}`, { cause: e });
      throw e;
    }
    const cur = h.options[h.key];
    h.options[h.key] = Array.isArray(cur) ? cur.map((x) => (x === h.value ? local : x)) : local;
  }
}

type PipelineConfig = z.infer<typeof pipelineSchema>;

/** What the checks of one pipeline file share: its plugins, where each key is in the file, the errors so far. */
interface Checking {
  container: GramrContainer;
  map: SourceMap;
  /** The file as shown in messages (relative to the working folder when inside it). */
  shown: string;
  baseDir: string;
  errors: string[];
  /** `file:line: path` of a config path, for messages. */
  at(p: Array<string | number>): string;
}

/** A dataset that gives no path and reads its kind's standard place (filled in once the config is valid). */
interface StandardPath { where: string; options: Record<string, unknown>; source: DataSource }

// Reads and parses the file and applies the --set overrides; top-level `x-` keys (YAML anchors) are dropped.
function readPipelineSource(file: string, sets: string[]): { shown: string; map: SourceMap; raw: unknown } {
  const rel = path.relative(process.cwd(), file);
  const shown = rel && !rel.startsWith('..') ? rel : file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read pipeline file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, shown);
  }
  const { map, errors: parseErrors } = parseSource(shown, text);
  if (parseErrors.length) throw new ConfigError(parseErrors.join('\n'));
  // Overrides of `x-` anchor blocks go into the document, so aliases and merge keys carry them; the others go into a
  // the data, where each alias is a copy (an override of one stage changes that stage only).
  const plainSets = applyAnchorOverrides(map, sets);
  const raw = applyOverrides(sourceToJs(map), plainSets);
  // Top-level keys starting with "x-" hold YAML anchors for reuse (`x-model: &model {...}`), as in compose files.
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const k of Object.keys(raw)) if (k.startsWith('x-')) delete (raw as Record<string, unknown>)[k];
  }
  return { shown, map, raw };
}

// Every preferred backend must be registered; options per backend kind are validated by the kind's schema.
function checkBackends(c: Checking, cfg: PipelineConfig): Record<string, unknown> {
  const backends = c.container.kinds('ComputeBackend');
  cfg.backend.prefer.forEach((b, i) => {
    if (!backends.includes(b)) c.errors.push(`${c.at(['backend', 'prefer', i])}: unknown backend "${b}"; valid backends: ${backends.join(', ') || '(none)'}`);
  });
  const backendOptions: Record<string, unknown> = {};
  for (const [kind, raw] of Object.entries(cfg.backend.options)) {
    const parsed = parseKind(c.container, 'ComputeBackend', kind, { kind, ...raw }, ['kind'], ['backend', 'options', kind], 'kind', c.map, c.shown, c.errors);
    if (parsed !== undefined) backendOptions[kind] = parsed;
  }
  return backendOptions;
}

// Validated dataset options; local paths must exist, Hub paths go to `hubPaths`, path-less ones to `standardPaths`.
function planDatasets(c: Checking, cfg: PipelineConfig, hubPaths: HubPath[], standardPaths: StandardPath[]): Pipeline['datasets'] {
  const datasets = new Map<string, { kind: string; options: unknown }>();
  for (const [dname, d] of Object.entries(cfg.datasets)) {
    const options = parseKind(c.container, 'DataSource', d.kind, d, ['kind'], ['datasets', dname], 'kind', c.map, c.shown, c.errors);
    if (options === undefined) continue;
    for (const key of ['path', 'paths'] as const) {
      const v = (options as Record<string, unknown>)[key];
      const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
      for (const p of list) {
        if (p.startsWith('hf://')) hubPaths.push({ where: c.at(['datasets', dname, key]), options: options as Record<string, unknown>, key, value: p });
        else if (!existsSync(path.resolve(c.baseDir, p))) c.errors.push(`${c.at(['datasets', dname, key])}: path does not exist: ${p} (resolved against ${c.baseDir})`);
      }
    }
    const source = c.container.get<DataSource>('DataSource', d.kind);
    if ((options as Record<string, unknown>).path === undefined && source.defaultPath) {
      standardPaths.push({ where: c.at(['datasets', dname, 'path']), options: options as Record<string, unknown>, source });
    }
    datasets.set(dname, { kind: d.kind, options });
  }
  return datasets;
}

// Model paths resolved against the file's folder; a path that does not exist but reads as a Hub id goes to `hubPaths`.
function planModels(c: Checking, cfg: PipelineConfig, hubPaths: HubPath[]): Pipeline['models'] {
  const models = new Map<string, { path: string; tokenizer?: string }>();
  for (const [mname, m] of Object.entries(cfg.models)) {
    const abs = path.resolve(c.baseDir, m.path);
    const model = { path: abs, tokenizer: m.tokenizer ? path.resolve(c.baseDir, m.tokenizer) : undefined };
    if (!existsSync(abs) && parseHubRef(m.path) !== undefined) hubPaths.push({ where: c.at(['models', mname, 'path']), options: model, key: 'path', value: m.path, model: true });
    else if (!existsSync(abs)) c.errors.push(`${c.at(['models', mname, 'path'])}: path does not exist: ${m.path} (nor is it a Hub id owner/name[@rev])`);
    models.set(mname, model);
  }
  return models;
}

// Each stage's options, id (kind, kind-2, ... unless given; unique), placement and artifact flow, then the flow check.
function planStages(c: Checking, cfg: PipelineConfig): PlannedStage[] {
  const ids = new Set<string>();
  const kindCount = new Map<string, number>();
  const stages: PlannedStage[] = [];
  const flow: FlowStage[] = [];
  const defaultPlacement = cfg.placement && parsePlacement(c.container, cfg.placement, ['placement'], c.map, c.shown, c.errors);
  cfg.stages.forEach((s, index) => {
    const options = parseKind(c.container, 'Stage', s.stage, s, ['stage', 'id', 'placement'], ['stages', index], 'stage', c.map, c.shown, c.errors);
    const placement = s.placement ? parsePlacement(c.container, s.placement, ['stages', index, 'placement'], c.map, c.shown, c.errors) : defaultPlacement;
    const n = (kindCount.get(s.stage) ?? 0) + 1;
    kindCount.set(s.stage, n);
    const id = s.id ?? (n === 1 ? s.stage : `${s.stage}-${n}`);
    if (ids.has(id)) c.errors.push(`${c.at(['stages', index, 'id'])}: stage id "${id}" is used twice; give one an explicit id`);
    ids.add(id);
    if (options === undefined) return;
    const impl = c.container.get<Stage>('Stage', s.stage);
    const inputs = impl.inputs(options);
    const outputs = impl.outputs(options);
    flow.push({ index, id, raw: s, inputs, outputs });
    const executionKeys = c.container.contribution('Stage', s.stage)?.executionKeys ?? [];
    stages.push({ index, id, kind: s.stage, options, impl, inputs, outputs, executionKeys, ...(placement ? { placement } : {}) });
  });
  const provided = new Map<string, string>([
    ...Object.keys(cfg.datasets).map((d): [string, string] => [d, `dataset "${d}" (datasets.${d})`]),
    ...Object.keys(cfg.models).map((m): [string, string] => [m, `model "${m}" (models.${m})`]),
  ]);
  c.errors.push(...checkArtifactFlow(flow, provided, c.at));
  return stages;
}

/**
 * Load and validate a pipeline with the application's `basePlugins` (gramr's built-in list: cli/app.ts) plus the
 * plugins the file names; throws one ConfigError listing every problem. Touches nothing on disk but the Hub
 * cache: once the file is valid, Hub model ids and hf:// dataset files are fetched there (HubError on failure).
 */
export async function loadPipeline(fileArg: string, sets: string[], basePlugins: readonly PluginRef[]): Promise<Pipeline> {
  const file = path.resolve(fileArg);
  const { shown, map, raw } = readPipelineSource(file, sets);
  const top = pipelineSchema.safeParse(raw);
  if (!top.success) throw new ConfigError(describeIssues(top.error.issues, pipelineSchema, [], map, shown).join('\n'));
  const cfg = top.data;
  const baseDir = path.dirname(file);
  const container = await createGramrContainer([...basePlugins, ...cfg.plugins.map((spec, i) => ({ spec, baseDir, label: `${locate(map, ['plugins', i], shown)}: plugins[${i}]` }))]);
  const c: Checking = { container, map, shown, baseDir, errors: [], at: (p) => `${locate(map, p, shown)}: ${formatPath(p)}` };
  const backendOptions = checkBackends(c, cfg);
  const hubPaths: HubPath[] = [];
  const standardPaths: StandardPath[] = [];
  const datasets = planDatasets(c, cfg, hubPaths, standardPaths);
  const models = planModels(c, cfg, hubPaths);
  const stages = planStages(c, cfg);
  if (c.errors.length) throw new ConfigError(c.errors.join('\n'));
  for (const d of standardPaths) {
    try {
      d.options.path = await d.source.defaultPath!(d.options);
    } catch (e) {
      throw new ConfigError(`${d.where}: none given, and ${(e as Error).message}`);
    }
  }
  await resolveHubPaths(hubPaths);
  return { file, sets, basePlugins, baseDir, name: cfg.name, seed: cfg.seed, backendPrefer: cfg.backend.prefer, backendOptions, datasets, models, stages, config: cfg, container };
}
