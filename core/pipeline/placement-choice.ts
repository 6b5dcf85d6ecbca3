// A stage's placement as the pipeline file chose it (the kinds themselves and what runs a placed stage are in
// placement.ts); kept apart so the pipeline loader does not import the runner's types.

/** The placement a stage gets when neither it nor the pipeline names one. */
export const LOCAL_PLACEMENT = 'local';

/** A stage's validated placement (absent on a PlannedStage: local). */
export interface PlacementChoice {
  /** The StagePlacement kind. */
  kind: string;
  /** Its options, validated by the kind's schema. */
  options: unknown;
}
