// The PostgreSQL 15 server binaries: those named in stack/system/requirements.ts (installed by
// ensureSystemRequirements when missing), or a folder chosen with PG_BIN, which is never second-guessed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../log.ts';
import { ensureSystemRequirements, FULL_INSTALL_COMMAND, systemFile, type Purpose } from '../system/index.ts';

export class MissingPostgresError extends Error {
  constructor(detail: string) {
    super(
      `PostgreSQL 15 server binaries not found (${detail}). Install them with:\n  ${FULL_INSTALL_COMMAND}\n` +
        'or point PG_BIN at a folder holding initdb, pg_ctl and postgres of version 15.',
    );
    this.name = 'MissingPostgresError';
  }
}

export interface PgBinaries {
  bindir: string;
  initdb: string;
  pgCtl: string;
  version: string;
}

function binariesIn(bindir: string): PgBinaries | { missing: string } {
  const postgres = join(bindir, 'postgres');
  if (!existsSync(postgres) || !existsSync(join(bindir, 'initdb')) || !existsSync(join(bindir, 'pg_ctl'))) {
    return { missing: `no postgres, initdb and pg_ctl in ${bindir}` };
  }
  const out = spawnSync(postgres, ['--version'], { encoding: 'utf8' });
  const version = out.status === 0 ? out.stdout.trim() : '';
  if (!/\(PostgreSQL\) 15\./.test(version))
    return { missing: `${postgres} is not PostgreSQL 15 (${version || 'no version'})` };
  return { bindir, initdb: join(bindir, 'initdb'), pgCtl: join(bindir, 'pg_ctl'), version };
}

/**
 * Installs what `purpose` needs from the system (stack/system) and returns the server binaries. `npm test` asks
 * for `test`, which adds pgTAP, pg_prove and plpgsql_check; `npm start` only needs the server.
 */
export function ensurePostgres(
  log: Logger,
  purpose: Purpose = 'start',
  env: NodeJS.ProcessEnv = process.env,
): PgBinaries {
  ensureSystemRequirements(purpose, log, { env });
  const found = binariesIn(env.PG_BIN ?? dirname(systemFile('postgres', { env })));
  if ('missing' in found) throw new MissingPostgresError(found.missing);
  return found;
}
