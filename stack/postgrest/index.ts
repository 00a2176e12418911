// stack/postgrest: a Node stand-in for PostgREST v12/13 — the subset @supabase/supabase-js's query builder emits — that
// the gateway reaches with `/rest/v1` stripped. startRest() connects as `authenticator`, loads the schema cache,
// listens for `NOTIFY pgrst, 'reload schema'` and serves HTTP; close() stops all of it.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../log.ts';
import { createPool } from './db.ts';
import { loadSchemaCache, type SchemaCache } from './schema-cache.ts';
import { createRestServer } from './server.ts';
import type { RestConfig } from './types.ts';

export interface RestOptions {
  /** 0 = an ephemeral port. */
  port: number;
  host?: string;
  /** Login role `authenticator` (NOINHERIT, member of the API roles), as PostgREST logs in. */
  dbUrl: string;
  jwtSecret: string;
  schemas?: string[];
  extraSearchPath?: string[];
  maxRows?: number;
  anonRole?: string;
}

export interface RestServer {
  port: number;
  /** The HTTP server, for a gateway in the same process to hand requests and upgrades to (stack/host). */
  server: Server;
  close(): Promise<void>;
  reloadSchema(): Promise<void>;
}

export async function startRest(options: RestOptions): Promise<RestServer> {
  const log = createLogger('rest');
  const config: RestConfig = {
    schemas: options.schemas ?? ['public', 'graphql_public'],
    extraSearchPath: options.extraSearchPath ?? ['public', 'extensions'],
    maxRows: options.maxRows ?? 1000,
    anonRole: options.anonRole ?? 'anon',
    jwtSecret: options.jwtSecret,
  };
  let sql = createPool(options.dbUrl);
  let cache: SchemaCache;
  let reloading: Promise<void> | undefined;
  const reloadSchema = async () => {
    // Concurrent NOTIFYs (one per DDL statement of a migration) share one reload, plus one more after it.
    const previous = reloading;
    const next = (async () => {
      await previous?.catch(() => {});
      const started = performance.now();
      cache = await loadSchemaCache(sql, config.schemas);
      log.info('schema cache loaded', {
        relations: cache.relations.size,
        functions: cache.functions.size,
        ms: Math.round(performance.now() - started),
      });
    })();
    reloading = next;
    await next;
  };
  try {
    await reloadSchema();
  } catch (err) {
    await sql.end({ timeout: 1 });
    throw err;
  }
  // NOTIFY pgrst on a connection of its own, which outlives the request pools below; when it reconnects after the
  // database came back, the schema is read again (it may have changed meanwhile), as PostgREST does.
  const listen = createPool(options.dbUrl, { max: 1, applicationName: 'stack-rest-listener' });
  let listening = false;
  const listener = await listen.listen(
    'pgrst',
    (payload) => {
      if (payload === 'reload schema' || payload === '') {
        reloadSchema().catch((err: Error) => log.error('schema cache reload failed', { error: err.message }));
      }
    },
    () => {
      if (listening)
        reloadSchema().catch((err: Error) => log.error('schema cache reload failed', { error: err.message }));
      listening = true;
    },
  );
  // PostgREST answers 503 at once while the database is away and serves again when it is back. A postgres.js pool
  // instead keeps queued queries waiting through its reconnect backoff (a minute and more): so the first request that
  // finds the database gone ends that pool — everything queued on it fails now, as a 503 — and later requests get a
  // new pool, which fails fast while the database is down and connects once it is up.
  const connectionLost = (pool: typeof sql) => {
    if (pool !== sql) return; // already replaced
    log.warn('database connection lost; answering 503 until it is back');
    sql = createPool(options.dbUrl);
    void pool.end({ timeout: 0 }).catch(() => {});
  };
  const server = createRestServer(
    {
      get sql() {
        return sql;
      },
      connectionLost,
      config,
      cache: () => cache,
      log,
    },
    log,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info('listening', { port, schemas: config.schemas.join(',') });
  return {
    port,
    server,
    reloadSchema,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await listener.unlisten().catch(() => {});
      await Promise.all([sql.end({ timeout: 5 }), listen.end({ timeout: 1 })]);
    },
  };
}
