// Learning-rate schedules evaluated on the host (the value is fed to the step graph as a scalar input).

/** Cosine schedule settings. */
export interface CosineScheduleOptions {
  /** Peak learning rate, reached at the end of warmup. */
  baseLr: number;
  /** Linear warmup steps: lr = baseLr * (step + 1) / warmupSteps for step < warmupSteps. */
  warmupSteps: number;
  /** Step at which the cosine reaches `minLr` (and stays there). */
  totalSteps: number;
  /** Final learning rate (default 0). */
  minLr?: number;
}

/** Learning rate as a function of the 0-based update index. */
export type LrSchedule = (step: number) => number;

/**
 * Linear warmup then cosine decay: for warmup <= step < total,
 * lr = minLr + (baseLr - minLr) * 0.5 * (1 + cos(pi * (step - warmup) / (total - warmup))); minLr after total.
 */
export function cosineSchedule(o: CosineScheduleOptions): LrSchedule {
  const minLr = o.minLr ?? 0;
  if (!(o.warmupSteps >= 0 && o.totalSteps >= o.warmupSteps && o.baseLr >= 0)) {
    throw new Error(`cosineSchedule: need 0 <= warmupSteps <= totalSteps and baseLr >= 0 (got ${o.warmupSteps}, ${o.totalSteps}, ${o.baseLr})`);
  }
  return (step) => {
    if (step < o.warmupSteps) return (o.baseLr * (step + 1)) / o.warmupSteps;
    if (step >= o.totalSteps) return minLr;
    const progress = (step - o.warmupSteps) / (o.totalSteps - o.warmupSteps);
    return minLr + (o.baseLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
  };
}

/** The same learning rate at every step. */
export function constantSchedule(lr: number): LrSchedule {
  return () => lr;
}
