// Entry for the supervisor: `node --import tsx stack/gateway/main.ts`; upstream ports come from the environment.
import { demoKeys } from '../config.ts';
import { runService } from '../shared/service-main.ts';
import { startGateway } from './index.ts';
import type { Upstream } from './routes.ts';

const env = process.env;
const upstreams: Partial<Record<Upstream, number>> = {};
for (const name of ['auth', 'rest', 'realtime', 'functions'] as const) {
  const value = env[`GATEWAY_${name.toUpperCase()}_PORT`];
  if (value) upstreams[name] = Number(value);
}

await runService('gateway', (log) => startGateway({
  port: Number(env.STACK_API_PORT ?? 54321),
  upstreams,
  keys: {
    anonKey: env.ANON_KEY ?? demoKeys.anonKey,
    serviceRoleKey: env.SERVICE_ROLE_KEY ?? demoKeys.serviceRoleKey,
    publishableKey: demoKeys.publishableKey,
    secretKey: demoKeys.secretKey,
  },
  log,
}));
