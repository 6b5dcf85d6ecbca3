// Where a whole stage runs: `local` (the runner's process or a stage process it forks; the default) or a kind a
// plugin contributes under the StagePlacement extension point (the queue plugin's `queue`: a `gramr work` worker on
// any machine that sees the run folder at the same path). The runner hands a placed stage the same job a forked
// stage process gets (stage-process.ts) and waits for its StageDone.
import type { OutputIndex } from './artifacts.js';
import type { StageProgress } from './progress.js';
import type { Attempt, StageDone } from './stage-exec.js';

export { LOCAL_PLACEMENT, type PlacementChoice } from './placement-choice.js';

/** What a placed stage needs: the same fields a stage process gets, plus the token of the runner's run lock. */
export interface PlacedStageJob {
  /** Absolute path of the pipeline file, and the --set overrides it was loaded with. */
  file: string;
  sets: string[];
  /** Absolute path of the run folder. */
  runDir: string;
  /** The stage's id. */
  stageId: string;
  /** The attempt the runner planned (and wrote to the stage folder's attempt.json). */
  attempt: Attempt;
  /** Outputs of the completed stages. */
  index: Array<[string, OutputIndex extends Map<string, infer V> ? V : never]>;
  /** The token of the run lock the runner holds: whoever runs the stage stops when the lock no longer names it. */
  lockToken: string;
}

/** A stage started somewhere else. */
export interface PlacedStage {
  /** Settles with the stage's result (its outcome names the worker) or its error. */
  done: Promise<StageDone>;
  /** Stop waiting and ask the stage to stop (a rerun resumes it). */
  abort(): void;
}

/** A StagePlacement kind: starts a planned stage elsewhere; progress and log lines go to `display`. */
export interface StagePlacement<Options = any> {
  /** The kind name a pipeline uses (`placement: {kind: <kind>}`). */
  readonly kind: string;
  /** Start the stage and return at once. */
  start(options: Options, job: PlacedStageJob, display: StageProgress): PlacedStage;
}
