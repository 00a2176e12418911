// `npm run bench:functions`: the edge-function path under load, on an isolated local platform.
//  1. Warm invocation overhead of the functions runtime over a bare Deno.serve running the same handler.
//  2. functions.invoke('send-message') → delivered to 50 receivers on the private meeting channel at 200 msg/s:
//     invoke round trip and send→delivery latency, p50/p99, and the CPU each process spent per message (from /proc),
//     which says where a message's cost lands and how close the 2 cores are to full.
// Receivers run in this process (a separate process per receiver would not fit 2 cores). They are also the senders, in
// turn (BENCH_SENDERS of them, all by default), as in a meeting where everyone chats: 200 msg/s is 4 msg/s per member,
// so the per-member rate limit is lifted for the run, with a 1 s window so its check reads as few rows as a real
// sender's. The first BENCH_WARMUP_SECONDS of the schedule are sent but not measured. `npm run bench:functions` gives
// this process a 64 MB young generation (--max-semi-space-size): half the scavenges, so the instrument's own GC pauses
// stamp fewer deliveries late.
//  3. On the same stack afterwards, database-originated events (realtime.send over SQL, the meeting status trigger)
//     → a client, from db-events.ts (`npm run bench:db-events` runs that part alone), printed beside (2) by origin.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { demoKeys, projectRoot } from '../../stack/config.ts';
import { startFunctions } from '../../stack/edge-runtime/index.ts';
import { denoBinary } from '../../stack/edge-runtime/worker.ts';
import { createLogger } from '../../stack/log.ts';
import { cpuBetween, cpuSnapshot, referenceWorkloadMs, type CpuSnapshot } from './cpu.ts';
import { dbEventRows, measureDbEvents } from './db-events.ts';
import { seedOrgs, seedUsers } from '../../stack/testing/seed.ts';
import { benchClient, ms, pct, startBenchStack } from './harness.ts';

const log = createLogger('bench:functions');
const RECEIVERS = Number(process.env.BENCH_RECEIVERS ?? 50);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SENDERS = Math.min(RECEIVERS, Number(process.env.BENCH_SENDERS ?? RECEIVERS));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);

/**
 * With BENCH_CPU_PROFILE=<dir>, a V8 CPU profile of this process over the measured window only (warm-up and set-up
 * left out), for Chrome DevTools. The host process takes `--cpu-prof` through STACK_NODE_ARGS.
 */
async function profileHarness(): Promise<{ stop(): Promise<void> }> {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir) return { stop: async () => {} };
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stop() {
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `harness-${process.pid}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      log.info('harness profile written', { file });
    },
  };
}

/**
 * Moments this process's event loop stood still for over 10 ms (its own GC, or the scheduler giving the cores to
 * others): a delivery is timestamped when the harness gets to it, so such a stall shows up as latency in that window.
 */
function watchHarnessStalls(origin: number): { stop(): string[] } {
  const stalls: string[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last > 10) stalls.push(`${((last - origin) / 1000).toFixed(1)} s (${(now - last).toFixed(0)} ms)`);
    last = now;
  }, 2);
  return { stop: () => (clearInterval(timer), stalls) };
}

/** 100 ms windows (by send time) holding deliveries over 25 ms: a few crowded windows mean stalls, many mean load. */
function slowWindows(origin: number, sentAt: number[], latencies: number[]) {
  const windows = new Map<number, number>();
  let slow = 0;
  latencies.forEach((latency, i) => {
    if (latency <= 25) return;
    slow++;
    const w = Math.floor((sentAt[i] - origin) / 100);
    windows.set(w, (windows.get(w) ?? 0) + 1);
  });
  const worst = [...windows]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([w, n]) => `${n} at ${(w / 10).toFixed(1)} s`);
  return { slow, windows: windows.size, worst };
}

async function timeRequests(url: string, n: number, headers: Record<string, string>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetch(url, { method: 'POST', headers, body: '{"n":1}' });
    await res.arrayBuffer();
    if (i >= 100) times.push(performance.now() - t); // the first 100 warm everything up
  }
  return times;
}

async function overhead(): Promise<{ bare: number[]; runtime: number[] }> {
  const workdir = mkdtempSync(join(tmpdir(), 'mr-bench-fn-'));
  const handler = `(req: Request) => new Response(JSON.stringify({ ok: true }), { headers: { 'content-type': 'application/json' } })`;
  mkdirSync(join(workdir, 'supabase', 'functions', 'ping'), { recursive: true });
  writeFileSync(join(workdir, 'supabase', 'functions', 'ping', 'index.ts'), `Deno.serve(${handler});`);
  writeFileSync(join(workdir, 'supabase', 'functions', 'ping', 'deno.json'), '{}');
  writeFileSync(
    join(workdir, 'bare.ts'),
    `Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log(port) }, ${handler});`,
  );
  const bare = spawn(
    denoBinary(),
    ['run', '--no-lock', '--no-config', '--allow-net=127.0.0.1', join(workdir, 'bare.ts')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const barePort = await new Promise<number>((resolve) =>
    createInterface({ input: bare.stdout! }).once('line', (l) => resolve(Number(l))),
  );
  const server = await startFunctions({
    port: 0,
    workdir,
    jwtSecret: demoKeys.jwtSecret,
    denoDir: join(projectRoot, '.stack', 'deno'),
    env: {},
    watch: false,
    log: createLogger('bench:runtime'),
  });
  const headers = { authorization: `Bearer ${demoKeys.anonKey}`, 'content-type': 'application/json' };
  const result = { bare: [] as number[], runtime: [] as number[] };
  for (let round = 0; round < 3; round++) {
    // interleaved rounds, so drift hits both alike
    result.bare.push(...(await timeRequests(`http://127.0.0.1:${barePort}/ping`, 1100, headers)));
    result.runtime.push(...(await timeRequests(`http://127.0.0.1:${server.port}/ping`, 1100, headers)));
  }
  await server.close();
  bare.kill();
  rmSync(workdir, { recursive: true, force: true });
  return result;
}

