// Broadcasts through Realtime's REST endpoint (POST /realtime/v1/api/broadcast) with the service role: several
// messages in one call, a timeout, and retries with exponential backoff and full jitter on 5xx, 429, timeouts and
// network errors. It never throws: a stored message must not be lost because a broadcast failed, so callers get
// 'sent' or 'failed' and clients catch up from history. Every outcome is also counted where it outlives the worker
// (broadcast-metrics.ts: batched, recorded in the database about once a second, off the request's path).
import type { BroadcastOutcome, MeetingEventName, MeetingEvents } from '../../../types/contract.ts';
import { outcomeRecorder, type OutcomeRecorder } from './broadcast-metrics.ts';
import type { Logger } from './log.ts';
import { meetingTopic } from '../../../types/contract.ts';

export interface BroadcastMessage {
  topic: string;
  event: string;
  payload: unknown;
  /** Private channels by default: the meeting policies decide who receives. */
  private?: boolean;
}

export interface BroadcastOptions {
  url?: string;
  serviceRoleKey?: string;
  timeoutMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  fetch?: typeof fetch;
  log?: Logger;
  /** Where outcomes are counted: the worker's recorder by default (none where the runtime gives no database). */
  outcomes?: OutcomeRecorder | null;
}

/** This worker's counters, logged with every broadcast so a function's logs show its delivery health (the durable
 * counters are the database's: broadcast-metrics.ts). */
export const broadcastStats = { sent: 0, failed: 0, retried: 0 };

const retryable = (status: number) => status >= 500 || status === 429;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A worker's environment does not change while it lives: read once, not four times per broadcast.
let envDefaults: { url: string; serviceRoleKey: string; timeoutMs: number; maxAttempts: number } | undefined;
const defaultsFromEnv = () => ({
  url: `${Deno.env.get('SUPABASE_URL')}/realtime/v1/api/broadcast`,
  serviceRoleKey: Deno.env.get('SUPABASE_SERVICE_ROLE_KEY') ?? '',
  timeoutMs: Number(Deno.env.get('BROADCAST_TIMEOUT_MS') ?? 2000),
  maxAttempts: Number(Deno.env.get('BROADCAST_MAX_ATTEMPTS') ?? 3),
});

export async function broadcast(messages: BroadcastMessage[], opts: BroadcastOptions = {}): Promise<BroadcastOutcome> {
  if (messages.length === 0) return 'skipped';
  const defaults = (envDefaults ??= defaultsFromEnv());
  const url = opts.url ?? defaults.url;
  const key = opts.serviceRoleKey ?? defaults.serviceRoleKey;
  const timeoutMs = opts.timeoutMs ?? defaults.timeoutMs;
  const maxAttempts = opts.maxAttempts ?? defaults.maxAttempts;
  const baseDelayMs = opts.baseDelayMs ?? 100;
  const doFetch = opts.fetch ?? fetch;
  const outcomes = opts.outcomes === undefined ? outcomeRecorder() : opts.outcomes;
  const events = messages.map((m) => m.event);
  const body = JSON.stringify({
    messages: messages.map((m) => ({ topic: m.topic, event: m.event, payload: m.payload, private: m.private ?? true })),
  });
  const started = performance.now();
  let lastProblem = '';
  let attempts = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    attempts = attempt;
    try {
      const res = await doFetch(url, {
        method: 'POST',
        headers: { apikey: key, Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      if (res.ok) {
        const ms = performance.now() - started;
        broadcastStats.sent += messages.length;
        outcomes?.add(events, 'sent', attempt, ms);
        opts.log?.info('broadcast sent', { events, attempts: attempt, ms: Math.round(ms), ...broadcastStats });
        return 'sent';
      }
      lastProblem = `status ${res.status}`;
      if (!retryable(res.status)) break;
    } catch (err) {
      lastProblem = (err as Error).name === 'TimeoutError' ? `timeout after ${timeoutMs} ms` : (err as Error).message;
    }
    if (attempt < maxAttempts) {
      broadcastStats.retried++;
      await sleep(Math.random() * baseDelayMs * 2 ** (attempt - 1));
    }
  }
  const ms = performance.now() - started;
  broadcastStats.failed += messages.length;
  outcomes?.add(events, 'failed', attempts, ms);
  opts.log?.warn('broadcast failed', { events, problem: lastProblem, attempts, ms: Math.round(ms), ...broadcastStats });
  return 'failed';
}

/** One event on the private meeting:<id> channel, its payload checked against the event's type. */
export function broadcastToMeeting<E extends MeetingEventName>(
  meetingId: string,
  event: E,
  payload: MeetingEvents[E],
  opts: BroadcastOptions = {},
): Promise<BroadcastOutcome> {
  return broadcast([{ topic: meetingTopic(meetingId), event, payload }], opts);
}
