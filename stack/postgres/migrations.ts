// Project migrations and seed, applied by the real Supabase CLI (pinned in package.json) with --db-url, so the
// history lands in supabase_migrations.schema_migrations exactly as `supabase start`/`db push` would write it.
import { join } from 'node:path';
import { projectRoot, type StackConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { runCommand } from '../shared/child.ts';

const cliBin = join(projectRoot, 'node_modules', '.bin', 'supabase');

export class MigrationError extends Error {
  constructor(
    command: string,
    public readonly output: string,
  ) {
    super(`supabase ${command} failed:\n${output.trim()}`);
    this.name = 'MigrationError';
  }
}

/**
 * The CLI treats 127.0.0.1:<[db] port> as its own Docker-managed database and then insists on Docker for
 * `db reset`; a `localhost` URL makes it treat our cluster as a remote one, which is what we want.
 */
function cliDbUrl(cfg: StackConfig, database: string): string {
  return `postgresql://postgres:${cfg.dbPassword}@localhost:${cfg.dbPort}/${database}?sslmode=disable`;
}

export async function runSupabaseCli(cfg: StackConfig, args: string[], log: Logger): Promise<string> {
  const { code, output } = await runCommand(cliBin, [...args, '--workdir', cfg.workdir], {
    cwd: cfg.workdir,
    env: { ...process.env, DO_NOT_TRACK: '1', SUPABASE_TELEMETRY_DISABLED: '1' },
    onOutput: (text) => {
      for (const line of text.split('\n')) if (line.trim()) log.debug(line.trim());
    },
  });
  if (code === 0) return output;
  throw new MigrationError(args.slice(0, 2).join(' '), output);
}

/** Applies pending migrations (`supabase migration up`); returns the files the CLI reported applying. */
export async function migrateUp(cfg: StackConfig, database: string, log: Logger): Promise<string[]> {
  const out = await runSupabaseCli(cfg, ['migration', 'up', '--db-url', cliDbUrl(cfg, database)], log);
  return [...out.matchAll(/Applying migration (\S+?)\.\.\./g)].map((m) => m[1]);
}

/** `supabase db reset --db-url`: drops the project's objects (platform schemas stay), re-applies migrations, seeds. */
export async function resetWithSeed(cfg: StackConfig, database: string, log: Logger): Promise<string[]> {
  const out = await runSupabaseCli(cfg, ['db', 'reset', '--yes', '--db-url', cliDbUrl(cfg, database)], log);
  return [...out.matchAll(/Applying migration (\S+?)\.\.\./g)].map((m) => m[1]);
}

/** `supabase db lint --fail-on error` (plpgsql_check) over the given schemas; rejects with the CLI's report. */
export async function lintDatabase(
  cfg: StackConfig,
  database: string,
  schemas: string[],
  log: Logger,
): Promise<string> {
  return runSupabaseCli(
    cfg,
    [
      'db',
      'lint',
      '--db-url',
      cliDbUrl(cfg, database),
      '--schema',
      schemas.join(','),
      '--level',
      'warning',
      '--fail-on',
      'error',
    ],
    log,
  );
}
