// The official client as tests and benches hold it: no stored session, no background refresh, and the caller's
// identity given the way the test needs it.
import { createClient } from '@supabase/supabase-js';
import { demoKeys } from '../config.ts';

export interface TestClientOptions {
  /** The API key (`apikey`); the anon key by default. */
  key?: string;
  /**
   * Who the client acts as. A string: sent as `Authorization: Bearer` on every request. A function: supabase-js's
   * `accessToken` option (what a project signed in elsewhere gives it; Realtime re-reads it on every heartbeat).
   */
  token?: string | (() => string | null);
  /** The database schema (`Accept-Profile` / `Content-Profile`). */
  schema?: string;
  headers?: Record<string, string>;
  realtime?: Record<string, unknown>;
  fetch?: typeof fetch;
}

/** The client testClient gives; `Database` types its queries (any by default). */
export type TestClient<Database = any> = ReturnType<typeof createClient<Database>>;

/** A client of `url` (the gateway, or one service served alone). */
export function testClient<Database = any>(url: string, opts: TestClientOptions = {}): TestClient<Database> {
  const { token } = opts;
  const headers = { ...opts.headers, ...(typeof token === 'string' ? { Authorization: `Bearer ${token}` } : {}) };
  return createClient<Database>(url, opts.key ?? demoKeys.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    ...(typeof token === 'function' ? { accessToken: async () => token() } : {}),
    db: opts.schema ? { schema: opts.schema as never } : undefined,
    global: { headers, ...(opts.fetch ? { fetch: opts.fetch } : {}) },
    realtime: opts.realtime,
  });
}
