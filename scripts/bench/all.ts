// `npm run bench`: every benchmark of issue 15 in one run, one table, a JSON file and a chart. The sections, in turn:
//  1. Realtime fan-out 1 → 1 / 50 / 200, this server vs a bare `ws` loop vs Socket.IO (stack/realtime/bench);
//  2. the durable path, functions.invoke('send-message') → 50 members, beside a client broadcast over the socket at
//     the same offered rates (durable.ts), on the bench stack;
//  3. database-originated events → a client (db-events.ts), on the same stack;
//  4. idle sockets joined to a private channel and private joins/s (measured with section 1's servers);
//  5. send_message vs a bare insert under pgbench, get_messages on 1M messages (database.ts, a cluster of its own);
//  6. `npm start` to ready, cold and warm (startup.ts, ports 28421/28422).
// Repetitions are interleaved (peers, modes and rates in rotated order each round); the table shows medians with
// their min–max over the rounds, and each target of the issue beside its measure (report.ts). A full run writes
// docs/bench/latest.json, docs/bench/durable-path.svg and the README's bench section; BENCH_QUICK=1 is a smoke run of
// seconds per section that writes only to .stack/bench/. BENCH_SECTIONS=realtime,durable,... runs some sections
// (never written to docs/ either); BENCH_ROUNDS overrides the rounds. Progress goes to stderr, the table to stdout.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { projectRoot } from '../../stack/config.ts';
import { createLogger, flushLogs } from '../../stack/log.ts';
import { ensureSystemRequirements } from '../../stack/system/index.ts';
import { fanouts, runRealtimeBench, type RealtimeBenchRaw } from '../../stack/realtime/bench/run.ts';
import { referenceWorkloadMsFresh } from './cpu.ts';
import { runDatabaseBench } from './database.ts';
import { measureDbEvents } from './db-events.ts';
import { prepareMeeting, runLoad, type LoadResult } from './durable.ts';
import { startBenchStack } from './harness.ts';
import {
  PEERS,
  percentile,
  readmeSection,
  renderChart,
  renderTable,
  replaceReadmeSection,
  stat,
  type BenchResults,
  type DbEventsResults,
  type DurableMode,
  type DurableResults,
  type DurableRun,
  type MachineInfo,
  type RealtimeResults,
} from './report.ts';
import { runStartupBench } from './startup.ts';

const log = createLogger('bench');
const QUICK = process.env.BENCH_QUICK === '1';
const SECTIONS = ['realtime', 'durable', 'db-events', 'database', 'platform'] as const;
type Section = (typeof SECTIONS)[number];
const selected = (process.env.BENCH_SECTIONS?.split(',') ?? SECTIONS) as Section[];
const rounds = (full: number) => Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : full));

/** Every setting of the run, full or quick; the full one is meant to finish within ~15 min on 2 cores. */
const settings = {
  realtime: {
    reps: rounds(3),
    measureMs: QUICK ? 300 : 2000,
    idleSockets: QUICK ? [200, 1000] : [5000, 20_000],
    joinSockets: QUICK ? 20 : 200,
    joinsPerSocket: QUICK ? 5 : 10,
  },
  durable: {
    rates: [200, 500, 1000],
    receivers: QUICK ? 10 : 50,
    seconds: QUICK ? 1 : 5,
    warmupSeconds: QUICK ? 0.5 : 2,
    rounds: rounds(3),
  },
  dbEvents: { samples: QUICK ? 10 : 100, warmup: QUICK ? 2 : 10, rounds: rounds(3) },
  database: {
    sizes: QUICK
      ? { meetings: 20, participants: 10, messages: 50 }
      : { meetings: 1000, participants: 50, messages: 1000 },
    clients: QUICK ? 2 : 4,
    seconds: QUICK ? 1 : 10,
    rounds: rounds(3),
    pageCalls: QUICK ? 50 : 1000,
    pageSize: 50,
  },
  platform: { rounds: rounds(3) },
};

const progress = (message: string) => log.info(message);