async function sendToReceivers() {
  // The bench stack lifts upstream's tenant limit (100 events/s in and out), which would drop most of 200 msg/s x 50.
  const stack = await startBenchStack();
  const { cfg, sql } = stack;
  try {
    const meeting = randomUUID();
    const org = seedOrgs.acme;
    const host = seedUsers.alice.id;
    await sql`update private.settings set value = '1000000' where key = 'message_rate_limit'`; // measure delivery, not the limit
    await sql`update private.settings set value = '1' where key = 'message_rate_window_seconds'`;
    await sql`insert into public.meetings (id, organization_id, host_id, title, status) values (${meeting}, ${org}, ${host}, 'Bench', 'live')`;
    const receiverIds = Array.from({ length: RECEIVERS }, () => randomUUID());
    for (const id of receiverIds) {
      await sql`insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
                values ('00000000-0000-0000-0000-000000000000', ${id}, 'authenticated', 'authenticated', ${id + '@bench.test'},
                        ${sql.json({ organization_id: org })}, '{}', now(), now())`;
      await sql`insert into public.meeting_participants (meeting_id, user_id) values (${meeting}, ${id})`;
    }
    const sentAt = new Map<string, number>();
    const deliveries: number[] = [];
    const deliverySentAt: number[] = []; // when each delivery's message was sent, to tell stalls from spread-out queueing
    const clients = receiverIds.map((id) => benchClient(cfg, id));
    // With an accessToken callback the first join would go with the anon key unless the token is fetched first.
    await Promise.all(clients.map((client) => client.realtime.setAuth()));
    await Promise.all(
      clients.map(
        (client) =>
          new Promise<void>((resolve, reject) => {
            const channel = client.channel(`meeting:${meeting}`, { config: { private: true } });
            channel.on('broadcast', { event: 'message' }, ({ payload }) => {
              const t = sentAt.get((payload as { message: { client_id: string } }).message.client_id);
              if (t === undefined) return;
              deliveries.push(performance.now() - t);
              deliverySentAt.push(t);
            });
            channel.subscribe((status, err) =>
              status === 'SUBSCRIBED' ? resolve() : status !== 'CLOSED' && reject(err ?? new Error(status)),
            );
          }),
      ),
    );
    const invokes: number[] = [];
    let failed = 0;
    const send = async (i: number, measured: boolean) => {
      const clientId = `bench-${i}`;
      const t = performance.now();
      if (measured) sentAt.set(clientId, t);
      const { error } = await clients[i % SENDERS].functions.invoke('send-message', {
        body: { meeting_id: meeting, content: `m${i}`, client_id: clientId },
      });
      if (!measured) return;
      if (error) failed++;
      else invokes.push(performance.now() - t);
    };
    // One schedule at the target rate; the first WARMUP_SECONDS are sent but not measured: a steady state, not the
    // first burst, is what "warm" means. The first 300 ms or so of load open pool connections and fresh Postgres
    // backends that plan every PL/pgSQL statement once.
    const warmup = RATE * WARMUP_SECONDS;
    const total = RATE * SECONDS;
    log.info('sending', {
      rate: RATE,
      warmup_seconds: WARMUP_SECONDS,
      seconds: SECONDS,
      receivers: RECEIVERS,
      senders: SENDERS,
    });
    const scheduleStart = performance.now();
    const inflight: Promise<void>[] = [];
    let cpuBefore: CpuSnapshot | undefined;
    let profile: { stop(): Promise<void> } | undefined;
    let measureStart = 0;
    let stalls: { stop(): string[] } | undefined;
    for (let i = 0; i < warmup + total; i++) {
      const wait = scheduleStart + (i * 1000) / RATE - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (i === warmup) {
        cpuBefore = cpuSnapshot(cfg.stateDir);
        profile = await profileHarness();
        measureStart = performance.now();
        stalls = watchHarnessStalls(measureStart);
      }
      inflight.push(send(i, i >= warmup));
    }
    await Promise.all(inflight);
    const seconds = (performance.now() - measureStart) / 1000;
    await new Promise((r) => setTimeout(r, 500)); // the last deliveries
    await profile!.stop();
    const harnessStalls = stalls!.stop();
    const cpu = cpuBetween(cpuBefore!, cpuSnapshot(cfg.stateDir));
    await Promise.all(clients.map((c) => c.removeAllChannels()));
    const dbEvents = await measureDbEvents(stack);
    return {
      invokes,
      deliveries,
      slowWindows: slowWindows(measureStart, deliverySentAt, deliveries),
      harnessStalls,
      expected: total * RECEIVERS,
      failed,
      cpu,
      total,
      achievedRate: total / seconds,
      dbEvents,
    };
  } finally {
    await stack.stop();
  }
}

