// The pieces every handler needs, built once by startRealtime and passed down; no module reaches for globals.
import type { Logger } from '../log.ts';
import type { Authorizer } from './authorization.ts';
import type { Channel } from './channel.ts';
import type { Conn } from './connection.ts';
import type { Db } from './db.ts';
import type { JwtKeys } from './jwt.ts';
import type { TenantLimits } from './limits.ts';
import type { Metrics } from './metrics.ts';
import type { ResolvedOptions } from './options.ts';
import type { PostgresChanges } from './postgres-changes.ts';
import type { PresenceStore } from './presence.ts';

export interface Context {
  options: ResolvedOptions;
  keys: JwtKeys;
  log: Logger;
  metrics: Metrics;
  limits: TenantLimits;
  authorizer: Authorizer;
  presence: PresenceStore;
  /** Joined channels by topic key (`public:<sub>` / `private:<sub>`); fan-out walks these sets. */
  topics: Map<string, Set<Channel>>;
  conns: Set<Conn>;
  /** Sockets with at least one joined channel: what max_concurrent_users counts (kept by channel.ts). */
  users: number;
  sql?: Db;
  changes?: PostgresChanges;
  shuttingDown: boolean;
  /** The realtime.messages replication stream is up (for `replication_ready`). */
  replicationReady: boolean;
}

export function topicKey(isPrivate: boolean, sub: string): string {
  return (isPrivate ? 'private:' : 'public:') + sub;
}

export function connectedUsers(ctx: Context): number {
  return ctx.users;
}