function machineInfo(): MachineInfo {
  let os = `Linux ${release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    if (pretty) os = `${pretty} (kernel ${release()})`;
  } catch {
    // not Linux-like: the kernel release alone
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
    memoryGb: totalmem() / 1024 ** 3,
    os,
    node: process.version,
    date: new Date().toISOString(),
  };
}

function realtimeResults(raw: RealtimeBenchRaw, reps: number, measureMs: number): RealtimeResults {
  const s = (table: Record<string, number[]>, key: string) => stat(table[key] ?? []);
  return {
    rounds: reps,
    measureMs,
    fanouts: fanouts.map(({ receivers, rate }) => ({
      receivers,
      rate,
      peers: Object.fromEntries(
        PEERS.map((p) => {
          const key = `${p}:${receivers}`;
          return [
            p,
            {
              cpuUsPerDelivery: s(raw.cpuUsPerDelivery, key),
              p50Ms: s(raw.p50Ms, key),
              p95Ms: s(raw.p95Ms, key),
              p99Ms: s(raw.p99Ms, key),
              peakDeliveriesPerSecond: s(raw.peakDeliveriesPerSecond, key),
            },
          ];
        }),
      ) as RealtimeResults['fanouts'][number]['peers'],
    })),
    idle: raw.idle,
    privateJoinsPerSecond: stat(raw.privateJoinsPerSecond),
    joins: { sockets: settings.realtime.joinSockets, perSocket: settings.realtime.joinsPerSocket },
  };
}

const HARNESS = 'bench harness (invoker and receivers)';

/** Sections 2 and 3 on one bench stack. */
async function durableAndDbEvents(): Promise<{ durable?: DurableResults; dbEvents?: DbEventsResults }> {
  const stack = await startBenchStack();
  const out: { durable?: DurableResults; dbEvents?: DbEventsResults } = {};
  try {
    if (selected.includes('durable')) {
      const d = settings.durable;
      const meeting = await prepareMeeting(stack, d.receivers);
      const byRun = new Map<string, LoadResult[]>();
      const modes: DurableMode[] = ['invoke', 'broadcast'];
      for (let round = 0; round < d.rounds; round++) {
        const rates = d.rates.map((_, i) => d.rates[(i + round) % d.rates.length]);
        for (const rate of rates) {
          for (const mode of round % 2 ? [...modes].reverse() : modes) {
            const res = await runLoad(stack, meeting, {
              mode,
              rate,
              seconds: d.seconds,
              warmupSeconds: d.warmupSeconds,
              senders: d.receivers,
            });
            const key = `${mode}:${rate}`;
            byRun.set(key, [...(byRun.get(key) ?? []), res]);
            progress(
              `durable: round ${round + 1}/${d.rounds}, ${mode} @ ${rate} msg/s: achieved ${res.achievedRate.toFixed(0)}, ` +
                `p99 ${percentile(res.deliveries, 99).toFixed(1)} ms, failed ${res.failed}, lost ${res.lost}`,
            );
          }
        }
      }
      await meeting.close();
      const runs: DurableRun[] = [];
      for (const rate of d.rates) {
        for (const mode of modes) {
          const results = byRun.get(`${mode}:${rate}`) ?? [];
          const perMessage = (r: LoadResult, name?: string) =>
            [...r.cpu].filter(([n]) => (name ? n === name : n !== HARNESS)).reduce((a, [, v]) => a + v, 0) / r.total;
          const labels = [...new Set(results.flatMap((r) => [...r.cpu.keys()]))];
          runs.push({
            mode,
            offeredRate: rate,
            achievedRate: stat(results.map((r) => r.achievedRate)),
            p50Ms: stat(results.map((r) => percentile(r.deliveries, 50))),
            p95Ms: stat(results.map((r) => percentile(r.deliveries, 95))),
            p99Ms: stat(results.map((r) => percentile(r.deliveries, 99))),
            failed: results.reduce((a, r) => a + r.failed, 0),
            lost: results.reduce((a, r) => a + r.lost, 0),
            serverCpuMsPerMessage: stat(results.map((r) => perMessage(r))),
            cpuByProcess: Object.fromEntries(
              labels.map((name) => [name, stat(results.map((r) => perMessage(r, name))).median]),
            ),
          });
        }
      }
      out.durable = {
        receivers: d.receivers,
        senders: d.receivers,
        seconds: d.seconds,
        warmupSeconds: d.warmupSeconds,
        rounds: d.rounds,
        runs,
      };
    }
    if (selected.includes('db-events')) {
      const e = settings.dbEvents;
      const perRound: Awaited<ReturnType<typeof measureDbEvents>>[] = [];
      for (let round = 0; round < e.rounds; round++) {
        perRound.push(await measureDbEvents(stack, { samples: e.samples, warmup: e.warmup }));
        progress(`db-events: round ${round + 1}/${e.rounds} done`);
      }
      out.dbEvents = {
        samplesPerRound: e.samples,
        rounds: e.rounds,
        events: perRound[0].map((first, i) => ({
          label: first.label,
          p50Ms: stat(perRound.map((r) => percentile(r[i].latencies, 50))),
          p99Ms: stat(perRound.map((r) => percentile(r[i].latencies, 99))),
          lost: perRound.reduce((a, r) => a + r[i].lost, 0),
        })),
      };
    }
    return out;
  } finally {
    await stack.stop();
  }
}

/** Runs `fn` as section `name`, timing it; a failure is recorded and the run goes on. */
async function section<T>(results: BenchResults, name: string, fn: () => Promise<T>): Promise<T | undefined> {
  const started = performance.now();
  progress(`section ${name}: start`);
  try {
    const value = await fn();
    progress(`section ${name}: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return value;
  } catch (err) {
    const e = err as Error;
    log.error(`section ${name} failed`, { error: e.stack ?? e.message });
    results.errors[name] = e.message;
    return undefined;
  }
}

