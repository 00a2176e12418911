// The HTTP server: reads the body, hands the request to the handler, adds PostgREST's CORS headers when the
// request has an Origin (the gateway may override them), writes the reply and logs one line per request — method,
// path, status, role and duration; never a header value, so tokens and keys stay out of the logs.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Logger } from '../log.ts';
import { BodyTooLargeError, readBody } from '../shared/http.ts';
import { handle, type HandlerDeps } from './handler.ts';
import { send } from './response.ts';

const MAX_BODY_BYTES = 50 * 1024 * 1024;

const EXPOSED =
  'Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, Server, Transfer-Encoding, Range-Unit';

/** The body as text; undefined when it is over the limit (read to its end first, so the 413 reaches the client). */
function requestBody(req: IncomingMessage): Promise<string | undefined> {
  return readBody(req, MAX_BODY_BYTES).then(
    (b) => b.toString('utf8'),
    (err: unknown) => {
      if (err instanceof BodyTooLargeError) return undefined;
      throw err;
    },
  );
}

export function createRestServer(deps: HandlerDeps, log: Logger): Server {
  return createServer(async (req, res) => {
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const origin = req.headers.origin;
    const cors: Record<string, string> = origin
      ? { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': EXPOSED }
      : {};
    try {
      // CORS preflight is answered before routing, as PostgREST's middleware does.
      if (method === 'OPTIONS' && origin && req.headers['access-control-request-method']) {
        res.writeHead(200, {
          ...cors,
          'Access-Control-Allow-Methods': 'GET, POST, PATCH, PUT, DELETE, OPTIONS, HEAD',
          'Access-Control-Allow-Headers': String(req.headers['access-control-request-headers'] ?? 'Authorization'),
          'Access-Control-Max-Age': '86400',
        });
        res.end();
        return;
      }
      const body = await requestBody(req);
      if (body === undefined) {
        res.writeHead(413, { 'Content-Type': 'application/json; charset=utf-8', ...cors });
        res.end(JSON.stringify({ code: 'PGRST413', details: null, hint: null, message: 'Payload too large' }));
        return;
      }
      const { reply, reason, role } = await handle(method, req.url ?? '/', req.headers, body, deps);
      Object.assign(reply.headers, cors);
      send(res, reply, method === 'HEAD', reason);
      const path = (req.url ?? '/').split('?')[0];
      const fields = { method, path, status: reply.status, role, ms: Math.round(performance.now() - started) };
      if (reply.status >= 500) log.warn('request failed', fields);
      else log.debug('request', fields);
    } catch (err) {
      log.error('request crashed', { error: (err as Error)?.stack ?? String(err) });
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ code: 'PGRSTX00', details: null, hint: null, message: 'Internal server error' }));
    }
  });
}
