// The HTTP side of a PostgREST request, before any planning: which resource, which schema (Accept-Profile for
// reads, Content-Profile for writes), the Prefer tokens, the wanted media type, the Range header and the payload.
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './errors.ts';

export type Target = { kind: 'root' } | { kind: 'relation'; name: string } | { kind: 'rpc'; name: string };

/** The path PostgREST sees: the gateway strips `/rest/v1`; we accept it too so a client can talk to us directly. */
export function routePath(pathname: string): { path: string; target: Target } {
  const path =
    pathname === '/rest/v1' || pathname.startsWith('/rest/v1/') ? pathname.slice('/rest/v1'.length) || '/' : pathname;
  const segments = path
    .split('/')
    .slice(1)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  if (segments.length === 1 && segments[0] === '') return { path, target: { kind: 'root' } };
  if (segments.length === 1) return { path, target: { kind: 'relation', name: segments[0] } };
  if (segments.length === 2 && segments[0] === 'rpc' && segments[1] !== '')
    return { path, target: { kind: 'rpc', name: segments[1] } };
  throw new ApiError(404, 'PGRST125', 'Invalid path specified in request URL');
}

export function profileFor(
  method: string,
  headers: IncomingHttpHeaders,
  schemas: string[],
): { schema: string; given: boolean } {
  const header = method === 'GET' || method === 'HEAD' ? headers['accept-profile'] : headers['content-profile'];
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return { schema: schemas[0], given: false };
  if (!schemas.includes(value)) {
    throw new ApiError(
      406,
      'PGRST106',
      `Invalid schema: ${value}`,
      null,
      `Only the following schemas are exposed: ${schemas.join(', ')}`,
    );
  }
  return { schema: value, given: true };
}

export interface Preferences {
  return?: 'minimal' | 'headers-only' | 'representation';
  count?: 'exact' | 'planned' | 'estimated';
  resolution?: 'merge-duplicates' | 'ignore-duplicates';
  missing?: 'default' | 'null';
  handling?: 'strict' | 'lenient';
  timezone?: string;
  maxAffected?: number;
  tx?: 'commit' | 'rollback';
  unknown: string[];
}

const PREFERENCE_VALUES: Record<string, string[]> = {
  return: ['minimal', 'headers-only', 'representation'],
  count: ['exact', 'planned', 'estimated'],
  resolution: ['merge-duplicates', 'ignore-duplicates'],
  missing: ['default', 'null'],
  handling: ['strict', 'lenient'],
  tx: ['commit', 'rollback'],
};

/** All Prefer headers, split on commas; within a category the first token wins, unknown ones are remembered. */
export function parsePrefer(header: string | string[] | undefined): Preferences {
  const prefs: Preferences = { unknown: [] };
  const tokens = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const record = prefs as unknown as Record<string, unknown>;
  for (const token of tokens) {
    const [name, value = ''] = token.split(/=(.*)/s, 2);
    if (PREFERENCE_VALUES[name]?.includes(value)) {
      if (record[name] === undefined) record[name] = value;
    } else if (name === 'timezone' && value) {
      prefs.timezone ??= value;
    } else if (name === 'max-affected' && /^\d+$/.test(value)) {
      prefs.maxAffected ??= Number(value);
    } else {
      prefs.unknown.push(token);
    }
  }
  if (prefs.handling === 'strict' && prefs.unknown.length) {
    throw new ApiError(
      400,
      'PGRST122',
      'Invalid preferences given with handling=strict',
      `Invalid preferences: ${prefs.unknown.join(', ')}`,
    );
  }
  return prefs;
}

export type MediaKind = 'json' | 'object' | 'csv' | 'openapi';
export interface MediaType {
  kind: MediaKind;
  stripNulls: boolean;
  contentType: string;
}

/** The first acceptable type of the Accept header (absent → JSON), else 406 PGRST107. */
export function negotiate(accept: string | undefined, target: Target): MediaType {
  if (!accept) return { kind: target.kind === 'root' ? 'openapi' : 'json', stripNulls: false, contentType: '' };
  const ranges = accept
    .split(',')
    .map((part, i) => {
      const [type, ...params] = part.split(';').map((s) => s.trim());
      const q = Number(params.find((x) => x.startsWith('q='))?.slice(2) ?? 1);
      return { type: type.toLowerCase(), params, q: Number.isNaN(q) ? 1 : q, i };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    const stripNulls = r.params.some((x) => x.replace(/\s/g, '') === 'nulls=stripped');
    if (target.kind === 'root') {
      if (['*/*', 'application/*', 'application/json', 'application/openapi+json'].includes(r.type)) {
        return { kind: 'openapi', stripNulls: false, contentType: 'application/openapi+json' };
      }
      continue;
    }
    if (
      [
        '*/*',
        'application/*',
        'application/json',
        'application/vnd.pgrst.array+json',
        'application/vnd.pgrst.array',
      ].includes(r.type)
    ) {
      return {
        kind: 'json',
        stripNulls,
        contentType: stripNulls ? 'application/vnd.pgrst.array+json;nulls=stripped' : 'application/json',
      };
    }
    if (r.type === 'application/vnd.pgrst.object+json' || r.type === 'application/vnd.pgrst.object') {
      return {
        kind: 'object',
        stripNulls,
        contentType: stripNulls
          ? 'application/vnd.pgrst.object+json;nulls=stripped'
          : 'application/vnd.pgrst.object+json',
      };
    }
    if (r.type === 'text/csv' || r.type === 'text/*')
      return { kind: 'csv', stripNulls: false, contentType: 'text/csv' };
  }
  throw new ApiError(
    406,
    'PGRST107',
    `None of these media types are available: ${accept
      .split(',')
      .map((s) => s.trim())
      .join(', ')}`,
  );
}

/** `Range: first-[last]` (GET only); malformed values are ignored as PostgREST does. */
export function parseRange(header: string | undefined): { offset: number; limit?: number } | undefined {
  const m = /^(?:items=)?\s*(\d+)-(\d*)\s*$/.exec(header ?? '');
  if (!m) return undefined;
  const first = Number(m[1]);
  if (m[2] === '') return { offset: first };
  const last = Number(m[2]);
  if (first > last) {
    throw new ApiError(
      416,
      'PGRST103',
      'Requested range not satisfiable',
      'The lower boundary must be lower than or equal to the upper boundary in the Range header.',
    );
  }
  return { offset: first, limit: last - first + 1 };
}

/** The JSON payload of a write: raw text (handed to PostgreSQL as is, so big numbers keep their digits) and parsed. */
export interface Payload {
  text: string;
  value: unknown;
}

export function parsePayload(raw: string, contentType: string | undefined, opts: { emptyIs?: string }): Payload {
  const mime = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  if (mime !== 'application/json' && mime !== '' && mime !== '*/*') {
    throw new ApiError(400, 'PGRST102', `Content-Type not acceptable: ${mime}`);
  }
  const text = raw.trim() === '' && opts.emptyIs !== undefined ? opts.emptyIs : raw;
  try {
    return { text, value: JSON.parse(text) };
  } catch {
    throw new ApiError(400, 'PGRST102', 'Empty or invalid json');
  }
}
