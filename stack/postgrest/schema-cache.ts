// The schema cache: what PostgREST knows about the database without asking it per request — relations and their
// columns, keys, foreign-key relationships (for embedding), functions (for /rpc), the API roles' own settings and
// the time zone names. Loaded from pg_catalog at start and again on `NOTIFY pgrst, 'reload schema'`.
import type postgres from 'postgres';

export interface Column {
  name: string;
  /** format_type() with an empty search_path: schema-qualified unless in pg_catalog, safe to splice into SQL. */
  type: string;
  isJson: boolean;
  isTsvector: boolean;
  nullable: boolean;
  /** The DEFAULT expression as PostgreSQL prints it (database text, never request text). */
  defaultExpr: string | null;
}

export interface Relation {
  schema: string;
  name: string;
  kind: 'table' | 'view' | 'materialized view' | 'foreign table';
  columns: Column[];
  columnMap: Map<string, Column>;
  primaryKey: string[];
  uniqueKeys: string[][];
}

export type Cardinality = 'many-to-one' | 'one-to-many' | 'one-to-one';

/** One direction of a foreign key, seen from `source`. */
export interface Relationship {
  constraint: string;
  cardinality: Cardinality;
  source: Relation;
  target: Relation;
  sourceColumns: string[];
  targetColumns: string[];
  /** The foreign key lives on `source` (many-to-one, or the owning side of a one-to-one). */
  fkOnSource: boolean;
}

export interface FunctionParam {
  name: string;
  type: string;
  hasDefault: boolean;
  variadic: boolean;
}

export interface FunctionDef {
  schema: string;
  name: string;
  params: FunctionParam[];
  volatility: 'volatile' | 'stable' | 'immutable';
  setOf: boolean;
  returns: { kind: 'void' | 'scalar' | 'composite'; type: string; relation?: Relation };
}

export interface SchemaCache {
  schemas: string[];
  relations: Map<string, Relation>;
  relationships: Map<string, Relationship[]>;
  functions: Map<string, FunctionDef[]>;
  /** `ALTER ROLE … SET` values PostgREST re-applies after switching role (SET ROLE does not apply them). */
  roleSettings: Map<string, Array<[string, string]>>;
  timezones: Set<string>;
}

export const qualified = (schema: string, name: string) => `${schema}.${name}`;

interface RelationRow {
  oid: number;
  schema: string;
  name: string;
  relkind: string;
}
interface ColumnRow {
  relid: number;
  name: string;
  type: string;
  typname: string;
  basetype: string;
  nullable: boolean;
  default_expr: string | null;
}
interface ConstraintRow {
  relid: number;
  name: string;
  contype: string;
  cols: string[];
  frelid: number | null;
  fcols: string[] | null;
}
interface FunctionRow {
  schema: string;
  name: string;
  volatility: string;
  retset: boolean;
  rettype: string;
  rettyptype: string;
  retrelid: number;
  is_void: boolean;
  arg_names: string[] | null;
  arg_modes: string[] | null;
  arg_types: string[];
  n_defaults: number;
}

const relkinds: Record<string, Relation['kind']> = {
  r: 'table',
  p: 'table',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
};

