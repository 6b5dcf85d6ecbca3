// The Stage contract: one step of a pipeline. A stage declares which named artifacts it reads and writes
// (from its options), and runs with a StageContext that gives it its folder, its inputs, resumable writers
// and the configured compute backend.
import type { DataRecord } from '../data/records.js';
import type { TaskContext } from './task-context.js';
import type { RecordWriter } from './record-writer.js';
import type { ComputeBackend } from '../tensor/backend.js';

/** The kinds of artifacts stages exchange. */
export type ArtifactKind = 'records' | 'model' | 'report' | 'files';

/** An artifact a stage declares it will write. */
export interface OutputDecl {
  /** Artifact name, unique in the pipeline. */
  name: string;
  /** What it is: `records` (a JSONL file), `model` (a checkpoint folder), `report` or `files` (a folder). */
  kind: ArtifactKind;
}

/** Access to the named artifacts of a run, handed to a running stage. */
export interface ArtifactAccess {
  /** Stream the records of a dataset declared in the pipeline or written by an earlier stage. */
  records(name: string): AsyncIterable<DataRecord>;
  /** Read all records of `name` into memory (small datasets). */
  readAll(name: string): Promise<DataRecord[]>;
  /** Path of a model declared in the pipeline or written by an earlier stage. */
  modelPath(name: string): string;
  /** Path of any output of an earlier stage (a records file, or a model / report / files folder). */
  path(name: string): string;
  /**
   * Open the resumable writer for this stage's `records` output `name`. If an interrupted run left records, the
   * writer starts after the last complete one (`writer.count` tells how many) so the stage can skip them.
   */
  recordWriter(name: string): Promise<RecordWriter>;
  /** Folder for this stage's `model` / `files` / `report` output `name`; created on demand. */
  outputDir(name: string): string;
}

/** Context of one running stage. */
export interface StageContext extends TaskContext {
  /** The stage's id (its folder name under the run folder). */
  stageId: string;
  /** The stage's folder: artifacts, checkpoints and its event log live here. */
  dir: string;
  /** Folder of the pipeline file: relative paths in options resolve against it. */
  baseDir: string;
  /** The run's artifacts. */
  artifacts: ArtifactAccess;
  /** The compute backend the pipeline's preference list resolved to (resolved on first call). */
  backend(): Promise<ComputeBackend>;
  /** The run this stage belongs to (read-only: reports read other stages' manifests from `run.dir`). */
  run: RunInfo;
}

/** What a stage may know about its run. */
export interface RunInfo {
  /** Pipeline name. */
  name: string;
  /** The run folder (`runs/<name>`). */
  dir: string;
  /** Absolute path of the pipeline file. */
  file: string;
  /** The validated pipeline config (after overrides and defaults). */
  config: unknown;
  /** The backend chain, e.g. `onnx` or `cpu <- onnx failed: ...`. */
  backendChain: string;
}

/** What a stage returns: named numbers for the summary and manifest. */
export interface StageResult {
  /** Headline numbers (counts, accuracy, loss, ...). */
  metrics: Record<string, number>;
  /** One line for the run summary. */
  summary?: string;
}

/** A pipeline stage kind. Options are already validated by the kind's schema when these are called. */
export interface Stage<Options = any> {
  /** The kind name a pipeline uses (`stage: <kind>`). */
  readonly kind: string;
  /**
   * True for stages that read the whole run folder (other stages' manifests, like the report): they run after every
   * stage before them in the file, not only after the writers of their inputs.
   */
  readonly readsEarlierStages?: boolean;
  /** Names of the artifacts (datasets, models, earlier outputs) this stage reads; they decide the run order. */
  inputs(options: Options): string[];
  /** The artifacts this stage writes (each artifact has exactly one writer in a pipeline). */
  outputs(options: Options): OutputDecl[];
  /** Do the work. Must resume from what an interrupted run left in `ctx.dir`, and end with the same result. */
  run(options: Options, ctx: StageContext): Promise<StageResult>;
}
