// Postgres Changes: bindings from `config.postgres_changes`, matched against tables of the `supabase_realtime`
// publication, fed by a logical replication stream of that publication. For every committed change the
// subscriber's view is computed in Postgres as upstream's realtime.apply_rls does: the row's values cast to their
// column types, the binding's filters evaluated with those types, the columns the subscriber's role may SELECT,
// and, when the table has RLS and the change is not a DELETE, an `exists` probe for the row's primary key run as
// the subscriber's role with its JWT claims. Only subscribers that pass get the change. A role the API may not
// become (authenticator is not a member of it, see authorization.ts) sees no columns and passes no RLS probe.
import { quoteIdent, quoteLiteral } from '../shared/sql.ts';
import { API_AUTHENTICATOR, settingsSql } from './authorization.ts';
import type { Channel } from './channel.ts';
import type { Context } from './context.ts';
import type { Db, ReservedPool } from './db.ts';
import { describeFilters, FilterError, filterCheckSql, filterSql, parseFilters, type Filter } from './filters.ts';
import type { Change, Relation, Transaction } from './replication.ts';
import { encodeText } from './serializer.ts';

export interface PgBinding {
  id: number;
  event: '*' | 'INSERT' | 'UPDATE' | 'DELETE';
  schema: string;
  table: string;
  filters: Filter[];
  select: string[] | null;
  raw: Record<string, unknown>;
  /** Parse error, reported as a system message after the join. */
  error?: string;
  /** `schema.table` keys this binding resolved to at subscribe time. */
  tables: string[];
}

interface TypeInfo {
  /** Castable name (format_type), e.g. `timestamp with time zone`. */
  sql: string;
  /** pg_type.typname, what the payload's `columns` carry, e.g. `timestamptz`. */
  name: string;
}

const events = new Set(['*', 'INSERT', 'UPDATE', 'DELETE']);

/** A stable id for a binding (upstream uses phash2 of the raw map, 0..2^27-1). */
function bindingId(raw: Record<string, unknown>): number {
  let h = 0x811c9dc5;
  const s = JSON.stringify(raw);
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0) & 0x7ffffff;
}

function describe(b: PgBinding): string {
  const select = b.select ? `[${b.select.map((c) => JSON.stringify(c)).join(', ')}]` : 'nil';
  return `[event: ${b.event}, schema: ${b.schema}, table: ${b.table}, filters: ${describeFilters(b.filters)}, select: ${select}]`;
}

export class PostgresChanges {
  private subs = new Map<string, Set<Channel>>();
  private types = new Map<number, TypeInfo>();

  constructor(
    private ctx: Context,
    private sql: Db,
    private pool: ReservedPool,
  ) {}

  /** Parses the join's bindings; the reply lists each raw binding plus its id. */
  prepare(raws: Record<string, unknown>[]): { response: Record<string, unknown>[]; bindings: PgBinding[] } {
    const bindings = raws.map((raw): PgBinding => {
      const event = String(raw.event ?? '*').toUpperCase();
      const hasTable = typeof raw.table === 'string' && raw.table !== '';
      const b: PgBinding = {
        id: bindingId(raw),
        event: (events.has(event) ? event : '*') as PgBinding['event'],
        schema: typeof raw.schema === 'string' && raw.schema !== '' ? raw.schema : 'public',
        table: hasTable ? (raw.table as string) : '*',
        filters: [],
        select: null,
        raw,
        tables: [],
      };
      try {
        b.filters = parseFilters(typeof raw.filter === 'string' ? raw.filter : undefined);
      } catch (err) {
        b.error = `Error parsing \`filter\` params: ${(err as FilterError).message}`;
      }
      if (raw.select !== undefined && raw.select !== null) {
        if (!Array.isArray(raw.select) || raw.select.some((c) => typeof c !== 'string')) {
          b.error =
            'Error parsing `select` params: expected a list of column name strings, e.g. select: ["col1", "col2"]';
        } else if (b.schema === '*' || b.table === '*') {
          b.error =
            'Column selection is not supported for wildcard subscriptions. Provide an explicit schema and table name.';
        } else b.select = raw.select as string[];
      }
      return b;
    });
    return { response: bindings.map((b) => ({ ...b.raw, id: b.id })), bindings };
  }