export async function loadSchemaCache(sql: postgres.Sql, schemas: string[]): Promise<SchemaCache> {
  return sql.begin('read only', async (tx) => {
    // An empty search_path makes format_type() qualify every type outside pg_catalog, so the type names below stay
    // valid whatever search_path a request runs with. Arrays come back as JSON (the pool parses no array types).
    await tx.unsafe(`set local search_path to ''`);
    const rels = await tx.unsafe<RelationRow[]>(
      `
      select c.oid::int as oid, n.nspname as schema, c.relname as name, c.relkind::text as relkind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any($1::text[]) and c.relkind in ('r', 'p', 'v', 'm', 'f')`,
      [toPgArray(schemas)],
    );
    const relOids = toPgArray(rels.map((r) => String(r.oid)));
    const cols = await tx.unsafe<ColumnRow[]>(
      `
      select a.attrelid::int as relid, a.attname as name, pg_catalog.format_type(a.atttypid, a.atttypmod) as type,
             t.typname as typname, coalesce(bt.typname, t.typname) as basetype, not a.attnotnull as nullable,
             case when a.attidentity in ('a', 'd') then pg_catalog.format('pg_catalog.nextval(%L::pg_catalog.regclass)',
                    pg_catalog.pg_get_serial_sequence(pg_catalog.format('%I.%I', n.nspname, c.relname), a.attname))
                  else pg_catalog.pg_get_expr(d.adbin, d.adrelid) end as default_expr
      from pg_catalog.pg_attribute a
      join pg_catalog.pg_class c on c.oid = a.attrelid
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      join pg_catalog.pg_type t on t.oid = a.atttypid
      left join pg_catalog.pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
      left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where a.attrelid = any($1::oid[]) and a.attnum > 0 and not a.attisdropped
      order by a.attrelid, a.attnum`,
      [relOids],
    );
    const cons = await tx.unsafe<ConstraintRow[]>(
      `
      select c.conrelid::int as relid, c.conname as name, c.contype::text as contype,
             pg_catalog.to_json(array(select a.attname::text from unnest(c.conkey) with ordinality k(n, i)
                   join pg_catalog.pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.i)) as cols,
             nullif(c.confrelid, 0)::int as frelid,
             case when c.contype = 'f' then pg_catalog.to_json(array(select a.attname::text
                   from unnest(c.confkey) with ordinality k(n, i)
                   join pg_catalog.pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by k.i)) end as fcols
      from pg_catalog.pg_constraint c
      where c.conrelid = any($1::oid[]) and c.contype in ('p', 'u', 'f')
      order by c.conname`,
      [relOids],
    );
    const fns = await tx.unsafe<FunctionRow[]>(
      `
      select n.nspname as schema, p.proname as name, p.provolatile::text as volatility, p.proretset as retset,
             pg_catalog.format_type(p.prorettype, null) as rettype, rt.typtype::text as rettyptype,
             rt.typrelid::int as retrelid, p.prorettype = 'pg_catalog.void'::pg_catalog.regtype as is_void,
             pg_catalog.to_json(p.proargnames) as arg_names, pg_catalog.to_json(p.proargmodes::text[]) as arg_modes,
             pg_catalog.to_json(array(select pg_catalog.format_type(t, null)
               from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality x(t, i) order by x.i)) as arg_types,
             p.pronargdefaults::int as n_defaults
      from pg_catalog.pg_proc p
      join pg_catalog.pg_namespace n on n.oid = p.pronamespace
      join pg_catalog.pg_type rt on rt.oid = p.prorettype
      where n.nspname = any($1::text[]) and p.prokind = 'f'`,
      [toPgArray(schemas)],
    );
    const settings = await tx.unsafe<Array<{ role: string; name: string; value: string }>>(`
      select r.rolname as role, split_part(cfg, '=', 1) as name, substr(cfg, strpos(cfg, '=') + 1) as value
      from pg_catalog.pg_db_role_setting s
      join pg_catalog.pg_roles r on r.oid = s.setrole
      cross join lateral unnest(s.setconfig) cfg
      left join pg_catalog.pg_settings ps on ps.name = split_part(cfg, '=', 1)
      where s.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))
        and (ps.context = 'user' or (ps.name is null and strpos(split_part(cfg, '=', 1), '.') > 0))
      order by s.setdatabase`); // database-specific rows last, so they override cluster-wide ones
    const zones = await tx.unsafe<Array<{ name: string }>>(`select name from pg_catalog.pg_timezone_names`);
    return build(
      schemas,
      rels,
      cols,
      cons,
      fns,
      settings,
      zones.map((z) => z.name),
    );
  });
}

