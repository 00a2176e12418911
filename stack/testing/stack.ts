// The one test-stack starter: the whole local platform, started by the same supervisor as `npm start` (Postgres with
// the project's migrations and seed, then the host process with every service and the gateway), in a temp state
// folder and on ports of its own, for end-to-end tests, the client's tests and the benches.
import { rmSync } from 'node:fs';
import type { SupabaseClient } from '@supabase/supabase-js';
import postgres from 'postgres';
import { apiUrl, dbUrl, loadConfig, projectRoot, type StackConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { startStack, type StackHandle } from '../supervisor.ts';
import type { Database } from '../../types/database.ts';
import { testClient } from './clients.ts';
import { tempDir } from './project.ts';
import { seedPassword, seedUsers, type SeedUser } from './seed.ts';

export type Client = SupabaseClient<Database>;

export interface TestStack {
  cfg: StackConfig;
  /** The gateway's URL, as supabase-js is given it. */
  url: string;
  handle: StackHandle;
  /** Superuser SQL on the stack's database, for fixtures and for checking what was stored. */
  sql: postgres.Sql;
  /** A new client with the anon key and no session (closed by stop()). */
  anon(): Client;
  /** A new client signed in as a seeded user with its password, as an app signs in. */
  signIn(user: SeedUser): Promise<{ client: Client; userId: string; accessToken: string }>;
  stop(): Promise<void>;
}

/**
 * Starts the platform with its gateway on `apiPort` and the database on `apiPort + 1`; the services take the ports
 * stack/config.ts derives from the API port. `name` names the state folder (`mr-<name>-…`) and the log.
 */
export async function startTestStack(name: string, apiPort: number): Promise<TestStack> {
  const stateDir = tempDir(name);
  const cfg = loadConfig({
    STACK_STATE_DIR: stateDir,
    STACK_API_PORT: String(apiPort),
    STACK_DB_PORT: String(apiPort + 1),
    STACK_WORKDIR: projectRoot,
  });
  const handle = await startStack(cfg, createLogger(`stack:${name}`));
  const sql = postgres(dbUrl(cfg, { sslmode: false }), { max: 2, onnotice: () => {} });
  const url = apiUrl(cfg);
  const clients: Client[] = [];
  const newClient = () => {
    const client: Client = testClient<Database>(url);
    clients.push(client);
    return client;
  };
  return {
    cfg,
    url,
    handle,
    sql,
    anon: newClient,
    async signIn(user) {
      const client = newClient();
      const { data, error } = await client.auth.signInWithPassword({
        email: seedUsers[user].email,
        password: seedPassword,
      });
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
