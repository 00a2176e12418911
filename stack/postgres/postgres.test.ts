// stack/postgres against a real cluster of its own (own folder, own port) and the real Supabase CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import postgres from 'postgres';
import { dbUrl, projectRoot, type StackConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { FULL_INSTALL_COMMAND } from '../system/index.ts';
import { clusterConfig } from '../testing/cluster.ts';
import { tempProject } from '../testing/project.ts';
import { down, reset, up } from './index.ts';
import { resetWithSeed } from './migrations.ts';

const log = createLogger('postgres-test');

// The cluster's own lifecycle is what is tested here, so these tests start and stop it themselves.
const makeWorkdir = (migrations: Record<string, string>, seed: string) => tempProject('pg', { migrations, seed });
const configFor = (workdir: string, port: number) => clusterConfig(workdir, port);

async function query<T extends object>(cfg: StackConfig, text: string): Promise<T[]> {
  const sql = postgres(dbUrl(cfg, { sslmode: false }), { max: 1, onnotice: () => {} });
  try {
    return (await sql.unsafe(text)) as unknown as T[];
  } finally {
    await sql.end();
  }
}

describe('stack/postgres lifecycle', () => {
  let workdir: string;
  let cfg: StackConfig;

  before(() => {
    workdir = makeWorkdir(
      { '20260101000000_notes.sql': 'create table public.notes (id serial primary key, body text not null);' },
      "insert into public.notes (body) values ('seeded');",
    );
    cfg = configFor(workdir, 24361);
  });

  after(async () => {
    await down(cfg, log).catch(() => {});
    rmSync(workdir, { recursive: true, force: true });
  });

  it('a cold start creates the cluster, applies migrations and the seed', async () => {
    const res = await up(cfg, log);
    assert.equal(res.fresh, true);
    assert.deepEqual(res.migrations, ['20260101000000_notes.sql']);
    const rows = await query<{ body: string }>(cfg, 'select body from public.notes');
    assert.deepEqual(
      rows.map((r) => r.body),
      ['seeded'],
    );
    const history = await query<{ version: string; name: string }>(
      cfg,
      'select version, name from supabase_migrations.schema_migrations',
    );
    assert.deepEqual(
      history.map((r) => ({ ...r })),
      [{ version: '20260101000000', name: 'notes' }],
    );
  });

  it('start is idempotent: a second start finds it running and changes nothing', async () => {
    const res = await up(cfg, log);
    assert.equal(res.fresh, false);
    assert.equal(res.alreadyRunning, true);
    assert.deepEqual(res.platformFiles, [], 'no platform file re-runs when nothing changed');
    assert.deepEqual(res.migrations, []);
    const rows = await query<{ n: number }>(cfg, 'select count(*)::int as n from public.notes');
    assert.equal(rows[0].n, 1);
  });

  it('stop then start keeps the data', async () => {
    await query(cfg, "insert into public.notes (body) values ('written before stop')");
    assert.equal(await down(cfg, log), true);
    const res = await up(cfg, log);
    assert.equal(res.alreadyRunning, false);
    const rows = await query<{ body: string }>(cfg, 'select body from public.notes order by id');
    assert.deepEqual(
      rows.map((r) => r.body),
      ['seeded', 'written before stop'],
    );
  });

  it('supabase db reset --db-url keeps the platform schemas and re-applies migrations', async () => {
    await query(cfg, "insert into public.notes (body) values ('dropped by reset')");
    const applied = await resetWithSeed(cfg, 'postgres', log);
    assert.deepEqual(applied, ['20260101000000_notes.sql']);
    const rows = await query<{ body: string }>(cfg, 'select body from public.notes');
    assert.deepEqual(
      rows.map((r) => r.body),
      ['seeded'],
    );
    const kept = await query<{ s: string }>(
      cfg,
      `select nspname as s from pg_namespace
      where nspname in ('auth', 'realtime', 'extensions') order by 1`,
    );
    assert.deepEqual(
      kept.map((r) => r.s),
      ['auth', 'extensions', 'realtime'],
    );
    const fns = await query<{ ok: boolean }>(
      cfg,
      "select to_regprocedure('auth.uid()') is not null and to_regclass('realtime.messages') is not null as ok",
    );
    assert.equal(fns[0].ok, true);
  });

  it('npm run db:reset rebuilds from scratch: data written since is gone, the seed is back', async () => {
    await query(cfg, "insert into public.notes (body) values ('wiped by reset')");
    const res = await reset(cfg, log);
    assert.equal(res.fresh, true);
    const rows = await query<{ body: string }>(cfg, 'select body from public.notes');
    assert.deepEqual(
      rows.map((r) => r.body),
      ['seeded'],
    );
  });
});

describe('stack/postgres failures', () => {
  it('a broken migration stops start with the CLI error and the file name', async () => {
    const workdir = makeWorkdir(
      {
        '20260101000000_ok.sql': 'create table public.fine (id int);',
        '20260102000000_broken.sql': 'create table public.broken (id int;',
      },
      '',
    );
    const cfg = configFor(workdir, 24362);
    try {
      await assert.rejects(up(cfg, log), (err: Error) => {
        assert.match(err.message, /20260102000000_broken\.sql/);
        assert.match(err.message, /syntax error/);
        return true;
      });
    } finally {
      await down(cfg, log).catch(() => {});
      rmSync(workdir, { recursive: true, force: true });
    }
  });

  it('a missing PostgreSQL binary gives the documented message and a non-zero exit', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'stack', 'cli.ts'), 'start'], {
      cwd: projectRoot,
      encoding: 'utf8',
      env: { ...process.env, PG_BIN: '/nonexistent/pg/bin', STACK_STATE_DIR: join(tmpdir(), 'mr-missing-bin') },
    });
    assert.notEqual(res.status, 0);
    assert.match(res.stderr, /PostgreSQL 15 server binaries not found/);
    assert.ok(res.stderr.includes(FULL_INSTALL_COMMAND), res.stderr);
  });
});
