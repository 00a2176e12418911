// A static file server for the built meeting room, plus `/config.json`: the API URL and anon key the page talks to,
// decided by the stack that serves it (one build serves every stack; nothing stack-specific is baked into it).
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve as resolvePath, sep } from 'node:path';

/** What the page reads from /config.json before it creates its client. */
export interface PageConfig {
  apiUrl: string;
  anonKey: string;
}

export interface StaticServerOptions {
  port: number;
  host?: string;
  config: PageConfig;
}

export interface StaticServer {
  server: Server;
  port: number;
  /** Serve this folder from now on (a finished build). */
  serve(dir: string): void;
  /** Answer 503 with this explanation until serve() is called (a build running or failed). */
  unavailable(reason: string): void;
  close(): Promise<void>;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

/**
 * The page may talk only to its own origin and the API (HTTP and WebSocket); the Realtime heartbeat worker is a blob:
 * script. A violation is a console error, which the browser tests fail on.
 */
function contentSecurityPolicy(apiUrl: string): string {
  const ws = apiUrl.replace(/^http/, 'ws');
  return [
    `default-src 'self'`,
    `connect-src 'self' ${apiUrl} ${ws}`,
    `worker-src blob:`,
    `img-src 'self' data:`,
    `style-src 'self'`,
    `base-uri 'none'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
    `object-src 'none'`,
  ].join('; ');
}

export function startStaticServer(opts: StaticServerOptions): Promise<StaticServer> {
  let root: string | undefined;
  let reason = 'the meeting room is being built';
  const security = {
    'content-security-policy': contentSecurityPolicy(opts.config.apiUrl),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  const configBody = JSON.stringify(opts.config);

  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
        .end('method not allowed\n');
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad path\n');
      return;
    }
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', ...security });
      res.end(req.method === 'HEAD' ? undefined : configBody);
      return;
    }
    if (!root) {
      res
        .writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '2', ...security })
        .end(`${reason}\n`);
      return;
    }
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    let size: number;
    try {
      if (!file.startsWith(root + sep)) throw new Error('outside');
      const stat = statSync(file);
      if (!stat.isFile()) throw new Error('not a file');
      size = stat.size;
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...security }).end('not found\n');
      return;
    }
    res.writeHead(200, {
      'content-type': types[extname(file)] ?? 'application/octet-stream',
      'content-length': size,
      // Vite names every asset by its content hash; index.html must be asked for again to find the new names.
      'cache-control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...security,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        serve(dir) {
          root = resolvePath(dir);
        },
        unavailable(why) {
          root = undefined;
          reason = why;
        },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
