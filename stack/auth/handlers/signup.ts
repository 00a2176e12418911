// POST /signup: email + password sign-up, auto-confirmed as `supabase start` configures it (a session comes back
// at once), and anonymous sign-in, which is a sign-up without email or phone.
import { clientOf, requestAud, type AuthContext } from '../context.ts';
import { transaction } from '../db.ts';
import { fail } from '../errors.ts';
import type { AuthRequest, Handler, Reply } from '../http.ts';
import { hashPassword } from '../passwords.ts';
import { startSession } from '../sessions.ts';
import { tokenResponse } from '../tokens.ts';
import { confirmEmail, findUserByEmail, insertIdentity, insertUser, type Json } from '../users.ts';
import { assertPasswordAcceptable, optObject, optString, validEmail } from '../validation.ts';

export function signupHandler(ctx: AuthContext): Handler {
  return async (req) => {
    const body = await req.json();
    const email = optString(body, 'email') ?? '';
    const phone = optString(body, 'phone') ?? '';
    const password = optString(body, 'password') ?? '';
    const data = optObject(body, 'data') ?? {};
    if (email === '' && phone === '') return anonymousSignup(ctx, req, data);

    // GoTrue's order decides which error a bad request gets: sign-ups allowed, password, strength, then identifiers.
    if (ctx.cfg.disableSignup) throw fail.signupDisabled();
    if (password === '') throw fail.validation('Signup requires a valid password');
    assertPasswordAcceptable(password, ctx.cfg);
    if (email !== '' && phone !== '')
      throw fail.validation('Only an email address or phone number should be provided on signup.');
    if (phone !== '') throw fail.phoneProviderDisabled(400, 'Phone signups are disabled');
    const address = validEmail(email);
    const aud = requestAud(req, ctx);
    const encryptedPassword = await hashPassword(password);

    return transaction(ctx.sql, async (tx): Promise<Reply> => {
      const existing = await findUserByEmail(tx, address, aud);
      // With autoconfirm on, a confirmed account is reported; an unconfirmed one (admin-created) is reused as is
      // and confirmed by this sign-up, without checking or changing its password, exactly as GoTrue does.
      if (existing?.email_confirmed_at) throw fail.userAlreadyExists();
      let userId = existing?.id;
      if (!userId) {
        userId = await insertUser(tx, {
          email: address,
          phone: null,
          encryptedPassword,
          aud,
          role: ctx.cfg.defaultRole,
          appMetadata: { provider: 'email', providers: ['email'] },
          userMetadata: data,
          isAnonymous: false,
        });
        // Sign-up data also lands in the identity, under the provider's own claims.
        await insertIdentity(tx, userId, 'email', {
          ...data,
          sub: userId,
          email: address,
          email_verified: false,
          phone_verified: false,
        });
      }
      await confirmEmail(tx, userId);
      const { sessionId, refreshToken } = await startSession(tx, userId, 'password', clientOf(req));
      return { status: 200, body: await tokenResponse(tx, ctx.cfg, userId, sessionId, refreshToken) };
    });
  };
}

/** No email, no password, no identity; app_metadata stays empty and the session's AMR is `anonymous`. */
async function anonymousSignup(ctx: AuthContext, req: AuthRequest, data: Json): Promise<Reply> {
  if (!ctx.cfg.anonymousSignIns) throw fail.anonymousDisabled();
  if (ctx.cfg.disableSignup) throw fail.signupDisabled();
  return transaction(ctx.sql, async (tx): Promise<Reply> => {
    const userId = await insertUser(tx, {
      email: null,
      phone: null,
      encryptedPassword: '',
      aud: requestAud(req, ctx),
      role: ctx.cfg.defaultRole,
      appMetadata: {},
      userMetadata: data,
      isAnonymous: true,
    });
    const { sessionId, refreshToken } = await startSession(tx, userId, 'anonymous', clientOf(req));
    return { status: 200, body: await tokenResponse(tx, ctx.cfg, userId, sessionId, refreshToken) };
  });
}
