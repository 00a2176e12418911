// stack/postgres: the local database service. `up` is idempotent: it installs PostgreSQL 15 when it can, creates
// the cluster on first use, starts it, brings the Supabase schema SQL up to date and applies migrations (plus the seed
// on a fresh cluster). `down` stops it cleanly; `reset` rebuilds it from nothing.
import type { StackConfig } from '../config.ts';
import { step, type Logger } from '../log.ts';
import { ensurePostgres, type PgBinaries } from './binaries.ts';
import {
  clusterPaths,
  destroyCluster,
  initCluster,
  isInitialized,
  isRunning,
  runningPort,
  startCluster,
  stopCluster,
  type ClusterPaths,
} from './cluster.ts';
import { migrateUp, resetWithSeed } from './migrations.ts';
import { applyPlatform } from './supabase-schemas.ts';

export interface UpResult {
  fresh: boolean;
  alreadyRunning: boolean;
  platformFiles: string[];
  migrations: string[];
  ms: number;
}

export interface DbHandle {
  bins: PgBinaries;
  paths: ClusterPaths;
}

export function locate(cfg: StackConfig, log: Logger): DbHandle {
  return { bins: ensurePostgres(log), paths: clusterPaths(cfg) };
}

/** Creates the cluster if needed and makes sure it runs on the configured port. No project SQL. */
export async function ensureCluster(
  cfg: StackConfig,
  log: Logger,
): Promise<DbHandle & { fresh: boolean; alreadyRunning: boolean }> {
  const { bins, paths } = locate(cfg, log);
  const fresh = !isInitialized(paths);
  if (fresh) {
    await step(log, `creating cluster in ${paths.data}`, async () => initCluster(bins, paths, cfg, log));
  }
  const alreadyRunning = isRunning(bins, paths);
  if (alreadyRunning) {
    const port = runningPort(paths);
    if (port !== cfg.dbPort) {
      throw new Error(
        `the cluster in ${paths.data} is already running on port ${port}, not ${cfg.dbPort}; ` +
          'run `npm stop` first or use the same STACK_DB_PORT',
      );
    }
    log.info('postgres already running', { port });
  } else {
    await step(log, `starting postgres on 127.0.0.1:${cfg.dbPort}`, async () => startCluster(bins, paths, cfg));
  }
  return { bins, paths, fresh, alreadyRunning };
}

export async function up(cfg: StackConfig, log: Logger): Promise<UpResult> {
  const started = performance.now();
  const { fresh, alreadyRunning } = await ensureCluster(cfg, log);
  const platformFiles = await step(log, 'applying platform schemas', () => applyPlatform(cfg, 'postgres', log));
  const migrations = fresh
    ? await step(log, 'applying migrations and seed (supabase db reset --db-url)', () =>
        resetWithSeed(cfg, 'postgres', log),
      )
    : await step(log, 'applying pending migrations (supabase migration up)', () => migrateUp(cfg, 'postgres', log));
  return { fresh, alreadyRunning, platformFiles, migrations, ms: Math.round(performance.now() - started) };
}

export async function down(cfg: StackConfig, log: Logger): Promise<boolean> {
  const { bins, paths } = locate(cfg, log);
  if (!isRunning(bins, paths)) {
    log.info('postgres is not running');
    return false;
  }
  await step(log, 'stopping postgres', async () => stopCluster(bins, paths));
  return true;
}

/** Stops and deletes the cluster, then brings a new one up with migrations and seed. */
export async function reset(cfg: StackConfig, log: Logger): Promise<UpResult> {
  const { bins, paths } = locate(cfg, log);
  if (isRunning(bins, paths)) await step(log, 'stopping postgres', async () => stopCluster(bins, paths));
  await step(log, `deleting ${paths.home}`, async () => destroyCluster(paths));
  return up(cfg, log);
}

export function status(cfg: StackConfig, log: Logger): { running: boolean; port?: number; data: string } {
  const { bins, paths } = locate(cfg, log);
  const running = isRunning(bins, paths);
  return { running, port: running ? runningPort(paths) : undefined, data: paths.data };
}
