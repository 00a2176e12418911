// A supabase-js client that acts as the caller: their JWT goes with every request, so RLS and auth.uid() apply.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '../../../types/database.ts';

export type UserClient = SupabaseClient<Database>;

export function env(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export function userClient(accessToken: string): UserClient {
  return createClient<Database>(env('SUPABASE_URL'), env('SUPABASE_ANON_KEY'), {
    global: { headers: { Authorization: `Bearer ${accessToken}` } },
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
}
