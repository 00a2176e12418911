// One request = one transaction: BEGIN [READ ONLY], one statement setting search_path, the role's own settings,
// the role and the request.* values (set_config(…, true), i.e. transaction-local), then one main statement whose
// single row carries the total count, the page size, the body (built as JSON by PostgreSQL, so numbers, timestamps
// and json columns are encoded exactly as PostgREST encodes them) and any response.* overrides.
import type { Sql, Tx } from './db.ts';
import type { Params } from './sql.ts';

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
 * Runs `fn` inside one transaction after applying `settings`. Throwing inside `fn` (including the ApiErrors of the
 * post-checks, e.g. PGRST116) rolls everything back, mutations included.
 */
export async function inTransaction<R>(
  sql: Sql, opts: { readOnly: boolean; settings: Array<[string, string]> }, fn: (tx: Tx) => Promise<R>,
): Promise<R> {
  const run = async (tx: Tx) => {
    const args = opts.settings.flat();
    const calls = opts.settings.map((_, i) => `pg_catalog.set_config($${2 * i + 1}, $${2 * i + 2}, true)`);
    await tx.unsafe(`SELECT ${calls.join(', ')}`, args);
    return fn(tx);
  };
  return (opts.readOnly ? sql.begin('isolation level read committed read only', run) : sql.begin('isolation level read committed read write', run)) as Promise<R>;
}

export async function runEnvelope(tx: Tx, e: Envelope, p: Params): Promise<ResultRow> {
  const rows = await tx.unsafe<ResultRow[]>(envelopeSql(e), p.values as string[]);
  return rows[0];
}
