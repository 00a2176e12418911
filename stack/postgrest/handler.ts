// One request, start to finish, in PostgREST's order: route → JWT → profile → method check → Prefer / Accept /
// Range / query parameters → schema-cache lookup → the operation's transaction. Every failure becomes PostgREST's
// error body; database errors keep their SQLSTATE and are mapped to a status by errors.ts.
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '../log.ts';
import { authenticate, transactionSettings, type Identity } from './context.ts';
import type { Sql } from './db.ts';
import { ApiError, closest, fromPgError, isPgError } from './errors.ts';
import { openApi } from './openapi.ts';
import { parseQuery } from './query-params.ts';
import { readRelation } from './read.ts';
import { negotiate, parsePrefer, parseRange, profileFor, routePath, type Target } from './request.ts';
import { errorReply, type Reply } from './response.ts';
import { callRpc } from './rpc.ts';
import { qualified, type SchemaCache } from './schema-cache.ts';
import type { RequestContext, RestConfig } from './types.ts';
import { writeRelation } from './writers.ts';

export interface HandlerDeps {
  /** The current pool (replaced after the database was lost: see index.ts). */
  sql: Sql;
  /** Called with the pool a request found the database unreachable through. */
  connectionLost?(pool: Sql): void;
  config: RestConfig;
  cache(): SchemaCache;
  log: Logger;
}

export interface Handled {
  reply: Reply;
  /** Reason phrase for PTxxx errors (PostgREST uses the message). */
  reason?: string;
  role?: string;
}

const header = (headers: IncomingHttpHeaders, name: string) => {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

export async function handle(
  method: string,
  rawUrl: string,
  headers: IncomingHttpHeaders,
  body: string,
  deps: HandlerDeps,
): Promise<Handled> {
  let identity: Identity | undefined;
  const pool = deps.sql;
  try {
    const url = new URL(rawUrl, 'http://localhost');
    const { path, target } = routePath(url.pathname);
    if (method === 'OPTIONS') return { reply: { status: 200, headers: { Allow: allowed(target, deps.cache()) } } };
    identity = authenticate(header(headers, 'authorization'), deps.config.jwtSecret, deps.config.anonRole);
    const { schema, given } = profileFor(method, headers, deps.config.schemas);
    checkMethod(method, target);
    const cache = deps.cache();
    const media = negotiate(header(headers, 'accept'), target);
    if (target.kind === 'root') {
      return {
        reply: {
          status: 200,
          headers: { 'Content-Type': 'application/openapi+json; charset=utf-8' },
          body: openApi(cache, schema, header(headers, 'host') ?? ''),
        },
        role: identity.role,
      };
    }
    const prefer = parsePrefer(headers.prefer);
    const range = method === 'GET' ? parseRange(header(headers, 'range')) : undefined;
    const query = parseQuery(url.searchParams, { rpcRead: target.kind === 'rpc' && method !== 'POST' });
    const timezoneApplied = prefer.timezone !== undefined && cache.timezones.has(prefer.timezone);
    const ctx: RequestContext = {
      sql: pool,
      cache,
      config: deps.config,
      method,
      schema,
      profileGiven: given,
      identity,
      prefer,
      media,
      query,
      range,
      body,
      contentType: header(headers, 'content-type'),
      timezoneApplied,
      settings: transactionSettings({
        identity,
        schema,
        extraSearchPath: deps.config.extraSearchPath,
        method,
        path,
        headers,
        roleSettings: cache.roleSettings.get(identity.role) ?? [],
        timezone: timezoneApplied ? prefer.timezone : undefined,
      }),
    };
    if (target.kind === 'rpc') return { reply: await callRpc(ctx, target.name), role: identity.role };
    const relation = cache.relations.get(qualified(schema, target.name));
    if (!relation) {
      const suggestion = closest(
        target.name,
        [...cache.relations.values()].filter((r) => r.schema === schema).map((r) => r.name),
      );
      throw new ApiError(
        404,
        'PGRST205',
        `Could not find the table '${schema}.${target.name}' in the schema cache`,
        null,
        suggestion ? `Perhaps you meant the table '${schema}.${suggestion}'` : null,
      );
    }
    const reply =
      method === 'GET' || method === 'HEAD' ? await readRelation(ctx, relation) : await writeRelation(ctx, relation);
    return { reply, role: identity.role };
  } catch (err) {
    if (connectionFailure(err)) deps.connectionLost?.(pool);
    return failure(err, identity, deps.log);
  }
}

/** The database could not be reached, or went away mid-request (shutdown, restart, network). */
function connectionFailure(err: unknown): boolean {
  return /^(ECONNREFUSED|ECONNRESET|CONNECTION_\w+|57P0[123])$/.test((err as { code?: string })?.code ?? '');
}

function checkMethod(method: string, target: Target): void {
  const ok =
    target.kind === 'root'
      ? ['GET', 'HEAD']
      : target.kind === 'rpc'
        ? ['GET', 'HEAD', 'POST']
        : ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'];
  if (ok.includes(method)) return;
  if (target.kind === 'rpc' && ['PUT', 'PATCH', 'DELETE'].includes(method)) {
    throw new ApiError(405, 'PGRST101', `Cannot use the ${method} method on RPC`);
  }
  throw new ApiError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
}

function allowed(target: Target, cache: SchemaCache): string {
  if (target.kind === 'root') return 'OPTIONS,GET,HEAD';
  if (target.kind === 'rpc') {
    const volatile = [...cache.functions.values()]
      .flat()
      .some((f) => f.name === target.name && f.volatility === 'volatile');
    return volatile ? 'OPTIONS,POST' : 'OPTIONS,GET,HEAD,POST';
  }
  return 'OPTIONS,GET,HEAD,POST,PATCH,DELETE';
}

function failure(err: unknown, identity: Identity | undefined, log: Logger): Handled {
  if (err instanceof ApiError) return { reply: errorReply(err), role: identity?.role };
  if (isPgError(err)) {
    const api = fromPgError(err, identity?.anon ?? true);
    return {
      reply: errorReply(api),
      reason: /^PT\d{3}$/.test(err.code) ? err.message : undefined,
      role: identity?.role,
    };
  }
  const code = (err as { code?: string })?.code ?? '';
  if (connectionFailure(err)) {
    log.warn('database unreachable', { code });
    return {
      reply: errorReply(
        new ApiError(503, 'PGRST000', 'Database connection error. Retrying the connection.', String(code)),
      ),
    };
  }
  log.error('unexpected error', { error: (err as Error)?.stack ?? String(err) });
  return { reply: errorReply(new ApiError(500, 'PGRSTX00', 'Internal server error', (err as Error)?.message ?? null)) };
}
