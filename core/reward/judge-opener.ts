// JudgeOpener: the one way to open a generative judge for a model — load a checkpoint as a ModelJudge and put a
// PairJudge over it with the model's own chat renderer. A plugin binds it once under JudgeOpenerId; the CLI, the
// server, the queue worker and the stages resolve it there instead of assembling ModelJudge and PairJudge by hand.
import type { GramrContainer } from '../di/container.js';
import { JudgeOpenerId } from '../di/identifiers.js';
import type { ComputeBackend } from '../tensor/backend.js';
import { ModelJudge, type ModelJudgeOptions } from './model-judge.js';
import { PairJudge } from './pair-judge.js';
import type { PairJudgeOptionsInput } from './pair-judge-options.js';

/** How a checkpoint is loaded as a ModelJudge. */
export interface LoadJudgeModelOptions extends ModelJudgeOptions {
  /** A tokenizer overriding the one beside the model. */
  tokenizer?: string;
}

/** Where a judge's model comes from: a checkpoint loaded on a backend (owned by the judge), or a loaded ModelJudge (borrowed). */
export type JudgeModelSource = ModelJudge | { path: string; backend: ComputeBackend };

/** Options of JudgeOpener.open. */
export interface OpenJudgeOptions extends LoadJudgeModelOptions {
  /** The PairJudge options, or a function of the loaded model giving them (for defaults that depend on its context). */
  judge?: PairJudgeOptionsInput | ((model: ModelJudge) => PairJudgeOptionsInput);
}

/** An opened judge. */
export interface OpenedJudge {
  /** The PairJudge over `model`, rendering prompts with the model's chat renderer. */
  judge: PairJudge;
  /** The model it judges with. */
  model: ModelJudge;
  /** Frees the model when `open` loaded it; a borrowed ModelJudge stays with its owner. */
  dispose(): void;
}

/** Opens judges for models (see the file header). */
export interface JudgeOpener {
  /** Load a checkpoint (a Hugging Face folder or a llama2.c .bin) as a ModelJudge; the caller disposes it. */
  loadModel(path: string, backend: ComputeBackend, options?: LoadJudgeModelOptions): Promise<ModelJudge>;
  /** A PairJudge over `source`; the load options apply only when `source` is a path. */
  open(source: JudgeModelSource, options?: OpenJudgeOptions): Promise<OpenedJudge>;
}

/** The JudgeOpener over ModelJudge and PairJudge. */
export class ModelJudgeOpener implements JudgeOpener {
  loadModel(path: string, backend: ComputeBackend, options: LoadJudgeModelOptions = {}): Promise<ModelJudge> {
    return ModelJudge.load(path, backend, options);
  }

  async open(source: JudgeModelSource, options: OpenJudgeOptions = {}): Promise<OpenedJudge> {
    const { judge: judgeOptions, ...load } = options;
    const owned = !(source instanceof ModelJudge);
    const model = source instanceof ModelJudge ? source : await this.loadModel(source.path, source.backend, load);
    try {
      const o = typeof judgeOptions === 'function' ? judgeOptions(model) : judgeOptions ?? {};
      const judge = new PairJudge(model, o, model.chat);
      return { judge, model, dispose: () => { if (owned) model.dispose(); } };
    } catch (e) {
      if (owned) model.dispose();
      throw e;
    }
  }
}

/** The container's JudgeOpener; an error naming what to load when no plugin binds one. */
export function judgeOpenerOf(c: GramrContainer): JudgeOpener {
  if (!c.container.isBound(JudgeOpenerId)) {
    throw new Error('no JudgeOpener is bound: the grm plugin binds it (load the built-in plugins, cli/builtin-plugins.ts)');
  }
  return c.container.get<JudgeOpener>(JudgeOpenerId);
}
