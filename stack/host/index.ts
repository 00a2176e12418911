// stack/host: Realtime, Auth, REST and the functions runtime in one Node process behind the gateway, as the
// supervisor runs them. Each service still listens on its own loopback port (as its container does under
// `supabase start`), but the gateway hands it requests and WebSocket upgrades in-process: on 2 cores a network hop
// costs more than most requests' own work. A service can be stopped and started again alone (a test stops Realtime
// to see what the rest does without it); meanwhile the gateway answers 502 for it, as Kong does for a dead upstream.
import { createServer } from 'node:http';
import { demoKeys } from '../config.ts';
import { createLogger, type Logger } from '../log.ts';
import { startAuthFromEnv } from '../auth/env.ts';
import { startFunctionsFromEnv } from '../edge-runtime/env.ts';
import { gatewayKeysFromEnv } from '../gateway/env.ts';
import { startGateway, type LocalUpstream } from '../gateway/index.ts';
import { startRealtimeFromEnv } from '../realtime/env.ts';
import { startRestFromEnv } from '../postgrest/env.ts';
import type { RunningService } from '../shared/service-main.ts';

export type ServiceName = 'realtime' | 'auth' | 'rest' | 'functions';
export const serviceNames: readonly ServiceName[] = ['realtime', 'auth', 'rest', 'functions'];

type Running = RunningService & LocalUpstream;

const starters: Record<ServiceName, (env: NodeJS.ProcessEnv, log: Logger) => Promise<Running>> = {
  realtime: startRealtimeFromEnv,
  auth: startAuthFromEnv,
  rest: startRestFromEnv,
  functions: startFunctionsFromEnv,
};

export interface Platform extends RunningService {
  stopService(name: ServiceName): Promise<void>;
  startService(name: ServiceName): Promise<void>;
}

/** Starts the gateway on STACK_API_PORT, then every service from the environment (see each service's env.ts). */
export async function startPlatform(env: NodeJS.ProcessEnv): Promise<Platform> {
  const running = new Map<ServiceName, Running>();
  const upstreams: Partial<Record<ServiceName, LocalUpstream>> = {};
  const start = async (name: ServiceName) => {
    const service = await starters[name](env, createLogger(name));
    running.set(name, service);
    upstreams[name] = service;
  };
  const stop = async (name: ServiceName) => {
    const service = running.get(name);
    running.delete(name);
    // The entry stays, with its server no longer listening: the gateway answers 502 rather than 404.
    await service?.close();
  };
  const stopAll = () => Promise.all([...running.keys()].map(stop));
  // The gateway binds the API port first: the services' connections to Postgres take ephemeral ports, a range the
  // API port (54321, as the CLI's) sits in. Until a service is up its routes answer 502 (a server that never listens).
  const starting: LocalUpstream = { server: createServer() };
  for (const name of serviceNames) upstreams[name] = starting;
  const gateway = await startGateway({
    port: Number(env.STACK_API_PORT ?? 54321),
    upstreams,
    keys: gatewayKeysFromEnv(env),
    jwtSecret: env.JWT_SECRET ?? demoKeys.jwtSecret,
    log: createLogger('gateway'),
  });
  try {
    await Promise.all(serviceNames.map(start));
  } catch (err) {
    await gateway.close();
    await stopAll();
    throw err;
  }
  return {
    port: gateway.port,
    stopService: stop,
    async startService(name) {
      if (!running.has(name)) await start(name);
    },
    async close() {
      await gateway.close(); // no new traffic first, then the services
      await stopAll();
    },
  };
}
