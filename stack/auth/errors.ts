// Auth's error responses. auth-js reads `code` as the error code only when the response echoes
// `X-Supabase-Api-Version: 2024-01-01` (it always sends that header); older clients read `error_code`/`msg`.
// So one error has two shapes, chosen per request, exactly as GoTrue renders them. The catalogue below keeps the
// real codes, statuses and messages in one place.
import { randomUUID } from 'node:crypto';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra top-level members (the weak_password reasons). */
    readonly extra: Record<string, unknown> = {},
    /** A body that is not GoTrue's (the gateway-style API key refusal). */
    readonly rawBody?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const validation = (message: string, status = 400) => new ApiError(status, 'validation_failed', message);

export const fail = {
  validation,
  badJson: (detail: string) => new ApiError(400, 'bad_json', `Could not parse request body as JSON: ${detail}`),
  /** Text Postgres cannot store (text and jsonb both refuse U+0000); GoTrue lets the write fail with a 500. */
  nulCharacter: (where: string) => validation(`The NUL character (\\u0000) is not allowed in ${where}`),
  /** A value the database refused (see refusedValue in db.ts); GoTrue answers 500 "Database error …" there. */
  valueRefused: (detail: string) => validation(`The database refused a value of this request: ${detail}`),
  /** A request target that is not a URL, or a path escape that does not decode (Go's server answers 400). */
  malformedUrl: () => validation('Malformed request URL'),
  bodyTooLarge: (max: number) =>
    new ApiError(413, 'request_entity_too_large', `Request body too large (max ${max} bytes)`),
  notFound: () => new ApiError(404, 'not_found', 'Not Found'),
  methodNotAllowed: () => new ApiError(405, 'method_not_allowed', 'Method Not Allowed'),

  invalidCredentials: () => new ApiError(400, 'invalid_credentials', 'Invalid login credentials'),
  unsupportedGrant: () => new ApiError(400, 'invalid_credentials', 'unsupported_grant_type'),
  emailNotConfirmed: () => new ApiError(400, 'email_not_confirmed', 'Email not confirmed'),
  userBanned: (message = 'User is banned') => new ApiError(400, 'user_banned', message),
  userAlreadyExists: () => new ApiError(422, 'user_already_exists', 'User already registered'),
  emailExists: () => new ApiError(422, 'email_exists', 'A user with this email address has already been registered'),
  phoneExists: (message: string) => new ApiError(422, 'phone_exists', message),
  weakPassword: (message: string, reasons: string[]) =>
    new ApiError(422, 'weak_password', message, { weak_password: { reasons } }),
  samePassword: () => new ApiError(422, 'same_password', 'New password should be different from the old password.'),
  signupDisabled: () => new ApiError(422, 'signup_disabled', 'Signups not allowed for this instance'),
  anonymousDisabled: () => new ApiError(422, 'anonymous_provider_disabled', 'Anonymous sign-ins are disabled'),
  phoneProviderDisabled: (status: number, message: string) => new ApiError(status, 'phone_provider_disabled', message),

  refreshTokenInvalid: () => validation('Refresh token is not valid'),
  refreshTokenNotFound: () =>
    new ApiError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found'),
  refreshTokenAlreadyUsed: () => new ApiError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used'),
  refreshSessionMissing: () => new ApiError(400, 'session_not_found', 'Invalid Refresh Token: No Valid Session Found'),
  refreshSessionExpired: () => new ApiError(400, 'session_expired', 'Invalid Refresh Token: Session Expired'),
  refreshConflict: () =>
    new ApiError(409, 'conflict', 'Too many concurrent token refresh requests on the same session or refresh token'),

  noAuthorization: () => new ApiError(401, 'no_authorization', 'This endpoint requires a valid Bearer token'),
  badJwt: (message: string, status = 403) => new ApiError(status, 'bad_jwt', message),
  jwtUserMissing: () => new ApiError(403, 'user_not_found', 'User from sub claim in JWT does not exist'),
  jwtSessionMissing: () =>
    new ApiError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist'),
  notAdmin: (message = 'User not allowed') => new ApiError(403, 'not_admin', message),
  userNotFound: () => new ApiError(404, 'user_not_found', 'User not found'),

  invalidApiKey: () =>
    new ApiError(
      401,
      'invalid_api_key',
      'Invalid API key',
      {},
      {
        message: 'Invalid API key',
        hint: 'Double check your Supabase `anon` or `service_role` API key.',
      },
    ),
  unexpected: () =>
    new ApiError(500, 'unexpected_failure', 'Unexpected failure, please check server logs for more information'),
};

/** The API version the request asked for, if it is one GoTrue knows (dates from 2024-01-01 on). */
export function requestedApiVersion(header: string | undefined): string | undefined {
  if (!header || !/^\d{4}-\d{2}-\d{2}$/.test(header)) return undefined;
  return Date.parse(`${header}T00:00:00Z`) >= Date.parse('2024-01-01T00:00:00Z') ? header : undefined;
}

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** Set for 5xx: logged next to the cause and returned to legacy clients. */
  errorId?: string;
}

export function renderError(err: ApiError, apiVersion: string | undefined): RenderedError {
  if (err.rawBody) return { status: err.status, headers: {}, body: err.rawBody };
  const headers: Record<string, string> = { 'x-sb-error-code': err.code };
  const errorId = err.status >= 500 ? randomUUID() : undefined;
  if (apiVersion) {
    headers['x-supabase-api-version'] = '2024-01-01';
    return { status: err.status, headers, body: { code: err.code, message: err.message, ...err.extra }, errorId };
  }
  const body = {
    code: err.status,
    error_code: err.code,
    msg: err.message,
    ...(errorId ? { error_id: errorId } : {}),
    ...err.extra,
  };
  return { status: err.status, headers, body, errorId };
}
