// stack/edge-runtime: the edge runtime's main service. Routes /<slug>[/subpath] to the function's Deno worker,
// applies verify_jwt from config.toml, answers edge-runtime's error bodies, and reloads workers on file change.
import { watch, type FSWatcher } from 'node:fs';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '../log.ts';
import { discoverFunctions, loadFunctionSecrets, type FunctionSpec } from './discovery.ts';
import { checkJwt } from './verify-jwt.ts';
import { BootError, FunctionWorker } from './worker.ts';

export interface FunctionsOptions {
  port: number;
  host?: string;
  /** Folder holding supabase/ (config.toml, functions/). */
  workdir: string;
  jwtSecret: string;
  /** The env every function sees (SUPABASE_URL, keys, DB URL, ...); secrets from supabase/functions/.env are added. */
  env: Record<string, string>;
  denoDir: string;
  allowNet?: string[];
  requestTimeoutMs?: number;
  bootTimeoutMs?: number;
  watch?: boolean;
  log: Logger;
}

export interface FunctionsServer {
  port: number;
  /** The HTTP server, for a gateway in the same process to hand requests and upgrades to (stack/host). */
  server: Server;
  close(): Promise<void>;
  /** Re-reads config.toml and the functions folder and retires every worker. */
  reload(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const errors = {
  boot: { code: 'BOOT_ERROR', message: 'Worker failed to boot (please check logs)' },
  worker: { code: 'WORKER_ERROR', message: 'Function exited due to an error (please check logs)' },
  limit: { code: 'WORKER_LIMIT', message: 'Worker failed to respond due to a resource limit (please check logs)' },
};

export async function startFunctions(opts: FunctionsOptions): Promise<FunctionsServer> {
  const log = opts.log;
  const functionsDir = join(opts.workdir, 'supabase', 'functions');
  const requestTimeoutMs = opts.requestTimeoutMs ?? 150_000;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let specs = new Map<string, FunctionSpec>();
  let secrets: Record<string, string> = {};
  const workers = new Map<string, FunctionWorker>();

  const load = () => {
    specs = discoverFunctions(opts.workdir);
    secrets = loadFunctionSecrets(opts.workdir);
  };
  const retireAll = async () => {
    const old = [...workers.values()];
    workers.clear();
    await Promise.all(old.map((w) => w.stop()));
  };
  load();

  const workerFor = (spec: FunctionSpec): FunctionWorker => {
    let worker = workers.get(spec.slug);
    if (!worker) {
      worker = new FunctionWorker({
        spec,
        functionsDir,
        denoDir: opts.denoDir,
        log,
        env: { ...secrets, ...opts.env, SUPABASE_FUNCTION_SLUG: spec.slug },
        allowNet: opts.allowNet ?? ['127.0.0.1', 'localhost'],
        bootTimeoutMs: opts.bootTimeoutMs ?? 60_000,
      });
      workers.set(spec.slug, worker);
    }
    return worker;
  };

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    spec: FunctionSpec,
    worker: FunctionWorker,
    port: number,
  ) => {
    const headers = { ...req.headers };
    delete headers['sb-api-key']; // the runtime strips the gateway's key before the worker sees the request
    const upstream = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers, agent });
    const timer = setTimeout(() => {
      log.warn('function timed out; retiring its worker', { slug: spec.slug, ms: requestTimeoutMs });
      upstream.destroy();
      void worker.stop();
      if (!res.headersSent) json(res, 546, errors.limit);
      else res.destroy();
    }, requestTimeoutMs);
    upstream.on('response', (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      up.on('end', () => clearTimeout(timer));
    });
    upstream.on('error', (err) => {
      clearTimeout(timer);
      if (res.writableEnded) return;
      log.warn('function worker failed mid-request', { slug: spec.slug, error: err.message });
      void worker.stop(); // a crashed worker is replaced on the next request
      if (!res.headersSent) json(res, 500, errors.worker);
      else res.destroy();
    });
    req.pipe(upstream);
  };

  const server = createServer(async (req, res) => {
    // Behind the gateway the prefix is already stripped; served directly (tests), strip it here as Kong would.
    if (req.url?.startsWith('/functions/v1/')) req.url = req.url.slice('/functions/v1'.length);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/_internal/health') return json(res, 200, { message: 'ok' });
    const slug = url.pathname.split('/')[1] ?? '';
    const spec = specs.get(slug);
    if (!spec) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('Function not found');
    }
    if (spec.verifyJwt && req.method !== 'OPTIONS') {
      const refusal = checkJwt(req.headers, opts.jwtSecret);
      if (refusal) {
        return json(
          res,
          401,
          { code: refusal.code, message: refusal.message, msg: refusal.message },
          { 'sb-error-code': refusal.code, 'access-control-expose-headers': 'sb-error-code' },
        );
      }
    }
    const worker = workerFor(spec);
    let port: number;
    try {
      port = await worker.ready();
    } catch (err) {
      workers.delete(slug); // boot again next time (the file may have been fixed)
      log.error('function failed to boot', {
        slug,
        error: err instanceof BootError ? err.output.trim().slice(-1000) : String(err),
      });
      return json(res, 503, errors.boot);
    }
    forward(req, res, spec, worker, port);
  });

  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  const reload = async () => {
    load();
    await retireAll();
    log.info('functions reloaded', { functions: [...specs.keys()] });
  };
  if (opts.watch !== false) {
    try {
      watcher = watch(functionsDir, { recursive: true }, () => {
        clearTimeout(debounce);
        debounce = setTimeout(() => void reload(), 150);
      });
    } catch (err) {
      log.warn('not watching functions for changes', { error: (err as Error).message });
    }
  }

  await new Promise<void>((resolve) => server.listen(opts.port, opts.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  log.info('serving functions', { port, functions: [...specs.keys()] });
  return {
    port,
    server,
    reload,
    async close() {
      watcher?.close();
      clearTimeout(debounce);
      await retireAll();
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
