// `npm test`: every suite, on a test cluster of its own (never the dev database), ending with one line
// `N passed, N failed`. `npm test -- db types` runs only the named suites.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { projectRoot, type StackConfig } from '../stack/config.ts';
import { createLogger } from '../stack/log.ts';
import { runCommand } from '../stack/shared/child.ts';
import { withTestCluster } from '../stack/postgres/test-cluster.ts';
import { lintDatabase } from '../stack/postgres/migrations.ts';
import { runPgProve, withThrowawayDb } from '../stack/postgres/pgtap.ts';
import { generateTypes } from '../stack/postgres/typegen.ts';
import { authorizationDoc, renderRules, rulesFile } from './rules.ts';
import { denoBinary } from '../stack/edge-runtime/worker.ts';
import { ensureSystemRequirements } from '../stack/system/index.ts';
import { runSuiteMain } from '../stack/testing/suite-main.ts';

const log = createLogger('test');

interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  ms: number;
  detail?: string;
}

const helpersFile = join(projectRoot, 'supabase', 'tests', 'database', '00000-test-helpers.test.sql');

async function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; output: string }> {
  const { code, output } = await runCommand(cmd, args, { cwd: projectRoot, env: { ...process.env, ...env } });
  return { code: code ?? 1, output };
}

function filesUnder(dir: string, suffix: string): string[] {
  try {
    return (readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => f.endsWith(suffix) && !f.includes('node_modules'))
      .map((f) => join(dir, f))
      .sort();
  } catch {
    return [];
  }
}

/** A check that passes or fails as a whole. */
function single(name: string, ok: boolean, detail?: string): Omit<SuiteResult, 'ms'> {
  return { name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, detail: ok ? undefined : detail };
}

