// Private-channel authorization, run in Postgres the way Realtime runs it (Tenants.Authorization): inside one
// transaction, insert probe rows into realtime.messages as the server's own role, switch to the JWT's role with
// transaction-local settings (role, realtime.topic, request.jwt.claims, request.headers), then see which probes
// the SELECT policies let through (read) or whether an INSERT passes the INSERT policies (write); roll back, so
// nothing persists or reaches replication. The project's RLS policies on realtime.messages therefore decide.
// The role switch is made as `authenticator`, as PostgREST makes it, so a correctly signed token naming a role the
// API may not become (postgres, supabase_admin, ...) is refused by Postgres itself instead of borrowing the
// server's superuser connection.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.ts';
import { quoteIdent, quoteLiteral } from '../shared/sql.ts';
import { sqlState, type ReservedPool } from './db.ts';
import type { Claims } from './jwt.ts';
import type { Metrics } from './metrics.ts';

export type Extension = 'broadcast' | 'presence';

/** The role PostgREST logs in as: a token's role is usable only if this role may SET ROLE to it (is a member). */
export const API_AUTHENTICATOR = 'authenticator';

export interface AuthContext {
  /** Sub-topic, without `realtime:`. */
  topic: string;
  claims: Claims;
  /** For WebSocket joins the upgrade request's x-* headers, for REST every request header. */
  headers: Record<string, string>;
}

/** A failure that is not a policy decision; `code`/`message` become the join error reason. */
export class AuthorizationError extends Error {
  constructor(
    public code: string,
    message: string,
  ) {
    super(message);
  }
}

export class Authorizer {
  constructor(
    private pool: ReservedPool | undefined,
    private metrics: Metrics,
    private log: Logger,
  ) {}

  /** Read check at join: which of the extensions' probe rows the role may SELECT. */
  async read(ctx: AuthContext, presence: boolean): Promise<{ broadcast: boolean; presence: boolean | null }> {
    if (!this.fitsPostgres(ctx)) return { broadcast: false, presence: presence ? false : null };
    const ids: Record<string, string> = { broadcast: randomUUID() };
    if (presence) ids.presence = randomUUID();
    // Probe rows share one UTC timestamp (realtime.messages uses timestamp without time zone).
    const values = Object.entries(ids)
      .map(([ext, id]) => `(${quoteLiteral(id)}, ${quoteLiteral(ctx.topic)}, ${quoteLiteral(ext)})`)
      .join(', ');
    const text = [
      'begin',
      `insert into realtime.messages (id, topic, extension, inserted_at, updated_at)
         select v.id::uuid, v.topic, v.ext, ts.now, ts.now
         from (values ${values}) as v(id, topic, ext), (select timezone('utc', now()) as now) ts`,
    ];
    text.push(settingsSql(ctx.claims, ctx.topic, ctx.headers));
    text.push(`select coalesce(string_agg(id::text, ','), '') as probe_ids from realtime.messages
      where id in (${Object.values(ids)
        .map((id) => quoteLiteral(id))
        .join(', ')})`);
    text.push('rollback');
    const started = performance.now();
    try {
      const rows = await this.run(text.join(';\n'));
      const seen = new Set(String(rows.find((r) => 'probe_ids' in r)?.probe_ids ?? '').split(','));
      return {
        broadcast: seen.has(ids.broadcast),
        presence: presence ? seen.has(ids.presence) : null,
      };
    } catch (err) {
      this.rethrowInfrastructure(err);
      // A policy that raises is a refusal, as upstream treats RlsPolicyError.
      this.log.warn('RlsPolicyError', { topic: ctx.topic, error: (err as Error).message });
      return { broadcast: false, presence: presence ? false : null };
    } finally {
      this.metrics.authSeconds.observe((performance.now() - started) / 1000);
    }
  }

