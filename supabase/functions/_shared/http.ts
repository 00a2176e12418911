// The shape every function shares: CORS preflight → method check (405) → caller from the JWT (401; for an operator's
// function the service role, else 401/403) → size check (413) → JSON parse (400) → schema validation (400, field
// details) → the function's work → typed JSON reply (or the function's own Response, e.g. Prometheus text).
// Anything unexpected is logged and answered 500 without internals; a client's mistake is never a 5xx.
import { timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { corsHeaders, preflight } from './cors.ts';
import { ApiError, errorResponse } from './errors.ts';
import { createRequestLogger, type Logger } from './log.ts';
import { fieldCodes } from './schemas.ts';
import { userClient, type UserClient } from './supabase.ts';

export const MAX_BODY_BYTES = 16 * 1024;

export interface Caller {
  /** The signed-in user's id ('' in a service-role function). */
  userId: string;
  accessToken: string;
  supabase: UserClient;
}

export interface Route<S extends z.ZodType, R> {
  input: S;
  run(input: z.infer<S>, caller: Caller, ctx: { log: Logger; req: Request }): Promise<R>;
}

export interface FunctionDefinition {
  name: string;
  /** Who may call: a signed-in user (the default), or only the service role (operators' functions: `metrics`). */
  access?: 'user' | 'service_role';
  post?: Route<z.ZodType, unknown>;
  /** GET reads its input from the query string. */
  get?: Route<z.ZodType, unknown>;
}

export function route<S extends z.ZodType, R>(r: Route<S, R>): Route<z.ZodType, unknown> {
  return r as unknown as Route<z.ZodType, unknown>;
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...corsHeaders, 'Content-Type': 'application/json' },
  });
}

/** The signed-in user from the bearer token. The runtime (verify_jwt) and PostgREST verify the signature; here we
 * only refuse what cannot be a user: no token, anon/service keys, expired tokens. */
export function callerFrom(req: Request): { userId: string; accessToken: string } {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.get('Authorization') ?? '');
  if (!match)
    throw new ApiError(401, 'not_authenticated', 'sign in: the Authorization header needs a user access token');
  let claims: { sub?: string; role?: string; exp?: number } | null;
  try {
    claims = decodeJsonSegment(match[1].split('.')[1] ?? '') as typeof claims;
  } catch {
    throw new ApiError(401, 'not_authenticated', 'the access token is not a JWT');
  }
  if (claims?.role !== 'authenticated' || !claims.sub) {
    throw new ApiError(401, 'not_authenticated', 'sign in: this needs a user access token, not an API key');
  }
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now()) {
    throw new ApiError(401, 'not_authenticated', 'the access token has expired');
  }
  return { userId: claims.sub, accessToken: match[1] };
}

/**
 * The service role, or 401 (no key, or not this project's) / 403 (a user's or the anon token: valid, not allowed).
 * The key (Bearer or apikey: the legacy service_role JWT or a secret key) is compared with the keys the runtime gives,
 * so the check holds whether or not verify_jwt ran. The caller then acts with the service role JWT.
 */
export function serviceCallerFrom(req: Request): { userId: string; accessToken: string } {
  const serviceRoleKey = Deno.env.get('SUPABASE_SERVICE_ROLE_KEY') ?? '';
  const accepted = [serviceRoleKey, ...secretKeys()].filter((k) => k.length > 0);
  const presented = [
    /^Bearer\s+(\S+)$/i.exec(req.headers.get('Authorization') ?? '')?.[1],
    req.headers.get('apikey'),
  ].filter((t): t is string => Boolean(t));
  if (presented.some((t) => accepted.some((k) => sameKey(t, k)))) return { userId: '', accessToken: serviceRoleKey };
  const role = (t: string) => {
    try {
      return (decodeJsonSegment(t.split('.')[1] ?? '') as { role?: unknown } | null)?.role;
    } catch {
      return undefined;
    }
  };
  // A token with another role was let in by verify_jwt: valid, not allowed. A service_role one that is not the
  // project's key is not valid here.
  if (presented.some((t) => typeof role(t) === 'string' && role(t) !== 'service_role')) {
    throw new ApiError(403, 'forbidden', 'this needs the service role key');
  }
  throw new ApiError(401, 'not_authenticated', 'this needs the service role key');
}

