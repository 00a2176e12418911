// `npm run bench:realtime`: this server vs a bare `ws` broadcast loop vs Socket.IO rooms, on one harness. Each
// server runs in its own process and reports its own CPU time and memory; senders and receivers run in another
// process. Repetitions are interleaved (every peer in turn, order rotated each round) and the table shows medians.
// Not part of `npm test`. Takes about three to four minutes on 2 cores. `runRealtimeBench` is also section 1 and 4
// of `npm run bench` (scripts/bench/all.ts), which reads the per-round values it returns.
// BENCH_REPS (rounds), BENCH_MS (measured ms per run), BENCH_IDLE_SOCKETS (idle socket counts, comma-separated).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { flagsFromEnv } from '../../config.ts';
import { startTestCluster } from '../../testing/cluster.ts';
import { userToken } from '../../testing/tokens.ts';
import type { Kind } from './load.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const peers: Kind[] = ['realtime', 'ws', 'socketio'];
const label: Record<Kind, string> = { realtime: 'this server', ws: 'bare ws', socketio: 'Socket.IO' };
// Fixed rates: 1 receiver at 1,000 msg/s; 200 msg/s to 50 receivers and 50 msg/s to 200 (10k deliveries/s each).
export const fanouts = [
  { receivers: 1, rate: 1000 },
  { receivers: 50, rate: 200 },
  { receivers: 200, rate: 50 },
];
const benchUser = '44444444-4444-4444-8444-444444444444';
/** Open files a process needs beyond its sockets (stdio, IPC, the database pool, modules being read). */
const FD_HEADROOM = 100;

export interface RealtimeBenchOptions {
  /** Interleaved rounds. */
  reps: number;
  /** Measured ms per run (after 500 ms unmeasured at the same rate). */
  measureMs: number;
  /** Idle socket counts to measure memory at, in turn. */
  idleSockets: number[];
  /** Private joins: sockets × channels each, per round. */
  joinSockets: number;
  joinsPerSocket: number;
  /** A line of progress (stderr by default). */
  progress?: (message: string) => void;
}

/** Per-round values, keyed `<kind>:<receivers>` (fan-out measures) or by kind (peak: `<kind>:<receivers>` too). */
export interface RealtimeBenchRaw {
  cpuUsPerDelivery: Record<string, number[]>;
  p50Ms: Record<string, number[]>;
  p95Ms: Record<string, number[]>;
  p99Ms: Record<string, number[]>;
  peakDeliveriesPerSecond: Record<string, number[]>;
  /** Memory per idle joined socket at each requested count; `sockets` is the count held (less when files ran out). */
  idle: { requested: number; sockets: number; kbPerSocket: Record<Kind, number | null>; skipped?: string }[];
  privateJoinsPerSecond: number[];
  seconds: number;
}

// Membership rows the user may read are what grants a room: RLS on both tables, no definer helper.
const migration = `
create table public.bench_rooms (room text not null, user_id uuid not null, primary key (room, user_id));
alter table public.bench_rooms enable row level security;
create policy "members see their own rooms" on public.bench_rooms for select to authenticated
  using (user_id = (select auth.uid()));
create policy "bench room members receive" on realtime.messages for select to authenticated
  using (realtime.messages.extension in ('broadcast', 'presence')
         and exists (select 1 from public.bench_rooms r where r.room = (select realtime.topic())));
`;
const seed = `insert into public.bench_rooms select 'bench:' || g, '${benchUser}' from generate_series(0, 99) g;`;

/** The open-file limit of a running process (/proc/<pid>/limits), soft. */
function openFileLimit(pid: number): number {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === 'unlimited' ? Infinity : Number(soft);
}

class Child {
  private pending: ((m: Record<string, unknown>) => void)[] = [];
  constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: Record<string, unknown>) => this.pending.shift()?.(m));
  }
  /**
   * Starts `file` in a Node process of its own with an IPC channel, through a shell that first raises the open-file
   * limit to `openFiles` (root may raise the hard limit; anyone may raise the soft limit up to the hard one).
   */
  static async start(
    file: string,
    args: string[],
    openFiles: number,
  ): Promise<{ child: Child; hello: Record<string, unknown> }> {
    const raise = `ulimit -n ${openFiles} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"`;
    const proc = spawn(
      '/bin/sh',
      // STACK_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) reaches the servers, as it does the platform.
      [
        '-c',
        raise,
        'sh',
        process.execPath,
        '--import',
        'tsx',
        '--expose-gc',
        ...flagsFromEnv('STACK_NODE_ARGS'),
        join(here, file),
        ...args,
      ],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    const child = new Child(proc);
    const hello = await child.next();
    return { child, hello };
  }
  next(): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.pending.push(resolve));
  }
  async ask<T>(msg: Record<string, unknown>): Promise<T> {
    const answer = this.next();
    this.proc.send(msg);
    const m = await answer;
    if (m.ok === false) throw new Error(String(m.error));
    return (m.result ?? m) as T;
  }
}

