// The `sft-prover` kind: the preference-proving model π_ψ as a decoder trained by SFT on (s, l) -> proof(z)
// (loss on proof tokens only; the trainer masks the prompt), plus a share of context-free copies so log π(ẑ) is
// learned, and synthesis with that model (synthesize-proofs.ts).
import { createHash } from 'node:crypto';
import { injectable } from 'inversify';
import { z } from 'zod';
import type { RationaleExample } from '../../core/data/records.js';
import { ConfigError } from '../../core/errors.js';
import { CausalLM } from '../../core/model/causal-lm.js';
import { loadTokenizer } from '../../core/model/tokenizer/load-tokenizer.js';
import type { Tokenizer } from '../../core/model/tokenizer/tokenizer.js';
import { untrusted } from '../../core/model/tokenizer/untrusted-text.js';
import type { ProofRequest, ProofResult, ProofSession, Prover, ProverTrainJob } from '../../core/recipe/prover.js';
import type { SftExample, TrainerContext, TrainReport } from '../../core/recipe/trainer.js';
import { chatRendererFor, type ChatMode } from '../../core/reward/chat-renderer.js';
import type { TaskContext } from '../../core/pipeline/task-context.js';
import { rationaleToProof } from './proof-layout.js';
import { aloneContextText } from './proof-score.js';
import { renderProverPrompt, type ProverPromptFormat } from './prover-prompt.js';
import { sftProverSchema, synthesisSchema, type SftProverOptions } from './prover-options.js';
import { synthesizeProofs, type SynthesisSettings } from './synthesize-proofs.js';

function parse<S extends z.ZodType>(schema: S, options: unknown, what: string): z.output<S> {
  const r = schema.safeParse(options ?? {});
  if (!r.success) throw new ConfigError(`${what} options are invalid:\n${z.prettifyError(r.error)}`);
  return r.data;
}

/** A number in [0, 1) from sha256 of the id: which examples also train unconditionally (stable under reordering). */
export function unitHash(id: string): number {
  return createHash('sha256').update(`gramr/prover/unconditional/v1\0${id}`).digest().readUInt32LE(0) / 2 ** 32;
}

/**
 * The SFT examples of a prover: (s, l) -> proof for every example, and for a share `unconditionalRate` of them
 * (chosen by id) the same proof after a lone BOS (id suffix `#alone`).
 */
export function proverSftExamples(examples: readonly RationaleExample[], o: SftProverOptions, tokenizer: Tokenizer): SftExample[] {
  const chat = chatRendererFor(tokenizer, o.chat as ChatMode).render;
  const alone = o.unconditionalRate > 0 ? aloneContextText(tokenizer) : '';
  const out: SftExample[] = [];
  examples.forEach((ex, i) => {
    if ((ex.label !== 'A' && ex.label !== 'B') || typeof ex.rationale !== 'string') {
      throw new ConfigError(`prover training example ${i} (id ${JSON.stringify(ex.id)}) needs label A or B and a rationale string; got label ${JSON.stringify(ex.label)}, rationale ${typeof ex.rationale}`);
    }
    const target = untrusted(rationaleToProof(ex.rationale, ex.label));
    out.push({ id: ex.id, prompt: renderProverPrompt(o.promptFormat as ProverPromptFormat, ex, ex.label, chat), target });
    if (unitHash(ex.id) < o.unconditionalRate) out.push({ id: `${ex.id}#alone`, prompt: alone, target });
  });
  return out;
}

@injectable()
export class SftProver implements Prover {
  readonly kind = 'sft-prover';

  describe(options: unknown): Record<string, unknown> {
    return { ...parse(sftProverSchema, options, 'sft-prover') };
  }

  async train(job: ProverTrainJob, options: unknown, ctx: TrainerContext): Promise<TrainReport> {
    const o = parse(sftProverSchema, options, 'sft-prover');
    const tokenizer = await loadTokenizer(job.modelPath);
    const train = proverSftExamples(job.examples, o, tokenizer);
    const evalSet = job.evalSet ? proverSftExamples(job.evalSet, { ...o, unconditionalRate: 0 }, tokenizer) : undefined;
    ctx.progress.log(`prover: ${job.examples.length} examples -> ${train.length} SFT examples (${train.length - job.examples.length} context-free copies)`);
    // Provenance: the result records the chat format the prompts were rendered with (resolved, not the default).
    const trainerOptions = { ...(job.trainerOptions as Record<string, unknown>), template: chatRendererFor(tokenizer, o.chat as ChatMode).kind };
    return job.trainer.train({ modelPath: job.modelPath, train, ...(evalSet ? { evalSet } : {}), outDir: job.outDir, options: trainerOptions, labelsChecked: true }, ctx);
  }

  async open(modelPath: string, trained: Record<string, unknown>, options: unknown, ctx: TrainerContext): Promise<ProofSession> {
    const t = parse(sftProverSchema, pickKnown(trained), 'sft-prover (recorded in the model folder)');
    const s = parse(synthesisSchema, options, 'synthesis');
    const model = await CausalLM.load(modelPath, await ctx.backend());
    if (!model.tokenizer) {
      model.dispose();
      throw new ConfigError(`prover model ${modelPath} has no tokenizer (tokenizer.json beside config.json)`);
    }
    const settings: SynthesisSettings = {
      k: s.k, temperature: s.temperature, maxTokens: s.maxTokens, scoreBatchSize: s.scoreBatchSize,
      ...(s.topP !== undefined ? { topP: s.topP } : {}), ...(s.topK !== undefined ? { topK: s.topK } : {}),
      promptFormat: t.promptFormat as ProverPromptFormat, chat: chatRendererFor(model.tokenizer, t.chat as ChatMode).render,
      rules: s.rules, appendEos: trained.addEos !== false, seed: s.seed ?? ctx.seed,
    };
    return {
      prove: (requests: readonly ProofRequest[], c: TaskContext): Promise<ProofResult[]> => synthesizeProofs(model, requests, settings, c.signal),
      dispose: () => model.dispose(),
    };
  }
}

// The recorded options may carry extra keys (addEos) that the strict schema does not know.
function pickKnown(trained: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(sftProverSchema.shape);
  return Object.fromEntries(Object.entries(trained).filter(([k]) => keys.includes(k)));
}
