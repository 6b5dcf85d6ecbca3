// The resumable side of `evaluate`: wraps the stage's judge — a plain evaluator Judge (e.g. a train-grm model's
// label-logit or reward judge) or a PairJudge — so every judged pair is appended to the stage's judgments records
// (RecordWriter) with its evidence (each model call's prompt hash, raw generation, parsed label, label
// probabilities, sample, failure reason; prompt texts once in the prompts file, prompt-store.ts), and pairs already
// in that file are answered from it: an interrupted evaluation continues where it stopped and ends with the same
// report. Pairs are keyed by content (contentId(prompt, a, b)); the runner discards the stage folder when options,
// seed or inputs change.
import type { RecordWriter } from '../../core/pipeline/record-writer.js';
import type { TaskContext } from '../../core/pipeline/task-context.js';
import type { Judge, JudgeEvidence, JudgeItem, JudgeOutcome } from '../../core/reward/evaluator.js';
import type { Order, PairVerdict } from '../../core/reward/judgment.js';
import { evidenceOf, type PairJudge } from '../../core/reward/pair-judge.js';
import { contentId } from '../../core/reward/seeds.js';
import { PromptStore } from './prompt-store.js';

/** One model call behind a logged judgment (shown-order terms): its JudgeEvidence with the prompt replaced by its hash. */
export type LoggedCall = Omit<JudgeEvidence, 'prompt'> & {
  /** promptHash of the rendered prompt; its text is in the prompts file. */
  prompt: string;
};

/** One line of the judgments artifact: a pair judged as shown, with its outcome and the model calls behind it. */
export interface LoggedJudgment {
  /** contentId(prompt, a, b) of the pair as shown. */
  key: string;
  /** contentId of the record's pair in its original order (equals `key` for the original order). */
  pair?: string;
  /** The record id the evaluator judged it for (the first, when records share content). */
  id?: string;
  /** The order shown. */
  order?: Order;
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
  /** The model calls behind it, one per vote sample (absent when the judge reported none). */
  judgments?: LoggedCall[];
}

/** A pair to judge, keyed by its content. */
interface KeyedPair { key: string; item: JudgeItem }

/** The judgments log of one evaluate stage. */
export class JudgmentLog {
  /** Pairs judged by the model in this run (not taken from the file). */
  judged = 0;
  /** Judge calls answered entirely or partly from the file. */
  reused = 0;

  private constructor(private readonly writer: RecordWriter, private readonly prompts: PromptStore,
    private readonly known: Map<string, LoggedJudgment>, readonly resumed: number) {}

  /**
   * Open the log over `writer` (and the prompts file's writer; without one only prompt hashes are kept), loading what
   * an interrupted run left in their files.
   */
  static async open(writer: RecordWriter, prompts?: RecordWriter): Promise<JudgmentLog> {
    const known = new Map<string, LoggedJudgment>();
    for await (const r of writer.earlierRecords()) {
      const rec = r as LoggedJudgment;
      if (typeof rec?.key === 'string') known.set(rec.key, rec);
    }
    return new JudgmentLog(writer, await PromptStore.open(prompts), known, known.size);
  }

  /**
   * An evaluator Judge over `inner`, judging pairs as shown or reading them from the log. A plain Judge's outcome
   * is logged as it is (label, confidence, noAnswer, voteTie, evidence); a PairJudge judges with its voting, position
   * none, and every model call is logged too.
   */
  judge(inner: Judge | PairJudge): Judge {
    const run = typeof inner === 'function'
      ? async (todo: KeyedPair[], ctx: TaskContext): Promise<Array<JudgeOutcome & { probA?: number }>> => {
        const outcomes = await inner(todo.map(({ item: { prompt, a, b } }) => ({ prompt, a, b })), ctx);
        if (outcomes.length !== todo.length) throw new Error(`JudgmentLog: the judge returned ${outcomes.length} outcomes for ${todo.length} pairs`);
        return outcomes;
      }
      : async (todo: KeyedPair[], ctx: TaskContext): Promise<Array<JudgeOutcome & { probA?: number }>> =>
        (await inner.judge(todo.map(({ key, item: { prompt, a, b } }) => ({ id: key, prompt, a, b })), ctx, 'none')).map(fromVerdict);
    return async (batch, ctx) => {
      const keys = batch.map((p) => contentId(p.prompt, p.a, p.b));
      const todo = new Map<string, KeyedPair>();
      batch.forEach((item, i) => { if (!this.known.has(keys[i]!) && !todo.has(keys[i]!)) todo.set(keys[i]!, { key: keys[i]!, item }); });
      if (todo.size < batch.length) this.reused++;
      if (todo.size > 0) await this.record([...todo.values()], await run([...todo.values()], ctx));
      return keys.map((k) => outcomeOf(this.known.get(k)!));
    };
  }

  /** Store the prompts (flushed first, so no logged judgment points at a lost prompt), then the judgments. */
  private async record(todo: KeyedPair[], outcomes: Array<JudgeOutcome & { probA?: number }>): Promise<void> {
    const recs: LoggedJudgment[] = [];
    for (const [i, { key, item }] of todo.entries()) {
      const calls = await Promise.all((outcomes[i]!.evidence ?? []).map((e) => this.call(e)));
      recs.push(logged(key, item, outcomes[i]!, calls));
    }
    await this.prompts.flush();
    for (const rec of recs) {
      this.known.set(rec.key, rec);
      await this.writer.append(rec);
      this.judged++;
    }
  }

  private async call(e: JudgeEvidence): Promise<LoggedCall> {
    const { prompt, ...rest } = e;
    return { ...rest, prompt: await this.prompts.put(prompt) };
  }
}

function logged(key: string, item: JudgeItem, o: JudgeOutcome & { probA?: number }, calls: LoggedCall[]): LoggedJudgment {
  const pair = item.order === 'swapped' ? contentId(item.prompt, item.b, item.a) : key;
  return {
    key, pair, ...(item.id !== undefined ? { id: item.id } : {}), ...(item.order !== undefined ? { order: item.order } : {}),
    ...(o.label !== undefined ? { label: o.label } : {}), ...(o.confidence !== undefined ? { confidence: o.confidence } : {}),
    ...(o.noAnswer !== undefined ? { noAnswer: o.noAnswer } : {}), ...(o.voteTie !== undefined ? { voteTie: o.voteTie } : {}),
    ...(o.probA !== undefined ? { probA: o.probA } : {}),
    ...(calls.length > 0 ? { judgments: calls } : {}),
  };
}

/** A PairJudge verdict as an outcome with its evidence (and probA, which only the log keeps). */
function fromVerdict(v: PairVerdict): JudgeOutcome & { probA?: number } {
  return {
    label: v.label, ...(v.confidence !== undefined ? { confidence: v.confidence } : {}), ...(v.noAnswer !== undefined ? { noAnswer: v.noAnswer } : {}),
    voteTie: v.voteTie, ...(v.probA !== undefined ? { probA: v.probA } : {}), evidence: v.judgments.map(evidenceOf),
  };
}

/** The outcome the wrapped judge gave (for a PairJudge: what PairJudge.asJudge would give). */
function outcomeOf(r: LoggedJudgment): JudgeOutcome {
  return {
    label: r.label, ...(r.confidence !== undefined ? { confidence: r.confidence } : {}),
    ...(r.noAnswer !== undefined ? { noAnswer: r.noAnswer } : {}), ...(r.voteTie !== undefined ? { voteTie: r.voteTie } : {}),
  };
}