/** SUPABASE_SECRET_KEYS: a JSON object of the project's secret keys by name. */
function secretKeys(): string[] {
  try {
    return Object.values(JSON.parse(Deno.env.get('SUPABASE_SECRET_KEYS') ?? '{}')).filter(
      (k): k is string => typeof k === 'string',
    );
  } catch {
    return [];
  }
}

function sameKey(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A base64url JWT segment → its JSON. ASCII (what tokens hold) parses as is; other bytes go through UTF-8. */
function decodeJsonSegment(segment: string): unknown {
  const binary = atob(
    segment
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(segment.length / 4) * 4, '='),
  );
  // deno-lint-ignore no-control-regex
  if (!/[^\x00-\x7f]/.test(binary)) return JSON.parse(binary);
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
}

async function readJson(req: Request): Promise<unknown> {
  const declared = Number(req.headers.get('Content-Length') ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.byteLength > MAX_BODY_BYTES) throw tooLarge();
  if (bytes.byteLength === 0) throw new ApiError(400, 'invalid_json', 'the body must be a JSON object');
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ApiError(400, 'invalid_json', 'the body is not valid JSON');
  }
}

const tooLarge = () => new ApiError(413, 'payload_too_large', `the body must be at most ${MAX_BODY_BYTES} bytes`);

/**
 * zod issues → 400 with one message per field; unknown keys are named. When one field alone breaks a rule the
 * database also enforces, the answer carries the database's reason (content_too_long, invalid_client_id, …), so a
 * client sees the same code whichever side refused it.
 */
export function validationError(error: z.ZodError): ApiError {
  const fields: Record<string, string> = {};
  const unknown: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue as { keys: string[] }).keys;
      unknown.push(...keys.map((k) => [...issue.path, k].join('.')));
    } else {
      fields[issue.path.join('.') || '(body)'] = issue.message;
    }
  }
  if (unknown.length > 0 && Object.keys(fields).length === 0) {
    return new ApiError(
      400,
      unknown.some((k) => k.startsWith('state.')) ? 'unknown_state_keys' : 'validation_failed',
      `unknown keys: ${unknown.join(', ')}`,
      { unknown_keys: unknown },
    );
  }
  const failing = Object.keys(fields);
  const only = error.issues[0];
  const code =
    unknown.length === 0 && failing.length === 1 && error.issues.length === 1
      ? fieldCodes[failing[0]]?.[only.code]
      : undefined;
  if (code) return new ApiError(400, code, `${failing[0]} ${fields[failing[0]]}`, { fields });
  return new ApiError(400, 'validation_failed', 'the request is not valid', {
    fields,
    ...(unknown.length ? { unknown_keys: unknown } : {}),
  });
}

export function defineFunction(def: FunctionDefinition): (req: Request) => Promise<Response> {
  const allowed = ['OPTIONS', ...(def.post ? ['POST'] : []), ...(def.get ? ['GET'] : [])];
  return async (req: Request) => {
    const started = performance.now();
    if (req.method === 'OPTIONS') return preflight();
    const log = createRequestLogger(def.name);
    const r = req.method === 'POST' ? def.post : req.method === 'GET' ? def.get : undefined;
    try {
      if (!r) {
        throw new ApiError(
          405,
          'method_not_allowed',
          `use ${allowed.filter((m) => m !== 'OPTIONS').join(' or ')}`,
          undefined,
          { Allow: allowed.join(', ') },
        );
      }
      const { userId, accessToken } = def.access === 'service_role' ? serviceCallerFrom(req) : callerFrom(req);
      const raw = req.method === 'GET' ? Object.fromEntries(new URL(req.url).searchParams) : await readJson(req);
      const parsed = r.input.safeParse(raw);
      if (!parsed.success) throw validationError(parsed.error);
      let client: UserClient | undefined;
      const caller: Caller = {
        userId,
        accessToken,
        get supabase() {
          return (client ??= userClient(accessToken));
        },
      };
      const result = await r.run(parsed.data, caller, { log, req });
      log.end('ok', { method: req.method, ms: Math.round(performance.now() - started) });
      return result instanceof Response ? result : json(result);
    } catch (err) {
      if (err instanceof ApiError) {
        log.end('refused', {
          method: req.method,
          status: err.status,
          code: err.code,
          ms: Math.round(performance.now() - started),
        });
        return errorResponse(err);
      }
      log.error('unexpected failure', { method: req.method, error: err instanceof Error ? err.message : String(err) });
      return errorResponse(new ApiError(500, 'internal_error', 'the request failed on the server'));
    }
  };
}
