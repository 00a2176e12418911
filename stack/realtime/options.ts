// Everything the server can be told, with upstream's defaults (supabase/realtime config/runtime.exs and the tenant
// schema) so a project behaves locally as it will hosted. Tests and the benchmark override what they need.
import type { Logger } from '../log.ts';

export interface RealtimeLimits {
  /** Sockets with at least one joined channel (TENANT_MAX_CONCURRENT_USERS). */
  maxConcurrentUsers: number;
  /** Tenant-wide messages in and out per second, averaged (TENANT_MAX_EVENTS_PER_SECOND). */
  maxEventsPerSecond: number;
  /** Tenant-wide channel joins per second, averaged (TENANT_MAX_JOINS_PER_SECOND). */
  maxJoinsPerSecond: number;
  /** Channels one socket may have joined (TENANT_MAX_CHANNELS_PER_CLIENT). */
  maxChannelsPerClient: number;
  /** Tenant-wide presence messages per second, averaged (max_presence_events_per_second). */
  maxPresenceEventsPerSecond: number;
  /** track/untrack calls one channel may make per window (CLIENT_PRESENCE_MAX_CALLS / _WINDOW_MS). */
  clientPresenceMaxCalls: number;
  clientPresenceWindowMs: number;
  /** Broadcast and presence payload limit (max_payload_size_in_kb). */
  maxPayloadSizeKb: number;
  /** Postgres Changes record limit before fields are trimmed (poll_max_record_bytes). */
  maxRecordBytes: number;
  /** Largest WebSocket frame accepted (the endpoint's max_frame_size). */
  maxFrameBytes: number;
  /** Rate counters average over `rateBuckets` buckets of `rateTickMs` (upstream: 12 × 5 s). */
  rateTickMs: number;
  rateBuckets: number;
}

export const defaultLimits: RealtimeLimits = {
  maxConcurrentUsers: 200,
  maxEventsPerSecond: 100,
  maxJoinsPerSecond: 100,
  maxChannelsPerClient: 100,
  maxPresenceEventsPerSecond: 1000,
  clientPresenceMaxCalls: 5,
  clientPresenceWindowMs: 30_000,
  maxPayloadSizeKb: 3000,
  maxRecordBytes: 1_048_576,
  maxFrameBytes: 5_000_000,
  rateTickMs: 5000,
  rateBuckets: 12,
};

export interface RealtimeOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** HS256 secret for apikeys and access tokens. */
  jwtSecret: string;
  /** Optional JWKS (`{keys: [...]}`) for ES256/RS256/HS* keys with a `kid`. */
  jwks?: { keys: Record<string, unknown>[] };
  /** Opaque keys a gatewayless server maps to the legacy JWTs, as the gateway would (anon / service_role). */
  opaqueKeys?: { publishable: string; secret: string; anonJwt: string; serviceRoleJwt: string };
  /**
   * postgres:// URL of a superuser that opens replication (supabase_admin): probes take the `authenticator` session
   * (SET SESSION AUTHORIZATION) and switch to the token's role from there, as PostgREST does.
   */
  dbUrl?: string;
  /** Connections used for authorization probes, replay and Postgres Changes. */
  dbPoolSize?: number;
  /** Stream realtime.messages (broadcast from the database); default true when dbUrl is set. */
  dbBroadcast?: boolean;
  /** Stream the supabase_realtime publication (Postgres Changes); default true when dbUrl is set. */
  postgresChanges?: boolean;
  limits?: Partial<RealtimeLimits>;
  /** Upstream delays join error replies (CHANNEL_ERROR_BACKOFF_MS, 5000) and refused upgrades (2000). */
  channelErrorBackoffMs?: number;
  connectErrorBackoffMs?: number;
  /** Sockets silent this long are closed (Phoenix's websocket timeout). */
  idleTimeoutMs?: number;
  /** Upper bound between token expiry checks of a joined channel (upstream: 5 min). */
  tokenRecheckMaxMs?: number;
  log?: Logger;
}

export interface ResolvedOptions extends Required<
  Omit<RealtimeOptions, 'jwks' | 'opaqueKeys' | 'dbUrl' | 'limits' | 'log'>
> {
  jwks?: RealtimeOptions['jwks'];
  opaqueKeys?: RealtimeOptions['opaqueKeys'];
  dbUrl?: string;
  limits: RealtimeLimits;
  log: Logger;
}

export function resolveOptions(o: RealtimeOptions, log: Logger): ResolvedOptions {
  return {
    port: o.port ?? 0,
    host: o.host ?? '127.0.0.1',
    jwtSecret: o.jwtSecret,
    jwks: o.jwks,
    opaqueKeys: o.opaqueKeys,
    dbUrl: o.dbUrl,
    dbPoolSize: o.dbPoolSize ?? 6,
    dbBroadcast: o.dbBroadcast ?? Boolean(o.dbUrl),
    postgresChanges: o.postgresChanges ?? Boolean(o.dbUrl),
    limits: { ...defaultLimits, ...o.limits },
    channelErrorBackoffMs: o.channelErrorBackoffMs ?? 5000,
    connectErrorBackoffMs: o.connectErrorBackoffMs ?? 2000,
    idleTimeoutMs: o.idleTimeoutMs ?? 60_000,
    tokenRecheckMaxMs: o.tokenRecheckMaxMs ?? 5 * 60_000,
    log: o.log ?? log,
  };
}