interface Stats {
  cpu: number;
  rss: number;
  heap: number;
}
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

export async function runRealtimeBench(opts: RealtimeBenchOptions): Promise<RealtimeBenchRaw> {
  const progress = opts.progress ?? ((m: string) => process.stderr.write(`${m}\n`));
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
  // Enough for the largest idle count and for the widest fan-out's receivers and sender, whichever is more.
  const openFiles = Math.max(...opts.idleSockets, ...fanouts.map((f) => f.receivers + 1)) + FD_HEADROOM;
  const db = await startTestCluster({
    name: 'realtime-bench',
    ports: [24377, 24378, 24379],
    project: { migrations: { '20260101000000_realtime_fixture.sql': migration }, seed },
  });
  const token = userToken(benchUser);
  const servers = {} as Record<Kind, { child: Child; port: number }>;
  let load: Child | undefined;
  try {
    for (const kind of peers) {
      const { child, hello } = await Child.start('peers.ts', [kind, db.url('supabase_admin')], openFiles);
      servers[kind] = { child, port: hello.port as number };
    }
    load = (await Child.start('load.ts', [], openFiles)).child;
    const stats = (k: Kind) => servers[k].child.ask<Stats>({ cmd: 'stats' });

    const raw: RealtimeBenchRaw = {
      cpuUsPerDelivery: {},
      p50Ms: {},
      p95Ms: {},
      p99Ms: {},
      peakDeliveriesPerSecond: {},
      idle: [],
      privateJoinsPerSecond: [],
      seconds: 0,
    };
    const add = (m: Record<string, number[]>, key: string, v: number) => (m[key] ??= []).push(v);
    for (let rep = 0; rep < opts.reps; rep++) {
      const order = peers.map((_, i) => peers[(i + rep) % peers.length]);
      for (const { receivers, rate } of fanouts) {
        for (const kind of order) {
          await load.ask({ cmd: 'setup', kind, port: servers[kind].port, receivers, room: `r${rep}-${receivers}` });
          await load.ask({ cmd: 'run', rate, ms: 500, measure: false });
          const before = await stats(kind);
          const res = await load.ask<{ deliveries: number; latencies: number[] }>({
            cmd: 'run',
            rate,
            ms: opts.measureMs,
            measure: true,
          });
          const after = await stats(kind);
          // Peak on the same receivers: as fast as deliveries keep up, a bounded window in flight.
          await load.ask({ cmd: 'run', rate: 0, ms: 300, measure: false });
          const peak = await load.ask<{ deliveries: number; seconds: number }>({
            cmd: 'run',
            rate: 0,
            ms: opts.measureMs,
            measure: true,
          });
          await load.ask({ cmd: 'teardown' });
          const key = `${kind}:${receivers}`;
          add(raw.cpuUsPerDelivery, key, (after.cpu - before.cpu) / res.deliveries);
          add(raw.p50Ms, key, pct(res.latencies, 0.5) / 1000);
          add(raw.p95Ms, key, pct(res.latencies, 0.95) / 1000);
          add(raw.p99Ms, key, pct(res.latencies, 0.99) / 1000);
          add(raw.peakDeliveriesPerSecond, key, peak.deliveries / peak.seconds);
        }
        progress(`realtime: round ${rep + 1}/${opts.reps}, 1→${receivers} done (${elapsed()})`);
      }
    }

    for (const requested of opts.idleSockets) {
      const kb = { realtime: null, ws: null, socketio: null } as Record<Kind, number | null>;
      // A process holds its sockets and a few more files; with a lower open-file limit (which only a process with
      // CAP_SYS_RESOURCE can raise past its hard value), the most that fit is measured and the shortfall said.
      const limit = Math.min(...[load, ...peers.map((k) => servers[k].child)].map((c) => openFileLimit(c.proc.pid!)));
      const sockets = Math.min(requested, limit - FD_HEADROOM);
      const skipped =
        sockets < requested
          ? `open-file limit ${limit} holds ${sockets} (raise the hard limit to ${requested + FD_HEADROOM}: ulimit -Hn as root with CAP_SYS_RESOURCE, or limits.conf)`
          : undefined;
      if (skipped) progress(`realtime: ${requested} idle sockets: ${skipped}`);
      // The marginal cost: RSS grown by the second half of the sockets. The first half also pays what a process
      // allocates once (heap spaces reserved, code compiled, pool buffers), which is no socket's and would make a
      // count look dearer the smaller it is.
      const half = Math.floor(sockets / 2);
      for (const kind of peers) {
        try {
          await load.ask({ cmd: 'idle', kind, port: servers[kind].port, count: half, token });
          const before = await stats(kind);
          await load.ask({ cmd: 'idle', kind, port: servers[kind].port, count: sockets - half, token });
          const after = await stats(kind);
          kb[kind] = (after.rss - before.rss) / (sockets - half) / 1024;
        } catch (err) {
          progress(`realtime: ${label[kind]}: ${sockets} idle sockets failed: ${(err as Error).message}`);
        }
        await load.ask({ cmd: 'release' });
        await new Promise((r) => setTimeout(r, 1000)); // the server closes them before the next count
        progress(`realtime: ${label[kind]}: ${sockets} idle sockets measured (${elapsed()})`);
      }
      raw.idle.push({ requested, sockets, kbPerSocket: kb, ...(skipped ? { skipped } : {}) });
    }
    // Clients joining private channels; one unmeasured round first so the JIT is warm.
    for (let rep = 0; rep <= opts.reps; rep++) {
      const res = await load.ask<{ joins: number; seconds: number }>({
        cmd: 'joins',
        port: servers.realtime.port,
        sockets: opts.joinSockets,
        perSocket: opts.joinsPerSocket,
        token,
      });
      if (rep > 0) raw.privateJoinsPerSecond.push(res.joins / res.seconds);
    }
    progress(`realtime: private joins measured (${elapsed()})`);
    raw.seconds = (Date.now() - started) / 1000;
    return raw;
  } finally {
    load?.proc.kill();
    for (const kind of peers) servers[kind]?.child.proc.kill();
    await db.stop();
  }
}

