// Child processes the stack owns or runs: is one still running, stop it politely, and run a command to its end
// collecting what it writes (pg_prove, postgres-meta, the Supabase CLI, the suites of `npm test`).
import { spawn, type ChildProcess } from 'node:child_process';

export function isAlive(child: ChildProcess | undefined): child is ChildProcess {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves once it has exited. */
export function terminate(child: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (!isAlive(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** How a command ran: its exit code (null when a signal ended it) and what it wrote. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, in the order they arrived. */
  output: string;
}

export interface CommandOptions {
  cwd?: string;
  /** The whole environment of the child (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Called with each piece of output as it arrives (e.g. to log it line by line). */
  onOutput?: (text: string) => void;
}

/**
 * Runs `cmd` with stdin closed and resolves when it has exited and its output is closed, whatever its exit code;
 * rejects only when it cannot be started.
 */
export function runCommand(cmd: string, args: string[], opts: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const result: CommandResult = { code: null, stdout: '', stderr: '', output: '' };
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const text = chunk.toString();
      result[stream] += text;
      result.output += text;
      opts.onOutput?.(text);
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ...result, code }));
  });
}
