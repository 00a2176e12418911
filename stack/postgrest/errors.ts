// PostgREST's error contract: every failure is `{code, details, hint, message}` with a status that depends on the
// code. PostgREST's own errors (PGRSTxxx) are raised as ApiError; PostgreSQL errors keep their SQLSTATE, message,
// DETAIL and HINT untouched and get their status from the SQLSTATE table below (postgrest-api.md §8.2).

export interface ErrorBody {
  code: string;
  /** A string, except PGRST201 whose details list the candidate relationships. */
  details: unknown;
  hint: string | null;
  message: string;
}

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details: unknown = null,
    public readonly hint: string | null = null,
    /** Extra response headers (WWW-Authenticate on 401s, Content-Range on 416s). */
    public readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): ErrorBody {
    return { code: this.code, details: this.details, hint: this.hint, message: this.message };
  }
}

/** A parse error in a query parameter, worded like PostgREST's parser (`"failed to parse X (text)" (line 1, column N)`). */
export function parseError(what: string, text: string, column: number, details: string): ApiError {
  return new ApiError(400, 'PGRST100', `"failed to parse ${what} (${text})" (line 1, column ${column})`, details);
}

/** The fields of a PostgreSQL error as the `postgres` driver exposes them. */
export interface PgErrorLike {
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

export function isPgError(err: unknown): err is PgErrorLike {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { name?: string }).name === 'PostgresError' &&
    typeof (err as PgErrorLike).code === 'string'
  );
}

/** HTTP status for a SQLSTATE, as PostgREST maps it. `anon` decides 401 vs 403 for insufficient_privilege. */
export function statusForSqlState(code: string, message: string, anon: boolean): number {
  if (/^PT\d{3}$/.test(code)) return Number(code.slice(2));
  const exact: Record<string, number> = {
    '23503': 409,
    '23505': 409,
    '25006': 405,
    '42883': 404,
    '42P01': 404,
    '42P17': 500,
    '53400': 500,
    '57P01': 503,
    P0001: 400,
  };
  if (code === '42501') return anon ? 401 : 403;
  if (code === '21000') return message.endsWith('requires a WHERE clause') ? 400 : 500;
  if (code === '22023') return /^role ".*" does not exist$/.test(message) ? 401 : 400;
  if (code in exact) return exact[code];
  const byClass: Array<[string, number]> = [
    ['08', 503],
    ['09', 500],
    ['0L', 403],
    ['0P', 403],
    ['25', 500],
    ['28', 403],
    ['2D', 500],
    ['38', 500],
    ['39', 500],
    ['3B', 500],
    ['40', 500],
    ['53', 503],
    ['54', 500],
    ['55', 500],
    ['57', 500],
    ['58', 500],
    ['F0', 500],
    ['HV', 500],
    ['XX', 500],
    ['P0', 500],
  ];
  const hit = byClass.find(([prefix]) => code.startsWith(prefix));
  return hit ? hit[1] : 400;
}

/**
 * `RAISE SQLSTATE 'PGRST'` hands PostgREST a whole error: the message is the JSON body, the detail JSON carries the
 * status and headers. Unparsable JSON is PGRST121.
 */
function customPgrstError(err: PgErrorLike): ApiError {
  try {
    const body = JSON.parse(err.message) as Partial<ErrorBody>;
    const meta = JSON.parse(err.detail ?? '') as { status?: number; headers?: Record<string, string> };
    if (typeof body !== 'object' || body === null || typeof meta !== 'object' || meta === null)
      throw new Error('shape');
    return new ApiError(
      Number(meta.status ?? 400),
      String(body.code ?? ''),
      String(body.message ?? ''),
      body.details ?? null,
      body.hint ?? null,
      meta.headers ?? {},
    );
  } catch {
    return new ApiError(
      500,
      'PGRST121',
      'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error',
      'Invalid JSON value for MESSAGE or DETAIL',
      null,
    );
  }
}

/** Turns a database error into the API error PostgREST would send. */
export function fromPgError(err: PgErrorLike, anon: boolean): ApiError {
  if (err.code === 'PGRST') return customPgrstError(err);
  const status = statusForSqlState(err.code, err.message, anon);
  const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {};
  return new ApiError(status, err.code, err.message, err.detail ?? null, err.hint ?? null, headers);
}

/** The 401 PostgREST sends for a token it cannot use (PGRST301 decode errors, PGRST303 claim errors). */
export function jwtError(code: 'PGRST301' | 'PGRST303', message: string, details: string | null = null): ApiError {
  const description = message.replace(/["\\]/g, '');
  return new ApiError(401, code, message, details, null, {
    'WWW-Authenticate': `Bearer error="invalid_token", error_description="${description}"`,
  });
}

/** Levenshtein distance, for PostgREST's "Perhaps you meant …" hints. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** The closest candidate to `name`, if any is reasonably close (PostgREST uses a fuzzy set; this is near enough). */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const score = editDistance(name.toLowerCase(), c.toLowerCase());
    if (score < bestScore) [best, bestScore] = [c, score];
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(name.length / 2)) ? best : undefined;
}
