// Brings the whole local platform up, as `supabase start` does: Postgres (Supabase schema SQL, migrations, seed), then one
// child process running Realtime, Auth, REST and the functions runtime on their loopback ports and the gateway on the
// API port (stack/host). A platform that dies is restarted (a few times); stop() takes everything down in
// reverse order. With `web`, the meeting room page (stack/web) is built and served on its own port besides.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiUrl, dbUrl, demoKeys, flagsFromEnv, projectRoot, type StackConfig } from './config.ts';
import { step, type Logger } from './log.ts';
import * as db from './postgres/index.ts';
import { isAlive, terminate } from './shared/child.ts';
import { serviceNames, type ServiceName } from './host/index.ts';
import { startWebService, type WebService } from './web/index.ts';

/** What `services` lists: every service and the gateway, and the meeting room page when it is served. */
export type ListedService = ServiceName | 'gateway' | 'web';

export interface StartOptions {
  /** Also build (when web/ changed) and serve the meeting room page on cfg.webPort, as `npm start` does. */
  web?: boolean;
}

export interface StackHandle {
  cfg: StackConfig;
  services: ListedService[];
  /** Stops one service (e.g. Realtime, to see what the rest does without it) and starts it again. */
  stopService(name: ServiceName): Promise<void>;
  startService(name: ServiceName): Promise<void>;
  /** The host process's pid (a test kills it to see it restarted). */
  platformPid(): number | undefined;
  /** Stops Postgres alone (fast shutdown) and starts it again, as an outage would: the services are left running. */
  stopDatabase(): Promise<void>;
  startDatabase(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when stop() has finished (e.g. after a signal). */
  stopped: Promise<void>;
}

interface StateFile {
  pid: number;
  apiPort: number;
  dbPort: number;
  services: ListedService[];
  startedAt: string;
}

export const stateFile = (cfg: StackConfig) => join(cfg.stateDir, 'stack.json');

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The running supervisor of this state folder, if any. */
export function runningStack(cfg: StackConfig): StateFile | undefined {
  try {
    const state = JSON.parse(readFileSync(stateFile(cfg), 'utf8')) as StateFile;
    return pidAlive(state.pid) ? state : undefined;
  } catch {
    return undefined;
  }
}

/** The host process's environment: what each service reads (see stack/<service>/env.ts). */
function platformEnv(cfg: StackConfig): NodeJS.ProcessEnv {
  const gateway = apiUrl(cfg);
  return {
    JWT_SECRET: demoKeys.jwtSecret,
    STACK_DB_PORT: String(cfg.dbPort),
    STACK_API_PORT: String(cfg.apiPort),
    STACK_WORKDIR: cfg.workdir,
    SUPABASE_URL: gateway,
    STACK_REALTIME_PORT: String(cfg.servicePorts.realtime),
    AUTH_PORT: String(cfg.servicePorts.auth),
    API_EXTERNAL_URL: `${gateway}/auth/v1`,
    REST_PORT: String(cfg.servicePorts.rest),
    FUNCTIONS_PORT: String(cfg.servicePorts.functions),
    // One npm cache for every stack of this checkout: a test stack must not download supabase-js again.
    DENO_DIR: process.env.DENO_DIR ?? join(projectRoot, '.stack', 'deno'),
    SUPABASE_DB_URL: dbUrl(cfg, { sslmode: false }),
    // Each service logs in as its own role, under the variable its upstream reads.
    GOTRUE_DB_DATABASE_URL: dbUrl(cfg, { user: 'supabase_auth_admin', sslmode: false }),
    PGRST_DB_URI: dbUrl(cfg, { user: 'authenticator', sslmode: false }),
  };
}

/** The host process (stack/host): every service and the gateway. Restarted (a few times) if it dies. */
class PlatformProcess {
  child?: ChildProcess;
  private restarts: number[] = [];
  private stopping = false;
  private nextId = 0;
  private pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();

