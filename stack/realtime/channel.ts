// One joined channel and its lifecycle: phx_join in the real server's order of checks (limits, token, RLS read,
// replay), the replies the client checks, phx_leave / phx_close, access_token refresh, expiry while joined and
// server-side shutdowns (a `system` error, then phx_close, which the client treats as final).
import { randomUUID } from 'node:crypto';
import { AuthorizationError, type AuthContext } from './authorization.ts';
import type { Conn } from './connection.ts';
import { connectedUsers, topicKey, type Context } from './context.ts';
import { verifyJwt, type Claims } from './jwt.ts';
import type { PgBinding } from './postgres-changes.ts';
import { replay } from './replay.ts';
import type { InMessage } from './serializer.ts';

export class Channel {
  readonly key: string;
  broadcastRead: boolean | null = null;
  presenceRead: boolean | null = null;
  broadcastWrite: boolean | null = null;
  presenceWrite: boolean | null = null;
  self = false;
  ack = false;
  presenceEnabled = false;
  /** config.presence.key as sent; see presenceKey. */
  rawPresenceKey: unknown = undefined;
  private generatedKey?: string;
  pg: PgBinding[] | null = null;
  /** Ids delivered by replay, so a live copy of the same row is not delivered twice. */
  replayed: Set<string> | null = null;
  presenceCalls: number[] | null = null;
  /** Epoch ms of the next token check (upstream: min(5 min, exp - now) after each verification). */
  recheckAt = 0;
  closed = false;

  constructor(
    readonly conn: Conn,
    readonly topic: string,
    readonly sub: string,
    readonly joinRef: string | null,
    readonly isPrivate: boolean,
    public token: string,
    public claims: Claims,
  ) {
    this.key = topicKey(isPrivate, sub);
  }

  /** A push from the channel (presence_state, system, replay): join_ref set, ref null. */
  push(event: string, payload: unknown): void {
    this.conn.sendText(this.joinRef, null, this.topic, event, payload);
  }

  reply(ref: string | null, status: 'ok' | 'error', response: unknown): void {
    this.conn.sendText(this.joinRef, ref, this.topic, 'phx_reply', { status, response });
  }

  system(extension: string, status: 'ok' | 'error', message: string): void {
    this.push('system', { extension, status, message, channel: this.sub });
  }

  /** The presence key: the one the client chose, else a random id made on first use (upstream: a UUIDv1). */
  get presenceKey(): string {
    const v = this.rawPresenceKey;
    if (v === undefined || v === null || v === '') return (this.generatedKey ??= randomUUID());
    return typeof v === 'string' ? v : JSON.stringify(v);
  }

  authContext(): AuthContext {
    return { topic: this.sub, claims: this.claims, headers: this.conn.headers };
  }

  scheduleRecheck(ctx: Context): void {
    // One second past exp, so the check sees an expired token and says so ("Token has expired N seconds ago").
    this.recheckAt = Math.min(Date.now() + ctx.options.tokenRecheckMaxMs, this.claims.exp * 1000 + 1000);
  }
}

interface JoinConfig {
  self: boolean;
  ack: boolean;
  replay?: { since: unknown; limit?: unknown };
  replicationReady: boolean;
  presenceKey: unknown;
  presenceEnabled: boolean;
  postgresChanges: Record<string, unknown>[];
  isPrivate: boolean;
  wait: boolean;
}