/** The bench's own table (`npm run bench:realtime`). */
function printTable(raw: RealtimeBenchRaw, opts: RealtimeBenchOptions): void {
  const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '-');
  const rows: string[][] = [];
  const row = (name: string, values: (k: Kind) => number, digits = 1, ratio = true) => {
    const v = peers.map(values);
    rows.push([name, ...v.map((x) => fmt(x, digits)), ratio ? `${fmt(v[0] / v[1], 2)}x` : '']);
  };
  const m = (table: Record<string, number[]>, k: Kind, receivers: number) => median(table[`${k}:${receivers}`] ?? []);
  for (const { receivers, rate } of fanouts)
    row(`server CPU µs/delivery, 1→${receivers} @ ${rate} msg/s`, (k) => m(raw.cpuUsPerDelivery, k, receivers), 2);
  for (const { receivers, rate } of fanouts)
    row(`latency p50 ms, 1→${receivers} @ ${rate} msg/s`, (k) => m(raw.p50Ms, k, receivers), 2);
  for (const { receivers, rate } of fanouts)
    row(`latency p95 ms, 1→${receivers} @ ${rate} msg/s`, (k) => m(raw.p95Ms, k, receivers), 2);
  for (const { receivers, rate } of fanouts)
    row(`latency p99 ms, 1→${receivers} @ ${rate} msg/s`, (k) => m(raw.p99Ms, k, receivers), 2);
  for (const { receivers } of fanouts)
    row(`peak deliveries/s, 1→${receivers}`, (k) => m(raw.peakDeliveriesPerSecond, k, receivers), 0);
  for (const idle of raw.idle)
    row(
      `memory KB per idle joined socket (second half of ${idle.sockets}${idle.sockets < idle.requested ? ` of ${idle.requested} asked` : ''}; private channel for this server)`,
      (k) => idle.kbPerSocket[k] ?? NaN,
      1,
    );
  rows.push([
    `private joins/s (RLS probe in Postgres per join, ${opts.joinSockets} sockets × ${opts.joinsPerSocket})`,
    fmt(median(raw.privateJoinsPerSecond), 0),
    'n/a',
    'n/a',
    '',
  ]);
  const header = [
    'metric (median of ' + opts.reps + ' interleaved runs)',
    label.realtime,
    label.ws,
    label.socketio,
    'this/ws',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(
    `\n${line(header)}\n|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|')}|`,
  );
  for (const r of rows) console.log(line(r));
  for (const idle of raw.idle.filter((i) => i.skipped))
    console.log(`\n${idle.requested} idle sockets: ${idle.skipped}`);
  console.log(`\nNode ${process.version}, ${Math.round(raw.seconds)} s. Memory is the server's RSS growth after GC.`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const opts: RealtimeBenchOptions = {
    reps: Number(process.env.BENCH_REPS ?? 3),
    measureMs: Number(process.env.BENCH_MS ?? 2000),
    idleSockets: (process.env.BENCH_IDLE_SOCKETS ?? '5000,20000').split(',').map(Number),
    joinSockets: 200,
    joinsPerSocket: 10,
  };
  runRealtimeBench(opts).then(
    (raw) => printTable(raw, opts),
    (err: Error) => {
      console.error(err.stack);
      process.exit(1);
    },
  );
}
