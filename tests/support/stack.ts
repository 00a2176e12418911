// An isolated local platform for cross-service tests: its own state folder and ports, the project's real
// migrations, seed and functions, started by the same supervisor as `npm start`.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import postgres from 'postgres';
import { dbUrl, demoKeys, loadConfig, projectRoot, type StackConfig } from '../../stack/config.ts';
import { createLogger } from '../../stack/log.ts';
import { startStack, type StackHandle } from '../../stack/supervisor.ts';
import type { Database } from '../../types/database.ts';

export const seedUsers = {
  alice: { id: '00000000-0000-4000-b000-00000000000a', email: 'alice@acme.test' },
  bob: { id: '00000000-0000-4000-b000-00000000000b', email: 'bob@acme.test' },
  carol: { id: '00000000-0000-4000-b000-00000000000c', email: 'carol@acme.test' },
  dave: { id: '00000000-0000-4000-b000-00000000000d', email: 'dave@globex.test' },
} as const;
export const seedOrgs = { acme: '00000000-0000-4000-a000-000000000001', globex: '00000000-0000-4000-a000-000000000002' } as const;
export const seedMeetings = {
  weeklySync: '00000000-0000-4000-c000-000000000001',
  leadership: '00000000-0000-4000-c000-000000000002',
  globexStandup: '00000000-0000-4000-c000-000000000003',
} as const;
export const seedPassword = 'password123';

export type Client = SupabaseClient<Database>;

export interface TestStack {
  cfg: StackConfig;
  url: string;
  handle: StackHandle;
  /** Superuser SQL on the stack's database, for fixtures and for checking what was stored. */
  sql: postgres.Sql;
  anon(): Client;
  signIn(user: keyof typeof seedUsers): Promise<{ client: Client; userId: string; accessToken: string }>;
  stop(): Promise<void>;
}

export async function startTestStack(name: string, apiPort: number): Promise<TestStack> {
  const stateDir = mkdtempSync(join(tmpdir(), `mr-${name}-`));
  chmodSync(stateDir, 0o755); // the postgres OS user keeps its cluster inside
  const cfg = loadConfig({
    STACK_STATE_DIR: stateDir, STACK_API_PORT: String(apiPort), STACK_DB_PORT: String(apiPort + 1), STACK_WORKDIR: projectRoot,
  });
  const handle = await startStack(cfg, createLogger(`stack:${name}`));
  const sql = postgres(dbUrl(cfg, { sslmode: false }), { max: 2, onnotice: () => {} });
  const url = `http://127.0.0.1:${cfg.apiPort}`;
  const clients: Client[] = [];
  const newClient = () => {
    const client = createClient<Database>(url, demoKeys.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
    clients.push(client);
    return client;
  };
  return {
    cfg, url, handle, sql,
    anon: newClient,
    async signIn(user) {
      const client = newClient();
      const { data, error } = await client.auth.signInWithPassword({ email: seedUsers[user].email, password: seedPassword });
      if (error || !data.session) throw new Error(`sign-in of ${user} failed: ${error?.message}`);
      return { client, userId: data.user!.id, accessToken: data.session.access_token };
    },
    async stop() {
      await Promise.all(clients.map((c) => c.removeAllChannels()));
      await sql.end();
      await handle.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
