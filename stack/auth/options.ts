// What startAuth accepts, and the defaults that make it behave like the Auth server `supabase start` runs
// (GOTRUE_* values the CLI derives from config.toml's [auth] section).
import { demoKeys } from '../config.ts';
import { createLogger, type Logger } from '../log.ts';

export interface AuthOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Connect as supabase_auth_admin: it owns the auth tables, as GoTrue's database role does. */
  dbUrl: string;
  jwtSecret: string;
  /** Access-token lifetime in seconds ([auth] jwt_expiry, 3600). */
  jwtExpiry?: number;
  siteUrl?: string;
  /** The public URL of Auth; also the `iss` claim (GOTRUE_JWT_ISSUER defaults to it). */
  externalUrl?: string;
  /** [auth] enable_anonymous_sign_ins (false). */
  anonymousSignIns?: boolean;
  /** [auth] enable_signup = false sets this. */
  disableSignup?: boolean;
  /** [auth] minimum_password_length (6). */
  minimumPasswordLength?: number;
  /** [auth] password_requirements: '' | letters_digits | lower_upper_letters_digits | lower_upper_letters_digits_symbols. */
  passwordRequirements?: string;
  /** Seconds a rotated refresh token may still be used ([auth] refresh_token_reuse_interval, 10). */
  refreshTokenReuseInterval?: number;
  /** [auth] enable_refresh_token_rotation (true): when false, reuse past the interval is refused but nothing is revoked. */
  refreshTokenRotation?: boolean;
  /** The opaque keys the gateway would translate; accepted here too so clients can talk to Auth directly. */
  publishableKey?: string;
  secretKey?: string;
  dbPoolSize?: number;
  log?: Logger;
}

export interface AuthConfig {
  port: number;
  host: string;
  dbUrl: string;
  jwtSecret: string;
  jwtExpiry: number;
  siteUrl: string;
  externalUrl: string;
  /** GOTRUE_JWT_AUD and GOTRUE_JWT_DEFAULT_GROUP_NAME: the audience and role of every user token. */
  audience: string;
  defaultRole: string;
  /** GOTRUE_JWT_ADMIN_ROLES: roles allowed on /admin. */
  adminRoles: string[];
  anonymousSignIns: boolean;
  disableSignup: boolean;
  minimumPasswordLength: number;
  requiredCharacters: string[];
  refreshTokenReuseInterval: number;
  refreshTokenRotation: boolean;
  publishableKey: string;
  secretKey: string;
  dbPoolSize: number;
  log: Logger;
}

// The character sets the CLI passes as GOTRUE_PASSWORD_REQUIRED_CHARACTERS for each password_requirements value.
const lower = 'abcdefghijklmnopqrstuvwxyz';
const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const digits = '0123456789';
const symbols = '!@#$%^&*()_+-=[]{};\'\\:"|<>?,./`~';
const characterSets: Record<string, string[]> = {
  '': [],
  letters_digits: [lower + upper, digits],
  lower_upper_letters_digits: [lower, upper, digits],
  lower_upper_letters_digits_symbols: [lower, upper, digits, symbols],
};

export function resolveOptions(o: AuthOptions): AuthConfig {
  const requirements = o.passwordRequirements ?? '';
  const requiredCharacters = characterSets[requirements];
  if (!requiredCharacters) throw new Error(`unknown password requirements "${requirements}"`);
  // GoTrue never accepts a minimum below 6, whatever the config says.
  const minimumPasswordLength = Math.max(6, o.minimumPasswordLength ?? 6);
  return {
    port: o.port,
    host: o.host ?? '127.0.0.1',
    dbUrl: o.dbUrl,
    jwtSecret: o.jwtSecret,
    jwtExpiry: o.jwtExpiry ?? 3600,
    siteUrl: o.siteUrl ?? 'http://127.0.0.1:3000',
    externalUrl: o.externalUrl ?? 'http://127.0.0.1:54321/auth/v1',
    audience: 'authenticated',
    defaultRole: 'authenticated',
    adminRoles: ['service_role', 'supabase_admin'],
    anonymousSignIns: o.anonymousSignIns ?? false,
    disableSignup: o.disableSignup ?? false,
    minimumPasswordLength,
    requiredCharacters,
    refreshTokenReuseInterval: o.refreshTokenReuseInterval ?? 10,
    refreshTokenRotation: o.refreshTokenRotation ?? true,
    publishableKey: o.publishableKey ?? demoKeys.publishableKey,
    secretKey: o.secretKey ?? demoKeys.secretKey,
    dbPoolSize: o.dbPoolSize ?? 10,
    log: o.log ?? createLogger('auth'),
  };
}
