// Reading a request body with a size limit, for every service that takes one (Auth, REST, Realtime's broadcast
// API). What an over-long body is answered with stays each service's own: they catch BodyTooLargeError.
import type { IncomingMessage } from 'node:http';

/** The body was longer than the reader's limit. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body over ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * The whole body, at most `limit` bytes; longer, it rejects with BodyTooLargeError. By default the rest is read and
 * dropped first, so the caller's answer still reaches the client; `overflow: 'destroy'` rejects at once and closes
 * the connection instead, reading nothing more.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  overflow: 'drain' | 'destroy' = 'drain',
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (overflow === 'destroy') {
        reject(new BodyTooLargeError(limit));
        req.destroy();
      }
    });
    req.on('end', () => (size > limit ? reject(new BodyTooLargeError(limit)) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}
