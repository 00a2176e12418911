// The HTTP layer: a small router, request parsing (1 MiB JSON bodies, as GoTrue limits them, made storable before
// any handler sees them) and replies with the headers auth-js and browsers look at. Handlers return a Reply or throw
// an ApiError; nothing else writes to the socket. Routes are GoTrue's, rooted at `/`; the same routes also answer
// under `/auth/v1` so supabase-js can talk to this server without the gateway.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Logger } from '../log.ts';
import { BodyTooLargeError, readBody } from '../shared/http.ts';
import { refusedValue } from './db.ts';
import { ApiError, fail, renderError, requestedApiVersion } from './errors.ts';
import { assertStorableQuery, storableBody } from './validation.ts';

export const maxBodyBytes = 1024 * 1024;
const publicPrefix = '/auth/v1';

export interface AuthRequest {
  method: string;
  /** Path relative to Auth's root (no `/auth/v1`, no query). */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
  ip: string | undefined;
  userAgent: string | undefined;
  apiVersion: string | undefined;
  header(name: string): string | undefined;
  /** The JSON body as an object (every string storable: see storableBody); `{}` when the body is empty. */
  json(): Promise<Record<string, unknown>>;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: AuthRequest) => Promise<Reply>;

/** Runs before the handler of every route not marked open (the API key check). */
export type Guard = (req: AuthRequest) => void;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
  open: boolean;
}

export class Router {
  private routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler, opts: { open?: boolean } = {}): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler, open: opts.open ?? false });
    return this;
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } {
    const parts = path.split('/').filter(Boolean);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchParts(route.parts, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.method === method) return { route, params };
    }
    throw pathMatched ? fail.methodNotAllowed() : fail.notFound();
  }
}

function matchParts(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(':')) params[pattern[i].slice(1)] = decodePathSegment(parts[i]);
    else if (pattern[i] !== parts[i]) return undefined;
  }
  return params;
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw fail.malformedUrl();
  }
}

/** The body, or GoTrue's 413 once an over-long one has been read to its end (so the reply reaches the client). */
function requestBody(req: IncomingMessage): Promise<Buffer> {
  return readBody(req, maxBodyBytes).catch((err: unknown) => {
    throw err instanceof BodyTooLargeError ? fail.bodyTooLarge(maxBodyBytes) : err;
  });
}

function parseJsonObject(raw: Buffer): Record<string, unknown> {
  const text = raw.toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw fail.badJson((err as Error).message);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw fail.badJson('expected a JSON object');
  return storableBody(value as Record<string, unknown>);
}

/**
 * The request target as a URL; undefined when it is none: Node's parser lets `GET http://[x/ HTTP/1.1` through, and
 * an exception here, outside any request's error handling, would end the process. Go's server answers it 400.
 */
function requestTarget(raw: string): URL | undefined {
  try {
    return new URL(raw, 'http://auth.local');
  } catch {
    return undefined;
  }
}

/**
 * The caller's address: the gateway's X-Forwarded-For first, as GoTrue reads it, else the socket peer. Only real
 * addresses are kept, since the value is stored in an `inet` column.
 */
function clientIp(req: IncomingMessage): string | undefined {
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  for (const candidate of [first, req.socket.remoteAddress]) {
    const ip = candidate?.replace(/^::ffff:/, '');
    if (ip && isIP(ip)) return ip;
  }
  return undefined;
}

function toAuthRequest(req: IncomingMessage, url: URL | undefined): AuthRequest {
  let path = url?.pathname ?? req.url ?? '/';
  if (path === publicPrefix || path.startsWith(`${publicPrefix}/`)) path = path.slice(publicPrefix.length) || '/';
  const header = (name: string) => {
    const v = req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  let parsed: Promise<Record<string, unknown>> | undefined;
  return {
    method: req.method ?? 'GET',
    path,
    query: url?.searchParams ?? new URLSearchParams(),
    headers: req.headers,
    params: {},
    ip: clientIp(req),
    userAgent: header('user-agent'),
    apiVersion: requestedApiVersion(header('x-supabase-api-version')),
    header,
    json: () => (parsed ??= requestBody(req).then(parseJsonObject)),
  };
}

// GoTrue's CORS settings (plus `apikey`, which browsers send too). Headers are set, never appended, so a gateway
// in front may overwrite them.
const corsAllowHeaders =
  'Accept, Authorization, Content-Type, X-Client-IP, X-Client-Info, X-JWT-AUD, x-use-cookie, ' +
  'X-Supabase-Api-Version, apikey';
const corsExposeHeaders = 'X-Total-Count, Link, X-Supabase-Api-Version';

function corsHeaders(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  if (!origin) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': corsExposeHeaders,
    vary: 'Origin',
  };
}

function send(res: ServerResponse, reply: Reply, extra: Record<string, string>): void {
  const headers: Record<string, string> = { ...extra, ...reply.headers };
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const text = JSON.stringify(reply.body);
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(reply.status, headers).end(text);
}

/** The node:http request listener for a router. */
export function listener(router: Router, guard: Guard, log: Logger) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    const cors = corsHeaders(req);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      send(
        res,
        { status: 204 },
        {
          ...cors,
          'access-control-allow-methods': 'GET, POST, PUT, DELETE, PATCH',
          'access-control-allow-headers': corsAllowHeaders,
          'access-control-max-age': '300',
        },
      );
      return;
    }
    const target = requestTarget(req.url ?? '/');
    const request = toAuthRequest(req, target);
    const done = (reply: Reply, code?: string) => {
      send(res, reply, cors);
      log.debug('request', {
        method: request.method,
        path: request.path,
        status: reply.status,
        ...(code ? { code } : {}),
        ms: Math.round(performance.now() - started),
      });
    };
    (async () => {
      if (!target) throw fail.malformedUrl();
      const { route, params } = router.match(request.method, request.path);
      request.params = params;
      assertStorableQuery(request.query);
      if (!route.open) guard(request);
      return route.handler(request);
    })().then(
      (reply) => done(reply),
      (err: unknown) => {
        const apiError = err instanceof ApiError ? err : (refusedValue(err) ?? fail.unexpected());
        const rendered = renderError(apiError, request.apiVersion);
        const error = err instanceof Error ? err.message : String(err);
        if (rendered.errorId) {
          log.error('request failed', {
            method: request.method,
            path: request.path,
            error_id: rendered.errorId,
            error,
          });
        } else if (!(err instanceof ApiError)) {
          log.warn('request refused by the database', { method: request.method, path: request.path, error });
        }
        done({ status: rendered.status, body: rendered.body, headers: rendered.headers }, apiError.code);
      },
    );
  };
}