/** Booleans arrive as JSON booleans or "true"/"false" in any case (upstream's Ecto schemas). */
function bool(v: unknown): boolean {
  if (typeof v === 'string') return v.toLowerCase() === 'true';
  return v === true;
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function parseConfig(payload: Record<string, unknown>): JoinConfig {
  // An invalid payload is not fatal upstream: bad fields fall back to defaults.
  const config = obj(payload.config);
  const broadcast = obj(config.broadcast);
  const presence = obj(config.presence);
  const pc = Array.isArray(config.postgres_changes) ? config.postgres_changes : [];
  return {
    self: bool(broadcast.self),
    ack: bool(broadcast.ack),
    replay:
      broadcast.replay === undefined || broadcast.replay === null
        ? undefined
        : (obj(broadcast.replay) as JoinConfig['replay']),
    replicationReady: bool(broadcast.replication_ready),
    presenceKey: presence.key,
    presenceEnabled: bool(presence.enabled),
    postgresChanges: pc.filter((b) => b && typeof b === 'object') as Record<string, unknown>[],
    isPrivate: bool(config.private),
    wait: bool(obj(config.postgres_changes_options).wait),
  };
}

/** The token a join authenticates with: access_token, then the legacy user_token, then the socket's apikey. */
function joinToken(conn: Conn, payload: Record<string, unknown>): string {
  for (const k of ['access_token', 'user_token']) {
    const v = payload[k];
    if (typeof v === 'string' && v !== '' && !v.startsWith('sb_')) return v;
  }
  return conn.token;
}

export async function join(ctx: Context, conn: Conn, msg: InMessage): Promise<void> {
  const { topic, joinRef, ref } = msg;
  const fail = (reason: string) => {
    ctx.metrics.joinErrors.inc();
    const send = () => conn.sendText(joinRef, ref, topic, 'phx_reply', { status: 'error', response: { reason } });
    if (ctx.options.channelErrorBackoffMs > 0) setTimeout(send, ctx.options.channelErrorBackoffMs).unref();
    else send();
  };
  if (!topic.startsWith('realtime:')) {
    conn.sendText(joinRef, ref, topic, 'phx_reply', { status: 'error', response: { reason: 'unmatched topic' } });
    return;
  }
  const sub = topic.slice('realtime:'.length);
  if (sub === '') return fail('TopicNameRequired: You must provide a topic name');

  // A second join on a topic replaces the first: Phoenix closes the old channel (with its old join_ref).
  const old = conn.channels.get(topic);
  if (old) {
    conn.sendText(old.joinRef, old.joinRef, topic, 'phx_close', {});
    removeChannel(ctx, old);
  }

  const payload = obj(msg.payload);
  const cfg = parseConfig(payload);
  const token = joinToken(conn, payload);
  const { limits } = ctx;

  if (ctx.shuttingDown) return fail('RealtimeRestarting: Realtime is restarting, please standby');
  if (conn.channels.size === 0 && connectedUsers(ctx) >= limits.config.maxConcurrentUsers) {
    return fail('ConnectionRateLimitReached: Too many connected users');
  }
  limits.joins.add(1);
  if (limits.joins.tripped) {
    fail('ClientJoinRateLimitReached: Too many joins per second');
    // Upstream also drops the socket (close 1001), after the reply has gone out.
    setTimeout(() => conn.close(1001, 'Too many joins per second'), ctx.options.channelErrorBackoffMs + 10).unref();
    return;
  }
  if (conn.channels.size >= limits.config.maxChannelsPerClient)
    return fail('ChannelRateLimitReached: Too many channels');

  const verified = verifyJwt(token, ctx.keys);
  if (!verified.ok) return fail(`${verified.code}: ${verified.message}`);

  const ch = new Channel(conn, topic, sub, joinRef, cfg.isPrivate, token, verified.claims);
  ch.self = cfg.self;
  ch.ack = cfg.ack;
  ch.presenceEnabled = cfg.presenceEnabled;
  ch.rawPresenceKey = cfg.presenceKey;

  if (cfg.isPrivate) {
    try {
      const read = await ctx.authorizer.read(ch.authContext(), cfg.presenceEnabled);
      ch.broadcastRead = read.broadcast;
      ch.presenceRead = read.presence;
    } catch (err) {
      if (err instanceof AuthorizationError) return fail(`${err.code}: ${err.message}`);
      throw err;
    }
    if (!ch.broadcastRead && !ch.presenceRead) {
      return fail(`Unauthorized: You do not have permissions to read from this Channel topic: ${sub}`);
    }
  }

  let replayed: Awaited<ReturnType<typeof replay>> | undefined;
  if (cfg.replay) {
    if (!cfg.isPrivate) return fail('UnableToReplayMessages: Replay is not allowed for public channels');
    if (!ch.broadcastRead)
      return fail(`Unauthorized: You do not have permissions to read from this Channel topic: ${sub}`);
    const { since, limit } = cfg.replay;
    if (!Number.isInteger(since) || (limit !== undefined && limit !== null && !Number.isInteger(limit))) {
      return fail('UnableToReplayMessages: Replay params are not valid');
    }
    try {
      replayed = await replay(ctx, sub, since as number, (limit ?? 25) as number);
    } catch (err) {
      ctx.log.warn('UnableToReplayMessages', { topic: sub, error: (err as Error).message });
      return fail('UnableToReplayMessages: Realtime was unable to replay messages');
    }
  }

  // Postgres Changes: ids are part of the reply; the subscription itself is made after (or, with wait, before).
  const prepared = ctx.changes?.prepare(cfg.postgresChanges);
  const response = prepared?.response ?? cfg.postgresChanges.map((b) => ({ ...b, id: 0 }));
  if (prepared && prepared.bindings.length > 0) ch.pg = prepared.bindings;
  if (cfg.wait && ch.pg && ctx.changes) {
    const error = await ctx.changes.subscribe(ch);
    if (error) return fail(`RealtimeDisabledForConfiguration: ${error}`);
  }
  // Users are counted again now that the awaits are over: sockets whose first joins were in flight together must
  // not all fit.
  const full = conn.channels.size === 0 && connectedUsers(ctx) >= limits.config.maxConcurrentUsers;
  if (conn.closed || full) {
    ctx.changes?.unsubscribe(ch); // a `wait` join is subscribed already
    return conn.closed ? undefined : fail('ConnectionRateLimitReached: Too many connected users');
  }

  conn.channels.set(topic, ch);
  if (conn.channels.size === 1) ctx.users++;
  let members = ctx.topics.get(ch.key);
  if (!members) ctx.topics.set(ch.key, (members = new Set()));
  members.add(ch);
  ctx.metrics.joins.inc();
  ctx.metrics.channels.set(ctx.metrics.channels.value + 1);
  ch.scheduleRecheck(ctx);
  ch.reply(ref, 'ok', { postgres_changes: response });

  if (replayed) {
    ch.replayed = new Set(replayed.map((m) => m.id));
    for (const m of replayed) m.deliver(ch);
  }
  if (ch.presenceEnabled && (!ch.isPrivate || ch.presenceRead !== false)) {
    // The state sync is a presence event too (upstream's PresenceHandler.sync): counted, and refused when tripped.
    if (limits.presence.tripped) return shutdown(ctx, ch, 'Too many presence messages per second');
    limits.presence.add(1);
    ch.push('presence_state', ctx.presence.state(ch.key));
  }
  if (cfg.postgresChanges.length > 0) {
    if (!ctx.changes) ch.system('postgres_changes', 'error', 'Realtime was unable to connect to the project database');
    else if (cfg.wait) ch.system('postgres_changes', 'ok', 'Subscribed to PostgreSQL');
    else void subscribeChanges(ctx, ch);
  }
  if (cfg.replicationReady) {
    if (ctx.replicationReady) ch.system('system', 'ok', 'Replication connection established');
    else ch.system('system', 'error', 'Replication connection was not established in time');
  }
}

async function subscribeChanges(ctx: Context, ch: Channel): Promise<void> {
  const error = await ctx.changes!.subscribe(ch);
  if (ch.closed) return;
  if (error) ch.system('postgres_changes', 'error', error);
  else ch.system('postgres_changes', 'ok', 'Subscribed to PostgreSQL');
}

/** Detaches a channel from everything it is part of. Idempotent. */
export function removeChannel(ctx: Context, ch: Channel): void {
  if (ch.closed) return;
  ch.closed = true;
  if (ch.conn.channels.get(ch.topic) === ch) {
    ch.conn.channels.delete(ch.topic);
    if (ch.conn.channels.size === 0) ctx.users--;
  }
  const members = ctx.topics.get(ch.key);
  if (members?.delete(ch)) {
    if (members.size === 0) ctx.topics.delete(ch.key);
    ctx.metrics.channels.set(ctx.metrics.channels.value - 1);
  }
  ctx.presence.untrack(ctx, ch);
  ctx.changes?.unsubscribe(ch);
}

/** phx_leave: ok reply, then phx_close with the join ref (a leave for an unknown topic gets a plain ok). */
export function leave(ctx: Context, conn: Conn, msg: InMessage): void {
  const ch = conn.channels.get(msg.topic);
  if (!ch) {
    conn.sendText(msg.joinRef, msg.ref, msg.topic, 'phx_reply', { status: 'ok', response: {} });
    return;
  }
  ch.reply(msg.ref, 'ok', {});
  conn.sendText(ch.joinRef, ch.joinRef, ch.topic, 'phx_close', {});
  removeChannel(ctx, ch);
}

/** Server-side stop: a `system` error with the reason, then phx_close; the client does not rejoin. */
export function shutdown(ctx: Context, ch: Channel, message: string): void {
  if (ch.closed) return;
  ctx.log.info('channel shutdown', { topic: ch.sub, reason: message });
  ch.system('system', 'error', message);
  ch.conn.sendText(ch.joinRef, ch.joinRef, ch.topic, 'phx_close', {});
  removeChannel(ctx, ch);
}

/** `access_token` push: never answered; re-verifies, resets cached policies and re-runs the read check. */
export async function refreshToken(ctx: Context, ch: Channel, payload: unknown): Promise<void> {
  const token = obj(payload).access_token;
  if (typeof token !== 'string' || token === '' || token.startsWith('sb_') || token === ch.token) return;
  const verified = verifyJwt(token, ctx.keys);
  if (!verified.ok) return shutdown(ctx, ch, verified.message);
  const before = { broadcast: ch.broadcastRead, presence: ch.presenceRead };
  ch.token = token;
  ch.claims = verified.claims;
  ch.broadcastWrite = null;
  ch.presenceWrite = null;
  ch.scheduleRecheck(ctx);
  if (ch.isPrivate) {
    try {
      const read = await ctx.authorizer.read(ch.authContext(), ch.presenceEnabled);
      if (ch.closed) return;
      ch.broadcastRead = read.broadcast;
      ch.presenceRead = read.presence;
    } catch (err) {
      return shutdown(ctx, ch, (err as Error).message);
    }
    const lost =
      (before.broadcast === true && !ch.broadcastRead) || (before.presence === true && ch.presenceRead === false);
    if (lost) return shutdown(ctx, ch, `You no longer have permission to read from this Channel topic: ${ch.sub}`);
    if (!ch.broadcastRead && !ch.presenceRead) {
      return shutdown(ctx, ch, `You do not have permissions to read from this Channel topic: ${ch.sub}`);
    }
  }
  // Postgres Changes run with the new claims from now on (they are read from the channel per change).
  if (ch.pg && ctx.changes) void subscribeChanges(ctx, ch);
}

/** Periodic token check of a joined channel: an expired token stops it as upstream does. */
export function recheckToken(ctx: Context, ch: Channel, now: number): void {
  if (ch.recheckAt > now) return;
  const verified = verifyJwt(ch.token, ctx.keys, Math.floor(now / 1000));
  if (!verified.ok) shutdown(ctx, ch, verified.message);
  else ch.scheduleRecheck(ctx);
}