  constructor(
    private readonly cfg: StackConfig,
    private readonly log: Logger,
  ) {}

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = fork(join(projectRoot, 'stack', 'host', 'main.ts'), [], {
        // STACK_NODE_ARGS adds Node flags, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the services.
        execArgv: ['--import', 'tsx', ...flagsFromEnv('STACK_NODE_ARGS')],
        env: { ...process.env, ...platformEnv(this.cfg) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        // Own process group: a terminal Ctrl-C reaches only the supervisor, which stops the platform in order (and
        // does not mistake its exit for a crash). It still exits if the supervisor dies: the IPC channel closes.
        detached: true,
      });
      this.child = child;
      const timer = setTimeout(() => reject(new Error('the platform did not report ready within 60 s')), 60_000);
      let up = false;
      child.on('message', (msg: { type?: string; id?: number; error?: string }) => {
        if (msg?.type === 'ready') {
          clearTimeout(timer);
          up = true;
          resolve();
        } else if (msg?.type === 'done' && msg.id !== undefined) {
          const waiter = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          if (msg.error) waiter?.reject(new Error(msg.error));
          else waiter?.resolve();
        }
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        for (const waiter of this.pending.values()) waiter.reject(new Error(`the platform exited (${code ?? signal})`));
        this.pending.clear();
        if (!up) reject(new Error(`the platform exited during start (${code ?? signal})`));
        else if (!this.stopping) this.restart(code, signal); // only a platform that was up is restarted
      });
    });
  }

  /** Stops or starts one service inside the platform. */
  control(type: 'stop-service' | 'start-service', name: ServiceName): Promise<void> {
    const child = this.child;
    if (!child || !isAlive(child)) return Promise.reject(new Error('the platform is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.send({ type, name, id });
    });
  }

  private restart(code: number | null, signal: NodeJS.Signals | null): void {
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < 60_000);
    if (this.restarts.length >= 3) {
      this.log.error('the platform keeps exiting; not restarting it again', { code, signal });
      return;
    }
    this.restarts.push(now);
    this.log.warn('the platform exited; restarting', { code, signal });
    this.start().catch((err: Error) => this.log.error('platform restart failed', { error: err.message }));
  }

  stop(): Promise<void> {
    this.stopping = true;
    return terminate(this.child, 8000);
  }
}

export async function startStack(cfg: StackConfig, log: Logger, opts: StartOptions = {}): Promise<StackHandle> {
  const existing = runningStack(cfg);
  if (existing) {
    throw new Error(
      `meeting-realtime is already running (pid ${existing.pid}, API port ${existing.apiPort}). ` +
        'Stop it with Ctrl-C in its terminal or `npm stop`.',
    );
  }
  // The page's port is bound first (like the gateway's, it lies in the ephemeral range the database connections
  // draw from), and its build, when web/ changed, runs beside the database's start.
  let web: WebService | undefined;
  if (opts.web) {
    web = await startWebService({
      port: cfg.webPort,
      config: { apiUrl: apiUrl(cfg), anonKey: demoKeys.anonKey },
      log: log.child('web'),
    });
  }
  const platform = new PlatformProcess(cfg, log);
  const stopAll = async () => {
    await web?.close(); // the page first: it is only a client of the rest
    await platform.stop(); // the gateway first (no new traffic), then the services
    await db.down(cfg, log);
    rmSync(stateFile(cfg), { force: true });
  };
  try {
    await db.up(cfg, log);
  } catch (err) {
    await web?.close();
    throw err;
  }
  try {
    await step(log, `starting ${serviceNames.join(', ')} and the gateway on ${apiUrl(cfg)}`, () => platform.start());
    // A failed build is logged by the web service and answered there as a 503; the platform runs on.
    await web?.ready.catch(() => {});
  } catch (err) {
    await stopAll();
    throw err;
  }
  mkdirSync(cfg.stateDir, { recursive: true });
  const services: ListedService[] = [...serviceNames, 'gateway', ...(web ? ['web' as const] : [])];
  const state: StateFile = {
    pid: process.pid,
    apiPort: cfg.apiPort,
    dbPort: cfg.dbPort,
    services,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(stateFile(cfg), JSON.stringify(state, null, 2));

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  let stopping: Promise<void> | undefined;
  return {
    cfg,
    services: state.services,
    stopped,
    stopService: (name) => platform.control('stop-service', name),
    startService: (name) => platform.control('start-service', name),
    platformPid: () => platform.child?.pid,
    stopDatabase: async () => void (await db.down(cfg, log)),
    startDatabase: async () => void (await db.ensureCluster(cfg, log)),
    stop() {
      stopping ??= stopAll().finally(resolveStopped);
      return stopping;
    },
  };
}
