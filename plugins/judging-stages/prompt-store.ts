// The prompts file beside a judgments log: each rendered judge prompt stored once as `{hash, prompt}` (JSONL through a
// RecordWriter, so it resumes with the log), while every logged judgment carries only the prompt's hash. Keeps
// logs small when both orders and several votes share long prompts, and lets a reader show the exact prompt.
import { createHash } from 'node:crypto';
import { readJsonl, type RecordWriter } from '../../core/pipeline/record-writer.js';
import { withoutMarks } from '../../core/model/tokenizer/untrusted-text.js';

/** One line of a prompts file. */
export interface StoredPrompt {
  /** promptHash(prompt). */
  hash: string;
  /** The rendered prompt as the model saw it (its text; the untrusted-text marks, which encode to nothing, removed). */
  prompt: string;
}

/** The hash a judgment log records for a prompt: the first 16 hex digits of its SHA-256. */
export function promptHash(prompt: string): string {
  return createHash('sha256').update(prompt).digest('hex').slice(0, 16);
}

/** Appends each distinct prompt once. */
export class PromptStore {
  private constructor(private readonly writer: RecordWriter | undefined, private readonly known: Set<string>) {}

  /** Open over `writer` (undefined: hashes only, texts not kept), loading what an interrupted run left in it. */
  static async open(writer: RecordWriter | undefined): Promise<PromptStore> {
    const known = new Set<string>();
    for await (const r of writer?.earlierRecords() ?? []) {
      const h = (r as Partial<StoredPrompt>)?.hash;
      if (typeof h === 'string') known.add(h);
    }
    return new PromptStore(writer, known);
  }

  /** Store `prompt` (once, without its untrusted-text marks) and return its hash. */
  async put(marked: string): Promise<string> {
    const prompt = withoutMarks(marked);
    const hash = promptHash(prompt);
    if (!this.known.has(hash)) {
      this.known.add(hash);
      await this.writer?.append({ hash, prompt } satisfies StoredPrompt);
    }
    return hash;
  }

  /** Flush stored prompts to disk (before the judgments that point at them). */
  async flush(): Promise<void> {
    await this.writer?.flush();
  }
}

/** Read a prompts file into a map hash -> prompt. */
export async function readPrompts(file: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const r of readJsonl(file)) {
    const p = r as Partial<StoredPrompt>;
    if (typeof p?.hash === 'string' && typeof p.prompt === 'string') out.set(p.hash, p.prompt);
  }
  return out;
}
