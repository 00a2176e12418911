// Applies the Supabase schema SQL (stack/postgres/supabase-schemas/NNNN_*.sql) to one database, as supabase_admin.
// Versioned: each file's checksum is recorded in supabase_local.platform_versions; a file runs when it is new or
// has changed (every file is written to be re-runnable), so bootstrap is idempotent and upgrades in place.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { dbUrl, type StackConfig } from '../config.ts';
import type { Logger } from '../log.ts';

export const platformDir = join(dirname(fileURLToPath(import.meta.url)), 'supabase-schemas');

export interface PlatformFile {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export function platformFiles(): PlatformFile[] {
  return readdirSync(platformDir)
    .filter((f) => /^\d{4}_.+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = readFileSync(join(platformDir, f), 'utf8');
      return { version: f.slice(0, 4), name: f, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export function adminSql(cfg: StackConfig, database = 'postgres') {
  return postgres(dbUrl(cfg, { user: 'supabase_admin', database, sslmode: false }), {
    onnotice: () => {},
    max: 1,
    connection: { application_name: 'stack-bootstrap' },
  });
}

/** Brings one database up to the current Supabase schema SQL; returns the files it ran. */
export async function applyPlatform(cfg: StackConfig, database: string, log: Logger): Promise<string[]> {
  const sql = adminSql(cfg, database);
  try {
    await sql.unsafe(`
      create schema if not exists supabase_local authorization supabase_admin;
      create table if not exists supabase_local.platform_versions (
        version text primary key, name text not null, checksum text not null,
        applied_at timestamptz not null default now());`);
    const applied = new Map(
      (
        await sql<
          { version: string; checksum: string }[]
        >`select version, checksum from supabase_local.platform_versions`
      ).map((r) => [r.version, r.checksum]),
    );
    const ran: string[] = [];
    for (const file of platformFiles()) {
      if (applied.get(file.version) === file.checksum) continue;
      try {
        await sql.begin(async (tx) => {
          await tx.unsafe(file.sql);
          await tx`insert into supabase_local.platform_versions (version, name, checksum)
                   values (${file.version}, ${file.name}, ${file.checksum})
                   on conflict (version) do update set name = excluded.name, checksum = excluded.checksum, applied_at = now()`;
        });
      } catch (err) {
        throw new Error(`Supabase schema SQL ${file.name} failed on database ${database}: ${(err as Error).message}`);
      }
      ran.push(file.name);
      log.debug('platform file applied', { file: file.name, database });
    }
    // Realtime creates tomorrow's partitions as days pass; do it on every bring-up too.
    await sql`select supabase_local.ensure_realtime_partitions()`;
    return ran;
  } finally {
    await sql.end();
  }
}
