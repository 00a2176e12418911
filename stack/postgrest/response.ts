// Response formatting: Content-Range and the status it implies (200 / 206 / 416), Preference-Applied, the
// response.status / response.headers overrides SQL may set, and the error envelope.
import type { ServerResponse } from 'node:http';
import { ApiError } from './errors.ts';
import type { Preferences } from './request.ts';

/** `<first>-<last>/<total>` with `*` for an empty page and for an unknown total (postgrest-api.md §5.1). */
export function contentRange(offset: number, rows: number, total: number | null): string {
  const range = total !== 0 && rows > 0 ? `${offset}-${offset + rows - 1}` : '*';
  return `${range}/${total ?? '*'}`;
}

/** The status of a read page, or the 416 error when the offset lies beyond the counted total. */
export function pageStatus(offset: number, rows: number, total: number | null): number {
  if (total === null) return 200;
  if (offset > total) {
    throw new ApiError(
      416,
      'PGRST103',
      'Requested range not satisfiable',
      `An offset of ${offset} was requested, but there are only ${total} rows.`,
      null,
      { 'Content-Range': `*/${total}` },
    );
  }
  return rows < total ? 206 : 200;
}

/** Preference-Applied lists what was honoured, in PostgREST's order. */
export function preferenceApplied(
  prefs: Preferences,
  applied: { resolution?: boolean; missing?: boolean; return?: boolean; count?: boolean; timezone?: boolean },
): string | undefined {
  const out: string[] = [];
  if (applied.resolution && prefs.resolution) out.push(`resolution=${prefs.resolution}`);
  if (applied.missing && prefs.missing) out.push(`missing=${prefs.missing}`);
  if (applied.return && prefs.return) out.push(`return=${prefs.return}`);
  if (applied.count && prefs.count) out.push(`count=${prefs.count}`);
  if (prefs.handling) out.push(`handling=${prefs.handling}`);
  if (applied.timezone && prefs.timezone) out.push(`timezone=${prefs.timezone}`);
  if (prefs.handling === 'strict' && prefs.maxAffected !== undefined) out.push(`max-affected=${prefs.maxAffected}`);
  return out.length ? out.join(', ') : undefined;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/**
 * `set_config('response.status', …)` and `set_config('response.headers', '[{"X-A":"b"}]')` from SQL override what
 * PostgREST would send; malformed values are PGRST111 / PGRST112.
 */
export function applyOverrides(reply: Reply, headersGuc: string | null, statusGuc: string | null): Reply {
  if (statusGuc !== null) {
    const status = Number(statusGuc);
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      throw new ApiError(500, 'PGRST112', 'response.status guc must be a valid status code');
    }
    reply.status = status;
  }
  if (headersGuc !== null) {
    let list: unknown;
    try {
      list = JSON.parse(headersGuc);
    } catch {
      /* reported below */
    }
    const valid =
      Array.isArray(list) &&
      list.every(
        (h) => h && typeof h === 'object' && Object.keys(h).length === 1 && typeof Object.values(h)[0] === 'string',
      );
    if (!valid) {
      throw new ApiError(
        500,
        'PGRST111',
        'response.headers guc must be a JSON array composed of objects with a single key and a string value',
      );
    }
    for (const h of list as Array<Record<string, string>>) {
      const [name, value] = Object.entries(h)[0];
      for (const existing of Object.keys(reply.headers))
        if (existing.toLowerCase() === name.toLowerCase()) delete reply.headers[existing];
      reply.headers[name] = value;
    }
  }
  return reply;
}

export function errorReply(err: ApiError): Reply {
  return {
    status: err.status,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Proxy-Status': `PostgREST; error=${err.code}`,
      ...err.headers,
    },
    body: JSON.stringify(err.body()),
  };
}

/** Writes a reply; HEAD keeps status and headers but no body (and no Content-Length, as PostgREST). */
export function send(res: ServerResponse, reply: Reply, head: boolean, reason?: string): void {
  const headers = { ...reply.headers };
  if (!head && reply.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(reply.body));
  // PTxxx errors use their message as the reason phrase when it is plain printable ASCII.
  if (reason && /^[\x20-\x7e]+$/.test(reason)) res.writeHead(reply.status, reason, headers);
  else res.writeHead(reply.status, headers);
  res.end(head ? undefined : reply.body);
}
