// Test support for stack/postgrest: an isolated PostgreSQL cluster (own state folder, own port) built by stack/postgres
// from either the real project (migrations + seed) or a temporary supabase workdir holding fixture migrations, a
// REST server on an ephemeral port in front of it, and JWTs minted with the demo secret.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { createClient } from '@supabase/supabase-js';
import { dbUrl, demoKeys, loadConfig, projectRoot, type StackConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { down, up } from '../postgres/index.ts';
import { signJwt } from '../shared/jwt.ts';
import { startRest, type RestServer } from './index.ts';

const log = createLogger('rest-test');
export const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export interface TestStack {
  cfg: StackConfig;
  rest: RestServer;
  restUrl: string;
  /** A superuser connection for arranging and checking data behind the API's back. */
  admin: postgres.Sql;
  stop(): Promise<void>;
}

/** A supabase workdir in a temp folder whose migrations are the files of `fixtures/`. */
function fixtureWorkdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mr-rest-'));
  chmodSync(dir, 0o755); // the postgres OS user must reach the cluster folder inside it
  mkdirSync(join(dir, 'supabase', 'migrations'), { recursive: true });
  copyFileSync(join(projectRoot, 'supabase', 'config.toml'), join(dir, 'supabase', 'config.toml'));
  for (const file of readdirSync(fixturesDir).filter((f) => f.endsWith('.sql'))) {
    copyFileSync(join(fixturesDir, file), join(dir, 'supabase', 'migrations', file));
  }
  return dir;
}

/**
 * Brings up a cluster with the fixture migrations (`project: false`) or the project's own migrations and seed
 * (`project: true`), then a REST server in front of it. Ports 24410-24419 lie below Linux's ephemeral range, but
 * another program may still hold one: each candidate port is tried on a brand-new cluster until one binds.
 */
export async function startTestStack(opts: { ports: number[]; project: boolean; schemas?: string[] }): Promise<TestStack> {
  for (const [i, port] of opts.ports.entries()) {
    try {
      return await startOn(port, opts);
    } catch (err) {
      if (i === opts.ports.length - 1 || !/Is another server using port/.test((err as Error).message)) throw err;
      log.warn('port busy, trying the next one', { port });
    }
  }
  throw new Error('no port to try');
}

async function startOn(port: number, opts: { project: boolean; schemas?: string[] }): Promise<TestStack> {
  const tempDir = opts.project ? mkdtempSync(join(tmpdir(), 'mr-rest-project-')) : fixtureWorkdir();
  if (opts.project) chmodSync(tempDir, 0o755);
  const cfg = loadConfig({
    STACK_STATE_DIR: join(tempDir, '.stack'),
    STACK_DB_PORT: String(port),
    STACK_WORKDIR: opts.project ? projectRoot : tempDir,
  });
  try {
    await up(cfg, log);
  } catch (err) {
    await down(cfg, log).catch(() => {});
    rmSync(tempDir, { recursive: true, force: true });
    throw err;
  }
  const rest = await startRest({
    port: 0,
    dbUrl: dbUrl(cfg, { user: 'authenticator', sslmode: false }),
    jwtSecret: demoKeys.jwtSecret,
    schemas: opts.schemas,
  });
  const admin = postgres(dbUrl(cfg, { sslmode: false }), { max: 1, onnotice: () => {} });
  return {
    cfg, rest, admin,
    restUrl: `http://127.0.0.1:${rest.port}`,
    async stop() {
      await rest.close();
      await admin.end();
      await down(cfg, log).catch(() => {});
      rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

/** An access token as Auth would mint it for a user (HS256, the demo secret). */
export function userToken(sub: string, email: string, extra: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({
    sub, email, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 3600,
    app_metadata: { provider: 'email' }, user_metadata: {}, is_anonymous: false, ...extra,
  }, demoKeys.jwtSecret);
}

/** The official client, as an app would create it; `token` makes it act as that user. */
export function client(url: string, token?: string, schema?: string) {
  return createClient(url, demoKeys.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    db: schema ? { schema } : undefined,
    global: token ? { headers: { Authorization: `Bearer ${token}` } } : undefined,
  });
}
