// The Auth service configured GoTrue-style from the environment: AUTH_PORT (0 = any free port), AUTH_HOST,
// GOTRUE_DB_DATABASE_URL or DB_URL (as supabase_auth_admin; default: the local cluster), JWT_SECRET, JWT_EXPIRY, API_EXTERNAL_URL (the `iss` claim),
// SITE_URL, and the [auth] settings AUTH_ANONYMOUS_SIGN_INS, AUTH_DISABLE_SIGNUP, AUTH_MINIMUM_PASSWORD_LENGTH,
// AUTH_PASSWORD_REQUIREMENTS, AUTH_REFRESH_TOKEN_REUSE_INTERVAL, AUTH_REFRESH_TOKEN_ROTATION.
import { dbUrl, demoKeys, loadConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { startAuth, type AuthServer } from './index.ts';

export function startAuthFromEnv(env: NodeJS.ProcessEnv, log: Logger): Promise<AuthServer> {
  const num = (name: string): number | undefined => (env[name] ? Number(env[name]) : undefined);
  const bool = (name: string): boolean | undefined => (env[name] ? env[name] === 'true' : undefined);
  return startAuth({
    port: num('AUTH_PORT') ?? 0,
    host: env.AUTH_HOST,
    dbUrl:
      env.GOTRUE_DB_DATABASE_URL ?? env.DB_URL ?? dbUrl(loadConfig(), { user: 'supabase_auth_admin', sslmode: false }),
    jwtSecret: env.JWT_SECRET ?? demoKeys.jwtSecret,
    jwtExpiry: num('JWT_EXPIRY'),
    externalUrl: env.API_EXTERNAL_URL,
    siteUrl: env.SITE_URL,
    anonymousSignIns: bool('AUTH_ANONYMOUS_SIGN_INS'),
    disableSignup: bool('AUTH_DISABLE_SIGNUP'),
    minimumPasswordLength: num('AUTH_MINIMUM_PASSWORD_LENGTH'),
    passwordRequirements: env.AUTH_PASSWORD_REQUIREMENTS,
    refreshTokenReuseInterval: num('AUTH_REFRESH_TOKEN_REUSE_INTERVAL'),
    refreshTokenRotation: bool('AUTH_REFRESH_TOKEN_ROTATION'),
    log,
  });
}
