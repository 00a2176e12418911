// Finds the system files in requirements.ts, installs the packages that provide the missing ones with apt when we
// are root on Debian/Ubuntu, and otherwise stops with the one command that installs exactly those packages.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Logger } from '../log.ts';
import {
  aptInstallCommand,
  packagesOf,
  SYSTEM_REQUIREMENTS,
  type Purpose,
  type SystemFileId,
  type SystemRequirement,
} from './requirements.ts';

export { FULL_INSTALL_COMMAND, SYSTEM_REQUIREMENTS, type Purpose } from './requirements.ts';

/** Where to look; tests point `root` at a folder of their own to stand for `/`. */
export interface LookupOptions {
  env?: NodeJS.ProcessEnv;
  root?: string;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The file that satisfies `req`, or undefined: a command on PATH wins over the packaged path. */
export function resolveRequirement(req: SystemRequirement, opts: LookupOptions = {}): string | undefined {
  const env = opts.env ?? process.env;
  const root = opts.root ?? '';
  if (req.command) {
    for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
      const candidate = join(root, dir, req.command);
      if (isExecutable(candidate)) return candidate;
    }
  }
  const packaged = join(root, req.path);
  return existsSync(packaged) ? packaged : undefined;
}

/** The requirements for `purpose` this machine lacks. A server chosen with PG_BIN stands in for the server files. */
export function missingRequirements(purpose: Purpose, opts: LookupOptions = {}): SystemRequirement[] {
  const env = opts.env ?? process.env;
  return SYSTEM_REQUIREMENTS.filter(
    (req: SystemRequirement) =>
      req.neededBy.includes(purpose) && !(env.PG_BIN && req.server) && resolveRequirement(req, opts) === undefined,
  );
}

export class MissingSystemFilesError extends Error {
  constructor(
    readonly missing: readonly SystemRequirement[],
    why: string,
  ) {
    const packages = packagesOf(missing);
    super(
      `${why}; missing: ${missing.map((r) => `${r.path} (${r.why})`).join(', ')}.\n` +
        `Install ${packages.length === 1 ? 'the package that provides it' : 'the packages that provide them'} with:\n` +
        `  ${aptInstallCommand(packages)}`,
    );
    this.name = 'MissingSystemFilesError';
  }
}

function isDebianLike(root: string): boolean {
  try {
    return /^(ID|ID_LIKE)=.*(debian|ubuntu)/m.test(readFileSync(join(root, '/etc/os-release'), 'utf8'));
  } catch {
    return false;
  }
}

function aptInstall(packages: string[], log: Logger): boolean {
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  if (install()) return true;
  // A fresh machine may have no package index yet, or a stale one.
  log.info('apt-get install failed; refreshing the package index and retrying');
  spawnSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return install();
}

export interface EnsureOptions extends LookupOptions {
  /** The effective user id; root may install. */
  uid?: number;
}

/**
 * Makes sure every file `purpose` needs is on this machine: as root on Debian/Ubuntu it installs the packages that
 * provide the missing ones (STACK_NO_APT=1 forbids it); otherwise it throws with the exact command to run.
 */
export function ensureSystemRequirements(purpose: Purpose, log: Logger, opts: EnsureOptions = {}): void {
  const env = opts.env ?? process.env;
  const root = opts.root ?? '';
  let missing = missingRequirements(purpose, opts);
  if (missing.length === 0) return;
  const uid = opts.uid ?? process.getuid?.();
  if (uid !== 0) throw new MissingSystemFilesError(missing, 'not root, so not installing system packages');
  if (env.STACK_NO_APT === '1') throw new MissingSystemFilesError(missing, 'STACK_NO_APT=1 forbids installing');
  if (!isDebianLike(root)) throw new MissingSystemFilesError(missing, 'not Debian/Ubuntu, so not installing with apt');
  const packages = packagesOf(missing);
  log.info('installing system packages with apt', { packages, for: missing.map((r) => r.path) });
  const installed = aptInstall(packages, log);
  missing = missingRequirements(purpose, opts);
  if (missing.length > 0) {
    throw new MissingSystemFilesError(
      missing,
      installed
        ? 'apt-get installed the packages, but files are still missing'
        : `apt-get install ${packages.join(' ')} failed`,
    );
  }
}

/** The path of a required file; throws with the install command when it is missing. */
export function systemFile(id: SystemFileId, opts: LookupOptions = {}): string {
  const req: SystemRequirement = SYSTEM_REQUIREMENTS.find((r) => r.id === id)!;
  const found = resolveRequirement(req, opts);
  if (!found) throw new MissingSystemFilesError([req], `${id} not found`);
  return found;
}
