// Renders read plans into SQL. Names are always quoted identifiers and request values always quoted string
// literals (untyped, so PostgreSQL coerces them to the column's type exactly as it does PostgREST's unknown-typed
// parameters); the only text spliced in unquoted comes from the schema cache (type names) or from grammar that admits
// nothing but letters, digits, `_` and spaces (casts). Literals rather than $n parameters let a request's statements
// go to the server in one pipelined write (see execute.ts): the driver describes every parameterised statement in a
// round trip of its own first.
//
// Shape (as PostgREST's): embeds are LATERAL subqueries — a to-one embed selects its columns and the parent takes
// `row_to_json(lateral.*)` (NULL when no row matched); a to-many embed aggregates `json_agg` over an ordered,
// limited subquery. `!inner` turns the LEFT JOIN into an INNER one (for to-many: only non-empty arrays).
import { quoteLiteral } from '../shared/sql.ts';
import type { Field, Filter, LogicTree, OrderTerm } from './grammar.ts';
import { ident, relatedEmbed, type EmbedItem, type ReadNode } from './plan.ts';
import { toPgArray, type Relation } from './schema-cache.ts';

/** A request value as an untyped SQL string literal (shared/sql.ts); a NUL is refused as the server refuses it. */
export function literal(value: string | null): string {
  if (value === null) return 'NULL';
  return quoteLiteral(value, () =>
    Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      name: 'PostgresError',
      code: '22021',
    }),
  );
}

/** Turns request values into literals for the statement being built (kept as a class: every builder takes one). */
export class Params {
  add(value: string | null): string {
    return literal(value);
  }
}

export const qualifiedName = (schema: string, name: string) => `${ident(schema)}.${ident(name)}`;

const AGG = '"pgrst_agg"';

/** A column reference with its JSON path (`->` keeps json, `->>` gives text); non-json columns go through to_jsonb. */
export function fieldSql(qualifier: string, relation: Relation | undefined, field: Field, p: Params): string {
  const column = `${qualifier}.${ident(field.name)}`;
  if (field.json.length === 0) return column;
  let expr = relation?.columnMap.get(field.name)?.isJson ? column : `pg_catalog.to_jsonb(${column})`;
  for (const step of field.json) {
    expr = `(${expr} ${step.arrow} ${p.add(step.key)}::${step.index ? 'integer' : 'text'})`;
  }
  return expr;
}

const COMPARISONS: Partial<Record<Filter['op'], string>> = {
  eq: '=',
  neq: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  like: 'LIKE',
  ilike: 'ILIKE',
  match: '~',
  imatch: '~*',
  isdistinct: 'IS DISTINCT FROM',
  cs: '@>',
  cd: '<@',
  ov: '&&',
  sl: '<<',
  sr: '>>',
  nxr: '&<',
  nxl: '&>',
  adj: '-|-',
};
const TS_QUERIES = {
  fts: 'to_tsquery',
  plfts: 'plainto_tsquery',
  phfts: 'phraseto_tsquery',
  wfts: 'websearch_to_tsquery',
};
const IS_SQL = { null: 'IS NULL', not_null: 'IS NOT NULL', true: 'IS TRUE', false: 'IS FALSE', unknown: 'IS UNKNOWN' };

export function filterSql(qualifier: string, relation: Relation | undefined, f: Filter, p: Params): string {
  const column = fieldSql(qualifier, relation, f.field, p);
  const cond = ((): string => {
    const v = f.value;
    if (v.kind === 'is') return `${column} ${IS_SQL[v.value]}`;
    if (v.kind === 'list') return `${column} = ANY(${p.add(toPgArray(v.items))})`;
    // `*` is PostgREST's URL-friendly spelling of the LIKE wildcard.
    const text = f.op === 'like' || f.op === 'ilike' ? v.text.replace(/\*/g, '%') : v.text;
    if (f.op in TS_QUERIES) {
      const config = f.ftsConfig === undefined ? '' : `${p.add(f.ftsConfig)}::pg_catalog.regconfig, `;
      const tsvector =
        relation?.columnMap.get(f.field.name)?.isTsvector && f.field.json.length === 0
          ? column
          : `pg_catalog.to_tsvector(${config}${column})`;
      return `${tsvector} @@ pg_catalog.${TS_QUERIES[f.op as keyof typeof TS_QUERIES]}(${config}${p.add(text)})`;
    }
    const op = COMPARISONS[f.op]!;
    return f.quantifier
      ? `${column} ${op} ${f.quantifier.toUpperCase()}(${p.add(text)})`
      : `${column} ${op} ${p.add(text)}`;
  })();
  return f.negated ? `NOT (${cond})` : cond;
}