  /** Resolves the channel's bindings to published tables and checks their filters; returns an error text or null. */
  async subscribe(ch: Channel): Promise<string | null> {
    this.unsubscribe(ch);
    const role = String(ch.claims.role);
    for (const b of ch.pg ?? []) {
      if (b.error) return b.error;
      const like = (v: string) => (v === '*' ? '%' : v);
      // Any failure here (a NUL in a name, which Postgres refuses as a parameter, a bad filter value) is the
      // binding's error, reported as a system message: never an exception the join or the socket would lose.
      try {
        quoteLiteral(role); // spliced into every delivery's SQL: a role that cannot be (a NUL) fails here, not there
        const tables = await this.sql<{ schemaname: string; tablename: string; relid: number }[]>`
          select schemaname, tablename, format('%I.%I', schemaname, tablename)::regclass::oid::int as relid
          from pg_publication_tables
          where pubname = 'supabase_realtime' and schemaname like ${like(b.schema)} and tablename like ${like(b.table)}`;
        if (tables.length === 0) {
          return `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: ${describe(b)}`;
        }
        for (const t of tables) await this.checkColumns(t.relid, role, b);
        b.tables = tables.map((t) => `${t.schemaname}.${t.tablename}`);
      } catch (err) {
        return `Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: ${describe(b)}. Exception: ${(err as Error).message}`;
      }
    }
    if (ch.closed) return null;
    for (const b of ch.pg ?? []) {
      for (const key of b.tables) {
        let set = this.subs.get(key);
        if (!set) this.subs.set(key, (set = new Set()));
        set.add(ch);
      }
    }
    return null;
  }

  /** Filter columns must exist and be selectable by the role, and filter values must cast to the column type. */
  private async checkColumns(relid: number, role: string, b: PgBinding): Promise<void> {
    const used = [...b.filters.map((f) => f.column), ...(b.select ?? [])];
    if (used.length === 0) return;
    const cols = await this.sql<{ name: string; type: string; selectable: boolean }[]>`
      select a.attname as name, format_type(a.atttypid, null) as type,
             exists (select 1 from pg_roles r where r.rolname = ${role} and pg_has_role(${API_AUTHENTICATOR}, r.oid, 'MEMBER'))
               and has_column_privilege(${role}, ${relid}::oid, a.attnum, 'SELECT') as selectable
      from pg_attribute a where a.attrelid = ${relid}::oid and a.attnum > 0 and not a.attisdropped`;
    const byName = new Map(cols.map((c) => [c.name, c]));
    for (const f of b.filters) {
      const col = byName.get(f.column);
      if (!col || !col.selectable) throw new Error(`invalid column for filter ${f.column}`);
      await this.sql.unsafe(filterCheckSql(f, col.type));
    }
    for (const c of b.select ?? []) {
      if (!byName.get(c)?.selectable) throw new Error(`invalid column for select ${c}`);
    }
  }

  unsubscribe(ch: Channel): void {
    for (const b of ch.pg ?? []) {
      for (const key of b.tables) {
        const set = this.subs.get(key);
        set?.delete(ch);
        if (set?.size === 0) this.subs.delete(key);
      }
    }
  }

  async onTransaction(tx: Transaction): Promise<void> {
    for (const change of tx.changes) {
      const key = `${change.relation.schema}.${change.relation.table}`;
      const channels = this.subs.get(key);
      if (!channels || channels.size === 0) continue;
      if (this.ctx.limits.events.tripped) {
        this.ctx.log.warn('postgres change dropped: too many messages per second', { table: key });
        continue;
      }
      const candidates: { ch: Channel; bindings: PgBinding[] }[] = [];
      for (const ch of channels) {
        const bindings = (ch.pg ?? []).filter(
          (b) => b.tables.includes(key) && (b.event === '*' || b.event === change.kind),
        );
        if (bindings.length > 0) candidates.push({ ch, bindings });
      }
      if (candidates.length > 0) await this.deliver(tx, change, candidates);
    }
  }

  private async typesOf(rel: Relation): Promise<TypeInfo[]> {
    const missing = rel.columns.map((c) => c.typeOid).filter((oid) => !this.types.has(oid));
    if (missing.length > 0) {
      const rows = await this.sql<{ oid: number; sql: string; name: string }[]>`
        select oid::int, format_type(oid, null) as sql, typname::text as name from pg_type where oid = any(${missing}::oid[])`;
      for (const r of rows) this.types.set(r.oid, { sql: r.sql, name: r.name });
    }
    return rel.columns.map((c) => this.types.get(c.typeOid) ?? { sql: 'text', name: 'text' });
  }

