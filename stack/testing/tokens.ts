// Access tokens for tests and benches, as Auth mints them for a signed-in user: HS256 with the stack's JWT secret
// and GoTrue's claims, so every service takes them as it takes a real session's.
import { demoKeys } from '../config.ts';
import { signJwt } from '../shared/jwt.ts';

export interface UserTokenOptions {
  /** Default `<first 4 characters of sub>@example.com`. */
  email?: string;
  /** Default `authenticated`. */
  role?: string;
  /** Seconds until `exp` (negative: already expired); default an hour. */
  expiresIn?: number;
  /** More claims, or other values for the ones above. */
  claims?: Record<string, unknown>;
}

/** A user's access token as GoTrue would mint it (HS256, the stack's demo JWT secret). */
export function userToken(sub: string, opts: UserTokenOptions = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(
    {
      iss: 'http://127.0.0.1:54321/auth/v1',
      sub,
      aud: 'authenticated',
      role: opts.role ?? 'authenticated',
      email: opts.email ?? `${sub.slice(0, 4)}@example.com`,
      session_id: `s-${sub.slice(0, 8)}`,
      iat: now,
      exp: now + (opts.expiresIn ?? 3600),
      app_metadata: { provider: 'email' },
      user_metadata: {},
      is_anonymous: false,
      ...opts.claims,
    },
    demoKeys.jwtSecret,
  );
}
