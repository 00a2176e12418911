// POST (insert / upsert), PATCH (update) and DELETE on a table or view. The payload goes to PostgreSQL as one JSON
// parameter and is typed there with json_populate_record(NULL::table, …), so every value is parsed by the column's
// own input function; column names come from the payload keys (or `columns`) and must exist in the schema cache.
// The statement runs as a CTE `pgrst_source` whose RETURNING rows feed the representation (`select=`, embeds).
import { ApiError } from './errors.ts';
import { inTransaction, type Envelope } from './execute.ts';
import { ident, planRead, type ReadNode } from './plan.ts';
import { parsePayload } from './request.ts';
import { applyOverrides, contentRange, preferenceApplied, type Reply } from './response.ts';
import { bodyHeaders, checkMaxAffected, checkSingular, mayRefuse, outcomeOf } from './result.ts';
import type { Relation } from './schema-cache.ts';
import { filterConditions, neededColumns, orderSql, pageSql, Params, qualifiedName, rootSelect } from './sql.ts';
import type { RequestContext } from './types.ts';
import { bodyKind } from './read.ts';

const SOURCE = '"pgrst_source"';

/** The payload's columns: `columns=` if given, else the keys (all objects of an array must have the same keys). */
function payloadColumns(ctx: RequestContext, relation: Relation, value: unknown, allowArray: boolean): string[] {
  const rows = Array.isArray(value) && allowArray ? value : [value];
  if (!rows.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r))) {
    throw new ApiError(400, 'PGRST102', 'Empty or invalid json');
  }
  let columns = ctx.query.columns;
  if (!columns) {
    const keys = rows.map((r) => Object.keys(r as object).sort());
    if (keys.some((k) => k.join('\u0000') !== keys[0].join('\u0000'))) {
      throw new ApiError(400, 'PGRST102', 'All object keys must match');
    }
    columns = rows.length ? Object.keys(rows[0] as object) : [];
  }
  for (const c of columns) {
    if (!relation.columnMap.has(c)) {
      throw new ApiError(400, 'PGRST204', `Could not find the '${c}' column of '${relation.name}' in the schema cache`);
    }
  }
  return columns;
}

function returningSql(table: string, relation: Relation, node: ReadNode, representation: boolean): string {
  if (!representation) return '1';
  const needed = neededColumns(node);
  const cols = needed === 'all' ? relation.columns.map((c) => c.name) : needed;
  return cols.length ? cols.map((c) => `${table}.${ident(c)}`).join(', ') : '1';
}

