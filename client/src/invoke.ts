// Calls one edge function with supabase-js and turns every failure into a typed MeetingActionError: the contract's
// error body when the function answered, `network` when it could not be reached (safe to retry for idempotent calls).
import {
  FunctionsFetchError,
  FunctionsHttpError,
  FunctionsRelayError,
  type SupabaseClient,
} from '@supabase/supabase-js';
import type { ErrorCode, FunctionErrorBody, FunctionRequest, FunctionResponse } from '../../types/contract.ts';
import type { Database } from '../../types/database.ts';

export type MeetingSupabase = SupabaseClient<Database>;
type Invocable = Exclude<keyof import('../../types/contract.ts').FunctionContract, 'presence:get'>;

export class MeetingActionError extends Error {
  constructor(
    readonly action: string,
    /** The HTTP status; 0 when the function could not be reached. */
    readonly status: number,
    readonly code: ErrorCode | 'network',
    message: string,
    readonly details?: Record<string, unknown>,
    /** Seconds to wait before retrying (429). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'MeetingActionError';
  }

  /** Worth retrying with the same input: the server did not answer, or answered that it could not right now. */
  get transient(): boolean {
    return this.status === 0 || this.status >= 500;
  }
}

export async function invokeFunction<N extends Invocable>(
  supabase: MeetingSupabase,
  name: N,
  body: FunctionRequest<N>,
): Promise<FunctionResponse<N>> {
  const { data, error } = await supabase.functions.invoke(name, { body: body as Record<string, unknown> });
  if (!error) return data as FunctionResponse<N>;
  if (error instanceof FunctionsHttpError) {
    const res = error.context as Response;
    const retryAfter = Number(res.headers.get('Retry-After') ?? NaN);
    let parsed: FunctionErrorBody | undefined;
    try {
      parsed = (await res.json()) as FunctionErrorBody;
    } catch {
      parsed = undefined;
    }
    return Promise.reject(
      new MeetingActionError(
        name,
        res.status,
        parsed?.error.code ?? (res.status >= 500 ? 'internal_error' : 'bad_request'),
        parsed?.error.message ?? `${name} answered ${res.status}`,
        parsed?.error.details,
        Number.isFinite(retryAfter) ? retryAfter : undefined,
      ),
    );
  }
  if (error instanceof FunctionsFetchError || error instanceof FunctionsRelayError) {
    return Promise.reject(new MeetingActionError(name, 0, 'network', 'the server could not be reached'));
  }
  return Promise.reject(new MeetingActionError(name, 0, 'network', (error as Error).message));
}
