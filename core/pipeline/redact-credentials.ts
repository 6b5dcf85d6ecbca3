// Credentials never reach a terminal, a log or a run folder: `redactCredentials` hides the password (and the user
// name's secret part) of every URL in a text (`redis://:pw@host`, `rediss://user:pw@host`), and `SecretUrl` is a URL
// option value that prints, logs and serializes (JSON, manifests, config hashes) in that redacted form while the code
// that connects reads the real one.

const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:'"]*)(:[^\s/@'"]*)?@/gi;

/** `text` with the password of every `scheme://user:password@` URL replaced by `***` (a lone user name too). */
export function redactCredentials(text: string): string {
  return text.replace(USERINFO, (_m, scheme: string, user: string, pass: string | undefined) =>
    pass === undefined ? `${scheme}***@` : `${scheme}${user}:***@`);
}

/** A URL whose credentials show only as `***` (in String(), JSON and logs); `reveal()` gives the real URL. */
export class SecretUrl {
  readonly #url: string;

  constructor(url: string) {
    this.#url = url;
  }

  /** The real URL, for connecting. */
  reveal(): string {
    return this.#url;
  }

  /** The redacted URL. */
  toString(): string {
    return redactCredentials(this.#url);
  }

  /** The redacted URL (so manifests, events and config hashes never hold the password). */
  toJSON(): string {
    return this.toString();
  }
}
