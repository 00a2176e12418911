// Tenant rate limits as upstream counts them (Realtime.RateCounter): events are added to the current bucket, a
// tick closes it, and the limit trips on the average rate over the last `rateBuckets` closed buckets, so sustained
// load trips it, not a single burst. One interval drives every counter.
import type { RealtimeLimits } from './options.ts';

export class RateCounter {
  private current = 0;
  private closed: number[] = [];
  /** Events per second averaged over the closed buckets. */
  avg = 0;

  constructor(
    private tickMs: number,
    private buckets: number,
    readonly limit: number,
  ) {}

  add(n = 1): void {
    this.current += n;
  }

  tick(): void {
    this.closed.push(this.current);
    if (this.closed.length > this.buckets) this.closed.shift();
    this.current = 0;
    const sum = this.closed.reduce((a, b) => a + b, 0);
    this.avg = sum / ((this.closed.length * this.tickMs) / 1000);
  }

  /** Upstream compares `avg > max`. */
  get tripped(): boolean {
    return this.avg > this.limit;
  }
}

export class TenantLimits {
  readonly events: RateCounter;
  readonly joins: RateCounter;
  readonly presence: RateCounter;
  private timer: NodeJS.Timeout;

  constructor(
    readonly config: RealtimeLimits,
    onTick: () => void,
  ) {
    const { rateTickMs: tick, rateBuckets: n } = config;
    this.events = new RateCounter(tick, n, config.maxEventsPerSecond);
    this.joins = new RateCounter(tick, n, config.maxJoinsPerSecond);
    this.presence = new RateCounter(tick, n, config.maxPresenceEventsPerSecond);
    this.timer = setInterval(() => {
      this.events.tick();
      this.joins.tick();
      this.presence.tick();
      onTick();
    }, tick);
    this.timer.unref();
  }

  /** Erlang term size is what upstream measures; JSON byte length is our stand-in. */
  get maxPayloadBytes(): number {
    return this.config.maxPayloadSizeKb * 1000 + 500;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
