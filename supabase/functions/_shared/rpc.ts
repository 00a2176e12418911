// One RPC as the caller; a refusal becomes the ApiError the client gets (see errors.ts).
import type { Database } from '../../../types/database.ts';
import { fromPostgrest } from './errors.ts';
import type { UserClient } from './supabase.ts';

type Functions = Database['public']['Functions'];

export async function callRpc<N extends keyof Functions>(
  supabase: UserClient, name: N, args: Functions[N]['Args'],
): Promise<NonNullable<Functions[N]['Returns']>> {
  const { data, error, status } = await supabase.rpc(name, args as never);
  if (error) throw fromPostgrest(error, status);
  return data as unknown as NonNullable<Functions[N]['Returns']>;
}