function logicSql(qualifier: string, relation: Relation | undefined, tree: LogicTree, p: Params): string {
  const parts = tree.children.map((c) =>
    c.type === 'filter' ? filterSql(qualifier, relation, c.filter, p) : logicSql(qualifier, relation, c, p),
  );
  const joined = `(${parts.join(tree.op === 'or' ? ' OR ' : ' AND ')})`;
  return tree.negated ? `NOT ${joined}` : joined;
}

/** The WHERE conditions of a node's own filters and logic trees (a mutation applies these to the table itself). */
export function filterConditions(node: ReadNode, qualifier: string, p: Params): string[] {
  return [
    ...node.filters.map((f) => filterSql(qualifier, node.relation, f, p)),
    ...node.logic.map((t) => logicSql(qualifier, node.relation, t, p)),
  ];
}

/** `embed=is.null` / `embed=not.is.null`: conditions on the lateral subqueries, so they need the joins. */
export function presenceConditions(node: ReadNode): string[] {
  return node.presence.map(
    ({ embed, isNull }) =>
      `${embed.toOne ? `pg_catalog.row_to_json(${embed.lateral}.*)` : `${embed.lateral}.${AGG}`} IS ${isNull ? '' : 'NOT '}NULL`,
  );
}

export function conditionsSql(node: ReadNode, qualifier: string, p: Params): string[] {
  return [...filterConditions(node, qualifier, p), ...presenceConditions(node)];
}

export function projectionSql(node: ReadNode, qualifier: string, p: Params): string {
  const parts: string[] = [];
  for (const item of node.items) {
    if (item.kind === 'star') {
      parts.push(
        ...(node.relation ? node.relation.columns.map((c) => `${qualifier}.${ident(c.name)}`) : [`${qualifier}.*`]),
      );
    } else if (item.kind === 'field') {
      const expr = fieldSql(qualifier, node.relation, item.field, p);
      parts.push(`${item.cast ? `CAST(${expr} AS ${item.cast})` : expr} AS ${ident(item.key)}`);
    } else if (item.spread) {
      parts.push(`${item.lateral}.*`);
    } else if (item.toOne) {
      parts.push(`pg_catalog.row_to_json(${item.lateral}.*) AS ${ident(item.key)}`);
    } else {
      parts.push(`COALESCE(${item.lateral}.${AGG}, '[]'::json) AS ${ident(item.key)}`);
    }
  }
  return parts.join(', ');
}

function orderTermSql(node: ReadNode, qualifier: string, term: OrderTerm, p: Params): string {
  let expr: string;
  if (term.relation) {
    const embed = relatedEmbed(node, term.relation);
    expr = fieldSql(embed.lateral, embed.rel.target, term.field, p);
  } else {
    expr = fieldSql(qualifier, node.relation, term.field, p);
  }
  const dir = term.direction ? ` ${term.direction.toUpperCase()}` : '';
  const nulls = term.nulls ? ` NULLS ${term.nulls.toUpperCase()}` : '';
  return expr + dir + nulls;
}

export function orderSql(node: ReadNode, qualifier: string, p: Params): string {
  return node.order.length ? ` ORDER BY ${node.order.map((t) => orderTermSql(node, qualifier, t, p)).join(', ')}` : '';
}

/** LIMIT/OFFSET from validated integers (never request text). */
export function pageSql(limit: number | undefined, offset: number | undefined): string {
  return (limit === undefined ? '' : ` LIMIT ${Math.trunc(limit)}`) + (offset ? ` OFFSET ${Math.trunc(offset)}` : '');
}