  /** Write check: may the role INSERT a row for this topic and extension? */
  async write(ctx: AuthContext, ext: Extension): Promise<boolean> {
    // service_role has BYPASSRLS, so the probe could only say yes: skip the round trip (a function's broadcast with the
    // service key is the hot path of every stored message).
    if (ctx.claims.role === 'service_role') return true;
    if (!this.fitsPostgres(ctx)) return false;
    const text = [
      'begin',
      settingsSql(ctx.claims, ctx.topic, ctx.headers),
      `insert into realtime.messages (topic, extension, inserted_at, updated_at)
         values (${quoteLiteral(ctx.topic)}, ${quoteLiteral(ext)}, timezone('utc', now()), timezone('utc', now()))`,
      'rollback',
    ].join(';\n');
    const started = performance.now();
    try {
      await this.run(text);
      return true;
    } catch (err) {
      this.rethrowInfrastructure(err);
      if (sqlState(err) !== '42501')
        this.log.warn('RlsPolicyError', { topic: ctx.topic, error: (err as Error).message });
      return false;
    } finally {
      this.metrics.authSeconds.observe((performance.now() - started) / 1000);
    }
  }

  /**
   * Postgres text cannot hold NUL, so a topic, role, sub or header with one can match no policy: refused without a
   * query, as a probe that fails in Postgres is (RlsPolicyError).
   */
  private fitsPostgres(ctx: AuthContext): boolean {
    const values = [
      ctx.topic,
      String(ctx.claims.role),
      typeof ctx.claims.sub === 'string' ? ctx.claims.sub : '',
      ...Object.entries(ctx.headers).flat(),
    ];
    if (!values.some((v) => v.includes('\u0000'))) return true;
    this.log.warn('RlsPolicyError', { topic: ctx.topic, error: 'NUL character in topic, claims or headers' });
    return false;
  }

  private run(text: string) {
    if (!this.pool) {
      throw new AuthorizationError(
        'UnableToConnectToProject',
        'Realtime was unable to connect to the project database',
      );
    }
    return this.pool.multi(text);
  }

  private rethrowInfrastructure(err: unknown): void {
    if (err instanceof AuthorizationError) throw err;
    const state = sqlState(err);
    if (state === '23514') {
      throw new AuthorizationError('MissingPartition', 'Realtime was unable to find the expected messages partition');
    }
    // Driver errors (ECONNREFUSED, CONNECTION_CLOSED, ...) are not SQLSTATEs; class 08 is a lost connection.
    if (!state || !/^[0-9A-Z]{5}$/.test(state) || state.startsWith('08')) {
      throw new AuthorizationError(
        'UnableToConnectToProject',
        'Realtime was unable to connect to the project database',
      );
    }
  }
}

/**
 * The six transaction-local settings policies read (role, topic, claims, legacy claim.sub/role, headers). SET LOCAL
 * is set_config(..., true) without a result row to ship back and parse. The role is set the way PostgREST sets it:
 * from a session that is `authenticator` (SET LOCAL SESSION AUTHORIZATION needs our superuser login and ends with
 * the transaction), so Postgres refuses a role authenticator is not a member of with PostgREST's own error
 * (42501 `permission denied to set role "postgres"`; an unknown role is 22023), in the same round trip.
 */
export function settingsSql(claims: Claims, topic: string | null, headers: Record<string, string> | null): string {
  const role = String(claims.role);
  const sub = typeof claims.sub === 'string' ? claims.sub : '';
  const set = (name: string, value: string) => `set local ${quoteIdent(name)} = ${quoteLiteral(value)}`;
  return [
    `set local session authorization ${quoteIdent(API_AUTHENTICATOR)}`,
    `set local role ${quoteIdent(role)}`,
    ...(topic === null ? [] : [set('realtime.topic', topic)]),
    set('request.jwt.claims', JSON.stringify(claims)),
    set('request.jwt.claim.sub', sub),
    set('request.jwt.claim.role', role),
    ...(headers === null ? [] : [set('request.headers', JSON.stringify(headers))]),
  ].join(';\n');
}
