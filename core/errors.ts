// Error classes that carry an exit code and a location, so the CLI can print one clear message.
// ConfigError: a pipeline file or CLI input is wrong (exit 2). WorkError: the work itself failed (exit 1).

/** Base class: `exitCode` is what the CLI exits with. */
export class GramrError extends Error {
  /** Exit code for the CLI: 1 work failed, 2 bad usage or config. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad configuration or usage. `where` names the file and the path inside it (e.g. `demo.yaml: stages[2].threshold`). */
export class ConfigError extends GramrError {
  /** Where the problem is: file and path inside it. */
  readonly where: string | undefined;
  constructor(message: string, where?: string) {
    super(where ? `${where}: ${message}` : message, 2);
    this.where = where;
  }
}

/** The work failed (a stage threw, data was corrupt at run time, ...). */
export class WorkError extends GramrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 1);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
