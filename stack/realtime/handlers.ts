// Broadcast and presence pushes from a joined channel: size and rate limits, the private-channel write check on
// first use (cached until the token changes), fan-out, and the replies the client waits for.
import type { Channel } from './channel.ts';
import { shutdown } from './channel.ts';
import type { Context } from './context.ts';
import { fanoutBroadcast, type BroadcastMessage } from './fanout.ts';
import type { InMessage } from './serializer.ts';

export function handleBroadcast(
  ctx: Context,
  ch: Channel,
  ref: string | null,
  msg: BroadcastMessage,
  size: number,
): void | Promise<void> {
  ctx.metrics.eventsIn.inc();
  ctx.limits.events.add(1);
  if (size > ctx.limits.maxPayloadBytes) {
    // Upstream's reply carries a bare string as the response.
    if (ch.ack) ch.reply(ref, 'error', 'payload_size_exceeded');
    return;
  }
  if (ch.isPrivate && ch.broadcastWrite !== true) {
    if (ch.broadcastWrite === false) return; // refused sends are dropped silently, even with ack
    return ctx.authorizer.write(ch.authContext(), 'broadcast').then(
      (allowed) => {
        ch.broadcastWrite = allowed;
        if (allowed && !ch.closed) deliver(ctx, ch, ref, msg);
      },
      (err: Error) => ctx.log.warn('broadcast authorization failed', { topic: ch.sub, error: err.message }),
    );
  }
  deliver(ctx, ch, ref, msg);
}

function deliver(ctx: Context, ch: Channel, ref: string | null, msg: BroadcastMessage): void {
  fanoutBroadcast(ctx, ch.key, ch.topic, msg, ch);
  if (ch.ack) ch.reply(ref, 'ok', {});
}

export async function handlePresence(ctx: Context, ch: Channel, msg: InMessage): Promise<void> {
  const body = (msg.payload ?? {}) as Record<string, unknown>;
  const event = typeof body.event === 'string' ? body.event.toLowerCase() : '';
  const { limits } = ctx;
  ctx.metrics.eventsIn.inc();

  const now = Date.now();
  const calls = (ch.presenceCalls ??= []).filter((t) => t > now - limits.config.clientPresenceWindowMs);
  calls.push(now);
  ch.presenceCalls = calls;
  if (calls.length > limits.config.clientPresenceMaxCalls)
    return shutdown(ctx, ch, 'Client presence rate limit exceeded');
  limits.presence.add(1);
  if (limits.presence.tripped) return shutdown(ctx, ch, 'Too many presence messages per second');

  if (ch.isPrivate) {
    try {
      if (ch.presenceWrite === null) ch.presenceWrite = await ctx.authorizer.write(ch.authContext(), 'presence');
      // Presence read was never evaluated when presence was off at join: do it now, as upstream does.
      if (ch.presenceRead === null) ch.presenceRead = (await ctx.authorizer.read(ch.authContext(), true)).presence;
    } catch (err) {
      ctx.log.warn('presence authorization failed', { topic: ch.sub, error: (err as Error).message });
      ch.presenceWrite = false;
    }
    if (ch.closed) return;
    if (!ch.presenceWrite) return ch.reply(msg.ref, 'error', {});
  }

  if (event === 'track') {
    const payload = body.payload;
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
      return ch.reply(msg.ref, 'error', { reason: 'Presence track payload must be a map' });
    }
    if (Buffer.byteLength(JSON.stringify(payload)) > limits.maxPayloadBytes) {
      return shutdown(ctx, ch, 'Track message size exceeded');
    }
    ctx.presence.track(ctx, ch, payload as Record<string, unknown>);
    return ch.reply(msg.ref, 'ok', {});
  }
  if (event === 'untrack') {
    ctx.presence.untrack(ctx, ch);
    return ch.reply(msg.ref, 'ok', {});
  }
  ch.reply(msg.ref, 'error', {});
}