function insertSql(
  ctx: RequestContext,
  relation: Relation,
  table: string,
  columns: string[],
  payload: string,
  p: Params,
  returning: string,
): { sql: string; merge: boolean; resolutionApplied: boolean } {
  const body = p.add(payload);
  const missingDefault = ctx.prefer.missing === 'default';
  // Each element becomes a row of the table's type; with missing=default an absent key takes the column DEFAULT.
  const values = columns.map((c) => {
    const value = `pgrst_rec.${ident(c)}`;
    const def = relation.columnMap.get(c)!.defaultExpr;
    return missingDefault
      ? `CASE WHEN (pgrst_body.elem::jsonb) ? ${p.add(c)}::text THEN ${value} ELSE ${def ?? 'NULL'} END`
      : value;
  });
  let sql =
    `INSERT INTO ${table} (${columns.map(ident).join(', ')}) SELECT ${values.join(', ')} ` +
    `FROM pg_catalog.json_array_elements(CASE WHEN pg_catalog.json_typeof(${body}::json) = 'array' THEN ${body}::json ` +
    `ELSE pg_catalog.json_build_array(${body}::json) END) AS pgrst_body(elem) ` +
    `CROSS JOIN LATERAL pg_catalog.json_populate_record(NULL::${table}, pgrst_body.elem) AS pgrst_rec`;
  const target = ctx.query.onConflict ?? relation.primaryKey;
  const resolution = ctx.prefer.resolution;
  const resolutionApplied = resolution !== undefined && target.length > 0;
  const merge = resolutionApplied && resolution === 'merge-duplicates' && columns.length > 0;
  if (resolutionApplied) {
    sql +=
      ` ON CONFLICT (${target.map(ident).join(', ')}) ` +
      (merge ? `DO UPDATE SET ${columns.map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`).join(', ')}` : 'DO NOTHING');
  }
  // xmax = 0 marks a freshly inserted row (an ON CONFLICT update leaves the locking transaction in xmax).
  sql += ` RETURNING ${returning}${merge ? `, (${table}.xmax = 0) AS pgrst_inserted` : ''}`;
  return { sql, merge, resolutionApplied };
}

/** WHERE for PATCH / DELETE; with `limit`/`offset` only those rows (by ctid, in `order`) are touched. */
function whereSql(node: ReadNode, table: string, p: Params): string {
  if (node.limit === undefined && !node.offset) {
    const conds = filterConditions(node, table, p);
    return conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
  }
  const inner = '"pgrst_limited"';
  const conds = filterConditions(node, inner, p);
  return (
    ` WHERE ${table}.ctid = ANY(ARRAY(SELECT ${inner}.ctid FROM ${table} AS ${inner}` +
    `${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''}${orderSql(node, inner, p)}${pageSql(node.limit, node.offset)}))`
  );
}

export async function writeRelation(ctx: RequestContext, relation: Relation): Promise<Reply> {
  const table = qualifiedName(relation.schema, relation.name);
  const node = planRead({ cache: ctx.cache, schema: ctx.schema }, relation, SOURCE, ctx.query);
  const representation = ctx.prefer.return === 'representation';
  const returning = returningSql(table, relation, node, representation);
  const p = new Params();
  let source: string;
  let merge = false;
  let resolutionApplied = false;
  if (ctx.method === 'POST') {
    const payload = parsePayload(ctx.body, ctx.contentType, {});
    const columns = payloadColumns(ctx, relation, payload.value, true);
    ({ sql: source, merge, resolutionApplied } = insertSql(ctx, relation, table, columns, payload.text, p, returning));
  } else if (ctx.method === 'PATCH') {
    const payload = parsePayload(ctx.body, ctx.contentType, {});
    const columns = payloadColumns(ctx, relation, payload.value, false);
    source =
      columns.length === 0
        ? `SELECT ${returning} FROM ${table} WHERE false` // an empty object changes nothing
        : `UPDATE ${table} SET ${columns.map((c) => `${ident(c)} = pgrst_rec.${ident(c)}`).join(', ')} ` +
          `FROM pg_catalog.json_populate_record(NULL::${table}, ${p.add(payload.text)}::json) AS pgrst_rec` +
          `${whereSql(node, table, p)} RETURNING ${returning}`;
  } else {
    source = `DELETE FROM ${table}${whereSql(node, table, p)} RETURNING ${returning}`;
  }
  const page = representation
    ? rootSelect(node, 'pgrst_source', SOURCE, p, { maxRows: ctx.config.maxRows, filtered: false }).rows
    : 'SELECT 1 FROM pgrst_source';
  const envelope: Envelope = {
    source,
    page,
    total: ctx.prefer.count ? '(SELECT pg_catalog.count(*) FROM pgrst_source)' : undefined,
    body: representation ? bodyKind(ctx) : 'none',
    stripNulls: ctx.media.stripNulls,
    inserted: merge ? '(SELECT pg_catalog.count(*) FROM pgrst_source WHERE pgrst_inserted)' : undefined,
  };
  return inTransaction(
    ctx.sql,
    { readOnly: false, refusable: mayRefuse(ctx), settings: ctx.settings },
    envelope,
    (row) => {
      const o = outcomeOf(row);
      checkSingular(ctx, o.rows);
      if (ctx.method !== 'POST') checkMaxAffected(ctx, o.rows);
      const headers: Record<string, string> = representation ? bodyHeaders(ctx) : {};
      let status: number;
      if (ctx.method === 'POST') {
        headers['Content-Range'] = contentRange(0, 0, o.total);
        // An upsert that only updated existing rows answers 200, anything that inserted 201.
        status = merge && Number(o.row.inserted) === 0 && o.rows > 0 ? 200 : 201;
      } else {
        headers['Content-Range'] =
          ctx.method === 'PATCH' ? contentRange(0, o.rows, o.total) : contentRange(0, 0, o.total);
        status = representation ? 200 : 204;
      }
      const applied = preferenceApplied(ctx.prefer, {
        resolution: resolutionApplied,
        missing: ctx.method !== 'DELETE',
        return: true,
        count: o.total !== null,
        timezone: ctx.timezoneApplied,
      });
      if (applied) headers['Preference-Applied'] = applied;
      const reply = { status, headers, body: representation ? (o.row.body ?? undefined) : undefined };
      return applyOverrides(reply, o.row.response_headers, o.row.response_status);
    },
  );
}
