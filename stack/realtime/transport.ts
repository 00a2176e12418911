// The HTTP server: WebSocket upgrades on /realtime/v1/websocket (the public path) and /socket/websocket (what the
// gateway forwards to), with the real server's connect-time checks and error bodies, and everything else to REST.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { Conn } from './connection.ts';
import { connectedUsers, type Context } from './context.ts';
import { verifyJwt } from './jwt.ts';
import { handleHttp, tokenForKey } from './broadcast-api.ts';
import type { Vsn } from './serializer.ts';

const socketPaths = new Set(['/realtime/v1/websocket', '/socket/websocket']);
const noHeaders: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** Phoenix picks the serializer by `vsn` (`~> 1.0.0` / `~> 2.0.0`); a missing vsn means 1.0.0. */
function parseVsn(v: string | null): Vsn | null {
  if (v === null || /^1\.0\.\d+$/.test(v)) return 1;
  if (/^2\.0\.\d+$/.test(v)) return 2;
  return null;
}

export function createTransport(ctx: Context): { server: Server; wss: WebSocketServer } {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: ctx.limits.config.maxFrameBytes,
    perMessageDeflate: false,
  });
  const server = createServer((req, res) => {
    handleHttp(ctx, req, res).catch((err: Error) => {
      ctx.log.error('http handler failed', { error: err.stack });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Internal Server Error' }));
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const refuse = (status: number, body: unknown, delay = ctx.options.connectErrorBackoffMs) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      const write = () => {
        if (socket.destroyed) return;
        socket.end(
          `HTTP/1.1 ${status} ${statusText[status] ?? 'Error'}\r\ncontent-type: application/json\r\n` +
            `content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
        );
      };
      if (delay > 0) setTimeout(write, delay).unref();
      else write();
    };
    if (!socketPaths.has(url.pathname)) return refuse(404, { error: 'Not Found' }, 0);
    const vsn = parseVsn(url.searchParams.get('vsn'));
    if (!vsn) return refuse(403, undefined, 0);
    if (ctx.shuttingDown) return refuse(503, { error: 'Error connecting to Realtime' });
    // The gateway puts a JWT in x-api-key for opaque keys; without a gateway we map them ourselves.
    const header = req.headers['x-api-key'];
    const raw = (typeof header === 'string' && header) || url.searchParams.get('apikey');
    if (!raw) return refuse(401, { error: 'API key is missing' });
    const token = tokenForKey(ctx, raw);
    const verified = verifyJwt(token, ctx.keys);
    if (!verified.ok) return refuse(401, { error: verified.message });
    if (connectedUsers(ctx) >= ctx.limits.config.maxConcurrentUsers)
      return refuse(429, { error: 'Too many connected users' });
    if (ctx.limits.joins.tripped) return refuse(429, { error: 'Too many joins per second' });

    let headers = noHeaders; // shared when there are none: most sockets, and memory per socket counts
    for (const [k, v] of Object.entries(req.headers)) {
      if (k.startsWith('x-') && typeof v === 'string') (headers === noHeaders ? (headers = {}) : headers)[k] = v;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new Conn(ctx, ws, vsn, token, headers);
      ctx.conns.add(conn);
      ctx.metrics.connections.set(ctx.conns.size);
      ws.on('message', (data: Buffer, isBinary: boolean) => conn.onMessage(data, isBinary));
      ws.on('error', (err) => ctx.log.debug('socket error', { error: err.message }));
      ws.on('close', () => {
        conn.onClose();
        ctx.conns.delete(conn);
        ctx.metrics.connections.set(ctx.conns.size);
      });
    });
  });
  return { server, wss };
}

const statusText: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
