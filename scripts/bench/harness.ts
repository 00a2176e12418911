// What the benches on the full local platform share: an isolated stack (a fresh state folder and ports of its own,
// never the dev stack's, removed when the bench ends), a SQL connection as `postgres`, supabase-js clients signed in
// as given users, the seed's ids, and percentiles.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import postgres from 'postgres';
import WebSocket from 'ws';
import { dbUrl, demoKeys, loadConfig, projectRoot, type StackConfig } from '../../stack/config.ts';
import { createLogger } from '../../stack/log.ts';
import { signJwt } from '../../stack/shared/jwt.ts';
import { startStack } from '../../stack/supervisor.ts';
import { httpFetch } from './http-fetch.ts';

/** Ids from supabase/seed.sql. */
export const seed = {
  acme: '00000000-0000-4000-a000-000000000001',
  /** Alice, Acme's admin and the seed meetings' host. */
  alice: '00000000-0000-4000-b000-00000000000a',
} as const;

export interface BenchStack {
  cfg: StackConfig;
  /** State folder; cpu.ts finds the cluster's processes by it. */
  stateDir: string;
  /** A plain SQL connection as `postgres`, as the service side or a migration would hold. */
  sql: postgres.Sql;
  stop(): Promise<void>;
}

/**
 * The whole platform (Postgres with the project's migrations and seed, Realtime, Auth, REST, functions, gateway) on
 * ports 28321/28322. Upstream's tenant limits (events and channel joins per second) are lifted: a bench measures
 * delivery, not the limits.
 */
export async function startBenchStack(): Promise<BenchStack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'mr-bench-stack-'));
  chmodSync(stateDir, 0o755);
  const cfg = loadConfig({ STACK_STATE_DIR: stateDir, STACK_API_PORT: '28321', STACK_DB_PORT: '28322', STACK_WORKDIR: projectRoot });
  process.env.TENANT_MAX_EVENTS_PER_SECOND ??= '1000000';
  process.env.TENANT_MAX_JOINS_PER_SECOND ??= '1000000';
  const stack = await startStack(cfg, createLogger('bench:stack'));
  const sql = postgres(dbUrl(cfg, { sslmode: false }), { max: 2, onnotice: () => {} });
  return {
    cfg, stateDir, sql,
    async stop() {
      await sql.end();
      await stack.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** A supabase-js client as a frontend holds it, signed in as `userId` (a JWT signed with the stack's secret). */
export function benchClient(cfg: StackConfig, userId: string): SupabaseClient {
  const token = () => signJwt({ sub: userId, role: 'authenticated', aud: 'authenticated', exp: Math.floor(Date.now() / 1000) + 3600 }, demoKeys.jwtSecret);
  return createClient(`http://127.0.0.1:${cfg.apiPort}`, demoKeys.anonKey, {
    accessToken: async () => token(), auth: { persistSession: false }, global: { fetch: httpFetch },
    // The ws package rather than Node 20's experimental WebSocket: many receivers share the 2 cores with the
    // platform, and the harness's own cost per delivery should be as small as a client's can be.
    realtime: { transport: WebSocket as never },
  });
}

export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
export const ms = (x: number) => `${x.toFixed(2)} ms`;
