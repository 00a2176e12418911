// Turns the one row a main statement returns into the HTTP reply every operation shares: singular checks
// (PGRST116, PGRST124), Content-Range with its status, Content-Type / Content-Profile, Preference-Applied and the
// response.* overrides. Throwing from here happens inside the transaction, so the work is rolled back.
import { ApiError } from './errors.ts';
import type { ResultRow } from './execute.ts';
import { applyOverrides, contentRange, pageStatus, preferenceApplied, type Reply } from './response.ts';
import type { RequestContext } from './types.ts';

export interface Outcome {
  row: ResultRow;
  /** Rows read (pages) or affected (mutations). */
  rows: number;
  total: number | null;
}

export function outcomeOf(row: ResultRow): Outcome {
  return { row, rows: Number(row.page_total), total: row.total === null ? null : Number(row.total) };
}

/** 406 PGRST116 when `Accept: application/vnd.pgrst.object+json` meets anything but exactly one row. */
/** Whether checkSingular or checkMaxAffected could refuse this request after its statement ran. */
export function mayRefuse(ctx: RequestContext): boolean {
  return ctx.media.kind === 'object' || (ctx.prefer.handling === 'strict' && ctx.prefer.maxAffected !== undefined);
}

export function checkSingular(ctx: RequestContext, rows: number): void {
  if (ctx.media.kind === 'object' && rows !== 1) {
    throw new ApiError(
      406,
      'PGRST116',
      'Cannot coerce the result to a single JSON object',
      `The result contains ${rows} rows`,
    );
  }
}

/** `Prefer: handling=strict, max-affected=N`: more affected rows roll the request back with 400 PGRST124. */
export function checkMaxAffected(ctx: RequestContext, rows: number): void {
  const max = ctx.prefer.maxAffected;
  if (ctx.prefer.handling === 'strict' && max !== undefined && rows > max) {
    throw new ApiError(
      400,
      'PGRST124',
      'Query result exceeds max-affected preference constraint',
      `The query affects ${rows} rows`,
    );
  }
}

export function bodyHeaders(ctx: RequestContext): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': `${ctx.media.contentType || 'application/json'}; charset=utf-8`,
  };
  if (ctx.config.schemas.length > 1 || ctx.profileGiven) headers['Content-Profile'] = ctx.schema;
  return headers;
}

/** A reply carrying rows (reads, RPC): status from the page and the count (200 / 206 / 416). */
export function pageReply(ctx: RequestContext, o: Outcome, offset: number): Reply {
  checkSingular(ctx, o.rows);
  const status = pageStatus(offset, o.rows, o.total);
  const headers: Record<string, string> = {
    ...bodyHeaders(ctx),
    'Content-Range': contentRange(offset, o.rows, o.total),
  };
  const applied = preferenceApplied(ctx.prefer, { count: o.total !== null, timezone: ctx.timezoneApplied });
  if (applied) headers['Preference-Applied'] = applied;
  return applyOverrides(
    { status, headers, body: o.row.body ?? undefined },
    o.row.response_headers,
    o.row.response_status,
  );
}
