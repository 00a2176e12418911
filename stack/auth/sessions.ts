// auth.sessions, auth.refresh_tokens and auth.mfa_amr_claims: the storage side of sign-in, refresh and sign-out.
// The rules (rotation, reuse window, scopes) live in the handlers; this module only reads and writes rows the way
// GoTrue does, so the real server could pick the sessions up.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
import { touchLastSignIn } from './users.ts';
import { nilUuid } from './validation.ts';

export type AuthMethod = 'password' | 'anonymous';

export interface AmrEntry {
  method: string;
  timestamp: number;
}

export interface SessionRow {
  id: string;
  user_id: string;
  aal: string | null;
  not_after: Date | null;
  /** Computed on read: not_after has passed. */
  expired: boolean;
}

export interface RefreshTokenRow {
  id: string;
  token: string;
  user_id: string | null;
  revoked: boolean;
  parent: string | null;
  session_id: string | null;
  /** Computed on read with the database clock: the reuse window after revocation has passed. */
  reuse_expired: boolean;
}

export interface ClientInfo {
  userAgent?: string;
  ip?: string;
}

const base32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A v1 refresh token: 12 random lower-case base32 characters (256 is a multiple of 32, so no bias). */
export function newRefreshToken(): string {
  return [...randomBytes(12)].map((b) => base32[b & 31]).join('');
}

async function insertRefreshToken(db: Db, userId: string, sessionId: string, parent: string | null): Promise<string> {
  const token = newRefreshToken();
  await db`
    insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
    values (${nilUuid}, ${token}, ${userId}, false, now(), now(), ${parent}, ${sessionId})`;
  return token;
}

/** A new session with its first refresh token and AMR claim; the user's last_sign_in_at moves to now. */
export async function startSession(
  db: Db,
  userId: string,
  method: AuthMethod,
  client: ClientInfo,
): Promise<{ sessionId: string; refreshToken: string }> {
  const sessionId = randomUUID();
  await db`
    insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
    values (${sessionId}, ${userId}, now(), now(), 'aal1', ${client.userAgent ?? null}, ${client.ip ?? null}::inet)`;
  const refreshToken = await insertRefreshToken(db, userId, sessionId, null);
  await touchLastSignIn(db, userId);
  await db`
    insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method)
    values (${randomUUID()}, ${sessionId}, now(), now(), ${method})
    on conflict on constraint mfa_amr_claims_session_id_authentication_method_pkey do update set updated_at = now()`;
  return { sessionId, refreshToken };
}

/** The session's authentication methods, newest first: the `amr` claim. */
export async function amrOf(db: Db, sessionId: string): Promise<AmrEntry[]> {
  const rows = await db<{ method: string; timestamp: number }[]>`
    select authentication_method as method, floor(extract(epoch from updated_at))::float8 as timestamp
    from auth.mfa_amr_claims where session_id = ${sessionId} order by updated_at desc`;
  return rows.map((r) => ({ method: r.method, timestamp: r.timestamp }));
}

export async function findSession(
  db: Db,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<SessionRow | undefined> {
  const rows = opts.forUpdate
    ? await db<SessionRow[]>`
        select id, user_id, aal, not_after, coalesce(not_after < now(), false) as expired
        from auth.sessions where id = ${id} for update`
    : await db<SessionRow[]>`
        select id, user_id, aal, not_after, coalesce(not_after < now(), false) as expired
        from auth.sessions where id = ${id}`;
  return rows[0];
}

/** The token row, locked; `reuseSeconds` decides `reuse_expired`. */
export async function lockRefreshToken(
  db: Db,
  token: string,
  reuseSeconds: number,
): Promise<RefreshTokenRow | undefined> {
  const rows = await db<RefreshTokenRow[]>`
    select id, token, user_id, coalesce(revoked, false) as revoked, parent, session_id,
           now() > coalesce(updated_at, created_at) + make_interval(secs => ${reuseSeconds}) as reuse_expired
    from auth.refresh_tokens where token = ${token} for update`;
  return rows[0];
}

/** The session's currently active token: the newest one not revoked. */
export async function activeRefreshToken(
  db: Db,
  sessionId: string,
): Promise<{ token: string; parent: string | null } | undefined> {
  const rows = await db<{ token: string; parent: string | null }[]>`
    select token, parent from auth.refresh_tokens
    where session_id = ${sessionId} and not coalesce(revoked, false) order by id desc limit 1`;
  return rows[0];
}

/** Revokes `old` (updated_at records when, for the reuse window) and issues its child in the same session. */
export async function rotateRefreshToken(
  db: Db,
  old: RefreshTokenRow,
  userId: string,
  sessionId: string,
): Promise<string> {
  await db`update auth.refresh_tokens set revoked = true, updated_at = now() where id = ${old.id}`;
  const token = await insertRefreshToken(db, userId, sessionId, old.token);
  await touchLastSignIn(db, userId);
  return token;
}

/** Reuse detected: every live token of the session is revoked. */
export async function revokeSessionTokens(db: Db, sessionId: string): Promise<void> {
  await db`update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = ${sessionId} and not coalesce(revoked, false)`;
}

export async function deleteRefreshToken(db: Db, id: string): Promise<void> {
  await db`delete from auth.refresh_tokens where id = ${id}`;
}

/** Refresh bookkeeping on the session: when, from which client (refreshed_at is a timestamp without time zone, UTC). */
export async function markRefreshed(db: Db, sessionId: string, client: ClientInfo): Promise<void> {
  await db`
    update auth.sessions set refreshed_at = timezone('utc', now()), user_agent = ${client.userAgent ?? null},
      ip = ${client.ip ?? null}::inet, updated_at = now()
    where id = ${sessionId}`;
}

export type LogoutScope = 'global' | 'local' | 'others';

/** Deletes sessions; their refresh tokens and AMR claims go with them (ON DELETE CASCADE). */
export async function endSessions(db: Db, userId: string, scope: LogoutScope, sessionId: string | null): Promise<void> {
  if (scope === 'local' && sessionId) await db`delete from auth.sessions where id = ${sessionId}`;
  else if (scope === 'others' && sessionId)
    await db`delete from auth.sessions where user_id = ${userId} and id <> ${sessionId}`;
  else await db`delete from auth.sessions where user_id = ${userId}`;
}

/** Old-style tokens without a session (none are written here, but seeded or migrated rows may exist). */
export async function deleteUserRefreshTokens(db: Db, userId: string): Promise<void> {
  await db`delete from auth.refresh_tokens where user_id = ${userId}`;
}
