// JWT verification with the real server's outcomes and error strings (Realtime's JwtVerification and
// ChannelsAuthorization): HS* with the project secret, or any JWKS key matched by `kid`. Errors carry the code the
// server prefixes join replies with and the bare message it uses for connect, refresh and shutdown.
import {
  createHmac,
  createPublicKey,
  createSecretKey,
  timingSafeEqual,
  verify as verifySignature,
  type KeyObject,
} from 'node:crypto';
import { decodeJwtSegment } from '../shared/jwt.ts';

export type Claims = Record<string, unknown> & { role: string; exp: number; sub?: string };

export type JwtResult = { ok: true; claims: Claims } | { ok: false; code: string; message: string };

export interface JwtKeys {
  secret: string;
  jwks?: { keys: Record<string, unknown>[] };
}

const fail = (code: string, message: string): JwtResult => ({ ok: false, code, message });
const malformed = () => fail('MalformedJWT', 'The token provided is not a valid JWT');

const base64url = /^[A-Za-z0-9_-]*={0,2}$/;
const hmacAlgs: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };
const asymAlgs: Record<string, { hash: string; kty: string; dsa?: 'ieee-p1363' }> = {
  RS256: { hash: 'sha256', kty: 'RSA' },
  RS384: { hash: 'sha384', kty: 'RSA' },
  RS512: { hash: 'sha512', kty: 'RSA' },
  ES256: { hash: 'sha256', kty: 'EC', dsa: 'ieee-p1363' },
  ES384: { hash: 'sha384', kty: 'EC', dsa: 'ieee-p1363' },
  ES512: { hash: 'sha512', kty: 'EC', dsa: 'ieee-p1363' },
};

// Imported keys are cached: a JWKS is parsed once, not on every join.
const keyCache = new WeakMap<object, KeyObject>();
function importJwk(jwk: Record<string, unknown>): KeyObject | null {
  let key = keyCache.get(jwk);
  if (!key) {
    try {
      key =
        jwk.kty === 'oct'
          ? createSecretKey(Buffer.from(String(jwk.k), 'base64url'))
          : createPublicKey({ key: jwk as never, format: 'jwk' });
    } catch {
      return null;
    }
    keyCache.set(jwk, key);
  }
  return key;
}

function signerError(kid: unknown): JwtResult {
  return typeof kid === 'string'
    ? fail(
        'JwtSignerError',
        `Failed to generate JWT signer for key ID (kid) "${kid}", check your JWT secret or JWKS configuration`,
      )
    : fail('JwtSignerError', 'Failed to generate JWT signer, check your JWT secret or JWKS configuration');
}

/** Verifies signature and claims at `nowSec`. The token is trimmed and URL-decoded first, as upstream does. */
export function verifyJwt(raw: string, keys: JwtKeys, nowSec = Math.floor(Date.now() / 1000)): JwtResult {
  let token = raw.trim();
  try {
    token = decodeURIComponent(token);
  } catch {
    /* keep as is */
  }
  const parts = token.split('.');
  // Strict base64url: Buffer's decoder skips stray characters (a NUL, a `!`), so a token that is not the one signed
  // would verify.
  if (parts.length !== 3 || !parts.every((p) => base64url.test(p))) return malformed();
  const header = decodeJwtSegment(parts[0]);
  const claims = decodeJwtSegment(parts[1]);
  if (!header || !claims || typeof header.alg !== 'string') return malformed();
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2], 'base64url');
  const alg = header.alg;
  const jwk = keys.jwks?.keys.find((k) => header.kid !== undefined && k.kid === header.kid);

  if (hmacAlgs[alg]) {
    let secret: KeyObject | string | null = keys.secret;
    if (jwk) secret = jwk.kty === 'oct' ? importJwk(jwk) : null;
    if (!secret) return signerError(header.kid);
    const expected = createHmac(hmacAlgs[alg], secret).update(signed).digest();
    if (expected.length !== signature.length || !timingSafeEqual(expected, signature)) {
      return fail('JwtSignatureError', 'Failed to validate JWT signature');
    }
  } else if (asymAlgs[alg]) {
    const spec = asymAlgs[alg];
    if (!jwk || jwk.kty !== spec.kty) return signerError(header.kid);
    const key = importJwk(jwk);
    if (!key) return signerError(header.kid);
    const ok = verifySignature(spec.hash, signed, spec.dsa ? { key, dsaEncoding: spec.dsa } : key, signature);
    if (!ok) return fail('JwtSignatureError', 'Failed to validate JWT signature');
  } else {
    return signerError(header.kid);
  }

  if (claims.exp !== undefined) {
    if (typeof claims.exp !== 'number') return fail('InvalidJWTToken', 'Token expiration time is invalid');
    const exp = Math.round(claims.exp);
    if (exp < nowSec) return fail('InvalidJWTToken', `Token has expired ${nowSec - exp} seconds ago`);
    if (exp === nowSec) return fail('InvalidJWTToken', 'Token expiration time is invalid');
    claims.exp = exp;
  }
  if (claims.iat !== undefined && typeof claims.iat !== 'number') return malformed();
  if (typeof claims.role !== 'string' || claims.exp === undefined) {
    return fail('InvalidJWTToken', 'Fields `role` and `exp` are required in JWT');
  }
  return { ok: true, claims: claims as Claims };
}
