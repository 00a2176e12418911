// Broadcast outcomes, counted where they outlive the worker. A worker is short-lived, so counts kept in its memory
// would vanish with it: each outcome (event, sent or failed, retries, seconds) goes into a small batch in memory,
// and the batch goes to the database (public.record_broadcast_outcomes, with the service role) at most about once a
// second and when the runtime is about to stop the worker. The database sums every worker's batches; an operator
// reads them as Prometheus text (public.broadcast_metrics: the gateway's GET /metrics, the `metrics` function).
// Recording never throws into a request and never delays a reply: a flush runs on its own, and a batch that could
// not be recorded is merged into the next one (the batch holds one row per event and outcome, so it stays small).
import { createLogger } from './log.ts';
import type { Json } from '../../../types/database.ts';
import { serviceClient } from './supabase.ts';

/** One event's outcomes in a batch, as public.record_broadcast_outcomes takes them. */
export interface OutcomeRow {
  event: string;
  outcome: 'sent' | 'failed';
  /** Events broadcast with this outcome. */
  broadcasts: number;
  /** Attempts beyond the first that they needed. */
  retries: number;
  /** Sum of their time from first attempt to outcome. */
  seconds: number;
}

export interface RecorderOptions {
  /** Records one batch; rejects when it was not recorded. */
  send(rows: OutcomeRow[]): Promise<void>;
  /** The longest an outcome waits in memory (1 s). */
  intervalMs?: number;
  /** After failed flushes the wait doubles, up to this (30 s). */
  maxIntervalMs?: number;
  /** Distinct (event, outcome) rows kept at most; outcomes past it are dropped and counted (100). */
  maxRows?: number;
  /** Keeps the worker alive until the promise settles (the runtime's EdgeRuntime.waitUntil). */
  waitUntil?: (p: Promise<unknown>) => void;
  onError?: (err: unknown, failures: number) => void;
}

/** A batch of outcomes in memory, flushed on a timer; see the file comment. */
export class OutcomeRecorder {
  private rows = new Map<string, OutcomeRow>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<void> | undefined;
  private settleScheduled: (() => void) | undefined;
  private failures = 0;
  /** Outcomes dropped because the batch was full (only while the database keeps refusing). */
  dropped = 0;

  constructor(private readonly opts: RecorderOptions) {}

  /** Adds one broadcast's outcome for each of its events; schedules a flush. Never throws. */
  add(events: string[], outcome: OutcomeRow['outcome'], attempts: number, ms: number): void {
    for (const event of events) {
      this.merge({ event, outcome, broadcasts: 1, retries: Math.max(0, attempts - 1), seconds: ms / 1000 });
    }
    this.schedule();
  }

  /** Outcomes waiting for the next flush. */
  pending(): OutcomeRow[] {
    return [...this.rows.values()].map((r) => ({ ...r }));
  }

  /** Records what is waiting now. Resolves when done (or kept for the next flush); never rejects. */
  flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const settle = this.settleScheduled;
    this.settleScheduled = undefined;
    const flushed = this.inFlight ? this.inFlight.then(() => this.flush()) : this.send();
    return settle ? flushed.then(settle) : flushed;
  }

  private send(): Promise<void> {
    if (this.rows.size === 0) return Promise.resolve();
    const batch = [...this.rows.values()];
    this.rows = new Map();
    this.inFlight = (async () => {
      try {
        await this.opts.send(batch);
        this.failures = 0;
      } catch (err) {
        this.failures++;
        for (const row of batch) this.merge(row);
        try {
          this.opts.onError?.(err, this.failures);
        } catch {
          // a logger that fails must not break recording
        }
      } finally {
        this.inFlight = undefined;
      }
      if (this.rows.size > 0) this.schedule();
    })();
    return this.inFlight;
  }

  private merge(row: OutcomeRow): void {
    const key = `${row.event}\u0000${row.outcome}`;
    const kept = this.rows.get(key);
    if (kept) {
      kept.broadcasts += row.broadcasts;
      kept.retries += row.retries;
      kept.seconds += row.seconds;
    } else if (this.rows.size < (this.opts.maxRows ?? 100)) {
      this.rows.set(key, { ...row });
    } else {
      this.dropped += row.broadcasts;
    }
  }

  private schedule(): void {
    if (this.timer !== undefined || this.inFlight) return;
    const base = this.opts.intervalMs ?? 1000;
    const delay = Math.min(base * 2 ** this.failures, Math.max(base, this.opts.maxIntervalMs ?? 30_000));
    this.timer = setTimeout(() => void this.flush(), delay);
    // The runtime keeps the worker until this flush (by the timer, or sooner by flush()) has settled.
    if (this.opts.waitUntil) this.opts.waitUntil(new Promise<void>((resolve) => (this.settleScheduled = resolve)));
  }
}

type EdgeRuntimeGlobal = { EdgeRuntime?: { waitUntil(p: Promise<unknown>): void } };

let recorder: OutcomeRecorder | null | undefined;

/**
 * The worker's recorder, sending to this project's database with the service role; null where the runtime gives no
 * SUPABASE_URL / SUPABASE_SERVICE_ROLE_KEY (the Deno unit tests), so nothing is recorded there.
 */
export function outcomeRecorder(): OutcomeRecorder | null {
  if (recorder !== undefined) return recorder;
  if (!Deno.env.get('SUPABASE_URL') || !Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')) return (recorder = null);
  const runtime = (globalThis as EdgeRuntimeGlobal).EdgeRuntime;
  const waitUntil = runtime ? (p: Promise<unknown>) => runtime.waitUntil(p) : undefined;
  const log = createLogger(Deno.env.get('SUPABASE_FUNCTION_SLUG') ?? 'functions');
  const created = new OutcomeRecorder({
    async send(rows) {
      const { error } = await serviceClient()
        .rpc('record_broadcast_outcomes', { outcomes: rows as unknown as Json })
        .abortSignal(AbortSignal.timeout(5000));
      if (error) throw new Error(error.message);
    },
    waitUntil,
    onError(err, failures) {
      // Once per streak of failures: the counts are kept and retried, a line a second would only be noise.
      if (failures === 1) {
        log.warn('broadcast outcomes not recorded yet; kept for the next flush', {
          error: err instanceof Error ? err.message : String(err),
        });
      }
    },
  });
  // The runtime is about to stop this worker: record what is waiting (hosted: within the time it grants).
  globalThis.addEventListener('beforeunload', () => {
    const flushed = created.flush();
    waitUntil?.(flushed);
  });
  return (recorder = created);
}
