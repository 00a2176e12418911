// The throwaway cluster every test that needs a database gets: a PostgreSQL cluster of its own (own temp folder, own
// port, never the dev or `npm test` cluster) built by stack/postgres exactly as `npm start` builds one (Supabase's
// schemas and roles, then the migrations and seed through the real CLI), stopped and deleted by stop().
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { dbUrl, loadConfig, projectRoot, type StackConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { down, up } from '../postgres/index.ts';
import { tempDir, tempProject, type ProjectFiles } from './project.ts';

export interface TestCluster {
  cfg: StackConfig;
  /** Superuser (`postgres`) SQL, for arranging and checking data behind the services' backs. */
  sql: postgres.Sql;
  /** The URL of the `postgres` database for `user` (`postgres` by default), as the services take it. */
  url(user?: string): string;
  stop(): Promise<void>;
}

export interface TestClusterOptions {
  /** Names the temp folder (`mr-<name>-…`) and the log. */
  name: string;
  /**
   * Ports to try, in turn: each is tried on a brand-new cluster until one binds. They lie below Linux's ephemeral
   * range, but another program may still hold one.
   */
  ports: number[];
  /** A project of these files (migrations, seed); the repository's own `supabase/` (migrations and seed) if absent. */
  project?: ProjectFiles;
}

/** The config of a cluster kept in `dir/.stack` on `port`, applying the project in `workdir` (default `dir`). */
export function clusterConfig(dir: string, port: number, workdir = dir): StackConfig {
  return loadConfig({ STACK_STATE_DIR: join(dir, '.stack'), STACK_DB_PORT: String(port), STACK_WORKDIR: workdir });
}

export async function startTestCluster(opts: TestClusterOptions): Promise<TestCluster> {
  const log = createLogger(`${opts.name}-db`);
  for (const [i, port] of opts.ports.entries()) {
    const dir = opts.project ? tempProject(opts.name, opts.project) : tempDir(opts.name);
    const cfg = clusterConfig(dir, port, opts.project ? dir : projectRoot);
    const remove = async () => {
      await down(cfg, log).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      await up(cfg, log);
    } catch (err) {
      await remove();
      if (i === opts.ports.length - 1 || !/Is another server using port/.test((err as Error).message)) throw err;
      log.warn('port busy, trying the next one', { port });
      continue;
    }
    const sql = postgres(dbUrl(cfg, { sslmode: false }), { max: 2, onnotice: () => {} });
    return {
      cfg,
      sql,
      url: (user = 'postgres') => dbUrl(cfg, { user, sslmode: false }),
      async stop() {
        await sql.end();
        await remove();
      },
    };
  }
  throw new Error('startTestCluster: no port to try');
}
