// POST /token: `grant_type=password` (sign-in) and `grant_type=refresh_token` (rotation with reuse detection).
import { clientOf, isBanned, requestAud, type AuthContext } from '../context.ts';
import { CommitThenFail, sqlState, transaction } from '../db.ts';
import { fail } from '../errors.ts';
import type { AuthRequest, Handler, Reply } from '../http.ts';
import { verifyPassword } from '../passwords.ts';
import {
  activeRefreshToken,
  deleteRefreshToken,
  findSession,
  lockRefreshToken,
  markRefreshed,
  revokeSessionTokens,
  rotateRefreshToken,
  startSession,
} from '../sessions.ts';
import { tokenResponse } from '../tokens.ts';
import { findUserByEmail, findUserById } from '../users.ts';
import { isRefreshTokenFormat, isUuid, optString, weakPassword } from '../validation.ts';

export function tokenHandler(ctx: AuthContext): Handler {
  return async (req) => {
    switch (req.query.get('grant_type')) {
      case 'password':
        return passwordGrant(ctx, req);
      case 'refresh_token':
        return refreshGrant(ctx, req);
      default:
        throw fail.unsupportedGrant();
    }
  };
}

async function passwordGrant(ctx: AuthContext, req: AuthRequest): Promise<Reply> {
  const body = await req.json();
  const email = optString(body, 'email') ?? '';
  const phone = optString(body, 'phone') ?? '';
  const password = optString(body, 'password') ?? '';
  if (email !== '' && phone !== '')
    throw fail.validation('Only an email address or phone number should be provided on login.');
  if (phone !== '') throw fail.phoneProviderDisabled(422, 'Phone logins are disabled');
  if (email === '') throw fail.validation('missing email or phone');

  // Unknown email, no password and wrong password all read the same, so accounts cannot be probed.
  const user = await findUserByEmail(ctx.sql, email, requestAud(req, ctx));
  if (!user?.encrypted_password) throw fail.invalidCredentials();
  if (isBanned(user.banned_until)) throw fail.userBanned();
  if (!(await verifyPassword(password, user.encrypted_password))) throw fail.invalidCredentials();
  if (!user.email_confirmed_at) throw fail.emailNotConfirmed();

  const reply = await transaction(ctx.sql, async (tx) => {
    const { sessionId, refreshToken } = await startSession(tx, user.id, 'password', clientOf(req));
    return tokenResponse(tx, ctx.cfg, user.id, sessionId, refreshToken);
  });
  // The right password that today's rules would refuse still signs in; the client is told so it can ask for a new one.
  const weak = weakPassword(password, ctx.cfg);
  return { status: 200, body: weak ? { ...reply, weak_password: weak } : reply };
}

async function refreshGrant(ctx: AuthContext, req: AuthRequest): Promise<Reply> {
  const token = optString(await req.json(), 'refresh_token') ?? '';
  if (!isRefreshTokenFormat(token)) throw fail.refreshTokenInvalid();
  const { cfg } = ctx;
  try {
    return await transaction(ctx.sql, async (tx): Promise<Reply | CommitThenFail> => {
      // Concurrent refreshes of one session queue on these row locks; GoTrue gives up after about 5 s with 409.
      await tx`set local lock_timeout = '5s'`;
      const row = await lockRefreshToken(tx, token, cfg.refreshTokenReuseInterval);
      if (!row) throw fail.refreshTokenNotFound();
      const user = row.user_id && isUuid(row.user_id) ? await findUserById(tx, row.user_id) : undefined;
      if (!user) throw fail.refreshTokenNotFound();
      if (isBanned(user.banned_until)) throw fail.userBanned('Invalid Refresh Token: User Banned');
      const session = row.session_id ? await findSession(tx, row.session_id, { forUpdate: true }) : undefined;
      if (!session) {
        await deleteRefreshToken(tx, row.id);
        return new CommitThenFail(fail.refreshSessionMissing());
      }
      if (session.expired) throw fail.refreshSessionExpired();

      let issued: string | undefined;
      if (row.revoked) {
        const active = await activeRefreshToken(tx, session.id);
        if (active && active.parent === row.token) {
          // The client lost the answer to its last refresh: hand back the token that refresh issued.
          issued = active.token;
        } else if (row.reuse_expired) {
          // A token rotated away long ago is being replayed: treat the session's tokens as stolen.
          if (cfg.refreshTokenRotation) await revokeSessionTokens(tx, session.id);
          return new CommitThenFail(fail.refreshTokenAlreadyUsed());
        }
        // Otherwise the reuse window is still open and the token rotates once more.
      }
      issued ??= await rotateRefreshToken(tx, row, user.id, session.id);
      await markRefreshed(tx, session.id, clientOf(req));
      return { status: 200, body: await tokenResponse(tx, cfg, user.id, session.id, issued) };
    });
  } catch (err) {
    if (sqlState(err) === '55P03') throw fail.refreshConflict();
    throw err;
  }
}
