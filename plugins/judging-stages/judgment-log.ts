// The resumable side of `evaluate`: an evaluator Judge over a PairJudge that appends every judged pair to the
// stage's judgments records (RecordWriter) and answers pairs already in that file from it, so an interrupted
// evaluation continues where it stopped and ends with the same report. Pairs are keyed by content
// (contentId(prompt, a, b)); the runner discards the stage folder when options, seed or inputs change.
import { readJsonl, type RecordWriter } from '../../core/pipeline/record-writer.js';
import type { Judge, JudgeOutcome } from '../../core/reward/evaluator.js';
import type { PairVerdict } from '../../core/reward/judgment.js';
import type { PairJudge } from '../../core/reward/pair-judge.js';
import { contentId } from '../../core/reward/seeds.js';

/** One line of the judgments artifact: a pair judged as shown, with its combined outcome and every model call. */
export interface LoggedJudgment {
  /** contentId(prompt, a, b) of the pair as shown. */
  key: string;
  /** The label ('A' = the response shown first), absent for no answer. */
  label?: 'A' | 'B';
  /** Probability of the label (softmax over the two label tokens), when computed. */
  confidence?: number;
  /** Why there is no label. */
  noAnswer?: string;
  /** Whether voting@k tied. */
  voteTie: boolean;
  /** P(first response better), when computed. */
  probA?: number;
  /** The model calls behind it (one per vote sample). */
  judgments: Array<{ sample: number; seed: number; label?: string; confidence?: number; rationale?: string; raw: string; noAnswer?: string; truncated: boolean }>;
}

/** The judgments log of one evaluate stage. */
export class JudgmentLog {
  /** Pairs judged by the model in this run (not taken from the file). */
  judged = 0;
  /** Judge calls answered entirely or partly from the file. */
  reused = 0;

  private constructor(private readonly writer: RecordWriter, private readonly known: Map<string, LoggedJudgment>, readonly resumed: number) {}

  /** Open the log over `writer`, loading what an interrupted run left in its file. */
  static async open(writer: RecordWriter): Promise<JudgmentLog> {
    const known = new Map<string, LoggedJudgment>();
    if (writer.count > 0) {
      for await (const r of readJsonl(`${writer.file}.partial`)) {
        const rec = r as LoggedJudgment;
        if (typeof rec?.key === 'string') known.set(rec.key, rec);
      }
    }
    return new JudgmentLog(writer, known, known.size);
  }

  /** An evaluator Judge: pairs are judged as shown by `pairJudge` (its voting, position none), or read from the log. */
  judge(pairJudge: PairJudge): Judge {
    return async (batch, ctx) => {
      const keys = batch.map((p) => contentId(p.prompt, p.a, p.b));
      const todo = new Map<string, { id: string; prompt: string; a: string; b: string }>();
      batch.forEach((p, i) => { if (!this.known.has(keys[i]!) && !todo.has(keys[i]!)) todo.set(keys[i]!, { id: keys[i]!, prompt: p.prompt, a: p.a, b: p.b }); });
      if (todo.size < batch.length) this.reused++;
      if (todo.size > 0) {
        const verdicts = await pairJudge.judge([...todo.values()], ctx, 'none');
        for (const v of verdicts) {
          const rec = logged(v);
          this.known.set(rec.key, rec);
          await this.writer.append(rec);
          this.judged++;
        }
      }
      return keys.map((k) => outcomeOf(this.known.get(k)!));
    };
  }
}

function logged(v: PairVerdict): LoggedJudgment {
  return {
    key: v.pairId, label: v.label, confidence: v.confidence, noAnswer: v.noAnswer, voteTie: v.voteTie, probA: v.probA,
    judgments: v.judgments.map((j) => ({
      sample: j.sample, seed: j.seed, label: j.shownLabel, confidence: j.confidence, rationale: j.rationale, raw: j.raw,
      noAnswer: j.noAnswer, truncated: j.truncated,
    })),
  };
}

/** The outcome PairJudge.asJudge would give for this verdict. */
function outcomeOf(r: LoggedJudgment): JudgeOutcome {
  return {
    label: r.label, ...(r.confidence !== undefined ? { confidence: r.confidence } : {}),
    ...(r.noAnswer !== undefined ? { noAnswer: r.noAnswer } : {}), voteTie: r.voteTie,
  };
}
