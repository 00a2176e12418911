// `tsx stack/auth/main.ts`: the Auth service as a process, for the supervisor (which forks it and waits for the
// `ready` message; the service also stops when that IPC channel closes) or by hand. Environment, GoTrue-style:
// AUTH_PORT (0 = any free port), AUTH_HOST, DB_URL (as supabase_auth_admin; default: the local cluster), JWT_SECRET,
// JWT_EXPIRY, API_EXTERNAL_URL (the `iss` claim), SITE_URL, and the [auth] settings AUTH_ANONYMOUS_SIGN_INS,
// AUTH_DISABLE_SIGNUP, AUTH_MINIMUM_PASSWORD_LENGTH, AUTH_PASSWORD_REQUIREMENTS, AUTH_REFRESH_TOKEN_REUSE_INTERVAL,
// AUTH_REFRESH_TOKEN_ROTATION.
import { dbUrl, demoKeys, loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { startAuth } from './index.ts';

const log = createLogger('auth');
const env = process.env;
const num = (name: string): number | undefined => (env[name] ? Number(env[name]) : undefined);
const bool = (name: string): boolean | undefined => (env[name] ? env[name] === 'true' : undefined);

async function main(): Promise<void> {
  const server = await startAuth({
    port: num('AUTH_PORT') ?? 0,
    host: env.AUTH_HOST,
    dbUrl: env.DB_URL ?? dbUrl(loadConfig(), { user: 'supabase_auth_admin', sslmode: false }),
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
  process.send?.({ type: 'ready', service: 'auth', port: server.port });
  // One clean shutdown per signal kind; a repeated signal falls back to the default (immediate exit).
  const stop = (signal: NodeJS.Signals | 'disconnect') => {
    log.info('shutting down', { signal });
    server.close().then(() => process.exit(0), (err: Error) => {
      log.error('shutdown failed', { error: err.message });
      process.exit(1);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // Forked by a supervisor that died without stopping us: do not outlive it holding the port.
  if (process.connected) process.once('disconnect', () => stop('disconnect'));
}

main().catch((err: Error) => {
  log.error(err.message);
  process.exit(1);
});
