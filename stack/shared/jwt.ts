// HS256 JWTs signed with the stack's JWT secret: what Auth issues and what REST, the functions runtime and the
// gateway verify. (Realtime keeps its own verifier, for upstream's exact error strings, and shares decodeJwtSegment.)
import { createHmac, timingSafeEqual } from 'node:crypto';

export type JwtClaims = Record<string, unknown> & { role?: string; exp?: number; sub?: string };

export type VerifyResult =
  | { ok: true; claims: JwtClaims }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'unsupported_alg' | 'expired' | 'missing_exp' };

const b64url = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');

export function signJwt(claims: JwtClaims, secret: string, header: Record<string, unknown> = {}): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', ...header }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** A JWT header or payload segment (base64url JSON) as an object; undefined for anything else. */
export function decodeJwtSegment(part: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Verifies signature and `exp` (required unless `requireExp` is false) at `nowSec`. */
export function verifyJwt(
  token: string,
  secret: string,
  opts: { nowSec?: number; requireExp?: boolean } = {},
): VerifyResult {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const header = decodeJwtSegment(parts[0]);
  const claims = decodeJwtSegment(parts[1]);
  if (!header || !claims) return { ok: false, reason: 'malformed' };
  if (header.alg !== 'HS256') return { ok: false, reason: 'unsupported_alg' };
  const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' };
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number') {
    if (opts.requireExp !== false) return { ok: false, reason: 'missing_exp' };
  } else if (claims.exp <= now) {
    return { ok: false, reason: 'expired' };
  }
  return { ok: true, claims: claims as JwtClaims };
}

/** The bearer token of an `Authorization` header, if any. */
export function bearerToken(header: string | null | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  return match ? match[1].trim() : undefined;
}
