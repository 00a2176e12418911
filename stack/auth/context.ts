// What every handler needs: the pool, the resolved configuration and the keys the gateway rewrite maps to.
import type { Sql } from './db.ts';
import type { Keys } from './guard.ts';
import type { AuthRequest } from './http.ts';
import type { AuthConfig } from './options.ts';
import type { ClientInfo } from './sessions.ts';
import { validName } from './validation.ts';

export interface AuthContext {
  sql: Sql;
  cfg: AuthConfig;
  keys: Keys;
}

/** Recorded on sessions (auth.sessions.user_agent / ip), as GoTrue does. */
export const clientOf = (req: AuthRequest): ClientInfo => ({ userAgent: req.userAgent, ip: req.ip });

/** The audience users are created and looked up in: X-JWT-AUD if the caller sets it, else the configured one. */
export const requestAud = (req: AuthRequest, ctx: AuthContext): string =>
  validName(req.header('x-jwt-aud') || ctx.cfg.audience, 'X-JWT-AUD');

/** Whether a user is banned right now. */
export const isBanned = (bannedUntil: Date | null): boolean =>
  bannedUntil !== null && bannedUntil.getTime() > Date.now();
