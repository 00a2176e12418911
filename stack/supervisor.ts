// Brings the whole local platform up, as `supabase start` does: Postgres (platform SQL, migrations, seed), then
// Realtime, Auth, REST and the functions runtime as child processes on loopback ports, then the gateway on the API
// port. A child that dies is restarted (a few times); stop() takes everything down in reverse order.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { apiUrl, dbUrl, demoKeys, projectRoot, type StackConfig } from './config.ts';
import { step, type Logger } from './log.ts';
import * as db from './postgres/index.ts';
import { isAlive, terminate } from './shared/child.ts';
import { isUpgradeHandoff, refuseHandoff, type UpgradeHandoff } from './shared/handoff.ts';
import type { Socket } from 'node:net';

type ServiceName = 'realtime' | 'auth' | 'rest' | 'functions' | 'gateway';

export interface StackHandle {
  cfg: StackConfig;
  services: ServiceName[];
  /** Stops one service (e.g. Realtime, to see what the rest does without it) and starts it again. */
  stopService(name: ServiceName): Promise<void>;
  startService(name: ServiceName): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when stop() has finished (e.g. after a signal). */
  stopped: Promise<void>;
}

interface StateFile {
  pid: number;
  apiPort: number;
  dbPort: number;
  services: ServiceName[];
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

function serviceEnv(cfg: StackConfig, name: ServiceName): NodeJS.ProcessEnv {
  const gateway = apiUrl(cfg);
  const common = {
    JWT_SECRET: demoKeys.jwtSecret,
    STACK_DB_PORT: String(cfg.dbPort),
    STACK_API_PORT: String(cfg.apiPort),
    STACK_WORKDIR: cfg.workdir,
    SUPABASE_URL: gateway,
  };
  switch (name) {
    case 'realtime':
      return { ...common, STACK_REALTIME_PORT: String(cfg.servicePorts.realtime) };
    case 'auth':
      return { ...common, AUTH_PORT: String(cfg.servicePorts.auth), DB_URL: dbUrl(cfg, { user: 'supabase_auth_admin', sslmode: false }),
        API_EXTERNAL_URL: `${gateway}/auth/v1` };
    case 'rest':
      return { ...common, REST_PORT: String(cfg.servicePorts.rest), DB_URL: dbUrl(cfg, { user: 'authenticator', sslmode: false }) };
    case 'functions':
      // One npm cache for every stack of this checkout: a test stack must not download supabase-js again.
      return { ...common, FUNCTIONS_PORT: String(cfg.servicePorts.functions), DENO_DIR: process.env.DENO_DIR ?? join(projectRoot, '.stack', 'deno'),
        SUPABASE_DB_URL: dbUrl(cfg, { sslmode: false }) };
    case 'gateway':
      return { ...common, GATEWAY_REALTIME_PORT: String(cfg.servicePorts.realtime), GATEWAY_AUTH_PORT: String(cfg.servicePorts.auth),
        GATEWAY_REST_PORT: String(cfg.servicePorts.rest), GATEWAY_FUNCTIONS_PORT: String(cfg.servicePorts.functions) };
  }
}

/** Polls a loopback port until it accepts a connection (true) or `alive()` turns false. */
async function waitForPort(port: number, alive: () => boolean): Promise<boolean> {
  while (alive()) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (open) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

class ServiceProcess {
  child?: ChildProcess;
  private restarts: number[] = [];
  private stopping = false;

  constructor(
    readonly name: ServiceName, private readonly cfg: StackConfig, private readonly log: Logger,
    /** Where the gateway's WebSocket hand-offs go (the Realtime process of the moment). */
    private readonly relay?: (msg: UpgradeHandoff, socket: Socket) => void,
  ) {}

  get port(): number {
    return this.name === 'gateway' ? this.cfg.apiPort : this.cfg.servicePorts[this.name];
  }

  get entry(): string {
    return join(projectRoot, 'stack', this.name, 'main.ts');
  }

  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      const child = fork(this.entry, [], {
        // STACK_NODE_ARGS adds Node flags to every service, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them.
        execArgv: ['--import', 'tsx', ...(process.env.STACK_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
        env: { ...process.env, ...serviceEnv(this.cfg, this.name) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        // Own process group: a terminal Ctrl-C reaches only the supervisor, which stops children in order (and does
        // not mistake their exit for a crash). Children still exit if the supervisor dies: the IPC channel closes.
        detached: true,
      });
      this.child = child;
      const timer = setTimeout(() => reject(new Error(`${this.name} did not report ready within 30 s`)), 30_000);
      let up = false;
      const ready = (port: number) => {
        clearTimeout(timer);
        up = true;
        resolve(port);
      };
      // Ready is the service's IPC message, or its port accepting connections (for a main.ts that does not send one).
      child.on('message', (msg: { type?: string; port?: number }, handle: unknown) => {
        if (msg?.type === 'ready') ready(msg.port ?? this.port);
        else if (isUpgradeHandoff(msg) && handle) this.relay?.(msg, handle as Socket);
      });
      void waitForPort(this.port, () => isAlive(child)).then((ok) => ok && ready(this.port));
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (!up) reject(new Error(`${this.name} exited during start (${code ?? signal})`));
        else if (!this.stopping) this.restart(code, signal); // only a service that was up is restarted
      });
    });
  }

