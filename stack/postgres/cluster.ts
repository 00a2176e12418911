// One PostgreSQL 15 cluster in a git-ignored folder: initdb, start, stop, destroy. Runs the server as the
// `postgres` OS user when we are root (initdb refuses root). Loopback only, logical replication enabled.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathId, type StackConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import type { PgBinaries } from './binaries.ts';

const isRoot = process.getuid?.() === 0;

export interface ClusterPaths {
  home: string; // owned by the OS user that runs the server
  data: string;
  logFile: string;
}

function osUserIds(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Runs a command as the postgres OS user when we are root, as ourselves otherwise. */
function run(cmd: string, args: string[], opts: { input?: string } = {}): SpawnSyncReturns<string> {
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  return spawnSync(file, argv, { encoding: 'utf8', input: opts.input, cwd: '/' });
}

/**
 * Where the cluster lives. Normally `<stateDir>/postgres`; when we are root and the postgres user cannot reach
 * the project folder (e.g. a checkout under /root), a folder under /var/tmp named after the project path.
 */
export function clusterPaths(cfg: StackConfig): ClusterPaths {
  let home = join(cfg.stateDir, 'postgres');
  if (isRoot) {
    // The postgres user needs search permission on every folder down to the state folder.
    mkdirSync(cfg.stateDir, { recursive: true });
    const probe = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', cfg.stateDir]);
    if (probe.status !== 0) home = join('/var/tmp', `meeting-realtime-${pathId(cfg.stateDir)}`, 'postgres');
  }
  return { home, data: join(home, 'data'), logFile: join(home, 'postgres.log') };
}

export function isInitialized(paths: ClusterPaths): boolean {
  return existsSync(join(paths.data, 'PG_VERSION'));
}

export function initCluster(bins: PgBinaries, paths: ClusterPaths, cfg: StackConfig, log: Logger): void {
  mkdirSync(paths.home, { recursive: true });
  if (isRoot) {
    const ids = osUserIds('postgres');
    if (!ids) throw new Error('the postgres OS user does not exist; reinstall postgresql-15 or run as a non-root user');
    chownSync(paths.home, ids.uid, ids.gid);
  }
  const pwfile = join(paths.home, '.pwfile');
  writeFileSync(pwfile, cfg.dbPassword + '\n', { mode: 0o600 });
  if (isRoot) {
    const ids = osUserIds('postgres')!;
    chownSync(pwfile, ids.uid, ids.gid);
  }
  // The bootstrap superuser is supabase_admin, as in Supabase's image; `postgres` is created by the Supabase schema SQL.
  const res = run(bins.initdb, [
    '-D',
    paths.data,
    '-U',
    'supabase_admin',
    '--pwfile',
    pwfile,
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '--no-instructions',
  ]);
  rmSync(pwfile, { force: true });
  if (res.status !== 0) {
    throw new Error(
      `initdb failed (exit ${res.status}):\n${res.stderr || res.stdout}\nRemove ${paths.home} and try again.`,
    );
  }
  log.debug('initdb output', { out: res.stdout.trim().split('\n').slice(-2).join(' ') });
}

function serverOptions(cfg: StackConfig): string {
  return [
    `-p ${cfg.dbPort}`,
    '-c listen_addresses=127.0.0.1',
    "-c unix_socket_directories=''", // TCP on loopback only: no socket paths that could clash or be too long
    '-c wal_level=logical',
    '-c max_replication_slots=10',
    '-c max_wal_senders=10',
    '-c timezone=UTC',
    '-c log_timezone=UTC',
    '-c password_encryption=scram-sha-256',
    '-c max_connections=200',
    // A dev/test cluster: durability across OS crashes is not worth the I/O, so nothing is fsynced.
    '-c fsync=off',
    '-c full_page_writes=off',
    // Commits are synchronous, as on Supabase. A walsender sends only flushed WAL, so under asynchronous commit an
    // event from realtime.send() or broadcast_changes() would wait for the WAL writer (every wal_writer_delay, 200 ms)
    // before Realtime's replication connection saw it. With fsync off, a synchronous commit's flush is one write()
    // into the OS cache, and it wakes the walsenders at once. wal_writer_delay keeps its default, as Supabase's: it
    // delays only sessions that turn synchronous_commit off themselves.
    '-c synchronous_commit=on',
    // STACK_PG_OPTIONS adds server options, e.g. `-c shared_preload_libraries=pg_stat_statements` to profile.
    ...(process.env.STACK_PG_OPTIONS ? [process.env.STACK_PG_OPTIONS] : []),
  ].join(' ');
}

export function isRunning(bins: PgBinaries, paths: ClusterPaths): boolean {
  if (!isInitialized(paths)) return false;
  return run(bins.pgCtl, ['-D', paths.data, 'status']).status === 0;
}

/** The port a running cluster listens on, read from postmaster.pid. */
export function runningPort(paths: ClusterPaths): number | undefined {
  try {
    const lines = readFileSync(join(paths.data, 'postmaster.pid'), 'utf8').split('\n');
    return Number(lines[3]);
  } catch {
    return undefined;
  }
}

export function startCluster(bins: PgBinaries, paths: ClusterPaths, cfg: StackConfig): void {
  const res = run(bins.pgCtl, [
    '-D',
    paths.data,
    '-l',
    paths.logFile,
    '-o',
    serverOptions(cfg),
    '-w',
    '-t',
    '60',
    'start',
  ]);
  if (res.status !== 0) {
    let tail = '';
    try {
      tail = readFileSync(paths.logFile, 'utf8').trim().split('\n').slice(-8).join('\n');
    } catch {
      /* no log yet */
    }
    throw new Error(
      `PostgreSQL did not start on 127.0.0.1:${cfg.dbPort} (pg_ctl exit ${res.status}).\n${res.stderr}${tail}\n` +
        `Is another server using port ${cfg.dbPort}? Set STACK_DB_PORT to use another, or see ${paths.logFile}.`,
    );
  }
}

export function stopCluster(bins: PgBinaries, paths: ClusterPaths): void {
  const res = run(bins.pgCtl, ['-D', paths.data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  if (res.status !== 0 && isRunning(bins, paths)) {
    throw new Error(`pg_ctl stop failed: ${res.stderr || res.stdout}`);
  }
}

export function destroyCluster(paths: ClusterPaths): void {
  rmSync(paths.home, { recursive: true, force: true });
}
