import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BodyTooLargeError, readBody } from './http.ts';

describe('stack/shared/http readBody', () => {
  let server: Server;
  let url: string;
  before(async () => {
    // Answers with what readBody gave: the body's length, or 413 with the limit, for a limit of 10 bytes.
    server = createServer((req: IncomingMessage, res) => {
      readBody(req, 10, req.url === '/destroy' ? 'destroy' : 'drain').then(
        (body) => res.end(String(body.length)),
        (err: unknown) => res.writeHead(413).end(err instanceof BodyTooLargeError ? `over ${err.limit}` : 'other'),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('gives the whole body up to the limit', async () => {
    const res = await fetch(`${url}/`, { method: 'POST', body: '0123456789' });
    assert.equal(await res.text(), '10');
  });

  it('over the limit it rejects once the rest is read, so the answer reaches the client', async () => {
    const res = await fetch(`${url}/`, { method: 'POST', body: 'x'.repeat(100_000) });
    assert.deepEqual([res.status, await res.text()], [413, 'over 10']);
  });

  it('with destroy, over the limit the connection is closed without an answer', async () => {
    await assert.rejects(fetch(`${url}/destroy`, { method: 'POST', body: 'x'.repeat(100_000) }));
  });
});