/** A text[] literal for binding a list as one parameter. */
export function toPgArray(items: string[]): string {
  return `{${items.map((s) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

function build(
  schemas: string[],
  rels: RelationRow[],
  cols: ColumnRow[],
  cons: ConstraintRow[],
  fns: FunctionRow[],
  settings: Array<{ role: string; name: string; value: string }>,
  zones: string[],
): SchemaCache {
  const byOid = new Map<number, Relation>();
  const relations = new Map<string, Relation>();
  for (const r of rels) {
    const rel: Relation = {
      schema: r.schema,
      name: r.name,
      kind: relkinds[r.relkind],
      columns: [],
      columnMap: new Map(),
      primaryKey: [],
      uniqueKeys: [],
    };
    byOid.set(r.oid, rel);
    relations.set(qualified(r.schema, r.name), rel);
  }
  for (const c of cols) {
    const rel = byOid.get(c.relid)!;
    const col: Column = {
      name: c.name,
      type: c.type,
      isJson: c.basetype === 'json' || c.basetype === 'jsonb',
      isTsvector: c.basetype === 'tsvector',
      nullable: c.nullable,
      defaultExpr: c.default_expr,
    };
    rel.columns.push(col);
    rel.columnMap.set(c.name, col);
  }
  const foreignKeys: Array<{ name: string; from: Relation; cols: string[]; to: Relation; fcols: string[] }> = [];
  for (const c of cons) {
    const rel = byOid.get(c.relid)!;
    if (c.contype === 'p') rel.primaryKey = c.cols;
    if (c.contype === 'p' || c.contype === 'u') rel.uniqueKeys.push(c.cols);
    const target = c.frelid === null ? undefined : byOid.get(c.frelid);
    if (c.contype === 'f' && target)
      foreignKeys.push({ name: c.name, from: rel, cols: c.cols, to: target, fcols: c.fcols ?? [] });
  }
  const relationships = new Map<string, Relationship[]>();
  const add = (r: Relationship) => {
    const key = qualified(r.source.schema, r.source.name);
    relationships.set(key, [...(relationships.get(key) ?? []), r]);
  };
  for (const fk of foreignKeys) {
    // The referencing columns being unique makes the link one-to-one in both directions (PostgREST returns an object).
    const unique = fk.from.uniqueKeys.some((k) => sameSet(k, fk.cols));
    add({
      constraint: fk.name,
      cardinality: unique ? 'one-to-one' : 'many-to-one',
      source: fk.from,
      target: fk.to,
      sourceColumns: fk.cols,
      targetColumns: fk.fcols,
      fkOnSource: true,
    });
    add({
      constraint: fk.name,
      cardinality: unique ? 'one-to-one' : 'one-to-many',
      source: fk.to,
      target: fk.from,
      sourceColumns: fk.fcols,
      targetColumns: fk.cols,
      fkOnSource: false,
    });
  }
  const relByOid = (oid: number) => byOid.get(oid);
  const functions = new Map<string, FunctionDef[]>();
  for (const f of fns) {
    const def = functionDef(f, relByOid);
    const key = qualified(f.schema, f.name);
    functions.set(key, [...(functions.get(key) ?? []), def]);
  }
  const roleSettings = new Map<string, Array<[string, string]>>();
  for (const s of settings) {
    const list = (roleSettings.get(s.role) ?? []).filter(([name]) => name !== s.name);
    roleSettings.set(s.role, [...list, [s.name, s.value]]);
  }
  return { schemas, relations, relationships, functions, roleSettings, timezones: new Set(zones) };
}

function functionDef(f: FunctionRow, relByOid: (oid: number) => Relation | undefined): FunctionDef {
  const modes = f.arg_modes ?? f.arg_types.map(() => 'i');
  const names = f.arg_names ?? [];
  const inputs = f.arg_types
    .map((type, i) => ({ name: names[i] ?? '', type, mode: modes[i] }))
    .filter((a) => a.mode === 'i' || a.mode === 'b' || a.mode === 'v');
  // The last pronargdefaults input parameters have defaults.
  const params = inputs.map((a, i) => ({
    name: a.name,
    type: a.type,
    hasDefault: i >= inputs.length - f.n_defaults,
    variadic: a.mode === 'v',
  }));
  const hasOutParams = modes.some((m) => m === 'o' || m === 't' || m === 'b');
  const composite = f.rettyptype === 'c' || (f.rettype === 'record' && hasOutParams);
  const volatility = f.volatility === 'v' ? 'volatile' : f.volatility === 's' ? 'stable' : 'immutable';
  return {
    schema: f.schema,
    name: f.name,
    params,
    volatility,
    setOf: f.retset,
    returns: {
      kind: f.is_void ? 'void' : composite ? 'composite' : 'scalar',
      type: f.rettype,
      relation: f.rettyptype === 'c' ? relByOid(f.retrelid) : undefined,
    },
  };
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
