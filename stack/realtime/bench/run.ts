// `npm run bench:realtime`: this server vs a bare `ws` broadcast loop vs Socket.IO rooms, on one harness. Each
// server runs in its own process and reports its own CPU time and memory; senders and receivers run in another
// process. Repetitions are interleaved (every peer in turn, order rotated each round) and the table shows medians.
// Not part of `npm test`. Takes about two to three minutes on 2 cores.
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestCluster } from '../../testing/cluster.ts';
import { userToken } from '../../testing/tokens.ts';
import type { Kind } from './load.ts';

const here = dirname(fileURLToPath(import.meta.url));
const peers: Kind[] = ['realtime', 'ws', 'socketio'];
const label: Record<Kind, string> = { realtime: 'this server', ws: 'bare ws', socketio: 'Socket.IO' };
const REPS = Number(process.env.BENCH_REPS ?? 3);
const MEASURE_MS = Number(process.env.BENCH_MS ?? 2000);
const IDLE_SOCKETS = Number(process.env.BENCH_IDLE_SOCKETS ?? 5000);
// Fixed rates: 1 receiver at 1,000 msg/s; 200 msg/s to 50 receivers and 50 msg/s to 200 (10k deliveries/s each).
const fanouts = [
  { receivers: 1, rate: 1000 },
  { receivers: 50, rate: 200 },
  { receivers: 200, rate: 50 },
];
const benchUser = '44444444-4444-4444-8444-444444444444';

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

class Child {
  private pending: ((m: Record<string, unknown>) => void)[] = [];
  constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: Record<string, unknown>) => this.pending.shift()?.(m));
  }
  static async start(file: string, args: string[] = []): Promise<{ child: Child; hello: Record<string, unknown> }> {
    const proc = fork(join(here, file), args, {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
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
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

async function main(): Promise<void> {
  const started = Date.now();
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
      const { child, hello } = await Child.start('peers.ts', [kind, db.url('supabase_admin')]);
      servers[kind] = { child, port: hello.port as number };
    }
    load = (await Child.start('load.ts')).child;
    const stats = (k: Kind) => servers[k].child.ask<Stats>({ cmd: 'stats' });

    const cpu: Record<string, number[]> = {};
    const p50: Record<string, number[]> = {};
    const p99: Record<string, number[]> = {};
    const peak: Record<string, number[]> = {};
    const add = (m: Record<string, number[]>, key: string, v: number) => (m[key] ??= []).push(v);
    for (let rep = 0; rep < REPS; rep++) {
      const order = peers.map((_, i) => peers[(i + rep) % peers.length]);
      for (const { receivers, rate } of fanouts) {
        for (const kind of order) {
          await load.ask({ cmd: 'setup', kind, port: servers[kind].port, receivers, room: `r${rep}-${receivers}` });
          await load.ask({ cmd: 'run', rate, ms: 500, measure: false });
          const before = await stats(kind);
          const res = await load.ask<{ deliveries: number; latencies: number[] }>({
            cmd: 'run',
            rate,
            ms: MEASURE_MS,
            measure: true,
          });
          const after = await stats(kind);
          await load.ask({ cmd: 'teardown' });
          const key = `${kind}:${receivers}`;
          add(cpu, key, (after.cpu - before.cpu) / res.deliveries);
          add(p50, key, pct(res.latencies, 0.5) / 1000);
          add(p99, key, pct(res.latencies, 0.99) / 1000);
        }
      }
      for (const kind of order) {
        await load.ask({ cmd: 'setup', kind, port: servers[kind].port, receivers: 200, room: `peak${rep}` });
        await load.ask({ cmd: 'run', rate: 0, ms: 300, measure: false });
        const res = await load.ask<{ deliveries: number; seconds: number }>({
          cmd: 'run',
          rate: 0,
          ms: MEASURE_MS,
          measure: true,
        });
        await load.ask({ cmd: 'teardown' });
        add(peak, kind, res.deliveries / res.seconds);
      }
      process.stderr.write(`round ${rep + 1}/${REPS} done (${Math.round((Date.now() - started) / 1000)} s)\n`);
    }

    const memory: Record<string, number> = {};
    for (const kind of peers) {
      const before = await stats(kind);
      await load.ask({ cmd: 'idle', kind, port: servers[kind].port, count: IDLE_SOCKETS, token });
      const after = await stats(kind);
      await load.ask({ cmd: 'release' });
      memory[kind] = (after.rss - before.rss) / IDLE_SOCKETS / 1024;
      process.stderr.write(`${label[kind]}: ${IDLE_SOCKETS} idle sockets measured\n`);
    }
    // 200 clients joining 10 private channels each; one unmeasured round first so the JIT is warm.
    const joins: number[] = [];
    for (let rep = 0; rep <= REPS; rep++) {
      const res = await load.ask<{ joins: number; seconds: number }>({
        cmd: 'joins',
        port: servers.realtime.port,
        sockets: 200,
        perSocket: 10,
        token,
      });
      if (rep > 0) joins.push(res.joins / res.seconds);
    }

    const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '-');
    const rows: string[][] = [];
    const row = (name: string, values: (k: Kind) => number, digits = 1, ratio = true) => {
      const v = peers.map(values);
      rows.push([name, ...v.map((x) => fmt(x, digits)), ratio ? `${fmt(v[0] / v[1], 2)}x` : '']);
    };
    for (const { receivers, rate } of fanouts)
      row(`server CPU µs/delivery, 1→${receivers} @ ${rate} msg/s`, (k) => median(cpu[`${k}:${receivers}`]), 2);
    for (const { receivers, rate } of fanouts)
      row(`latency p50 ms, 1→${receivers} @ ${rate} msg/s`, (k) => median(p50[`${k}:${receivers}`]), 2);
    for (const { receivers, rate } of fanouts)
      row(`latency p99 ms, 1→${receivers} @ ${rate} msg/s`, (k) => median(p99[`${k}:${receivers}`]), 2);
    row('peak deliveries/s, 1→200', (k) => median(peak[k]), 0);
    row(`memory KB per idle joined socket (${IDLE_SOCKETS}; private channel for this server)`, (k) => memory[k], 1);
    rows.push([
      'private joins/s (RLS probe in Postgres per join, 200 sockets × 10)',
      fmt(median(joins), 0),
      'n/a',
      'n/a',
      '',
    ]);
    const header = [
      'metric (median of ' + REPS + ' interleaved runs)',
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
    console.log(
      `\nNode ${process.version}, ${Math.round((Date.now() - started) / 1000)} s. Memory is the server's RSS growth after GC.`,
    );
  } finally {
    load?.proc.kill();
    for (const kind of peers) servers[kind]?.child.proc.kill();
    await db.stop();
  }
}

main().catch((err: Error) => {
  console.error(err.stack);
  process.exit(1);
});
