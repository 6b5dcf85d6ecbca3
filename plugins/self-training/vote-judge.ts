// Opens a GRM as the PairJudge that casts self-training's votes: format, chat and label tokens from its gramr.json,
// the strategy's voting settings (n votes at temperature T, position, token limit capped at half the context). The
// gram-r2 round (local executor) and `gramr work`'s `vote` jobs (queue executor) both open it here, so a worker's
// votes for a pair are the ones the stage would have cast. The model and judge come from the JudgeOpener.
import type { JudgeOpener } from '../../core/reward/judge-opener.js';
import type { PairJudge } from '../../core/reward/pair-judge.js';
import type { ComputeBackend } from '../../core/tensor/backend.js';
import type { GramR2Options } from './gram-r2-options.js';
import { grmSettings } from './grm-settings.js';

/** The voting settings of a round (a subset of the gram-r2 options). */
export type VoteSettings = Pick<GramR2Options, 'votes' | 'temperature' | 'topP' | 'topK' | 'maxTokens' | 'position' | 'modelBatchSize'>;

/** The voting settings out of the gram-r2 options (absent optional knobs left out, so equal settings hash equally). */
export function voteSettingsOf(o: GramR2Options): VoteSettings {
  return {
    votes: o.votes, temperature: o.temperature, maxTokens: o.maxTokens, position: o.position, modelBatchSize: o.modelBatchSize,
    ...(o.topP !== undefined ? { topP: o.topP } : {}), ...(o.topK !== undefined ? { topK: o.topK } : {}),
  };
}

/** Loads the GRM at `grmPath` on `backend` through `opener` as a voting PairJudge; `dispose` frees it. Errors name `where`. */
export async function openVoteJudge(opener: JudgeOpener, grmPath: string, backend: ComputeBackend, o: VoteSettings, where: string): Promise<{ judge: PairJudge; dispose(): void }> {
  const s = await grmSettings(grmPath, where);
  const { judge, dispose } = await opener.open({ path: grmPath, backend }, {
    batchSize: o.modelBatchSize, chat: s.chat,
    judge: (mj) => ({
      format: s.format, labelTokens: s.labelTokens, position: o.position, votes: o.votes, temperature: o.temperature,
      maxTokens: Math.max(1, Math.min(o.maxTokens, Math.floor(mj.contextLength / 2))),
      ...(o.topP !== undefined ? { topP: o.topP } : {}), ...(o.topK !== undefined ? { topK: o.topK } : {}),
    }),
  });
  return { judge, dispose };
}
