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
    case 'array':
      return strip(`coalesce(pg_catalog.json_agg(${T}), '[]')`);
    case 'object':
      return strip(`pg_catalog.json_agg(${T})->0`);
    case 'scalar-array':
      return `coalesce(pg_catalog.json_agg(${T}.pgrst_scalar), '[]')`;
    case 'scalar-object':
      return `coalesce(pg_catalog.json_agg(${T}.pgrst_scalar)->0, 'null')`;
    case 'csv':
      // Header from the first row's keys, then each row's composite text without its parentheses (PostgREST's CSV).
      return (
        `coalesce((SELECT pg_catalog.string_agg(k, ',') FROM pg_catalog.json_object_keys(pg_catalog.json_agg(${T})->0) AS k), '')` +
        ` || chr(10) || coalesce(pg_catalog.string_agg(substring(${T}::text, 2, length(${T}::text) - 2), chr(10)), '')`
      );
    case 'none':
      return 'NULL';
  }
}

export function envelopeSql(e: Envelope): string {
  return (
    `${e.source ? `WITH pgrst_source AS (${e.source}) ` : ''}SELECT ` +
    `${e.total ?? 'NULL'}::text AS total, pg_catalog.count(${T})::text AS page_total, ` +
    `(${bodySql(e.body, e.stripNulls ?? false)})::text AS body, ` +
    `nullif(current_setting('response.headers', true), '') AS response_headers, ` +
    `nullif(current_setting('response.status', true), '') AS response_status, ` +
    `${e.inserted ?? 'NULL'}::text AS inserted ` +
    `FROM (${e.page}) ${T}`
  );
}

/**
 * Runs the envelope in one transaction after applying `settings`, then `then` on its row.
 *
 * Most requests are one simple-protocol Query holding two statements, the settings then the envelope: PostgreSQL runs
 * a multi-statement Query as one implicit transaction, committed at its end and rolled back whole on an error, so a
 * request is one round trip and one reply flush. READ ONLY is `transaction_read_only` set first in that transaction.
 * A request that may still be refused after its statement (`refusable`: a singular response, max-affected) needs its
 * checks to decide between COMMIT and ROLLBACK: it runs in an explicit transaction instead.
 *
 * Two differences from PostgREST: the isolation level is the role's default (read committed unless changed), and an
 * invalid response.status/headers set by a function still answers PGRST111/112 but keeps the function's writes.
 */
export async function inTransaction<R>(
  sql: Sql,
  opts: { readOnly: boolean; refusable?: boolean; settings: Array<[string, string]> },
  e: Envelope,
  then: (row: ResultRow) => R,
): Promise<R> {
  const settings = [...opts.settings, ...(opts.readOnly ? [['transaction_read_only', 'on'] as [string, string]] : [])]
    .map(([k, v]) => `pg_catalog.set_config(${literal(k)}, ${literal(v)}, true)`)
    .join(', ');
  if (opts.readOnly || !opts.refusable) {
    const results = (await sql.unsafe(`SELECT ${settings};\n${envelopeSql(e)}`).simple()) as unknown as ResultRow[][];
    return then(results[results.length - 1][0]);
  }
  return sql.begin('isolation level read committed read write', async (tx) => {
    // Issued together, so the driver pipelines them after BEGIN.
    const [, rows] = await Promise.all([tx.unsafe(`SELECT ${settings}`), tx.unsafe<ResultRow[]>(envelopeSql(e))]);
    return then(rows[0]); // throwing rolls back
  }) as Promise<R>;
}
