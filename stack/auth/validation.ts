// Input rules GoTrue applies before touching the database: body member types (a wrong type is a JSON decoding
// error there), email and phone formats, password strength, ids, refresh token format and ban durations; plus the
// rules that keep any client text the database could not store from reaching it (a client's mistake is a 400, never
// the 500 of a failed write).
import type { AuthConfig } from './options.ts';
import { fail } from './errors.ts';

type Body = Record<string, unknown>;

/**
 * Deeper bodies are bad_json. Go's decoder allows 10000 levels, but JSON.stringify (postgres.js parameters, JWT
 * claims, replies) runs out of stack at a few thousand.
 */
export const maxJsonDepth = 1000;

// An unpaired UTF-16 surrogate (JSON can spell one as "\ud800"); no UTF-8 encoding exists for it.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text the database can store: U+0000 is refused (Postgres text and jsonb cannot hold it), lone surrogates become
 * U+FFFD as Go's JSON decoder makes them (so GoTrue stores the same thing).
 */
export function storableText(text: string, where: string): string {
  if (text.includes('\u0000')) throw fail.nulCharacter(where);
  return text.replace(loneSurrogate, '\uFFFD');
}

/**
 * A parsed request body made storable, member names included: the one check every body goes through, so no
 * handler writes a value Postgres would refuse. Errors name the top-level member the bad value sits in.
 */
export function storableBody(body: Body): Body {
  return Object.fromEntries(
    Object.entries(body).map(([key, value]) => {
      const where = JSON.stringify(key.replace(loneSurrogate, '\uFFFD'));
      return [storableText(key, where), storableValue(value, where, 2)];
    }),
  );
}

function storableValue(value: unknown, where: string, depth: number): unknown {
  if (typeof value === 'string') return storableText(value, where);
  // JSON.parse turns a number beyond float64 into Infinity (stored as null); Go's decoder refuses it.
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw fail.badJson('json: cannot unmarshal number into Go value of type float64');
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth > maxJsonDepth) throw fail.badJson('exceeded max depth');
  if (Array.isArray(value)) return value.map((v) => storableValue(v, where, depth + 1));
  // fromEntries defines own properties, so a "__proto__" member stays a member.
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [storableText(k, where), storableValue(v, where, depth + 1)]),
  );
}

/** Query parameters reach SQL too (the admin list `filter`). Decoded as UTF-8, they never hold a lone surrogate. */
export function assertStorableQuery(query: URLSearchParams): void {
  for (const [key, value] of query) {
    const where = `query parameter ${JSON.stringify(key)}`;
    storableText(key, where);
    storableText(value, where);
  }
}

// Go decodes the body into a struct, so a member of the wrong type fails the whole request as bad_json.
const typeError = (key: string, want: string) =>
  fail.badJson(`json: cannot unmarshal into field ${key} of type ${want}`);

export function optString(body: Body, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw typeError(key, 'string');
  return v;
}

export function optBoolean(body: Body, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw typeError(key, 'bool');
  return v;
}

export function optObject(body: Body, key: string): Record<string, unknown> | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw typeError(key, 'map[string]interface {}');
  return v as Record<string, unknown>;
}

// checkmail's format rule, which GoTrue uses.
const emailFormat =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** A valid email, lower-cased (GoTrue stores and compares emails in lower case). */
export function validEmail(email: string): string {
  if (email === '') throw fail.validation('An email address is required');
  if (email.length > 255) throw fail.validation('An email address is too long');
  if (!emailFormat.test(email)) throw fail.validation('Unable to validate email address: invalid format');
  return email.toLowerCase();
}

/** auth.users.aud and role are varchar(255), counted in characters: a longer value would fail the write. */
export const maxNameChars = 255;

export function validName(value: string, label: string): string {
  if (value.length > maxNameChars && [...value].length > maxNameChars) {
    throw fail.validation(`${label} cannot be longer than ${maxNameChars} characters`);
  }
  return value;
}

/** E.164 digits without `+`, as GoTrue stores phones. */
export function validPhone(phone: string): string {
  const digits = phone.replace(/^\+/, '').replaceAll(' ', '');
  if (!/^[1-9][0-9]{1,14}$/.test(digits)) throw fail.validation('Invalid phone number format (E.164 required)');
  return digits;
}

/** bcrypt only looks at 72 bytes, so GoTrue refuses longer passwords rather than silently truncating them. */
export const maxPasswordBytes = 72;

export interface WeakPassword {
  message: string;
  reasons: string[];
}

/** Why a password fails the configured rules, or undefined. Lengths are bytes, as in Go. */
export function weakPassword(password: string, cfg: AuthConfig): WeakPassword | undefined {
  const messages: string[] = [];
  const reasons: string[] = [];
  if (Buffer.byteLength(password) < cfg.minimumPasswordLength) {
    reasons.push('length');
    messages.push(`Password should be at least ${cfg.minimumPasswordLength} characters.`);
  }
  if (cfg.requiredCharacters.some((set) => ![...set].some((c) => password.includes(c)))) {
    reasons.push('characters');
    messages.push(`Password should contain at least one character of each: ${cfg.requiredCharacters.join(', ')}.`);
  }
  return reasons.length ? { message: messages.join(' '), reasons } : undefined;
}

export function assertPasswordLength(password: string): void {
  if (Buffer.byteLength(password) > maxPasswordBytes) {
    throw fail.validation(`Password cannot be longer than ${maxPasswordBytes} characters`);
  }
}

/** The strength check of sign-up and password change: too long is 400, too weak is 422 weak_password. */
export function assertPasswordAcceptable(password: string, cfg: AuthConfig): void {
  assertPasswordLength(password);
  const weak = weakPassword(password, cfg);
  if (weak) throw fail.weakPassword(weak.message, weak.reasons);
}

export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
export const nilUuid = '00000000-0000-0000-0000-000000000000';

/** v1 refresh tokens are 12 lower-case characters; anything else is refused before a lookup. */
export const isRefreshTokenFormat = (s: string) => /^[a-z0-9]{12}$/.test(s);

const durationUnits: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

// time.Duration is an int64 of nanoseconds; ParseDuration refuses anything longer (about 292 years).
const maxDurationMs = 9_223_372_036_854.775;

/** A Go duration string (`24h`, `1h30m`, `90s`) in milliseconds; undefined when malformed or out of range. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const m = part.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * durationUnits[m[2]];
    at = part.lastIndex;
  }
  return at > 0 && total <= maxDurationMs ? total : undefined;
}
