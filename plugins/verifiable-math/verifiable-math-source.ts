// `verifiable-math`: a DataSource that generates the demo's data (arithmetic and word problems with a
// correct and a flawed worked response; percentages and unit conversions for task adaptation) from a seed.
// Reads no files; the fingerprint is a hash of the generator version and the parsed options.
import { injectable } from 'inversify';
import type { z } from 'zod';
import { newReadStats, type DataSource, type ReadStats } from '../../core/data/data-source.js';
import { canonicalJson, sha256 } from '../../core/pipeline/hash.js';
import type { TaskContext } from '../../core/pipeline/task-context.js';
import { generateSplit } from './generate.js';
import type { VerifiableMathRecord } from './split-partition.js';
import { verifiableMathOptionsSchema, type VerifiableMathInput, type VerifiableMathOptions } from './options.js';

/** Bump when the generator would produce different records for the same options (it changes every fingerprint). */
export const GENERATOR_VERSION = 'verifiable-math/1';

/** Turn a zod error into one readable line per problem, naming the kind. */
function optionsError(kind: string, error: z.ZodError): Error {
  const lines = error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(options)'}: ${i.message}`);
  return new Error(`invalid options for data source "${kind}":\n${lines.join('\n')}`);
}

/** The generator as a DataSource kind. */
@injectable()
export class VerifiableMathSource implements DataSource<VerifiableMathInput, VerifiableMathRecord> {
  /** The kind name. */
  readonly kind: string = 'verifiable-math';
  /** The options schema. */
  readonly schema = verifiableMathOptionsSchema;

  /** Validate options and fill defaults; the error names the kind and each bad option. */
  parseOptions(options: VerifiableMathInput): VerifiableMathOptions {
    const parsed = this.schema.safeParse(options);
    if (!parsed.success) throw optionsError(this.kind, parsed.error);
    return parsed.data;
  }

  /** Generate the split's records (baseDir is unused: nothing is read). */
  async *read(options: VerifiableMathInput, _baseDir: string, ctx: TaskContext, stats: ReadStats = newReadStats()):
    AsyncGenerator<VerifiableMathRecord> {
    const opts = this.parseOptions(options);
    let emitted = 0;
    for (const record of generateSplit(opts)) {
      ctx.signal.throwIfAborted();
      stats.read++;
      emitted++;
      yield record;
      if (emitted % 500 === 0) ctx.progress.update({ done: emitted, unit: 'records' });
      if (opts.limit !== undefined && emitted >= opts.limit) break;
    }
    ctx.progress.update({ done: emitted, total: emitted, unit: 'records' });
  }

  /** sha256 of the generator version, the kind and the parsed options (defaults filled) as canonical JSON. */
  async fingerprint(options: VerifiableMathInput): Promise<string> {
    const opts = this.parseOptions(options);
    return sha256(canonicalJson({ generator: GENERATOR_VERSION, kind: this.kind, options: opts }));
  }
}
