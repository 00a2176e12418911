// Sending one fuzz request over plain node:http (fetch would tidy up what the fuzz means to send: methods, header
// casing, bodies on GET) and reading the answer: the status, and the body when the accounting needs it.
import { Agent, request } from 'node:http';
import type { HttpCase } from './http-cases.ts';

export interface HttpAnswer {
  /** The HTTP status; 0 when the connection ended without one. */
  status: number;
  /** The start of the body (the whole of it up to `keep` bytes). */
  body: string;
  /** Why there was no status (a reset, a timeout). */
  problem?: string;
}

/** Long enough for a cold function worker to boot; a request still unanswered after this is a hang. */
const TIMEOUT_MS = 30_000;

export function httpSender(port: number, concurrency: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const send = (c: HttpCase, keep = 4096): Promise<HttpAnswer> =>
    new Promise((resolve) => {
      let settled = false;
      const done = (answer: HttpAnswer) => {
        if (!settled) {
          settled = true;
          resolve(answer);
        }
      };
      const headers: Record<string, string | number> = { ...c.headers };
      if (c.body) headers['Content-Length'] = c.body.length;
      const req = request({ host: '127.0.0.1', port, method: c.method, path: c.path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < keep) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () =>
          done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8', 0, keep) }),
        );
        res.on('error', (err) => done({ status: res.statusCode ?? 0, body: '', problem: err.message }));
      });
      req.setTimeout(TIMEOUT_MS, () => {
        req.destroy();
        done({ status: 0, body: '', problem: `no answer within ${TIMEOUT_MS / 1000} s` });
      });
      // A server may answer (413) and close before the whole body is written: the answer still counts.
      req.on('error', (err) =>
        done({ status: 0, body: '', problem: (err as NodeJS.ErrnoException).code ?? err.message }),
      );
      req.end(c.body);
    });
  return { send, close: () => agent.destroy() };
}