  private restart(code: number | null, signal: NodeJS.Signals | null): void {
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < 60_000);
    if (this.restarts.length >= 3) {
      this.log.error(`${this.name} keeps exiting; not restarting it again`, { code, signal });
      return;
    }
    this.restarts.push(now);
    this.log.warn(`${this.name} exited; restarting`, { code, signal });
    this.start().catch((err: Error) => this.log.error(`${this.name} restart failed`, { error: err.message }));
  }

  stop(): Promise<void> {
    this.stopping = true;
    return terminate(this.child, 6000);
  }
}

export type { ServiceName };

export async function startStack(cfg: StackConfig, log: Logger): Promise<StackHandle> {
  const existing = runningStack(cfg);
  if (existing) {
    throw new Error(`meeting-realtime is already running (pid ${existing.pid}, API port ${existing.apiPort}). ` +
      'Stop it with Ctrl-C in its terminal or `npm stop`.');
  }
  await db.up(cfg, log);
  const backends: ServiceName[] = (['realtime', 'auth', 'rest', 'functions'] as const).filter((name) => {
    const present = existsSync(join(projectRoot, 'stack', name, 'main.ts'));
    if (!present) log.warn(`stack/${name} is not built yet; /${name === 'rest' ? 'rest' : name}/v1 will answer 404`);
    return present;
  });
  const processes = new Map<ServiceName, ServiceProcess>();
  // A socket handed off by the gateway goes on to Realtime at once: it reads nothing meanwhile (stack/shared/handoff.ts).
  const relay = (msg: UpgradeHandoff, socket: Socket) => {
    const realtime = processes.get('realtime')?.child;
    if (!realtime || !isAlive(realtime) || !realtime.connected) return refuseHandoff(socket);
    realtime.send(msg, socket, (err) => err && refuseHandoff(socket));
  };
  const stopAll = async () => {
    // The gateway first (no new traffic), then the services, then the database.
    const gateway = processes.get('gateway');
    if (gateway) await gateway.stop();
    await Promise.all([...processes.values()].filter((p) => p.name !== 'gateway').map((p) => p.stop()));
    await db.down(cfg, log);
    rmSync(stateFile(cfg), { force: true });
  };
  try {
    await step(log, `starting ${backends.join(', ')}`, async () => {
      await Promise.all(backends.map(async (name) => {
        const proc = new ServiceProcess(name, cfg, log);
        processes.set(name, proc);
        await proc.start();
      }));
    });
    const gateway = new ServiceProcess('gateway', cfg, log, relay);
    processes.set('gateway', gateway);
    await step(log, `starting the gateway on ${apiUrl(cfg)}`, () => gateway.start());
  } catch (err) {
    await stopAll();
    throw err;
  }
  mkdirSync(cfg.stateDir, { recursive: true });
  const state: StateFile = { pid: process.pid, apiPort: cfg.apiPort, dbPort: cfg.dbPort, services: [...backends, 'gateway'], startedAt: new Date().toISOString() };
  writeFileSync(stateFile(cfg), JSON.stringify(state, null, 2));

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  let stopping: Promise<void> | undefined;
  return {
    cfg,
    services: state.services,
    stopped,
    async stopService(name) {
      await processes.get(name)?.stop();
    },
    async startService(name) {
      const proc = new ServiceProcess(name, cfg, log, name === 'gateway' ? relay : undefined);
      processes.set(name, proc);
      await proc.start();
    },
    stop() {
      stopping ??= stopAll().finally(resolveStopped);
      return stopping;
    },
  };
}