const speedBefore = referenceWorkloadMs();
const o = await overhead();
const load = await sendToReceivers();
const speedAfter = referenceWorkloadMs();
console.log('\n| measure | p50 | p99 | target |');
console.log('|---|---|---|---|');
console.log(`| bare Deno.serve round trip | ${ms(pct(o.bare, 50))} | ${ms(pct(o.bare, 99))} | |`);
console.log(
  `| through stack/edge-runtime (main service + worker) | ${ms(pct(o.runtime, 50))} | ${ms(pct(o.runtime, 99))} | |`,
);
console.log(
  `| runtime overhead (difference of medians) | ${ms(pct(o.runtime, 50) - pct(o.bare, 50))} | | <= 1 ms p50 |`,
);
console.log(
  `| functions.invoke('send-message') round trip at ${RATE} msg/s | ${ms(pct(load.invokes, 50))} | ${ms(pct(load.invokes, 99))} | |`,
);
console.log(
  `| invoke → delivered to each of ${RECEIVERS} receivers | ${ms(pct(load.deliveries, 50))} | ${ms(pct(load.deliveries, 99))} | p50 <= 8 ms, p99 <= 25 ms |`,
);
const sw = load.slowWindows;
console.log(
  `\ndeliveries over 25 ms: ${sw.slow} (${((100 * sw.slow) / load.deliveries.length).toFixed(2)} %), in ${sw.windows} of ${SECONDS * 10} 100-ms windows${sw.worst.length ? `; most: ${sw.worst.join(', ')}` : ''}`,
);
console.log(
  `harness event-loop stalls over 10 ms: ${load.harnessStalls.length ? load.harnessStalls.join(', ') : 'none'}`,
);
console.log('\n| process | CPU ms per message |\n|---|---|');
let cpuSum = 0;
for (const [name, spent] of load.cpu) {
  cpuSum += spent;
  console.log(`| ${name} | ${(spent / load.total).toFixed(2)} |`);
}
console.log(
  `| all (2 cores give ${(2000 / RATE).toFixed(1)} ms per message at ${RATE} msg/s) | ${(cpuSum / load.total).toFixed(2)} |`,
);
console.log('\n| event origin → client | p50 | p99 | target |\n|---|---|---|---|');
console.log(
  `| function REST broadcast: invoke('send-message') → each of ${RECEIVERS} receivers, at ${RATE} msg/s | ${ms(pct(load.deliveries, 50))} | ${ms(pct(load.deliveries, 99))} | p50 <= 8 ms, p99 <= 25 ms |`,
);
for (const row of dbEventRows(load.dbEvents)) console.log(row);
console.log(
  `\nreference workload: ${speedBefore.toFixed(0)} ms before, ${speedAfter.toFixed(0)} ms after (the machine's speed of the moment, lower is faster; 90-170 ms seen on this VM)`,
);
console.log(
  `\ndeliveries ${load.deliveries.length} of ${load.expected}; failed invokes ${load.failed}; achieved ${load.achievedRate.toFixed(0)} msg/s\n`,
);
