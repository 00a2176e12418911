// Access tokens and the token response. Claims are GoTrue's AccessTokenClaims in its order; the project signs every
// token HS256 with the stack's JWT secret (CLI 2.117 signs user tokens ES256 with a signing key instead).
import { signJwt, type JwtClaims } from '../shared/jwt.ts';
import type { Db } from './db.ts';
import type { AuthConfig } from './options.ts';
import { amrOf, findSession, type AmrEntry } from './sessions.ts';
import { userJson } from './user-json.ts';
import { findUserById, identitiesOf, type UserRow } from './users.ts';

export function accessTokenClaims(
  cfg: AuthConfig,
  user: UserRow,
  sessionId: string,
  aal: string,
  amr: AmrEntry[],
  nowSec: number,
): JwtClaims {
  return {
    iss: cfg.externalUrl,
    sub: user.id,
    aud: user.aud || cfg.audience,
    exp: nowSec + cfg.jwtExpiry,
    iat: nowSec,
    email: user.email ?? '',
    phone: user.phone ?? '',
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    role: user.role || cfg.defaultRole,
    aal,
    amr,
    session_id: sessionId,
    is_anonymous: user.is_anonymous,
  };
}

/**
 * The AccessTokenResponse for a session: a freshly signed access token, the given refresh token and the user as
 * stored now (so triggers' and defaults' effects show). Runs inside the caller's transaction.
 */
export async function tokenResponse(
  db: Db,
  cfg: AuthConfig,
  userId: string,
  sessionId: string,
  refreshToken: string,
): Promise<Record<string, unknown>> {
  const user = await findUserById(db, userId);
  if (!user) throw new Error(`user ${userId} vanished while issuing a session`);
  const session = await findSession(db, sessionId);
  const amr = await amrOf(db, sessionId);
  const now = Math.floor(Date.now() / 1000);
  const claims = accessTokenClaims(cfg, user, sessionId, session?.aal ?? 'aal1', amr, now);
  return {
    access_token: signJwt(claims, cfg.jwtSecret),
    token_type: 'bearer',
    expires_in: cfg.jwtExpiry,
    expires_at: claims.exp,
    refresh_token: refreshToken,
    user: userJson(user, await identitiesOf(db, userId)),
  };
}
