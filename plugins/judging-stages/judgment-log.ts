// The resumable side of `evaluate`: wraps the stage's judge — a plain evaluator Judge (e.g. a train-grm model's
// label-logit or reward judge) or a PairJudge — so every judged pair is appended to the stage's judgments records
// (RecordWriter) and pairs already in that file are answered from it: an interrupted evaluation continues where it
// stopped and ends with the same report. Pairs are keyed by content (contentId(prompt, a, b)); the runner discards
// the stage folder when options, seed or inputs change.
import { readJsonl, type RecordWriter } from '../../core/pipeline/record-writer.js';
import type { TaskContext } from '../../core/pipeline/task-context.js';
import type { Judge, JudgeOutcome } from '../../core/reward/evaluator.js';
import type { PairVerdict } from '../../core/reward/judgment.js';
import type { PairJudge } from '../../core/reward/pair-judge.js';
import { contentId } from '../../core/reward/seeds.js';

/** One line of the judgments artifact: a pair judged as shown, with its outcome (and, for a PairJudge, every model call). */
export interface LoggedJudgment {
  /** contentId(prompt, a, b) of the pair as shown. */
  key: string;
  /** The label ('A' = the response shown first), absent for no answer. */
  label?: 'A' | 'B';
  /** Probability of the label (label-token softmax, or σ(|r_a − r_b|) for a reward model), when computed. */
  confidence?: number;
  /** Why there is no label. */
  noAnswer?: string;
  /** Whether voting@k tied (absent when the judge does not vote). */
  voteTie?: boolean;
  /** P(first response better), when computed (PairJudge). */
  probA?: number;
  /** The model calls behind it, one per vote sample (PairJudge only). */
  judgments?: Array<{ sample: number; seed: number; label?: string; confidence?: number; rationale?: string; raw: string; noAnswer?: string; truncated: boolean }>;
}

/** A pair to judge, keyed by its content. */
interface KeyedPair { id: string; prompt: string; a: string; b: string }

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

  /**
   * An evaluator Judge over `inner`, judging pairs as shown or reading them from the log. A plain Judge's outcome
   * is logged as it is (label, confidence, noAnswer, voteTie); a PairJudge judges with its voting, position none,
   * and every model call is logged too.
   */
  judge(inner: Judge | PairJudge): Judge {
    const run = typeof inner === 'function'
      ? async (todo: KeyedPair[], ctx: TaskContext): Promise<LoggedJudgment[]> => {
        const outcomes = await inner(todo.map(({ prompt, a, b }) => ({ prompt, a, b })), ctx);
        if (outcomes.length !== todo.length) throw new Error(`JudgmentLog: the judge returned ${outcomes.length} outcomes for ${todo.length} pairs`);
        return outcomes.map((o, i) => fromOutcome(todo[i]!.id, o));
      }
      : async (todo: KeyedPair[], ctx: TaskContext): Promise<LoggedJudgment[]> => (await inner.judge(todo, ctx, 'none')).map(fromVerdict);
    return async (batch, ctx) => {
      const keys = batch.map((p) => contentId(p.prompt, p.a, p.b));
      const todo = new Map<string, KeyedPair>();
      batch.forEach((p, i) => { if (!this.known.has(keys[i]!) && !todo.has(keys[i]!)) todo.set(keys[i]!, { id: keys[i]!, prompt: p.prompt, a: p.a, b: p.b }); });
      if (todo.size < batch.length) this.reused++;
      if (todo.size > 0) {
        for (const rec of await run([...todo.values()], ctx)) {
          this.known.set(rec.key, rec);
          await this.writer.append(rec);
          this.judged++;
        }
      }
      return keys.map((k) => outcomeOf(this.known.get(k)!));
    };
  }
}

function fromOutcome(key: string, o: JudgeOutcome): LoggedJudgment {
  return {
    key, ...(o.label !== undefined ? { label: o.label } : {}), ...(o.confidence !== undefined ? { confidence: o.confidence } : {}),
    ...(o.noAnswer !== undefined ? { noAnswer: o.noAnswer } : {}), ...(o.voteTie !== undefined ? { voteTie: o.voteTie } : {}),
  };
}

function fromVerdict(v: PairVerdict): LoggedJudgment {
  return {
    key: v.pairId, label: v.label, confidence: v.confidence, noAnswer: v.noAnswer, voteTie: v.voteTie, probA: v.probA,
    judgments: v.judgments.map((j) => ({
      sample: j.sample, seed: j.seed, label: j.shownLabel, confidence: j.confidence, rationale: j.rationale, raw: j.raw,
      noAnswer: j.noAnswer, truncated: j.truncated,
    })),
  };
}

/** The outcome the wrapped judge gave (for a PairJudge: what PairJudge.asJudge would give). */
function outcomeOf(r: LoggedJudgment): JudgeOutcome {
  return {
    label: r.label, ...(r.confidence !== undefined ? { confidence: r.confidence } : {}),
    ...(r.noAnswer !== undefined ? { noAnswer: r.noAnswer } : {}), ...(r.voteTie !== undefined ? { voteTie: r.voteTie } : {}),
  };
}
