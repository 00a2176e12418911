// `npm run bench:functions`: the edge-function path under load, on an isolated local platform.
//  1. Warm invocation overhead of the functions runtime over a bare Deno.serve running the same handler.
//  2. functions.invoke('send-message') → delivered to 50 receivers on the private meeting channel at 200 msg/s:
//     invoke round trip and send→delivery latency, p50/p99, and the CPU each process spent per message (from /proc),
//     which says where a message's cost lands and how close the 2 cores are to full.
// Receivers run in this process (a separate process per receiver would not fit 2 cores); the meeting and its load are
// durable.ts's, which `npm run bench` shares. They are also the senders, in
// turn (BENCH_SENDERS of them, all by default), as in a meeting where everyone chats: 200 msg/s is 4 msg/s per member,
// so the per-member rate limit is lifted for the run, with a 1 s window so its check reads as few rows as a real
// sender's. The first BENCH_WARMUP_SECONDS of the schedule are sent but not measured. `npm run bench:functions` gives
// this process a 64 MB young generation (--max-semi-space-size): half the scavenges, so the instrument's own GC pauses
// stamp fewer deliveries late.
//  3. On the same stack afterwards, database-originated events (realtime.send over SQL, the meeting status trigger)
//     → a client, from db-events.ts (`npm run bench:db-events` runs that part alone), printed beside (2) by origin.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { demoKeys, projectRoot } from '../../stack/config.ts';
import { startFunctions } from '../../stack/edge-runtime/index.ts';
import { denoBinary } from '../../stack/edge-runtime/worker.ts';
import { createLogger } from '../../stack/log.ts';
import { referenceWorkloadMsFresh } from './cpu.ts';
import { dbEventRows, measureDbEvents } from './db-events.ts';
import { prepareMeeting, runLoad } from './durable.ts';
import { ms, pct, startBenchStack } from './harness.ts';

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
  try {
    const meeting = await prepareMeeting(stack, RECEIVERS);
    log.info('sending', {
      rate: RATE,
      warmup_seconds: WARMUP_SECONDS,
      seconds: SECONDS,
      receivers: RECEIVERS,
      senders: SENDERS,
    });
    let profile: { stop(): Promise<void> } | undefined;
    let stalls: { stop(): string[] } | undefined;
    const load = await runLoad(stack, meeting, {
      mode: 'invoke',
      rate: RATE,
      seconds: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      senders: SENDERS,
      onMeasureStart: async (at) => {
        profile = await profileHarness();
        stalls = watchHarnessStalls(at);
      },
    });
    await profile?.stop();
    const harnessStalls = stalls?.stop() ?? [];
    await meeting.close();
    const dbEvents = await measureDbEvents(stack);
    return {
      ...load,
      slowWindows: slowWindows(load.measureStart, load.deliverySentAt, load.deliveries),
      harnessStalls,
      expected: (load.total - load.failed) * RECEIVERS,
      dbEvents,
    };
  } finally {
    await stack.stop();
  }
}

const speedBefore = referenceWorkloadMsFresh();
const o = await overhead();
const load = await sendToReceivers();
const speedAfter = referenceWorkloadMsFresh();
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
  `\ndeliveries ${load.deliveries.length} of ${load.expected}; failed invokes ${load.failed}; lost deliveries ${load.lost}; achieved ${load.achievedRate.toFixed(0)} msg/s\n`,
);
