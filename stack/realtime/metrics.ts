// Prometheus text exposition of what an operator of the real server watches: sockets, channels, joins, events
// in/out, how long authorization probes take and how long a committed row takes to reach subscribers.

export class Counter {
  value = 0;
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(n = 1): void {
    this.value += n;
  }
}

export class Gauge {
  value = 0;
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  set(v: number): void {
    this.value = v;
  }
}

export class Histogram {
  private counts: number[];
  sum = 0;
  count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[],
  ) {
    this.counts = buckets.map(() => 0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]) this.counts[i]++;
  }
  lines(): string[] {
    const out = this.buckets.map((b, i) => `${this.name}_bucket{le="${b}"} ${this.counts[i]}`);
    out.push(
      `${this.name}_bucket{le="+Inf"} ${this.count}`,
      `${this.name}_sum ${this.sum}`,
      `${this.name}_count ${this.count}`,
    );
    return out;
  }
}

const secondsBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class Metrics {
  connections = new Gauge('realtime_connections', 'Open WebSocket connections');
  channels = new Gauge('realtime_channels', 'Joined channels');
  joins = new Counter('realtime_joins_total', 'Channel joins that succeeded');
  joinErrors = new Counter('realtime_join_errors_total', 'Channel joins refused');
  eventsIn = new Counter('realtime_events_in_total', 'Broadcast, presence and REST messages received');
  eventsOut = new Counter('realtime_events_out_total', 'Messages delivered to channels (one per recipient)');
  dbEvents = new Counter('realtime_db_broadcasts_total', 'Rows of realtime.messages replicated and broadcast');
  pgChanges = new Counter('realtime_postgres_changes_total', 'Postgres changes delivered (one per channel)');
  authSeconds = new Histogram(
    'realtime_authorization_check_seconds',
    'Time of one RLS authorization probe',
    secondsBuckets,
  );
  dbBroadcastLatency = new Histogram(
    'realtime_db_broadcast_latency_seconds',
    'From the commit of a realtime.messages row to its fan-out',
    secondsBuckets,
  );

  render(): string {
    const lines: string[] = [];
    for (const m of [
      this.connections,
      this.channels,
      this.joins,
      this.joinErrors,
      this.eventsIn,
      this.eventsOut,
      this.dbEvents,
      this.pgChanges,
    ]) {
      lines.push(
        `# HELP ${m.name} ${m.help}`,
        `# TYPE ${m.name} ${m instanceof Gauge ? 'gauge' : 'counter'}`,
        `${m.name} ${m.value}`,
      );
    }
    for (const h of [this.authSeconds, this.dbBroadcastLatency]) {
      lines.push(`# HELP ${h.name} ${h.help}`, `# TYPE ${h.name} histogram`, ...h.lines());
    }
    return lines.join('\n') + '\n';
  }
}
