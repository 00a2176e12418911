// The error model: a stable `code`, a human `message`, optional `details`, and the HTTP status that says whose
// mistake it was. RPC errors arrive from PostgREST as SQLSTATE PT<status> with the reason in `hint` and JSON in
// `details` (see docs/authorization.md), so mapping them never parses prose.
import type { ErrorCode, FunctionErrorBody } from '../../../types/contract.ts';
import { corsHeaders } from './cors.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorResponse(err: ApiError): Response {
  const body: FunctionErrorBody = {
    error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
  };
  return new Response(JSON.stringify(body), {
    status: err.status,
    headers: { ...corsHeaders, 'Content-Type': 'application/json', ...err.headers },
  });
}

/** What supabase-js's rpc() returns as `error` (PostgrestError). */
export interface PostgrestErrorLike {
  code?: string;
  message?: string;
  details?: string | null;
  hint?: string | null;
}

function parseDetails(details: string | null | undefined): Record<string, unknown> | undefined {
  if (!details) return undefined;
  try {
    const value = JSON.parse(details);
    return value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

const fallbackCodes: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'not_authenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  429: 'rate_limited',
};

/**
 * Maps an RPC failure to the error the client gets. The database's own refusals (PT<status>) keep their status and
 * reason; any other 4xx from PostgREST or Postgres (a NUL in a string is 400 22P05, say) is still the client's
 * mistake and stays a 4xx with a stable code. Only a 5xx or a failure to reach the API is the server's.
 */
export function fromPostgrest(err: PostgrestErrorLike, httpStatus?: number): ApiError {
  const code = err.code ?? '';
  const domain = /^PT(\d{3})$/.exec(code);
  if (domain) {
    const status = Number(domain[1]);
    const details = parseDetails(err.details);
    const headers: Record<string, string> = {};
    if (status === 429 && typeof details?.retry_after_seconds === 'number') {
      headers['Retry-After'] = String(details.retry_after_seconds);
    }
    return new ApiError(
      status,
      (err.hint as ErrorCode) || fallbackCodes[status] || 'bad_request',
      err.message ?? 'refused',
      details,
      headers,
    );
  }
  switch (code) {
    case 'PGRST301':
    case 'PGRST302':
    case 'PGRST303':
      return new ApiError(401, 'not_authenticated', 'the access token is missing, invalid or expired');
    case '42501':
      return new ApiError(403, 'forbidden', 'not allowed');
    case '23505':
      return new ApiError(409, 'conflict', err.message ?? 'already exists');
    case 'PGRST116':
      return new ApiError(404, 'not_found', 'not found');
  }
  // Data errors (class 22: bad text, numbers, dates; 22P05 a NUL character) and integrity refusals (23) are what
  // the client sent, whatever status the API gave them.
  if (/^2[23]/.test(code)) return new ApiError(400, 'bad_request', err.message ?? 'invalid input');
  if (httpStatus !== undefined && httpStatus >= 400 && httpStatus < 500) {
    const status = httpStatus in fallbackCodes ? httpStatus : 400;
    return new ApiError(status, fallbackCodes[status], err.message ?? 'refused');
  }
  // The API unreachable, or PostgREST answering that it cannot reach the database (PGRST000-002 with 503, e.g. while
  // Postgres restarts): the client may retry the same request shortly.
  if (
    (!code && /fetch|network|connect/i.test(err.message ?? '')) ||
    httpStatus === 503 ||
    /^PGRST00[0-2]$/.test(code)
  ) {
    return new ApiError(503, 'upstream_unavailable', 'the database API is unavailable; retry shortly', undefined, {
      'Retry-After': '1',
    });
  }
  return new ApiError(500, 'internal_error', 'the request failed on the server');
}
