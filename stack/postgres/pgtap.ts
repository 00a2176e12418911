// Runs pgTAP files the way `supabase test db` does (pg_prove, one psql per file, sorted), but against a fresh
// throwaway database built from the Supabase schema SQL and the project's migrations, so tests never touch dev data.
import { randomBytes } from 'node:crypto';
import type { StackConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { runCommand } from '../shared/child.ts';
import { migrateUp } from './migrations.ts';
import { adminSql, applyPlatform } from './supabase-schemas.ts';
import { systemFile } from '../system/index.ts';

export interface TapResult {
  passed: number;
  failed: number;
  files: number;
  output: string;
  ok: boolean;
}

/**
 * Creates `test_<random>` with the Supabase schema SQL and (unless `migrations: false`) the project's migrations, hands it
 * to `fn`, and drops it afterwards.
 */
export async function withThrowawayDb<T>(
  cfg: StackConfig,
  log: Logger,
  fn: (database: string) => Promise<T>,
  opts: { migrations?: boolean } = {},
): Promise<T> {
  const database = `test_${randomBytes(5).toString('hex')}`;
  const admin = adminSql(cfg);
  await admin.unsafe(`create database ${database}`);
  try {
    await applyPlatform(cfg, database, log); // creates the roles on a brand-new cluster too
    await admin.unsafe(`alter database ${database} owner to postgres`);
    if (opts.migrations !== false) await migrateUp(cfg, database, log);
    return await fn(database);
  } finally {
    await admin.unsafe(`drop database if exists ${database} with (force)`);
    await admin.end();
  }
}

/** Counts `ok`/`not ok` lines of pg_prove's verbose TAP (top-level assertions only). */
export function countTap(output: string): { passed: number; failed: number } {
  let passed = 0;
  let failed = 0;
  for (const line of output.split('\n')) {
    if (/^not ok \d+/.test(line)) failed++;
    else if (/^ok \d+/.test(line)) passed++;
  }
  return { passed, failed };
}

export async function runPgProve(cfg: StackConfig, database: string, paths: string[], log: Logger): Promise<TapResult> {
  const pgProve = systemFile('pg_prove'); // throws with the install command when missing
  const admin = adminSql(cfg, database);
  try {
    // As the CLI does before a test run.
    await admin`create extension if not exists pgtap with schema extensions`;
  } finally {
    await admin.end();
  }
  const args = [
    '--verbose',
    '--ext',
    '.sql',
    '--ext',
    '.pg',
    '-r',
    '-h',
    '127.0.0.1',
    '-p',
    String(cfg.dbPort),
    '-U',
    'postgres',
    '-d',
    database,
    ...paths,
  ];
  const { code, output } = await runCommand(pgProve, args, {
    env: { ...process.env, PGPASSWORD: cfg.dbPassword, PGOPTIONS: '-c client_min_messages=warning' },
  });
  const { passed, failed } = countTap(output);
  const files = Number(/Files=(\d+)/.exec(output)?.[1] ?? 0);
  log.debug('pg_prove finished', { code, passed, failed, files });
  // A crashed file (syntax error, bad plan) fails the run even when every counted assertion passed.
  const ok = code === 0 && /Result: PASS/.test(output) && files > 0;
  return { passed, failed: ok ? failed : Math.max(failed, 1), files, output, ok };
}
