// GET /user and PUT /user: the signed-in user reads and changes their own account.
import { requestAud, type AuthContext } from '../context.ts';
import { transaction, type Db } from '../db.ts';
import { fail } from '../errors.ts';
import { requireUser } from '../guard.ts';
import type { Handler } from '../http.ts';
import { hashPassword, verifyPassword } from '../passwords.ts';
import { endSessions } from '../sessions.ts';
import { userReply } from '../user-json.ts';
import {
  confirmEmail,
  confirmPhone,
  emailOwner,
  findUserById,
  makePermanent,
  mergeAppMetadata,
  mergeUserMetadata,
  phoneOwner,
  refreshProviders,
  setEmail,
  setPassword,
  setPendingEmail,
  setPhone,
  upsertIdentity,
} from '../users.ts';
import { assertPasswordAcceptable, optObject, optString, validEmail, validPhone } from '../validation.ts';

export function getUserHandler(ctx: AuthContext): Handler {
  return async (req) => {
    const { user } = await requireUser(ctx.sql, req, ctx.cfg, ctx.keys);
    return userReply(ctx.sql, user.id);
  };
}

export function updateUserHandler(ctx: AuthContext): Handler {
  return async (req) => {
    const { cfg } = ctx;
    const { user, sessionId, claims } = await requireUser(ctx.sql, req, cfg, ctx.keys);
    const body = await req.json();
    const appMetadata = optObject(body, 'app_metadata');
    if (appMetadata && !cfg.adminRoles.includes(String(claims.role))) {
      throw fail.notAdmin('Updating app_metadata requires admin privileges');
    }
    const rawEmail = optString(body, 'email');
    const email = rawEmail ? validEmail(rawEmail) : undefined;
    const rawPhone = optString(body, 'phone');
    const phone = rawPhone ? validPhone(rawPhone) : undefined;
    const password = optString(body, 'password');
    const data = optObject(body, 'data');
    if (password !== undefined) assertPasswordAcceptable(password, cfg);
    if (user.is_anonymous && password !== undefined && !email && !phone) {
      throw fail.validation('Updating password of an anonymous user without an email or phone is not allowed', 422);
    }
    if (password && (await verifyPassword(password, user.encrypted_password))) throw fail.samePassword();
    const encryptedPassword = password ? await hashPassword(password) : undefined;
    const aud = requestAud(req, ctx);

    return transaction(ctx.sql, async (tx) => {
      const current = await findUserById(tx, user.id, { forUpdate: true });
      if (!current) throw fail.jwtUserMissing();
      if (password !== undefined) {
        await setPassword(tx, user.id, encryptedPassword ?? '');
        // A new password means the old one may be known to someone else: every other session ends.
        await endSessions(tx, user.id, 'others', sessionId);
      }
      if (data) await mergeUserMetadata(tx, user.id, data);
      if (appMetadata) await mergeAppMetadata(tx, user.id, appMetadata);
      if (email && email !== current.email) {
        if (await emailOwner(tx, email, aud, user.id)) throw fail.emailExists();
        if (current.is_anonymous) await adoptIdentifier(tx, user.id, 'email', email);
        // A permanent user's new address waits for a confirmation mail (not sent: this stack has no mailer).
        else await setPendingEmail(tx, user.id, email);
      }
      if (phone && phone !== current.phone) {
        if (await phoneOwner(tx, phone, aud, user.id))
          throw fail.phoneExists('A user with this phone number has already been registered');
        // SMS autoconfirm is on locally, so the number applies at once.
        await adoptIdentifier(tx, user.id, 'phone', phone);
      }
      return userReply(tx, user.id);
    });
  };
}

/**
 * An email or phone that applies immediately (anonymous user + mailer autoconfirm, or SMS autoconfirm): set and
 * confirmed, with an identity for the provider; an anonymous user becomes a permanent one.
 */
async function adoptIdentifier(tx: Db, userId: string, provider: 'email' | 'phone', value: string): Promise<void> {
  await upsertIdentity(tx, userId, provider, value);
  if (provider === 'email') {
    await setEmail(tx, userId, value);
    await confirmEmail(tx, userId);
  } else {
    await setPhone(tx, userId, value);
    await confirmPhone(tx, userId);
  }
  await makePermanent(tx, userId);
  await refreshProviders(tx, userId);
}
