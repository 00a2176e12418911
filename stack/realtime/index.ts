// stack/realtime: a Realtime server the official supabase-js client cannot tell from Supabase's own. This file only
// wires the pieces: transport, channels, authorization, presence, fan-out, replication, Postgres Changes, REST,
// limits and metrics each live in their own module.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../log.ts';
import { Authorizer } from './authorization.ts';
import { removeChannel, recheckToken, shutdown } from './channel.ts';
import type { Context } from './context.ts';
import { connect, ReservedPool, type Db } from './db.ts';
import { onMessagesTransaction } from './db-broadcast.ts';
import { TenantLimits } from './limits.ts';
import { Metrics } from './metrics.ts';
import { resolveOptions, type RealtimeOptions } from './options.ts';
import { PostgresChanges } from './postgres-changes.ts';
import { PresenceStore } from './presence.ts';
import { ReplicationStream } from './replication.ts';
import { createTransport } from './transport.ts';

export type { RealtimeOptions } from './options.ts';
export { defaultLimits } from './options.ts';

export interface RealtimeServer {
  port: number;
  /** The HTTP server, for a gateway in the same process to hand requests and upgrades to (stack/host). */
  server: Server;
  metrics: Metrics;
  /**
   * Stops the server. By default every channel gets phx_close (the client treats it as final) and sockets close
   * with 1001. With `restart: true` sockets close with 1012 (Service Restart) and no phx_close, as a draining
   * Realtime node does, so clients reconnect and rejoin by themselves.
   */
  close(opts?: { restart?: boolean }): Promise<void>;
}

const PARTITION_JANITOR_MS = 4 * 3600_000;

export async function startRealtime(options: RealtimeOptions): Promise<RealtimeServer> {
  const o = resolveOptions(options, createLogger('realtime'));
  const metrics = new Metrics();
  let sql: Db | undefined;
  let pool: ReservedPool | undefined;
  if (o.dbUrl) {
    sql = connect(o.dbUrl, o.dbPoolSize + 3, 'realtime');
    pool = new ReservedPool(sql, o.dbPoolSize);
    await pool.start();
  }
  const ctx: Context = {
    options: o,
    keys: { secret: o.jwtSecret, jwks: o.jwks },
    log: o.log,
    metrics,
    limits: new TenantLimits(o.limits, () => onTick()),
    authorizer: new Authorizer(pool, metrics, o.log),
    presence: new PresenceStore(),
    topics: new Map(),
    conns: new Set(),
    users: 0,
    sql,
    shuttingDown: false,
    replicationReady: false,
  };

  // Upstream channels poll the tenant's event counter and stop when it is over the limit.
  function onTick(): void {
    if (!ctx.limits.events.tripped) return;
    for (const conn of ctx.conns)
      for (const ch of [...conn.channels.values()]) shutdown(ctx, ch, 'Too many messages per second');
  }

  const streams: ReplicationStream[] = [];
  const timers: NodeJS.Timeout[] = [];
  if (sql && o.dbUrl) {
    await ensurePartitions(ctx);
    timers.push(setInterval(() => void ensurePartitions(ctx), PARTITION_JANITOR_MS));
    if (o.postgresChanges) {
      const changes = new PostgresChanges(ctx, sql, pool!);
      ctx.changes = changes;
      streams.push(
        new ReplicationStream({
          url: o.dbUrl,
          publications: ['supabase_realtime'],
          slotPrefix: 'supabase_realtime_replication_slot',
          onTransaction: (tx) => changes.onTransaction(tx),
          log: o.log.child('changes'),
        }),
      );
    }
    if (o.dbBroadcast) {
      streams.push(
        new ReplicationStream({
          url: o.dbUrl,
          publications: ['supabase_realtime_messages_publication'],
          slotPrefix: 'supabase_realtime_messages_replication_slot',
          onTransaction: (tx) => onMessagesTransaction(ctx, tx),
          log: o.log.child('db-broadcast'),
        }),
      );
    }
    await Promise.all(streams.map((s) => s.start()));
    ctx.replicationReady = o.dbBroadcast;
  }

  // One sweep for all sockets and channels instead of a timer each: idle sockets close, expired tokens stop
  // their channels.
  timers.push(
    setInterval(
      () => {
        const now = Date.now();
        for (const conn of ctx.conns) {
          if (now - conn.lastSeen > o.idleTimeoutMs) conn.close(1000, 'idle timeout');
          for (const ch of [...conn.channels.values()]) recheckToken(ctx, ch, now);
        }
      },
      Math.min(1000, Math.max(50, o.idleTimeoutMs / 4)),
    ),
  );
  for (const t of timers) t.unref();

  const { server, wss } = createTransport(ctx);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  o.log.info('realtime listening', { url: `http://${o.host}:${port}`, db: Boolean(o.dbUrl), streams: streams.length });

  let closing: Promise<void> | undefined;
  return {
    port,
    server,
    metrics,
    close(opts = {}) {
      closing ??= (async () => {
        ctx.shuttingDown = true;
        for (const t of timers) clearInterval(t);
        ctx.limits.stop();
        const closed = [...ctx.conns].map(
          (conn) =>
            new Promise<void>((resolve) => {
              if (conn.closed) return resolve();
              conn.ws.once('close', () => resolve());
              for (const ch of [...conn.channels.values()]) {
                if (!opts.restart) conn.sendText(ch.joinRef, ch.joinRef, ch.topic, 'phx_close', {});
                removeChannel(ctx, ch);
              }
              conn.close(opts.restart ? 1012 : 1001, opts.restart ? 'Service Restart' : 'Server shutting down');
            }),
        );
        // Give clients a moment to answer the close handshake, then cut what is left.
        await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, 1000))]);
        for (const client of wss.clients) client.terminate();
        wss.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await Promise.all(streams.map((s) => s.stop()));
        pool?.end();
        await sql?.end({ timeout: 1 });
        o.log.info('realtime stopped', { restart: Boolean(opts.restart) });
      })();
      return closing;
    },
  };
}

/** Daily realtime.messages partitions, as Realtime's janitor keeps them (yesterday .. today + 3). */
async function ensurePartitions(ctx: Context): Promise<void> {
  try {
    await ctx.sql!`select supabase_local.ensure_realtime_partitions()`;
  } catch (err) {
    ctx.log.warn('could not ensure realtime.messages partitions', { error: (err as Error).message });
  }
}
