// CPU time by process for a benchmark window, from /proc: which part of the platform a message's cost lands in.
// On 2 cores every process competes for the same CPUs, so the sum per message bounds the rate the stack can carry.
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { listProcesses, type ProcessInfo } from '../../stack/shared/proc.ts';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** What a process is, as a row of the table. */
function label(p: ProcessInfo, selfPid: number): string {
  if (p.pid === selfPid) return 'bench harness (invoker and receivers)';
  if (/stack\/host\/main\.ts/.test(p.cmdline)) return 'host process (gateway, Realtime, REST, Auth, functions main)';
  if (/\bdeno\b/.test(p.cmdline)) return 'deno workers';
  if (/^postgres: walsender/.test(p.cmdline)) return "postgres walsenders (Realtime's replication streams)";
  if (
    /^postgres: (checkpointer|background writer|walwriter|autovacuum|logical replication|archiver|stats)/.test(
      p.cmdline,
    )
  ) {
    return 'postgres background (WAL writer, checkpointer, autovacuum)';
  }
  if (/^postgres:|bin\/postgres /.test(p.cmdline)) return 'postgres backends';
  return 'other';
}

export type CpuSnapshot = Map<number, { label: string; ticks: number }>;

/** CPU ticks of this process, its descendants, and the Postgres cluster whose command line names `dataDir`. */
export function cpuSnapshot(dataDir: string): CpuSnapshot {
  const procs = listProcesses();
  const children = new Map<number, ProcessInfo[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const roots = procs.filter(
    (p) => p.pid === process.pid || (p.cmdline.includes('bin/postgres ') && p.cmdline.includes(dataDir)),
  );
  const out: CpuSnapshot = new Map();
  const visit = (p: ProcessInfo) => {
    out.set(p.pid, { label: label(p, process.pid), ticks: p.ticks });
    for (const c of children.get(p.pid) ?? []) visit(c);
  };
  roots.forEach(visit);
  return out;
}

/** Milliseconds of CPU per label between two snapshots (processes born in between count from zero). */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Map<string, number> {
  const totals = new Map<string, number>();
  for (const [pid, { label, ticks }] of after) {
    const spent = ticks - (before.get(pid)?.ticks ?? 0);
    totals.set(label, (totals.get(label) ?? 0) + (spent * 1000) / TICKS_PER_SECOND);
  }
  return new Map([...totals].sort((a, b) => b[1] - a[1]));
}

/**
 * Milliseconds a fixed single-threaded workload (JSON round trips and HMACs, what a request does most) takes now. These
 * VMs' speed drifts by a third from minute to minute; printed with a run, it tells a slow machine from a slow change.
 * A run measures it in a new process (referenceWorkloadMsFresh): after bench:functions, its own process ran it in 131
 * and 146 ms while a new process at the same moment took 95 and 114, so an in-process "after" overstates a slowdown.
 */
export function referenceWorkloadMs(): number {
  const started = performance.now();
  const sample = { id: 1, text: 'hello world', tags: [1, 2, 3, { body: 'x'.repeat(100) }] };
  let sink = 0;
  for (let i = 0; i < 20_000; i++) {
    sink += (JSON.parse(JSON.stringify(sample)) as typeof sample).tags.length;
    sink += createHmac('sha256', 'key').update(`message ${i}`).digest()[0];
  }
  return sink < 0 ? NaN : performance.now() - started;
}

/** referenceWorkloadMs in a new Node process, so the measuring process's own state (heap, timers) does not count. */
export function referenceWorkloadMsFresh(): number {
  const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--reference'], {
    encoding: 'utf8',
  });
  return Number(out.trim());
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--reference')) {
  console.log(referenceWorkloadMs());
}
