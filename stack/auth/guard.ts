// Who is calling. The API key check and the `Authorization` rewrite reproduce what the gateway does in front of
// GoTrue (so Auth can be called directly), then GoTrue's own bearer checks: signature and expiry, then `sub`, the
// user and the session for user endpoints, or an admin role for /admin.
import { bearerToken, signJwt, verifyJwt, type JwtClaims, type VerifyResult } from '../shared/jwt.ts';
import type { Db } from './db.ts';
import { fail } from './errors.ts';
import type { AuthRequest, Guard } from './http.ts';
import type { AuthConfig } from './options.ts';
import { findSession } from './sessions.ts';
import { findUserById, type UserRow } from './users.ts';
import { isUuid, nilUuid } from './validation.ts';

const apiKeyRoles = new Set(['anon', 'service_role']);

export interface Keys {
  /** The legacy JWT keys the opaque keys stand for (the CLI derives them from the JWT secret). */
  anonJwt: string;
  serviceRoleJwt: string;
}

export function deriveKeys(cfg: AuthConfig): Keys {
  const key = (role: string) => signJwt({ iss: 'supabase-demo', role, exp: 1983812996 }, cfg.jwtSecret);
  return { anonJwt: key('anon'), serviceRoleJwt: key('service_role') };
}

const apiKeyOf = (req: AuthRequest) => req.header('apikey') ?? req.query.get('apikey') ?? undefined;

/**
 * A request may come without `apikey` (the CLI's gateway does not require one), but one that is sent must be a
 * key of this project: an opaque key, or an anon/service_role JWT signed with its secret.
 */
export function apiKeyGuard(cfg: AuthConfig): Guard {
  return (req) => {
    const key = apiKeyOf(req);
    if (key === undefined || key === cfg.publishableKey || key === cfg.secretKey) return;
    const verified = verifyJwt(key, cfg.jwtSecret, { requireExp: false });
    if (!verified.ok || !apiKeyRoles.has(String(verified.claims.role))) throw fail.invalidApiKey();
  };
}

/** The gateway's rewrite: keep a real Authorization, otherwise derive it from the API key. */
function effectiveAuthorization(req: AuthRequest, cfg: AuthConfig, keys: Keys): string | undefined {
  const given = req.header('authorization');
  if (given && !/^bearer\s+sb_/i.test(given.trim())) return given;
  const key = apiKeyOf(req);
  if (key === cfg.secretKey) return `Bearer ${keys.serviceRoleJwt}`;
  if (key === cfg.publishableKey) return `Bearer ${keys.anonJwt}`;
  return key ? `Bearer ${key}` : given;
}

// golang-jwt's wording, which GoTrue appends to its own message.
const verifyDetail: Record<Exclude<VerifyResult, { ok: true }>['reason'], string> = {
  malformed: 'token is malformed: could not JSON decode the token',
  bad_signature: 'token signature is invalid: signature is invalid',
  unsupported_alg: 'token is unverifiable: error while executing keyfunc: signing method is not supported',
  expired: 'token has invalid claims: token is expired',
  missing_exp: 'token has invalid claims: token is missing required claim: exp claim is required',
};

export function verifyBearer(req: AuthRequest, cfg: AuthConfig, keys: Keys): JwtClaims {
  const header = effectiveAuthorization(req, cfg, keys);
  const token = header && /^bearer\s+\S+$/i.test(header.trim()) ? bearerToken(header) : undefined;
  if (!token) throw fail.noAuthorization();
  const verified = verifyJwt(token, cfg.jwtSecret, { requireExp: false });
  if (!verified.ok)
    throw fail.badJwt(`invalid JWT: unable to parse or verify signature, ${verifyDetail[verified.reason]}`);
  return verified.claims;
}

export interface UserCaller {
  claims: JwtClaims;
  user: UserRow;
  /** Null for tokens minted without a session (they act on every session of the user). */
  sessionId: string | null;
}

/** GET/PUT /user and /logout: a valid token whose user and session still exist. */
export async function requireUser(db: Db, req: AuthRequest, cfg: AuthConfig, keys: Keys): Promise<UserCaller> {
  const claims = verifyBearer(req, cfg, keys);
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub === '') throw fail.badJwt('invalid claim: missing sub claim');
  if (!isUuid(sub)) throw fail.badJwt('invalid claim: sub claim must be a UUID', 400);
  const requestAud = req.header('x-jwt-aud');
  const tokenAud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
  if (requestAud && requestAud !== tokenAud) throw fail.validation("Token audience doesn't match request audience");
  const user = await findUserById(db, sub);
  if (!user) throw fail.jwtUserMissing();
  let sessionId: string | null = null;
  if (typeof claims.session_id === 'string' && claims.session_id !== '' && claims.session_id !== nilUuid) {
    if (!isUuid(claims.session_id)) throw fail.badJwt('invalid claim: session_id claim must be a UUID', 400);
    if (!(await findSession(db, claims.session_id))) throw fail.jwtSessionMissing();
    sessionId = claims.session_id;
  }
  return { claims, user, sessionId };
}

/** /admin: a valid token whose role is an admin role (service_role). */
export function requireAdmin(req: AuthRequest, cfg: AuthConfig, keys: Keys): JwtClaims {
  const claims = verifyBearer(req, cfg, keys);
  if (!cfg.adminRoles.includes(String(claims.role))) throw fail.notAdmin();
  return claims;
}
