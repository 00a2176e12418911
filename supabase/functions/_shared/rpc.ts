// One RPC as the caller, answering the result type the contract declares for it (types/contract.ts RpcResults); a
// refusal becomes the ApiError the client gets (see errors.ts).
import type { Database } from '../../../types/database.ts';
import type { RpcName, RpcResult } from '../../../types/contract.ts';
import { fromPostgrest } from './errors.ts';
import type { UserClient } from './supabase.ts';

export async function callRpc<N extends RpcName>(
  supabase: UserClient,
  name: N,
  args: Database['public']['Functions'][N]['Args'],
): Promise<RpcResult<N>> {
  const { data, error, status } = await supabase.rpc(name, args as never);
  if (error) throw fromPostgrest(error, status);
  // The one place the generated (all-nullable) composite types meet the contract's shapes.
  return data as unknown as RpcResult<N>;
}
