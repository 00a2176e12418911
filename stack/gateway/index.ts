// stack/gateway: one port like the CLI's Kong (127.0.0.1:54321). Routes /auth/v1, /rest/v1, /graphql/v1,
// /realtime/v1 (WebSocket upgrades and REST) and /functions/v1 to their services, derives tokens from the apikey
// as Kong does, answers CORS preflights and adds CORS headers, and logs one structured line per request. It also
// answers GET /metrics (service role only): the product's broadcast counters and Realtime's own (metrics.ts).
// The services run in the gateway's own process (stack/host): a request, already parsed, goes to its service's
// own listeners after the rewriting a proxy would do, and a WebSocket upgrade hands over the client's socket itself.
// On 2 cores a loopback hop costs more than the work of most requests: a message sent through a function crosses the
// gateway three times, and every frame of its fan-out would cross it again.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from '../log.ts';
import { metricsAccess, metricsPath, serveMetrics } from './metrics.ts';
import { derivedAuthorization, derivedQueryApikey, matchRoute, type Keys, type Upstream } from './routes.ts';

/** A service running in the gateway's own process. */
export interface LocalUpstream {
  server: Server;
}

export interface GatewayOptions {
  port: number;
  host?: string;
  /** Read on every request: a caller may swap entries while the gateway runs (a service restarting). */
  upstreams: Partial<Record<Upstream, LocalUpstream>>;
  keys: Keys;
  /** Verifies the service role's token for GET /metrics. */
  jwtSecret: string;
  log: Logger;
}

export interface Gateway {
  port: number;
  close(): Promise<void>;
}

const corsAllowHeaders =
  'authorization, x-client-info, apikey, content-type, x-retry-count, traceparent, tracestate, baggage, prefer, range, accept-profile, content-profile, x-upsert, x-region';
const corsExposeHeaders =
  'content-range, range-unit, content-location, location, retry-after, sb-error-code, x-relay-error';

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const { log, keys } = opts;

  const upstreamHeaders = (req: IncomingMessage, route: NonNullable<ReturnType<typeof matchRoute>>) => {
    const headers: Record<string, string | string[] | undefined> = { ...req.headers, ...route.extraHeaders };
    const forwardedFor = req.socket.remoteAddress ?? '127.0.0.1';
    headers['x-forwarded-for'] = headers['x-forwarded-for']
      ? `${headers['x-forwarded-for']}, ${forwardedFor}`
      : forwardedFor;
    headers['x-real-ip'] = forwardedFor;
    headers['x-forwarded-proto'] = 'http';
    headers['x-forwarded-host'] = one(req.headers.host)?.split(':')[0] ?? '127.0.0.1';
    headers['x-forwarded-port'] = String(opts.port);
    const token = derivedAuthorization(one(req.headers.authorization), one(req.headers.apikey), keys);
    if (route.auth === 'authorization' && token) headers.authorization = token;
    if (route.auth === 'sb-api-key') {
      const apiToken = derivedAuthorization(undefined, one(req.headers.apikey), keys);
      if (apiToken) headers['sb-api-key'] = apiToken;
    }
    return headers;
  };

  const server = createServer((req, res) => {
    const started = performance.now();
    const route = matchRoute(req.url ?? '/');
    const done = (status: number, upstream?: string) =>
      log.info('request', {
        method: req.method,
        path: (req.url ?? '/').split('?')[0],
        status,
        upstream,
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      // Kong's cors plugin answers preflights itself, before any upstream.
      res.writeHead(200, {
        'access-control-allow-origin': one(req.headers.origin) ?? '*',
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS',
        'access-control-allow-headers': one(req.headers['access-control-request-headers']) ?? corsAllowHeaders,
        'access-control-max-age': '86400',
        'content-length': '0',
      });
      res.end();
      return done(200, 'cors');
    }
    if ((req.url ?? '/').split('?')[0] === metricsPath) {
      const access = metricsAccess(one(req.headers.authorization), one(req.headers.apikey), keys, opts.jwtSecret);
      res.setHeader('access-control-allow-origin', one(req.headers.origin) ?? '*');
      res.once('finish', () => done(res.statusCode, 'metrics'));
      serveMetrics(req, res, access, { rest: opts.upstreams.rest, realtime: opts.upstreams.realtime }).catch(
        (err: Error) => {
          log.error('metrics failed', { error: err.message });
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: 'An unexpected error occurred' }));
        },
      );
      return;
    }
    const target = route && opts.upstreams[route.upstream];
    if (!route || target === undefined) {
      res.writeHead(404, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(JSON.stringify({ message: 'no Route matched with those values' }));
      return done(404);
    }
    if (!target.server.listening) {
      // stopped: answered as Kong answers a refused connection
      res.writeHead(502, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(JSON.stringify({ message: 'An invalid response was received from the upstream server' }));
      return done(502, route.upstream);
    }
    req.headers = upstreamHeaders(req, route);
    req.url = route.path;
    // Defaults that the service's own headers override, as `??=` would on a proxied response.
    res.setHeader('access-control-allow-origin', one(req.headers.origin) ?? '*');
    res.setHeader('access-control-expose-headers', corsExposeHeaders);
    res.once('finish', () => done(res.statusCode, route.upstream));
    target.server.emit('request', req, res);
  });

  // WebSocket upgrades (Realtime): rewrite the path and apikey, then give the socket to Realtime.
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const route = matchRoute(req.url ?? '/');
    const target = route && opts.upstreams[route.upstream];
    if (!route || target === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const url = new URL(route.path, 'http://upstream');
    const apikey = derivedQueryApikey(url.searchParams.get('apikey'), keys);
    if (apikey !== null) url.searchParams.set('apikey', apikey);
    const forwardedFor = req.socket.remoteAddress ?? '127.0.0.1';
    if (!target.server.listening) {
      socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    req.url = `${url.pathname}${url.search}`;
    const prior = one(req.headers['x-forwarded-for']);
    req.headers['x-forwarded-for'] = prior ? `${prior}, ${forwardedFor}` : forwardedFor;
    log.info('websocket', { path: url.pathname, upstream: route.upstream });
    target.server.emit('upgrade', req, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