  private async deliver(
    tx: Transaction,
    change: Change,
    candidates: { ch: Channel; bindings: PgBinding[] }[],
  ): Promise<void> {
    const rel = change.relation;
    const types = await this.typesOf(rel);
    const table = `${quoteIdent(rel.schema)}.${quoteIdent(rel.table)}`;
    const idx = new Map(rel.columns.map((c, i) => [c.name, i]));
    const cast = (v: string | null, i: number) =>
      v === null ? 'null' : `to_jsonb(${quoteLiteral(v)}::${types[i].sql})`;
    const jsonOf = (t: (string | null | undefined)[] | undefined, keep: (i: number) => boolean) => {
      const parts: string[] = [];
      rel.columns.forEach((c, i) => {
        if (t && t[i] !== undefined && keep(i))
          parts.push(`${quoteLiteral(c.name)}, ${cast(t[i] as string | null, i)}`);
      });
      return parts.length ? `jsonb_build_object(${parts.join(', ')})` : `'{}'::jsonb`;
    };
    // Old values: the replica identity columns (all of them with REPLICA IDENTITY FULL); when the key did not
    // change pgoutput sends no old tuple, so the key is taken from the new row.
    const identity = (i: number) => rel.replicaIdentity === 'f' || rel.columns[i].key;
    const oldTuple = change.old ?? (change.kind === 'UPDATE' ? change.record : undefined);
    // Filters see the new row, or the old one for DELETE.
    const filterRow = change.kind === 'DELETE' ? change.old : change.record;
    const roles = [...new Set(candidates.map((c) => String(c.ch.claims.role)))];
    const bindingExprs = new Map<PgBinding, string>();
    for (const { bindings } of candidates) {
      for (const b of bindings) {
        if (bindingExprs.has(b)) continue;
        const conds = b.filters.map((f) => {
          const i = idx.get(f.column);
          const v = i === undefined ? undefined : filterRow?.[i];
          return v === undefined ? 'false' : filterSql(f, v, types[i!].sql);
        });
        bindingExprs.set(b, conds.length ? conds.join(' and ') : 'true');
      }
    }
    const exprs = [...bindingExprs.values()];
    const [info] = (await this.sql.unsafe(`
      select c.relrowsecurity as rls,
        coalesce((select array_agg(a.attname::text order by a.attnum) from pg_index i
                  join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
                  where i.indrelid = c.oid and i.indisprimary), '{}') as pk,
        ${jsonOf(change.record, () => true)} as record,
        ${jsonOf(oldTuple, identity)} as old_record,
        array[${
          roles
            .map(
              (r) => `case when exists (select 1 from pg_roles r where r.rolname = ${quoteLiteral(r)}
                                                    and pg_has_role(${quoteLiteral(API_AUTHENTICATOR)}, r.oid, 'MEMBER'))
          then array(select a.attname::text from pg_attribute a where a.attrelid = c.oid and a.attnum > 0
                     and not a.attisdropped and has_column_privilege(${quoteLiteral(r)}, c.oid, a.attnum, 'SELECT')
                     order by a.attnum)::text else '{}' end`,
            )
            .join(', ') || "''"
        }]::text[] as role_columns,
        array[${exprs.join(', ') || 'true'}]::boolean[] as matches
      from pg_class c where c.oid = ${rel.id}`)) as unknown as {
      rls: boolean;
      pk: string[];
      record: Record<string, unknown>;
      old_record: Record<string, unknown>;
      role_columns: string[];
      matches: boolean[];
    }[];
    if (!info) return;
    const matchOf = new Map([...bindingExprs.keys()].map((b, i) => [b, info.matches[i]]));
    const roleColumns = new Map(roles.map((r, i) => [r, parsePgArray(info.role_columns[i])]));
    const pkValues = info.pk.map((name) => ({ name, i: idx.get(name)! }));

    const receivers = candidates
      .map(({ ch, bindings }) => ({ ch, ids: bindings.filter((b) => matchOf.get(b)).map((b) => b.id) }))
      .filter((r) => r.ids.length > 0);
    const needsRls = info.rls && change.kind !== 'DELETE' && pkValues.length > 0;
    const visible = needsRls
      ? await this.rlsVisible(
          table,
          pkValues,
          change.record!,
          types,
          receivers.map((r) => r.ch),
        )
      : null;

    for (const [n, { ch, ids }] of receivers.entries()) {
      if (ch.closed || (visible && !visible[n])) continue;
      const data = this.payload(tx, change, rel, types, info, roleColumns.get(String(ch.claims.role)) ?? [], ch, ids);
      const frame = encodeText(ch.conn.vsn, null, null, ch.topic, 'postgres_changes', { ids, data });
      ch.conn.sendFrame(Buffer.from(frame), false);
      this.ctx.metrics.pgChanges.inc();
      this.ctx.metrics.eventsOut.inc();
      this.ctx.limits.events.add(1);
    }
  }