export function joinsSql(node: ReadNode, qualifier: string, p: Params, maxRows: number): string {
  return node.items
    .filter((i): i is EmbedItem => i.kind === 'embed')
    .map((e) => {
      const join = e.inner ? 'INNER JOIN LATERAL' : 'LEFT JOIN LATERAL';
      const on = e.inner && !e.toOne ? `${e.lateral}.${AGG} IS NOT NULL` : 'TRUE';
      return ` ${join} (${embedSql(e, qualifier, p, maxRows)}) AS ${e.lateral} ON ${on}`;
    })
    .join('');
}

/**
 * `rel(count)` — the embed count PostgREST keeps even with aggregates disabled — when the target has no column of
 * that name: `[{"count": n}]` over the embed's filters.
 */
function embedCountKey(e: EmbedItem): string | undefined {
  const items = e.node.items;
  const only = items.length === 1 && items[0].kind === 'field' ? items[0] : undefined;
  const isCount =
    only &&
    only.field.name === 'count' &&
    only.field.json.length === 0 &&
    !only.cast &&
    !e.rel.target.columnMap.has('count');
  return isCount && !e.toOne ? only.key : undefined;
}

function embedSql(e: EmbedItem, parentQualifier: string, p: Params, maxRows: number): string {
  const child = e.node;
  const q = child.qualifier;
  const link = e.rel.targetColumns.map(
    (col, i) => `${q}.${ident(col)} = ${parentQualifier}.${ident(e.rel.sourceColumns[i])}`,
  );
  const where = [...link, ...conditionsSql(child, q, p)].join(' AND ');
  const target = `${qualifiedName(e.rel.target.schema, e.rel.target.name)} AS ${q}`;
  const countKey = embedCountKey(e);
  if (countKey !== undefined) {
    return (
      `SELECT pg_catalog.json_build_array(pg_catalog.json_build_object(${p.add(countKey)}::text, pg_catalog.count(*))) AS ${AGG} ` +
      `FROM ${target}${joinsSql(child, q, p, maxRows)} WHERE ${where}`
    );
  }
  const limit = e.toOne ? child.limit : Math.min(child.limit ?? maxRows, maxRows);
  const rows =
    `SELECT ${projectionSql(child, q, p)} FROM ${target}${joinsSql(child, q, p, maxRows)} WHERE ${where}` +
    `${orderSql(child, q, p)}${pageSql(limit, child.offset)}`;
  return e.toOne ? rows : `SELECT pg_catalog.json_agg(pgrst_rows) AS ${AGG} FROM (${rows}) AS pgrst_rows`;
}

/** The root of a read: the page of rows, and the FROM…WHERE that a count of all matching rows uses. */
export function rootSelect(
  node: ReadNode,
  from: string,
  qualifier: string,
  p: Params,
  opts: { maxRows: number; limit?: number; offset?: number; filtered?: boolean },
): { rows: string; countFrom: string } {
  const joins = joinsSql(node, qualifier, p, opts.maxRows);
  // A mutation's representation was already filtered by the statement itself: only presence tests remain.
  const conds = opts.filtered === false ? presenceConditions(node) : conditionsSql(node, qualifier, p);
  const fromWhere = `FROM ${from}${joins}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''}`;
  const projection = projectionSql(node, qualifier, p);
  return {
    rows: `SELECT ${projection} ${fromWhere}${orderSql(node, qualifier, p)}${pageSql(opts.limit, opts.offset)}`,
    countFrom: fromWhere,
  };
}

/** Columns of the root relation the representation needs (selected, ordered by, and those embeds join on). */
export function neededColumns(node: ReadNode): string[] | 'all' {
  const cols = new Set<string>();
  for (const item of node.items) {
    if (item.kind === 'star') return 'all';
    if (item.kind === 'field') cols.add(item.field.name);
    if (item.kind === 'embed') item.rel.sourceColumns.forEach((c) => cols.add(c));
  }
  for (const term of node.order) if (!term.relation) cols.add(term.field.name);
  return [...cols];
}
