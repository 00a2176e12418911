// stack/gateway: one port like the CLI's Kong (127.0.0.1:54321). Routes /auth/v1, /rest/v1, /graphql/v1,
// /realtime/v1 (WebSocket upgrades and REST) and /functions/v1 to their services, derives tokens from the apikey
// as Kong does, answers CORS preflights and adds CORS headers, and logs one structured line per request.
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Logger } from '../log.ts';
import type { UpgradeHandoff } from '../shared/handoff.ts';
import { derivedAuthorization, derivedQueryApikey, matchRoute, type Keys, type Upstream } from './routes.ts';

export interface GatewayOptions {
  port: number;
  host?: string;
  upstreams: Partial<Record<Upstream, number>>;
  keys: Keys;
  log: Logger;
  /**
   * Passes an accepted Realtime upgrade (and its socket) to the Realtime process instead of splicing it
   * (see stack/shared/handoff.ts). Returns false when it cannot, and the gateway splices.
   */
  handoff?: (msg: UpgradeHandoff, socket: Socket) => boolean;
}

export interface Gateway {
  port: number;
  close(): Promise<void>;
}

const corsAllowHeaders = 'authorization, x-client-info, apikey, content-type, x-retry-count, traceparent, tracestate, baggage, prefer, range, accept-profile, content-profile, x-upsert, x-region';
const corsExposeHeaders = 'content-range, range-unit, content-location, location, retry-after, sb-error-code, x-relay-error';

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const { log, keys } = opts;
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });

  const upstreamHeaders = (req: IncomingMessage, route: NonNullable<ReturnType<typeof matchRoute>>) => {
    const headers: Record<string, string | string[] | undefined> = { ...req.headers, ...route.extraHeaders };
    const forwardedFor = req.socket.remoteAddress ?? '127.0.0.1';
    headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${forwardedFor}` : forwardedFor;
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
    const done = (status: number, upstream?: string) => log.info('request', {
      method: req.method, path: (req.url ?? '/').split('?')[0], status, upstream, ms: Math.round((performance.now() - started) * 10) / 10,
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
    if (!route || opts.upstreams[route.upstream] === undefined) {
      res.writeHead(404, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(JSON.stringify({ message: 'no Route matched with those values' }));
      return done(404);
    }
    const upstream = httpRequest({
      host: '127.0.0.1', port: opts.upstreams[route.upstream], method: req.method, path: route.path,
      headers: upstreamHeaders(req, route), agent,
    });
    upstream.on('response', (up) => {
      const headers = { ...up.headers };
      headers['access-control-allow-origin'] ??= one(req.headers.origin) ?? '*';
      headers['access-control-expose-headers'] ??= corsExposeHeaders;
      res.writeHead(up.statusCode ?? 502, headers);
      up.pipe(res);
      up.on('end', () => done(up.statusCode ?? 502, route.upstream));
    });
    upstream.on('error', (err) => {
      log.warn('upstream failed', { upstream: route.upstream, error: err.message });
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
        res.end(JSON.stringify({ message: 'An invalid response was received from the upstream server' }));
      } else {
        res.destroy();
      }
      done(502, route.upstream);
    });
    req.pipe(upstream);
  });

  // WebSocket upgrades (Realtime): rewrite the path and apikey, then hand the socket to Realtime (under the
  // supervisor) or splice the two TCP streams together.
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const route = matchRoute(req.url ?? '/');
    const port = route && opts.upstreams[route.upstream];
    if (!route || port === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const url = new URL(route.path, 'http://upstream');
    const apikey = derivedQueryApikey(url.searchParams.get('apikey'), keys);
    if (apikey !== null) url.searchParams.set('apikey', apikey);
    const rawHeaders = [...req.rawHeaders, 'X-Forwarded-For', req.socket.remoteAddress ?? '127.0.0.1'];
    const target = `${url.pathname}${url.search}`;
    if (route.upstream === 'realtime' && opts.handoff) {
      const handed = opts.handoff({ type: 'upgrade-handoff', upstream: 'realtime', method: req.method ?? 'GET', url: target, rawHeaders,
        head: head.toString('base64') }, socket);
      if (handed) {
        log.info('websocket', { path: url.pathname, upstream: route.upstream, handoff: true });
        return;
      }
    }
    const upstream = connect(port, '127.0.0.1', () => {
      const lines = [`${req.method} ${target} HTTP/1.1`];
      for (let i = 0; i < rawHeaders.length; i += 2) lines.push(`${rawHeaders[i]}: ${rawHeaders[i + 1]}`);
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
      log.info('websocket', { path: url.pathname, upstream: route.upstream });
    });
    upstream.setNoDelay(true);
    socket.setNoDelay(true);
    const close = () => { upstream.destroy(); socket.destroy(); };
    upstream.on('error', close);
    socket.on('error', close);
    upstream.on('close', close);
    socket.on('close', close);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
