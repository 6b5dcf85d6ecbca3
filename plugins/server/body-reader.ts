// Reading a request body with the reward server's limits: a size cap (413), a time limit for the whole body (408,
// so a client that sends 10 of 100 declared bytes cannot hold a connection), and an early end when the client goes
// away or the server closes the socket (shutdown).
import type { IncomingMessage } from 'node:http';
import { HttpError } from './request-bodies.js';

/** Limits of `readBody`. */
export interface BodyLimits {
  /** Largest body in bytes (413 above it). */
  maxBytes: number;
  /** Most milliseconds to receive the whole body (408 after it). */
  timeoutMs: number;
}

/** The body of `req` as UTF-8 text, within `limits`. */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  const tooLarge = (n: string): HttpError => new HttpError(413, `the request body is ${n} bytes; this server takes at most ${limits.maxBytes} (--max-body)`);
  if (declared > limits.maxBytes) { req.resume(); return Promise.reject(tooLarge(String(declared))); }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0, done = false;
    const finish = (err: HttpError | undefined, text?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) { req.resume(); reject(err); } else resolve(text!);
    };
    const timer = setTimeout(() => finish(new HttpError(408, `the request body did not arrive within ${limits.timeoutMs} ms (${size} bytes received); send it at once`)), limits.timeoutMs);
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limits.maxBytes) return finish(tooLarge(`more than ${limits.maxBytes}`));
      if (!done) chunks.push(c);
    });
    req.on('end', () => finish(undefined, Buffer.concat(chunks).toString('utf8')));
    req.on('close', () => finish(new HttpError(400, 'the connection closed before the request body was complete')));
    req.on('error', (e) => finish(new HttpError(400, `the request body could not be read: ${e.message}`)));
  });
}
