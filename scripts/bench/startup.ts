// `npm run bench`'s platform section: `npm start` (stack/cli.ts start, in a process of its own as a person runs it)
// from launch to the printed status block, on ports 28421/28422 and a state folder of its own. Cold: a fresh state
// folder (initdb, Supabase's schemas, the migrations and seed through the CLI). Warm: `npm start` again on the folder
// the cold start left (the cluster exists; Postgres starts, the services come up). Caches outside the state folder
// (Deno's module cache, the meeting room's build, keyed by its sources) are warm in both, as on a developer's machine.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../stack/config.ts';
import { tempDir } from '../../stack/testing/project.ts';

const API_PORT = 28421;
const READY = 'local development setup is running';
const START_TIMEOUT_MS = 300_000;
const STOP_TIMEOUT_MS = 60_000;

export interface StartupRaw {
  coldMs: number[];
  warmMs: number[];
}

/** Runs `npm start` on `stateDir` until ready, stops it with SIGTERM (as Ctrl-C would) and answers the ms to ready. */
async function startOnce(stateDir: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'stack', 'cli.ts'), 'start'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      STACK_STATE_DIR: stateDir,
      STACK_API_PORT: String(API_PORT),
      STACK_DB_PORT: String(API_PORT + 1),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`npm start not ready in ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      const onData = (d: Buffer) => {
        output += d;
        if (output.includes(READY)) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited (${code}) before ready:\n${output.slice(-2000)}`));
      });
    });
  } finally {
    child.kill('SIGTERM');
    const stopped = await Promise.race([
      exited.then(() => true),
      new Promise((r) => setTimeout(r, STOP_TIMEOUT_MS, false)),
    ]);
    if (!stopped) child.kill('SIGKILL');
  }
}

/** `rounds` cold starts, each followed by a warm one on the same folder. */
export async function runStartupBench(rounds: number, progress: (message: string) => void): Promise<StartupRaw> {
  const raw: StartupRaw = { coldMs: [], warmMs: [] };
  for (let round = 0; round < rounds; round++) {
    const dir = tempDir('start-bench');
    try {
      raw.coldMs.push(await startOnce(dir));
      raw.warmMs.push(await startOnce(dir));
      progress(
        `platform: round ${round + 1}/${rounds}: cold ${raw.coldMs.at(-1)!.toFixed(0)} ms, warm ${raw.warmMs.at(-1)!.toFixed(0)} ms`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return raw;
}
