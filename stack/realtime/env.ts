// Realtime configured from the environment: STACK_REALTIME_PORT (24380 by default; the gateway serves it as
// /realtime/v1 on the API port), STACK_REALTIME_HOST, JWT_SECRET, and upstream's limit variables
// (TENANT_MAX_CONCURRENT_USERS, TENANT_MAX_EVENTS_PER_SECOND, TENANT_MAX_JOINS_PER_SECOND,
// TENANT_MAX_CHANNELS_PER_CLIENT, CLIENT_PRESENCE_MAX_CALLS, CLIENT_PRESENCE_WINDOW_MS, MAX_PAYLOAD_SIZE_KB),
// CHANNEL_ERROR_BACKOFF_MS and CONNECT_ERROR_BACKOFF_MS. It connects to the local database as supabase_admin, as the
// self-hosted Realtime does.
import { dbUrl, demoKeys, loadConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { startRealtime, type RealtimeOptions, type RealtimeServer } from './index.ts';

export async function startRealtimeFromEnv(env: NodeJS.ProcessEnv, log: Logger): Promise<RealtimeServer> {
  const num = (name: string): number | undefined => (env[name] !== undefined ? Number(env[name]) : undefined);
  const limits = {
    maxConcurrentUsers: num('TENANT_MAX_CONCURRENT_USERS'),
    maxEventsPerSecond: num('TENANT_MAX_EVENTS_PER_SECOND'),
    maxJoinsPerSecond: num('TENANT_MAX_JOINS_PER_SECOND'),
    maxChannelsPerClient: num('TENANT_MAX_CHANNELS_PER_CLIENT'),
    clientPresenceMaxCalls: num('CLIENT_PRESENCE_MAX_CALLS'),
    clientPresenceWindowMs: num('CLIENT_PRESENCE_WINDOW_MS'),
    maxPayloadSizeKb: num('MAX_PAYLOAD_SIZE_KB'),
  };
  const cfg = loadConfig(env);
  const server = await startRealtime({
    port: cfg.servicePorts.realtime,
    host: env.STACK_REALTIME_HOST ?? '127.0.0.1',
    jwtSecret: env.JWT_SECRET ?? demoKeys.jwtSecret,
    opaqueKeys: {
      publishable: demoKeys.publishableKey,
      secret: demoKeys.secretKey,
      anonJwt: demoKeys.anonKey,
      serviceRoleJwt: demoKeys.serviceRoleKey,
    },
    dbUrl: dbUrl(cfg, { user: 'supabase_admin', sslmode: false }),
    limits: Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)) as RealtimeOptions['limits'],
    channelErrorBackoffMs: num('CHANNEL_ERROR_BACKOFF_MS'),
    connectErrorBackoffMs: num('CONNECT_ERROR_BACKOFF_MS'),
    log,
  });
  log.info('ready', {
    websocket: `ws://127.0.0.1:${server.port}/realtime/v1/websocket`,
    metrics: `http://127.0.0.1:${server.port}/metrics`,
  });
  return server;
}
