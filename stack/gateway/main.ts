// Entry for the supervisor: `node --import tsx stack/gateway/main.ts`; upstream ports come from the environment.
import { demoKeys } from '../config.ts';
import type { Socket } from 'node:net';
import type { UpgradeHandoff } from '../shared/handoff.ts';
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
  // Under the supervisor, Realtime sockets go to the Realtime process through it (stack/shared/handoff.ts).
  handoff: process.send && env.GATEWAY_WEBSOCKET_HANDOFF !== 'off'
    ? (msg: UpgradeHandoff, socket: Socket) => {
      if (!process.connected) return false;
      // Sent, the descriptor belongs to Realtime and this only drops our bookkeeping; failed (the IPC channel went
      // away), it closes the client's connection and the client reconnects.
      process.send!(msg, socket, () => socket.destroy());
      return true;
    }
    : undefined,
}));
