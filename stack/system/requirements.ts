// Every file this project uses from the operating system, and the Debian/Ubuntu package that provides it: the one
// list `npm start`, `npm test`, `.ci/run` (through `npm test`) and the README's install command derive from.
// Needs are detected by these files, never by package names: a package can be installed without a file we need
// (pgTAP only *recommends* the package holding pg_prove, so `--no-install-recommends` leaves it out).
// stack/system/requirements.test.ts asks dpkg which package owns each file and fails when the list disagrees.

/**
 * What a file is needed for: `start` is `npm start` (the local platform), `test` is `npm test` (every suite), `bench`
 * is `npm run bench` (which also starts the platform).
 */
export type Purpose = 'start' | 'test' | 'bench';

export interface SystemRequirement {
  /** The name code asks `systemFile()` for. */
  readonly id: string;
  /** Where the Debian/Ubuntu package puts it. */
  readonly path: string;
  /** Looked up on PATH first, so a user's own install counts (pg_prove and psql run by name). */
  readonly command?: string;
  /** The package providing `path`; `dpkg -S <path>` must name it. */
  readonly package: string;
  /** Part of the PostgreSQL server install; a server chosen with PG_BIN replaces these. */
  readonly server?: true;
  readonly neededBy: readonly Purpose[];
  readonly why: string;
}

export const PG_MAJOR = 15;
const pgBin = `/usr/lib/postgresql/${PG_MAJOR}/bin`;
const pgExtension = `/usr/share/postgresql/${PG_MAJOR}/extension`;
const pgLib = `/usr/lib/postgresql/${PG_MAJOR}/lib`;
const both: readonly Purpose[] = ['start', 'test', 'bench'];
const testOnly: readonly Purpose[] = ['test'];
const benchOnly: readonly Purpose[] = ['bench'];

export const SYSTEM_REQUIREMENTS = [
  {
    id: 'postgres',
    path: `${pgBin}/postgres`,
    package: 'postgresql-15',
    server: true,
    neededBy: both,
    why: 'the database server',
  },
  {
    id: 'initdb',
    path: `${pgBin}/initdb`,
    package: 'postgresql-15',
    server: true,
    neededBy: both,
    why: 'creates the local and test clusters',
  },
  {
    id: 'pg_ctl',
    path: `${pgBin}/pg_ctl`,
    package: 'postgresql-15',
    server: true,
    neededBy: both,
    why: 'starts and stops the clusters',
  },
  {
    id: 'pgbench',
    path: `${pgBin}/pgbench`,
    package: 'postgresql-15',
    server: true,
    neededBy: benchOnly,
    why: "`npm run bench` times send_message against a bare insert with pgbench (PostgreSQL's own load tool)",
  },
  {
    id: 'plpgsql_check.control',
    path: `${pgExtension}/plpgsql_check.control`,
    package: 'postgresql-15-plpgsql-check',
    server: true,
    neededBy: testOnly,
    why: '`supabase db lint` runs plpgsql_check over every function',
  },
  {
    id: 'plpgsql_check.so',
    path: `${pgLib}/plpgsql_check.so`,
    package: 'postgresql-15-plpgsql-check',
    server: true,
    neededBy: testOnly,
    why: 'the plpgsql_check extension library',
  },
  {
    id: 'pgtap.control',
    path: `${pgExtension}/pgtap.control`,
    package: 'postgresql-15-pgtap',
    server: true,
    neededBy: testOnly,
    why: 'the pgTAP extension the database tests use',
  },
  {
    id: 'pg_prove',
    command: 'pg_prove',
    path: '/usr/bin/pg_prove',
    package: 'libtap-parser-sourcehandler-pgtap-perl',
    neededBy: testOnly,
    why: 'runs the pgTAP files the way `supabase test db` does',
  },
  {
    id: 'psql',
    command: 'psql',
    path: '/usr/bin/psql',
    package: 'postgresql-client-common',
    neededBy: testOnly,
    why: "pg_prove runs one psql per test file (this is Debian's version-picking wrapper)",
  },
  {
    id: 'psql-15',
    path: `${pgBin}/psql`,
    package: 'postgresql-client-15',
    neededBy: testOnly,
    why: 'the psql the wrapper runs against a PostgreSQL 15 server',
  },
  {
    id: 'chromium',
    path: '/usr/bin/chromium',
    package: 'chromium',
    neededBy: testOnly,
    why: 'the browser tests (and bench:web) drive the meeting room in Chromium with playwright-core',
  },
  {
    id: 'font-sans',
    path: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
    package: 'fonts-dejavu-core',
    neededBy: testOnly,
    why: "text in the browser tests' pages and screenshot (a headless Chromium without fonts draws no glyphs)",
  },
  {
    id: 'font-emoji',
    path: '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf',
    package: 'fonts-noto-color-emoji',
    neededBy: testOnly,
    why: "the reaction emoji in the browser tests' screenshot",
  },
] as const satisfies readonly SystemRequirement[];

export type SystemFileId = (typeof SYSTEM_REQUIREMENTS)[number]['id'];

/** The packages that provide the given requirements, each once, in list order. */
export function packagesOf(reqs: readonly SystemRequirement[]): string[] {
  return [...new Set(reqs.map((r) => r.package))];
}

/** The one command that installs exactly these packages (no recommends: we list every file we need). */
export function aptInstallCommand(packages: readonly string[]): string {
  return `sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/** The command the README shows: everything `npm start` and `npm test` need. */
export const FULL_INSTALL_COMMAND = aptInstallCommand(packagesOf(SYSTEM_REQUIREMENTS));
