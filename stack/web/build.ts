// The meeting room's production build: `vite build` of web/, only when its sources changed. The sources' content
// hash names the build folder (`.stack/web/builds/<hash>/`), so an unchanged checkout starts without building, two
// stacks of one checkout (npm start beside npm test) share a build, and a build in progress never replaces the files
// a running server is reading: it is written to a temporary folder and renamed into place whole.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { projectRoot } from '../config.ts';
import type { Logger } from '../log.ts';
import { runCommand } from '../shared/child.ts';

/** Where builds live: the checkout's own .stack (not a test stack's state folder), so every stack reuses them. */
export const defaultBuildsDir = join(projectRoot, '.stack', 'web', 'builds');

/** Everything the bundle is made of: the page, the client and contract it imports, and the locked dependencies. */
const sourceRoots = ['web/index.html', 'web/vite.config.ts', 'web/src', 'client/src', 'types', 'package-lock.json'];
/** Builds kept besides the current one (a running server may still be serving an older one). */
const KEEP_BUILDS = 3;

function filesOf(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [path];
  return (readdirSync(path, { recursive: true }) as string[])
    .filter((f) => !f.split('/').includes('node_modules') && !f.endsWith('.test.ts'))
    .map((f) => join(path, f))
    .filter((f) => statSync(f).isFile());
}

/** The content hash of the page's sources (paths and bytes); tests are not part of the bundle. */
export function sourceHash(root = projectRoot): string {
  const hash = createHash('sha256');
  const files = sourceRoots
    .flatMap((r) => filesOf(join(root, r)))
    .map((f) => relative(root, f))
    .sort();
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * `production` is what npm start serves; `development` keeps React's development checks (missing keys, invalid
 * props, …), which report to the console: the browser tests run on it and fail on any console warning.
 */
export type BuildMode = 'production' | 'development';

export interface WebBuild {
  dir: string;
  mode: BuildMode;
  hash: string;
  /** Whether this call ran vite build (false: the sources were unchanged). */
  built: boolean;
  ms: number;
}

function viteBin(): string {
  return join(createRequire(import.meta.url).resolve('vite/package.json'), '..', 'bin', 'vite.js');
}

async function runViteBuild(outDir: string, mode: BuildMode): Promise<void> {
  const args = ['build', '--config', join(projectRoot, 'web', 'vite.config.ts'), '--outDir', outDir, '--emptyOutDir'];
  const { code, output } = await runCommand(
    process.execPath,
    [viteBin(), ...args, '--logLevel', 'warn', '--mode', mode],
    { cwd: projectRoot, env: { ...process.env, NODE_ENV: mode } },
  );
  if (code !== 0) throw new Error(`vite build failed (exit ${code}):\n${output.trim()}`);
}

/** The build of the current sources, running `vite build` first when there is none yet. */
export async function ensureWebBuild(
  log: Logger,
  opts: { mode?: BuildMode; buildsDir?: string } = {},
): Promise<WebBuild> {
  const started = performance.now();
  const mode = opts.mode ?? 'production';
  const buildsDir = opts.buildsDir ?? defaultBuildsDir;
  const hash = sourceHash();
  const dir = join(buildsDir, `${hash}-${mode}`);
  if (existsSync(join(dir, 'index.html'))) return { dir, mode, hash, built: false, ms: performance.now() - started };
  mkdirSync(buildsDir, { recursive: true });
  const tmp = join(buildsDir, `.tmp-${hash}-${mode}-${process.pid}-${Date.now()}`);
  log.info('building the meeting room (web/ changed)', { hash, mode });
  try {
    await runViteBuild(tmp, mode);
    try {
      renameSync(tmp, dir);
    } catch (err) {
      // Another stack of this checkout finished the same build first: theirs is identical.
      if (!existsSync(join(dir, 'index.html'))) throw err;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  pruneBuilds(buildsDir, `${hash}-${mode}`);
  const ms = performance.now() - started;
  log.info('meeting room built', { hash, mode, ms: Math.round(ms) });
  return { dir, mode, hash, built: true, ms };
}

/** Keeps the newest KEEP_BUILDS builds besides `current`, and drops what builds that died half-way left. */
function pruneBuilds(buildsDir: string, current: string): void {
  const entries = readdirSync(buildsDir)
    .filter((name) => name !== current)
    .map((name) => ({ name, at: statSync(join(buildsDir, name)).mtimeMs }));
  const stale = [
    ...entries.filter((e) => e.name.startsWith('.tmp-') && Date.now() - e.at > 3_600_000),
    ...entries
      .filter((e) => !e.name.startsWith('.'))
      .sort((a, b) => b.at - a.at)
      .slice(KEEP_BUILDS),
  ];
  for (const { name } of stale) rmSync(join(buildsDir, name), { recursive: true, force: true });
}
