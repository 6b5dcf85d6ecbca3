// The runner's implementation of ArtifactAccess: declared datasets are read through their DataSource,
// earlier outputs from their files; outputs are written only inside the running stage's folder.
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { WorkError } from '../errors.js';
import type { DataRecord } from '../data/records.js';
import type { DataSource } from '../data/data-source.js';
import type { Pipeline } from './load-pipeline.js';
import type { ManifestOutput } from './manifest.js';
import { RecordWriter, readJsonl } from './record-writer.js';
import type { ArtifactAccess, OutputDecl } from './stage.js';
import { ARTIFACT_NAME, ARTIFACT_NAME_RULE } from './artifact-flow.js';
import type { TaskContext } from './task-context.js';

/** Outputs of completed stages, by artifact name. */
export type OutputIndex = Map<string, { runPath: string; out: ManifestOutput }>;

/** ArtifactAccess for one running stage. Keeps the writers it opened so the runner can commit them. */
export class StageArtifacts implements ArtifactAccess {
  readonly writers = new Map<string, RecordWriter>();

  constructor(private readonly pipeline: Pipeline, private readonly index: OutputIndex, private readonly runDir: string,
    private readonly stageDir: string, private readonly declared: OutputDecl[], private readonly ctx: TaskContext) {}

  async *records(name: string): AsyncIterable<DataRecord> {
    const ds = this.pipeline.datasets.get(name);
    if (ds) {
      const src = this.pipeline.container.get<DataSource>('DataSource', ds.kind);
      yield* src.read(ds.options, this.pipeline.baseDir, this.ctx);
      return;
    }
    const o = this.index.get(name);
    if (!o || o.out.kind !== 'records') throw new WorkError(`artifact "${name}" is not a dataset or a records output of an earlier stage`);
    for await (const r of readJsonl(path.join(this.runDir, o.out.path))) yield r as DataRecord;
  }

  async readAll(name: string): Promise<DataRecord[]> {
    const out: DataRecord[] = [];
    for await (const r of this.records(name)) out.push(r);
    return out;
  }

  modelPath(name: string): string {
    const m = this.pipeline.models.get(name);
    if (m) return m.path;
    const o = this.index.get(name);
    if (!o || o.out.kind !== 'model') throw new WorkError(`artifact "${name}" is not a model declared in the pipeline or written by an earlier stage`);
    return path.join(this.runDir, o.out.path);
  }

  path(name: string): string {
    const m = this.pipeline.models.get(name);
    if (m) return m.path;
    const o = this.index.get(name);
    if (!o) throw new WorkError(`artifact "${name}" is not a model declared in the pipeline or an output of an earlier stage`);
    return path.join(this.runDir, o.out.path);
  }

  private decl(name: string, kinds: string[]): OutputDecl {
    const d = this.declared.find((o) => o.name === name);
    if (!ARTIFACT_NAME.test(name)) throw new WorkError(`stage tried to write "${name}", which is not a valid artifact name (${ARTIFACT_NAME_RULE})`);
    if (!d || !kinds.includes(d.kind)) {
      throw new WorkError(`stage tried to write "${name}", which it did not declare as a ${kinds.join('/')} output`);
    }
    return d;
  }

  async recordWriter(name: string): Promise<RecordWriter> {
    this.decl(name, ['records']);
    const existing = this.writers.get(name);
    if (existing) return existing;
    const w = await RecordWriter.open(path.join(this.stageDir, `${name}.jsonl`));
    this.writers.set(name, w);
    return w;
  }

  outputDir(name: string): string {
    this.decl(name, ['model', 'report', 'files']);
    const dir = path.join(this.stageDir, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }
}
