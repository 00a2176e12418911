// One request = one transaction: BEGIN [READ ONLY], one statement setting search_path, the role's own settings,
// the role and the request.* values (set_config(…, true), i.e. transaction-local), then one main statement whose
// single row carries the total count, the page size, the body (built as JSON by PostgreSQL, so numbers, timestamps
// and json columns are encoded exactly as PostgREST encodes them) and any response.* overrides.
import type { Sql } from './db.ts';
import { literal } from './sql.ts';

export type BodyKind = 'array' | 'object' | 'scalar-array' | 'scalar-object' | 'csv' | 'none';

export interface Envelope {
  /** A CTE named pgrst_source that the page and the count read from (mutations, RPC). */
  source?: string;
  /** SELECT producing the rows of the response. */
  page: string;
  /** SQL expression for the total count, when one was asked for. */
  total?: string;
  body: BodyKind;
  stripNulls?: boolean;
  /** SQL expression counting inserted rows (upserts decide 201 vs 200 with it). */
  inserted?: string;
}

export interface ResultRow {
  total: string | null;
  page_total: string;
  body: string | null;
  response_headers: string | null;
  response_status: string | null;
  inserted: string | null;
}

const T = '_postgrest_t';

function bodySql(kind: BodyKind, stripNulls: boolean): string {
  const strip = (expr: string) => (stripNulls ? `pg_catalog.json_strip_nulls(${expr})` : expr);
  switch (kind) {
    case 'array': return strip(`coalesce(pg_catalog.json_agg(${T}), '[]')`);
    case 'object': return strip(`pg_catalog.json_agg(${T})->0`);
    case 'scalar-array': return `coalesce(pg_catalog.json_agg(${T}.pgrst_scalar), '[]')`;
    case 'scalar-object': return `coalesce(pg_catalog.json_agg(${T}.pgrst_scalar)->0, 'null')`;
    case 'csv':
      // Header from the first row's keys, then each row's composite text without its parentheses (PostgREST's CSV).
      return `coalesce((SELECT pg_catalog.string_agg(k, ',') FROM pg_catalog.json_object_keys(pg_catalog.json_agg(${T})->0) AS k), '')` +
        ` || chr(10) || coalesce(pg_catalog.string_agg(substring(${T}::text, 2, length(${T}::text) - 2), chr(10)), '')`;
    case 'none': return 'NULL';
  }
}

export function envelopeSql(e: Envelope): string {
  return `${e.source ? `WITH pgrst_source AS (${e.source}) ` : ''}SELECT ` +
    `${e.total ?? 'NULL'}::text AS total, pg_catalog.count(${T})::text AS page_total, ` +
    `(${bodySql(e.body, e.stripNulls ?? false)})::text AS body, ` +
    `nullif(current_setting('response.headers', true), '') AS response_headers, ` +
    `nullif(current_setting('response.status', true), '') AS response_status, ` +
    `${e.inserted ?? 'NULL'}::text AS inserted ` +
    `FROM (${e.page}) ${T}`;
}

/**
 * Runs the envelope in one transaction after applying `settings`, then `then` on its row. BEGIN, the settings, the
 * envelope and COMMIT go to the server pipelined in one write, so a request costs one round trip, unless the request
 * has post-checks (`refusable`: a singular response, max-affected) that may still throw in `then` and must roll a
 * mutation back: then COMMIT waits for `then`. (A read-only transaction has nothing to keep or undo either way.)
 * One difference from PostgREST: an invalid response.status/headers set by a function still answers PGRST111/112,
 * but the function's writes are kept.
 */
export async function inTransaction<R>(
  sql: Sql, opts: { readOnly: boolean; refusable?: boolean; settings: Array<[string, string]> }, e: Envelope,
  then: (row: ResultRow) => R,
): Promise<R> {
  const commitWithStatement = opts.readOnly || !opts.refusable;
  const conn = await sql.reserve();
  try {
    const settings = opts.settings.map(([k, v]) => `pg_catalog.set_config(${literal(k)}, ${literal(v)}, true)`).join(', ');
    const pipeline = [
      conn.unsafe(`BEGIN ISOLATION LEVEL READ COMMITTED ${opts.readOnly ? 'READ ONLY' : 'READ WRITE'}`),
      conn.unsafe(`SELECT ${settings}`),
      conn.unsafe<ResultRow[]>(envelopeSql(e)),
      ...(commitWithStatement ? [conn.unsafe('COMMIT')] : []),
    ];
    const results = await Promise.allSettled(pipeline);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    // After a failed statement the rest of a pipelined transaction fails with 25P02: the first failure is the cause.
    if (failure) {
      if (!commitWithStatement) await conn.unsafe('ROLLBACK');
      throw failure.reason;
    }
    const row = (results[2] as PromiseFulfilledResult<ResultRow[]>).value[0];
    if (commitWithStatement) return then(row);
    let reply: R;
    try {
      reply = then(row);
    } catch (err) {
      await conn.unsafe('ROLLBACK');
      throw err;
    }
    await conn.unsafe('COMMIT');
    return reply;
  } finally {
    conn.release();
  }
}
