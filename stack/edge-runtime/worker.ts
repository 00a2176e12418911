// One Deno process per function (edge-runtime's per_worker policy): booted on the first request, kept warm for
// the next ones, replaced when it crashes, times out or its files change. Least permissions: network to the
// allowed hosts, read of the functions folder and of the local files the function imports (what the hosted bundle
// holds: `supabase functions deploy` bundles relative imports from outside supabase/functions too), the
// environment we hand it, nothing else.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { flagsFromEnv, projectRoot } from '../config.ts';
import type { Logger } from '../log.ts';
import { isAlive, terminate } from '../shared/child.ts';
import type { FunctionSpec } from './discovery.ts';

const bootstrap = fileURLToPath(new URL('./deno/bootstrap.ts', import.meta.url));

export function denoBinary(): string {
  const platformPkg = join(
    projectRoot,
    'node_modules',
    '@deno',
    `${process.platform}-${process.arch === 'x64' ? 'x64' : process.arch}-glibc`,
    'deno',
  );
  return existsSync(platformPkg) ? platformPkg : join(projectRoot, 'node_modules', '.bin', 'deno');
}

export class BootError extends Error {
  constructor(
    slug: string,
    public readonly output: string,
  ) {
    super(`function ${slug} failed to boot: ${output.trim().split('\n').slice(-5).join(' | ')}`);
  }
}

export interface WorkerOptions {
  spec: FunctionSpec;
  env: Record<string, string>;
  functionsDir: string;
  denoDir: string;
  allowNet: string[];
  bootTimeoutMs: number;
  log: Logger;
}

export class FunctionWorker {
  private child?: ChildProcess;
  private booting?: Promise<number>;
  port?: number;
  readonly executionId = randomUUID();

  constructor(private readonly opts: WorkerOptions) {}

  get alive(): boolean {
    return isAlive(this.child);
  }

  /** The port of a ready worker, booting one if needed. */
  ready(): Promise<number> {
    if (this.port !== undefined && this.alive) return Promise.resolve(this.port);
    this.booting ??= this.boot().finally(() => (this.booting = undefined));
    return this.booting;
  }

  /** The local files of the function's module graph outside the functions folder (`deno info`). */
  private importedFiles(): Promise<string[]> {
    const { spec } = this.opts;
    const args = [
      'info',
      '--json',
      '--no-lock',
      ...(spec.config ? ['--config', spec.config] : ['--no-config']),
      spec.entrypoint,
    ];
    return new Promise((resolve) => {
      execFile(
        denoBinary(),
        args,
        {
          cwd: spec.dir,
          env: { ...process.env, DENO_DIR: this.opts.denoDir, NO_COLOR: '1' },
          maxBuffer: 16 * 1024 * 1024,
        },
        (err, stdout) => {
          // A graph that does not resolve fails at boot with Deno's own message; no extra reads then.
          if (err) return resolve([]);
          const modules = (JSON.parse(stdout) as { modules?: { specifier: string }[] }).modules ?? [];
          resolve(
            modules
              .map((m) => m.specifier)
              .filter((u) => u.startsWith('file:'))
              .map((u) => fileURLToPath(u))
              .filter((file) => !file.startsWith(this.opts.functionsDir + '/')),
          );
        },
      );
    });
  }

  private async boot(): Promise<number> {
    const { spec, log } = this.opts;
    const readable = [this.opts.functionsDir, ...(await this.importedFiles())];
    const args = [
      'run',
      '--no-prompt',
      // FUNCTIONS_DENO_ARGS: extra flags for profiling (e.g. --inspect=127.0.0.1:9229), as STACK_NODE_ARGS for the host.
      ...flagsFromEnv('FUNCTIONS_DENO_ARGS'),
      '--no-lock',
      '--node-modules-dir=none',
      `--allow-net=${this.opts.allowNet.join(',')}`,
      '--allow-env',
      `--allow-read=${readable.join(',')}`,
      ...(spec.config ? ['--config', spec.config] : ['--no-config']),
      bootstrap,
      pathToFileURL(spec.entrypoint).href,
    ];
    const child = spawn(denoBinary(), args, {
      cwd: spec.dir,
      env: { ...this.opts.env, SB_EXECUTION_ID: this.executionId, DENO_DIR: this.opts.denoDir, NO_COLOR: '1' },
      // stdin stays open while we live: the worker exits at its EOF, so a runtime killed outright leaves no orphans.
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    const flog = log.child(spec.slug);
    let bootOutput = '';
    const started = performance.now();
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new BootError(spec.slug, `${bootOutput}\nno answer within ${this.opts.bootTimeoutMs} ms`));
      }, this.opts.bootTimeoutMs);
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        if (this.port === undefined || !this.alive) {
          try {
            const msg = JSON.parse(line) as { ready?: boolean; port?: number };
            if (msg.ready && msg.port) {
              clearTimeout(timer);
              this.port = msg.port;
              flog.info('worker ready', { ms: Math.round(performance.now() - started), pid: child.pid });
              resolve(msg.port);
              return;
            }
          } catch {
            /* a log line printed while booting */
          }
        }
        flog.info(line);
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        if (this.port === undefined) bootOutput += text;
        for (const line of text.split('\n')) if (line.trim()) flog.warn(line.trim());
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.child === child) this.port = undefined;
        flog.debug('worker exited', { code, signal });
        reject(new BootError(spec.slug, bootOutput || `exited with ${code ?? signal}`));
      });
    });
  }

  stop(): Promise<void> {
    this.port = undefined;
    return terminate(this.child, 2000);
  }
}
