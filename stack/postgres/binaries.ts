// Finds the PostgreSQL 15 server binaries and pg_prove, installing them with apt when we are root on
// Debian/Ubuntu; otherwise fails with the exact command to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log.ts';

export const APT_PACKAGES = ['postgresql-15', 'postgresql-15-pgtap', 'postgresql-15-plpgsql-check'];
export const INSTALL_HINT = `sudo apt-get install -y ${APT_PACKAGES.join(' ')}`;

export class MissingPostgresError extends Error {
  constructor(detail: string) {
    super(`PostgreSQL 15 server binaries not found (${detail}). Install them with:\n  ${INSTALL_HINT}\n` +
      'or point PG_BIN at a folder holding initdb, pg_ctl and postgres of version 15.');
    this.name = 'MissingPostgresError';
  }
}

export interface PgBinaries {
  bindir: string;
  initdb: string;
  pgCtl: string;
  version: string;
}

function versionOf(bindir: string): string | undefined {
  const postgres = join(bindir, 'postgres');
  if (!existsSync(postgres) || !existsSync(join(bindir, 'initdb')) || !existsSync(join(bindir, 'pg_ctl'))) return undefined;
  const out = spawnSync(postgres, ['--version'], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : undefined;
}

function candidates(env: NodeJS.ProcessEnv): string[] {
  const dirs: string[] = [];
  if (env.PG_BIN) return [env.PG_BIN]; // an explicit choice is never second-guessed
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0) dirs.push(pgConfig.stdout.trim());
  dirs.push('/usr/lib/postgresql/15/bin');
  return dirs;
}

/** Returns the binaries, or undefined with the reason when none of the candidates is a PostgreSQL 15. */
export function findPostgres(env: NodeJS.ProcessEnv = process.env): PgBinaries | { missing: string } {
  const tried: string[] = [];
  for (const bindir of candidates(env)) {
    const version = versionOf(bindir);
    tried.push(bindir);
    if (version && /\(PostgreSQL\) 15\./.test(version)) {
      return { bindir, initdb: join(bindir, 'initdb'), pgCtl: join(bindir, 'pg_ctl'), version };
    }
  }
  return { missing: `looked in ${tried.join(', ')}` };
}

function isDebianLike(): boolean {
  try {
    return /^(ID|ID_LIKE)=.*(debian|ubuntu)/m.test(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    return false;
  }
}

function missingPackages(): string[] {
  return APT_PACKAGES.filter((pkg) => {
    const out = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    return !(out.status === 0 && out.stdout.includes('install ok installed'));
  });
}

/** Finds the binaries; installs the missing apt packages first when that is possible without asking. */
export function ensurePostgres(log: Logger, env: NodeJS.ProcessEnv = process.env): PgBinaries {
  const canApt = !env.PG_BIN && process.getuid?.() === 0 && isDebianLike() && env.STACK_NO_APT !== '1';
  if (canApt) {
    const missing = missingPackages();
    if (missing.length > 0) {
      log.info('installing PostgreSQL 15 with apt', { packages: missing });
      const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
        stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
      let res = install();
      if (res.status !== 0) {
        log.info('apt-get install failed; refreshing the package index and retrying');
        spawnSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
        res = install();
      }
      if (res.status !== 0) throw new MissingPostgresError(`apt-get install ${missing.join(' ')} failed`);
    }
  }
  const found = findPostgres(env);
  if ('missing' in found) throw new MissingPostgresError(found.missing);
  return found;
}

/** pg_prove comes with postgresql-15-pgtap. */
export function findPgProve(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v pg_prove'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
