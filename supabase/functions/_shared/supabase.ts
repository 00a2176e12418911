// supabase-js clients: one that acts as the caller (their JWT goes with every request, so RLS and auth.uid() apply),
// and the service role client for the functions' own bookkeeping.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '../../../types/database.ts';

export type UserClient = SupabaseClient<Database>;

export function env(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

// Building a client costs ~0.4 ms of CPU; a warm worker keeps one per access token (the client holds nothing but
// the token), oldest dropped first.
const clients = new Map<string, UserClient>();
const MAX_CLIENTS = 500;

export function userClient(accessToken: string): UserClient {
  const cached = clients.get(accessToken);
  if (cached) return cached;
  const client = createClient<Database>(env('SUPABASE_URL'), env('SUPABASE_ANON_KEY'), {
    global: { headers: { Authorization: `Bearer ${accessToken}` } },
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  if (clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value!);
  clients.set(accessToken, client);
  return client;
}

let service: UserClient | undefined;

/** The function acting as itself, with the service role key the runtime gives (RLS bypassed): only for the server's
 * own bookkeeping (recording broadcast outcomes, reading them for a caller checked to be the service role). */
export function serviceClient(): UserClient {
  return (service ??= createClient<Database>(env('SUPABASE_URL'), env('SUPABASE_SERVICE_ROLE_KEY'), {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  }));
}
