// Who is asking and what the transaction should know about it: the JWT from `Authorization` (the only header
// PostgREST reads for auth; no token → the anon role) and the transaction-local settings PostgREST writes before
// running anything, in its order, so RLS policies, auth.uid() and current_setting('request.*') see the same values.
import type { IncomingHttpHeaders } from 'node:http';
import { verifyJwt, type JwtClaims } from '../shared/jwt.ts';
import { quoteIdent } from '../shared/sql.ts';
import { jwtError } from './errors.ts';

/** PostgREST accepts 30 s of clock skew on exp, nbf and iat. */
const SKEW_SECONDS = 30;

export interface Identity {
  role: string;
  claims: JwtClaims;
  /** True when the token (if any) resolved to the anon role: 42501 is then a 401, not a 403. */
  anon: boolean;
}

/** Validates the bearer token and resolves the role, or throws PostgREST's 401 (PGRST301 / PGRST303). */
export function authenticate(authorization: string | undefined, secret: string, anonRole: string): Identity {
  const match = /^Bearer(?:\s+(.*))?$/i.exec(authorization?.trim() ?? '');
  if (!match) return { role: anonRole, claims: { role: anonRole }, anon: true };
  const token = (match[1] ?? '').trim();
  if (token === '') throw jwtError('PGRST301', 'Empty JWT is sent in Authorization header');
  const parts = token.split('.').length;
  if (parts !== 3) throw jwtError('PGRST301', `Expected 3 parts in JWT; got ${parts}`);
  const now = Math.floor(Date.now() / 1000);
  const result = verifyJwt(token, secret, { nowSec: now - SKEW_SECONDS, requireExp: false });
  if (!result.ok) {
    switch (result.reason) {
      case 'expired':
        throw jwtError('PGRST303', 'JWT expired');
      case 'bad_signature':
        throw jwtError('PGRST301', 'No suitable key or wrong key type', 'None of the keys was able to decode the JWT');
      case 'unsupported_alg':
        throw jwtError('PGRST301', 'Wrong or unsupported encoding algorithm');
      default:
        throw jwtError('PGRST301', 'JWT cryptographic operation failed');
    }
  }
  const claims = result.claims;
  for (const name of ['exp', 'nbf', 'iat'] as const) {
    if (claims[name] !== undefined && typeof claims[name] !== 'number') {
      throw jwtError('PGRST303', `The JWT '${name}' claim must be a number`);
    }
  }
  if (typeof claims.nbf === 'number' && claims.nbf > now + SKEW_SECONDS)
    throw jwtError('PGRST303', 'JWT not yet valid');
  if (typeof claims.iat === 'number' && claims.iat > now + SKEW_SECONDS)
    throw jwtError('PGRST303', 'JWT issued at future');
  const role = typeof claims.role === 'string' && claims.role !== '' ? claims.role : anonRole;
  return { role, claims: { ...claims, role }, anon: role === anonRole };
}

export interface ContextInput {
  identity: Identity;
  schema: string;
  extraSearchPath: string[];
  roleSettings: Array<[string, string]>;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  timezone?: string;
}

/** The settings PostgREST applies with set_config(…, true), in its order (postgrest-api.md §9.2 step 4). */
export function transactionSettings(input: ContextInput): Array<[string, string]> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers)) {
    if (name === 'cookie' || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const settings: Array<[string, string]> = [
    ['search_path', [input.schema, ...input.extraSearchPath].map((name) => quoteIdent(name)).join(', ')],
    ...input.roleSettings,
    ['role', input.identity.role],
    ['request.jwt.claims', JSON.stringify(input.identity.claims)],
    ['request.method', input.method],
    ['request.path', input.path],
    ['request.headers', JSON.stringify(headers)],
    ['request.cookies', JSON.stringify(parseCookies(input.headers.cookie))],
  ];
  if (input.timezone) settings.push(['timezone', input.timezone]);
  return settings;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    cookies[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return cookies;
}