  /** One transaction: for each subscriber, become its role with its claims and probe the row by primary key. */
  private async rlsVisible(
    table: string,
    pk: { name: string; i: number }[],
    record: (string | null | undefined)[],
    types: TypeInfo[],
    channels: Channel[],
  ): Promise<boolean[]> {
    const where = pk
      .map(
        ({ name, i }) =>
          `${quoteIdent(name)} = ${record[i] === null ? 'null' : `${quoteLiteral(String(record[i]))}::${types[i].sql}`}`,
      )
      .join(' and ');
    const probe = (ch: Channel) => [
      settingsSql(ch.claims, null, null),
      `select exists (select 1 from ${table} where ${where}) as visible`,
    ];
    const run = async (chs: Channel[]) => {
      const rows = (await this.pool.multi(['begin', ...chs.flatMap(probe), 'rollback'].join(';\n'))).filter(
        (r) => 'visible' in r,
      );
      return chs.map((_, n) => rows[n]?.visible === true);
    };
    try {
      return await run(channels);
    } catch {
      // One subscriber's policy failed (or its role is unknown): check each alone; a failure means not visible.
      return Promise.all(
        channels.map((ch) =>
          run([ch]).then(
            (r) => r[0],
            () => false,
          ),
        ),
      );
    }
  }

  private payload(
    tx: Transaction,
    change: Change,
    rel: Relation,
    types: TypeInfo[],
    info: { rls: boolean; pk: string[]; record: Record<string, unknown>; old_record: Record<string, unknown> },
    selectable: string[],
    ch: Channel,
    ids: number[],
  ): Record<string, unknown> {
    const select = ch.pg?.find((b) => ids.includes(b.id) && b.select)?.select;
    const allowed = new Set(selectable.filter((c) => !select || select.includes(c) || info.pk.includes(c)));
    const errors: string[] = [];
    if (allowed.size === 0) errors.push('Error 401: Unauthorized');
    if (info.pk.length === 0 && change.kind !== 'DELETE') errors.push('Error 400: Bad Request, no primary key');
    const pick = (row: Record<string, unknown>, only?: string[]) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) if (allowed.has(k) && (!only || only.includes(k))) out[k] = v;
      return out;
    };
    const data: Record<string, unknown> = {
      schema: rel.schema,
      table: rel.table,
      commit_timestamp: tx.commitTime.toISOString(),
      type: change.kind,
      columns: rel.columns.map((c, i) => ({ name: c.name, type: types[i].name })).filter((c) => allowed.has(c.name)),
    };
    const hideRecord = info.rls && info.pk.length === 0;
    if (change.kind !== 'DELETE') data.record = hideRecord ? {} : pick(info.record);
    // With RLS on, a DELETE (never RLS-checked) reveals only the primary key.
    if (change.kind !== 'INSERT')
      data.old_record = pick(info.old_record, change.kind === 'DELETE' && info.rls ? info.pk : undefined);
    this.trimToSize(data, errors);
    data.errors = errors.length ? errors : null;
    return data;
  }

  /** Over poll_max_record_bytes: fields longer than 64 bytes are dropped and the change says so. */
  private trimToSize(data: Record<string, unknown>, errors: string[]): void {
    const max = this.ctx.limits.config.maxRecordBytes;
    if (
      Buffer.byteLength(JSON.stringify(data.record ?? {})) + Buffer.byteLength(JSON.stringify(data.old_record ?? {})) <=
      max
    )
      return;
    for (const k of ['record', 'old_record'] as const) {
      const row = data[k] as Record<string, unknown> | undefined;
      if (!row) continue;
      for (const [col, v] of Object.entries(row)) if (Buffer.byteLength(JSON.stringify(v)) > 64) delete row[col];
    }
    errors.push('Error 413: Payload Too Large');
  }
}

/** Postgres array text `{a,b,"c d"}` to strings (column names). */
function parsePgArray(text: string): string[] {
  if (!text || text === '{}') return [];
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|([^,{}]+)/g;
  for (let m; (m = re.exec(text));) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]);
  return out;
}
