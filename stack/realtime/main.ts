// Entry for the supervisor (and for running the service alone): `node --import tsx stack/realtime/main.ts`.
// Listens on STACK_REALTIME_PORT (54380; the gateway serves it as /realtime/v1 on the API port) and connects to the
// local database as supabase_admin, as the self-hosted Realtime does. Limits come from upstream's variables
// (TENANT_MAX_CONCURRENT_USERS, TENANT_MAX_EVENTS_PER_SECOND, TENANT_MAX_JOINS_PER_SECOND,
// TENANT_MAX_CHANNELS_PER_CLIENT, CLIENT_PRESENCE_MAX_CALLS, CLIENT_PRESENCE_WINDOW_MS, MAX_PAYLOAD_SIZE_KB), as do
// CHANNEL_ERROR_BACKOFF_MS and CONNECT_ERROR_BACKOFF_MS. SIGINT/SIGTERM: phx_close to every channel, then close.
import { dbUrl, demoKeys, loadConfig } from '../config.ts';
import type { Socket } from 'node:net';
import { isUpgradeHandoff } from '../shared/handoff.ts';
import { runService } from '../shared/service-main.ts';
import { startRealtime, type RealtimeOptions } from './index.ts';

const env = process.env;
const num = (name: string): number | undefined => (env[name] !== undefined ? Number(env[name]) : undefined);

function limitsFromEnv(): RealtimeOptions['limits'] {
  const pairs = {
    maxConcurrentUsers: num('TENANT_MAX_CONCURRENT_USERS'),
    maxEventsPerSecond: num('TENANT_MAX_EVENTS_PER_SECOND'),
    maxJoinsPerSecond: num('TENANT_MAX_JOINS_PER_SECOND'),
    maxChannelsPerClient: num('TENANT_MAX_CHANNELS_PER_CLIENT'),
    clientPresenceMaxCalls: num('CLIENT_PRESENCE_MAX_CALLS'),
    clientPresenceWindowMs: num('CLIENT_PRESENCE_WINDOW_MS'),
    maxPayloadSizeKb: num('MAX_PAYLOAD_SIZE_KB'),
  };
  return Object.fromEntries(Object.entries(pairs).filter(([, v]) => v !== undefined));
}

await runService('realtime', async (log) => {
  const cfg = loadConfig();
  const server = await startRealtime({
    port: cfg.servicePorts.realtime,
    host: env.STACK_REALTIME_HOST ?? '127.0.0.1',
    jwtSecret: env.JWT_SECRET ?? demoKeys.jwtSecret,
    opaqueKeys: {
      publishable: demoKeys.publishableKey, secret: demoKeys.secretKey,
      anonJwt: demoKeys.anonKey, serviceRoleJwt: demoKeys.serviceRoleKey,
    },
    dbUrl: dbUrl(cfg, { user: 'supabase_admin', sslmode: false }),
    limits: limitsFromEnv(),
    channelErrorBackoffMs: num('CHANNEL_ERROR_BACKOFF_MS'),
    connectErrorBackoffMs: num('CONNECT_ERROR_BACKOFF_MS'),
    log,
  });
  // Sockets the gateway hands over through the supervisor (stack/shared/handoff.ts).
  process.on('message', (msg: unknown, handle: unknown) => {
    if (isUpgradeHandoff(msg) && handle) server.adoptUpgrade(msg, handle as Socket);
  });
  log.info('ready', { websocket: `ws://127.0.0.1:${server.port}/realtime/v1/websocket`, metrics: `http://127.0.0.1:${server.port}/metrics` });
  return server;
});
