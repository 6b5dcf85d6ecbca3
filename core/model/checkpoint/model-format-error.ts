// ModelFormatError: the one error type thrown by the checkpoint and tokenizer readers/writers.
// It carries the file and the item (tensor, field, token) at fault so callers and tests can inspect them;
// the message itself already names both, for people.

/** Where a model-file problem was found. */
export interface ModelFormatErrorLocation {
  /** The file (or folder) being read or written. */
  file: string;
  /** The tensor, config field or token concerned, when there is one. */
  item?: string;
}

/** A model file (checkpoint, config, tokenizer) is missing, malformed or contradicts itself. */
export class ModelFormatError extends Error {
  /** The file (or folder) being read or written. */
  readonly file: string;
  /** The tensor, config field or token concerned, when there is one. */
  readonly item: string | undefined;

  constructor(message: string, location: ModelFormatErrorLocation) {
    const where = location.item === undefined ? location.file : `${location.file} [${location.item}]`;
    super(`${where}: ${message}`);
    this.name = 'ModelFormatError';
    this.file = location.file;
    this.item = location.item;
  }
}
