// Sending one chat message so it is stored exactly once: the same client_id on every attempt (the database answers a
// repeat with the stored row), retried while the server cannot be reached or answers 5xx (backoff up to 5 s), and
// after a 429 once its Retry-After has passed. MeetingSession.send uses it with its pending-message state; a sender
// that is not in the live room (a bot, an integration, a load test) calls it directly.
import type { FunctionRequest, FunctionResponse } from '../../types/contract.ts';
import { invokeFunction, MeetingActionError, type MeetingSupabase } from './invoke.ts';

export interface SendMessageOptions {
  /** Attempts after transient failures (network, 5xx) before giving up; a 429 wait does not count. */
  maxAttempts?: number;
  /** How to wait (a session cancels its waits when disposed). */
  wait?: (ms: number) => Promise<void>;
  /** A 429: waiting `error.retryAfter` seconds before the next attempt. */
  onWaiting?: (error: MeetingActionError) => void;
  /** Sending again after a wait. */
  onResumed?: () => void;
  /** A transient failure (network, 5xx) that will be retried after a backoff. */
  onRetry?: (error: MeetingActionError, attempt: number) => void;
  /** Before each retry after a transient failure, e.g. until the session is live again. */
  beforeRetry?: () => Promise<void>;
}

export const retryDelayMs = (attempt: number) => Math.min(5000, 250 * 2 ** (attempt - 1));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function sendMessage(
  supabase: MeetingSupabase,
  input: FunctionRequest<'send-message'>,
  opts: SendMessageOptions = {},
): Promise<FunctionResponse<'send-message'>> {
  const maxAttempts = opts.maxAttempts ?? 6;
  const wait = opts.wait ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await invokeFunction(supabase, 'send-message', input);
    } catch (err) {
      const error = err as MeetingActionError;
      if (error instanceof MeetingActionError && error.status === 429 && error.retryAfter !== undefined) {
        opts.onWaiting?.(error);
        await wait(error.retryAfter * 1000);
        opts.onResumed?.();
        attempt = 0;
        continue;
      }
      if (error instanceof MeetingActionError && error.transient && attempt < maxAttempts) {
        opts.onRetry?.(error, attempt);
        await wait(retryDelayMs(attempt));
        await opts.beforeRetry?.();
        continue;
      }
      throw err;
    }
  }
}