async function main(): Promise<void> {
  ensureSystemRequirements('bench', log);
  const started = performance.now();
  const before = referenceWorkloadMsFresh();
  const results: BenchResults = { machine: machineInfo(), quick: QUICK, seconds: 0, errors: {} };
  progress(`npm run bench: ${QUICK ? 'QUICK smoke run' : 'full run'}, sections ${selected.join(', ')}`);

  if (selected.includes('realtime')) {
    const r = settings.realtime;
    const raw = await section(results, 'realtime', () => runRealtimeBench({ ...r, progress }));
    if (raw) results.realtime = realtimeResults(raw, r.reps, r.measureMs);
  }
  if (selected.includes('durable') || selected.includes('db-events')) {
    const out = await section(results, 'durable and db-events', durableAndDbEvents);
    Object.assign(results, out ?? {});
  }
  if (selected.includes('database')) {
    const d = settings.database;
    const raw = await section(results, 'database', () => runDatabaseBench({ ...d, progress }));
    if (raw) {
      results.database = {
        pgbench: {
          clients: d.clients,
          seconds: d.seconds,
          rounds: d.rounds,
          sendMessageTps: stat(raw.sendMessageTps),
          bareInsertTps: stat(raw.bareInsertTps),
          ratio: stat(raw.sendMessageTps.map((tps, i) => tps / raw.bareInsertTps[i])),
          insertOnlyRpcTps: stat(raw.insertOnlyRpcTps),
          insertOnlyRpcRatio: stat(raw.insertOnlyRpcTps.map((tps, i) => tps / raw.bareInsertTps[i])),
        },
        getMessages: {
          messages: raw.messages,
          pageSize: d.pageSize,
          calls: d.pageCalls,
          p50Ms: stat(raw.pageP50Ms),
          p99Ms: stat(raw.pageP99Ms),
        },
      };
    }
  }
  if (selected.includes('platform')) {
    const raw = await section(results, 'platform', () => runStartupBench(settings.platform.rounds, progress));
    if (raw) results.platform = { coldMs: stat(raw.coldMs), warmMs: stat(raw.warmMs) };
  }

  results.machine.referenceWorkloadMs = { before, after: referenceWorkloadMsFresh() };
  results.seconds = (performance.now() - started) / 1000;

  // Only a full run of every section is the record; anything less goes to .stack/bench/.
  const official = !QUICK && selected.length === SECTIONS.length && !process.env.BENCH_ROUNDS;
  const outDir = official ? join(projectRoot, 'docs', 'bench') : join(projectRoot, '.stack', 'bench');
  mkdirSync(outDir, { recursive: true });
  const jsonFile = join(outDir, 'latest.json');
  const chartFile = join(outDir, 'durable-path.svg');
  writeFileSync(jsonFile, JSON.stringify(results, null, 2) + '\n');
  if (results.durable) writeFileSync(chartFile, renderChart(results.durable, results.machine));
  if (official) {
    const readmeFile = join(projectRoot, 'README.md');
    const readme = readFileSync(readmeFile, 'utf8');
    writeFileSync(
      readmeFile,
      replaceReadmeSection(
        readme,
        readmeSection(results, relative(projectRoot, chartFile), relative(projectRoot, jsonFile)),
      ),
    );
  }
  flushLogs();
  console.log(`\n${renderTable(results)}\n`);
  console.log(
    `Written: ${relative(projectRoot, jsonFile)}${results.durable ? `, ${relative(projectRoot, chartFile)}` : ''}${official ? ', README.md (bench section)' : ' (not a full run: docs/bench and the README are left as they are)'}`,
  );
  if (Object.keys(results.errors).length) process.exitCode = 1;
}

main().catch((err: Error) => {
  log.error(err.stack ?? err.message);
  flushLogs();
  process.exit(1);
});
