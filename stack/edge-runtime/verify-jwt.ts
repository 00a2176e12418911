// verify_jwt as the CLI 2.117 edge-runtime main service does it: the bearer token of Authorization, else the
// gateway's sb-api-key; HS256 checked against the JWT secret (signature and exp); any role is accepted.
import type { IncomingHttpHeaders } from 'node:http';
import { decodeJwtSegment, verifyJwt } from '../shared/jwt.ts';

export interface JwtRefusal {
  code: string;
  message: string;
}

const refusal = (code: string, message: string): JwtRefusal => ({ code, message });

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** undefined when the request may pass, otherwise the runtime's 401 reason. */
export function checkJwt(headers: IncomingHttpHeaders, jwtSecret: string): JwtRefusal | undefined {
  const authorization = header(headers, 'authorization');
  const apiKey = header(headers, 'sb-api-key')
    ?.replace(/^Bearer\s*/, '')
    .trim();
  if (!authorization && !apiKey) return refusal('UNAUTHORIZED_NO_AUTH_HEADER', 'Missing authorization header');
  const parts = authorization?.split(' ') ?? [];
  let token = parts.length === 2 && parts[0] === 'Bearer' ? parts[1] : undefined;
  if (!token || token.startsWith('sb_')) token = apiKey;
  if (!token) return refusal('UNAUTHORIZED_INVALID_JWT_FORMAT', 'Invalid JWT format');
  const alg = decodeJwtSegment(token.split('.')[0])?.alg;
  if (typeof alg !== 'string') return refusal('UNAUTHORIZED_INVALID_JWT_FORMAT', 'Invalid JWT format');
  if (alg !== 'HS256') return refusal('UNAUTHORIZED_UNSUPPORTED_TOKEN_ALGORITHM', `Unsupported JWT algorithm ${alg}`);
  const result = verifyJwt(token, jwtSecret, { requireExp: false });
  return result.ok ? undefined : refusal('UNAUTHORIZED_LEGACY_JWT', 'Invalid JWT');
}