/** A command whose exit status is the verdict. */
async function commandCheck(
  name: string,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<SuiteResult> {
  const started = performance.now();
  const { code, output } = await run(cmd, args, env);
  return { ...single(name, code === 0, output), ms: performance.now() - started };
}

type DbSuite = (cfg: StackConfig, database: string) => Promise<Omit<SuiteResult, 'ms'>>;

const dbSuites: Record<string, DbSuite> = {
  async db(cfg, database) {
    const res = await runPgProve(cfg, database, [join(projectRoot, 'supabase', 'tests', 'database')], log);
    return { name: 'project pgTAP', passed: res.passed, failed: res.failed, detail: res.ok ? undefined : res.output };
  },
  async lint(cfg, database) {
    // plpgsql_check over every function, as `supabase db lint` does on hosted projects.
    const name = 'supabase db lint --fail-on error';
    try {
      await lintDatabase(cfg, database, ['public', 'private'], log);
      return single(name, true);
    } catch (err) {
      return single(name, false, (err as Error).message);
    }
  },
  async types(cfg, database) {
    // Everything `npm run types` derives from the migrations must match them.
    const rules = await renderRules(cfg, database);
    const derived: [string, string][] = [
      [join(projectRoot, 'types', 'database.ts'), await generateTypes(cfg, database)],
      [rulesFile, rules.rulesTs],
      [authorizationDoc, rules.authorizationMd],
    ];
    const stale = derived
      .filter(([file, fresh]) => readFileSync(file, 'utf8') !== fresh)
      .map(([file]) => relative(projectRoot, file));
    return single(
      'types/database.ts, types/rules.ts and the docs refusal table are fresh',
      stale.length === 0,
      `${stale.join(', ')} differ from the migrations: run \`npm run types\` and commit the result`,
    );
  },
};

// The platform is tested on a database that has only the Supabase schema SQL: project migrations change defaults.
const platformSuites: Record<string, DbSuite> = {
  async platform(cfg, database) {
    const res = await runPgProve(cfg, database, [helpersFile, join(projectRoot, 'stack', 'postgres', 'tests')], log);
    return { name: 'platform pgTAP', passed: res.passed, failed: res.failed, detail: res.ok ? undefined : res.output };
  },
};

const suites: Record<string, () => Promise<SuiteResult[]>> = {
  async typecheck() {
    return [
      await commandCheck('tsc --noEmit', process.execPath, [
        join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        '.',
      ]),
    ];
  },
  async format() {
    // One formatter, one config (.prettierrc.json), for every TypeScript file: `npm run format` writes it.
    return [
      await commandCheck('prettier --check (npm run format)', process.execPath, [
        join(projectRoot, 'node_modules', 'prettier', 'bin', 'prettier.cjs'),
        '--check',
        '--log-level=warn',
        '**/*.{ts,tsx}',
      ]),
    ];
  },
  async deno() {
    // The edge functions: type-check every entrypoint, lint, and run the Deno tests of _shared.
    const deno = denoBinary();
    const env = { DENO_DIR: join(projectRoot, '.stack', 'deno'), NO_COLOR: '1' };
    const fnDir = join(projectRoot, 'supabase', 'functions');
    const entrypoints = readdirSync(fnDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && /^[A-Za-z]/.test(e.name) && e.name !== 'tests')
      .map((e) => join(fnDir, e.name, 'index.ts'));
    const results: SuiteResult[] = [
      await commandCheck(
        'deno check (functions + runtime bootstrap)',
        deno,
        [
          'check',
          '--no-lock',
          '--config',
          join(fnDir, 'tests', 'deno.json'),
          ...entrypoints,
          join(projectRoot, 'stack', 'edge-runtime', 'deno', 'bootstrap.ts'),
        ],
        env,
      ),
      await commandCheck('deno lint supabase/functions', deno, ['lint', fnDir], env),
    ];
    const testStarted = performance.now();
    const test = await run(
      deno,
      [
        'test',
        '--no-lock',
        '--config',
        join(fnDir, 'tests', 'deno.json'),
        '--allow-net=127.0.0.1',
        '--allow-env',
        join(fnDir, 'tests'),
      ],
      env,
    );
    const counts = /(\d+) passed \| (\d+) failed/.exec(test.output);
    const passed = Number(counts?.[1] ?? 0);
    const failed = Number(counts?.[2] ?? 0) || (test.code === 0 ? 0 : 1);
    results.push({
      name: 'deno test supabase/functions/tests',
      passed,
      failed,
      ms: performance.now() - testStarted,
      detail: failed ? test.output : undefined,
    });
    return results;
  },
  node: () => nodeTests('node tests', ['tests', 'stack', 'client']),
  // The meeting room in Chromium (web/tests/*.test.ts): a platform and page of its own, reported on its own line.
  web: () => nodeTests('browser tests', ['web']),
};

/** Every `*.test.ts` under `dirs`, in one `node --test` run. */
async function nodeTests(label: string, dirs: string[]): Promise<SuiteResult[]> {
  const started = performance.now();
  const files = dirs.flatMap((dir) => filesUnder(join(projectRoot, dir), '.test.ts'));
  if (files.length === 0) return [];
  const tapDir = mkdtempSync(join(tmpdir(), 'mr-tap-'));
  const tapFile = join(tapDir, 'node.tap');
  const { code, output } = await run(process.execPath, [
    '--experimental-websocket',
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...files,
  ]);
  const tap = readFileSync(tapFile, 'utf8');
  rmSync(tapDir, { recursive: true, force: true });
  const passed = Number(/^# pass (\d+)/m.exec(tap)?.[1] ?? 0);
  let failed = Number(/^# fail (\d+)/m.exec(tap)?.[1] ?? 0);
  if (code !== 0 && failed === 0) failed = 1;
  process.stdout.write(output);
  return [
    {
      name: `${label} (${files.map((f) => relative(projectRoot, f)).join(', ')})`,
      passed,
      failed,
      ms: performance.now() - started,
    },
  ];
}

async function runSuitesOn(cfg: StackConfig, table: Record<string, DbSuite>, names: string[], migrations: boolean) {
  const selected = names.filter((n) => n in table);
  if (selected.length === 0) return [];
  return withThrowawayDb(
    cfg,
    log,
    async (database) => {
      const results: SuiteResult[] = [];
      for (const name of selected) {
        const started = performance.now();
        log.info(`suite ${name}…`);
        const res = await table[name](cfg, database);
        results.push({ ...res, ms: performance.now() - started });
      }
      return results;
    },
    { migrations },
  );
}

async function runDbSuites(names: string[]): Promise<SuiteResult[]> {
  if (!names.some((n) => n in dbSuites || n in platformSuites)) return [];
  // A cluster of our own for tests, so `npm test` never touches the dev database and can run beside `npm start`.
  return withTestCluster(log, async (cfg) => [
    ...(await runSuitesOn(cfg, platformSuites, names, false)),
    ...(await runSuitesOn(cfg, dbSuites, names, true)),
  ]);
}

async function main(): Promise<number> {
  const requested = process.argv.slice(2);
  const all = ['typecheck', 'format', ...Object.keys(platformSuites), ...Object.keys(dbSuites), 'deno', 'node', 'web'];
  const names = requested.length > 0 ? requested : all;
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length) {
    console.error(`unknown suite(s) ${unknown.join(', ')}; known: ${all.join(', ')}`);
    return 2;
  }
  // Installs (as root) or names the system packages every suite needs, before any suite runs: a fresh machine
  // learns all it lacks at once, not one suite at a time.
  ensureSystemRequirements('test', log);
  const results: SuiteResult[] = [];
  if (names.includes('typecheck')) results.push(...(await suites.typecheck()));
  if (names.includes('format')) results.push(...(await suites.format()));
  results.push(...(await runDbSuites(names)));
  if (names.includes('deno')) results.push(...(await suites.deno()));
  if (names.includes('node')) results.push(...(await suites.node()));
  if (names.includes('web')) results.push(...(await suites.web()));

  console.log('');
  for (const r of results) {
    const mark = r.failed === 0 ? 'PASS' : 'FAIL';
    console.log(`${mark} ${r.name}: ${r.passed} passed, ${r.failed} failed (${(r.ms / 1000).toFixed(1)} s)`);
  }
  for (const r of results.filter((r) => r.failed > 0 && r.detail)) {
    console.log(`\n--- ${r.name} ---\n${r.detail}`);
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  console.log(`\n${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

runSuiteMain(main, log);
