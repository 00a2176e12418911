// Delivery of one message to every channel of a topic. Each frame is encoded at most once per protocol version
// and the same bytes go to every socket, so a delivery costs one ws send and a few field checks.
import type { Channel } from './channel.ts';
import type { Context } from './context.ts';
import { encodeText, encodeUserBroadcast, JSON_ENCODING } from './serializer.ts';

export const TEXT = { binary: false } as const;
export const BINARY = { binary: true } as const;

/**
 * The WebSocket frame (RFC 6455 header, unmasked as servers send, and payload in one buffer) of a message, built
 * once for every recipient: what Socket.IO does for its broadcasts (ws issue #617), so a delivery is a single
 * socket write with no per-recipient framing. Valid because this server never negotiates permessage-deflate.
 */
export function wsFrame(data: Buffer, binary: boolean): Buffer {
  const len = data.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + len);
  out[0] = 0x80 | (binary ? 2 : 1); // FIN + opcode
  if (len < 126) out[1] = len;
  else if (len < 65536) {
    out[1] = 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    out.writeUInt32BE(len >>> 0, 6);
  }
  data.copy(out, head);
  return out;
}

/**
 * A broadcast in either of its two origins: JSON (V1 clients, REST batch, replay) travels as a text frame;
 * binary-origin (kind-3 pushes, REST single, database rows) travels as a kind-4 frame to V2 sockets and as JSON to
 * V1 sockets when its payload is JSON.
 */
export type BroadcastMessage =
  | { origin: 'json'; body: Record<string, unknown>; id?: string }
  | { origin: 'binary'; event: string; encoding: 0 | 1; bytes: Uint8Array; metaJson: string; id?: string };

interface FrameSet {
  v2?: [Buffer] | null;
  v1?: [Buffer] | null;
}

/** Wire frames of a broadcast for a client topic (`realtime:<sub>`); null where a version cannot receive it. */
export function broadcastFrames(
  topic: string,
  msg: BroadcastMessage,
): { v2: () => [Buffer] | null; v1: () => [Buffer] | null } {
  const cache: FrameSet = {};
  // JSON-origin bodies are forwarded verbatim (a V1 client's extra keys included), as upstream does.
  const jsonPayload = () => {
    if (msg.origin === 'json') return msg.body;
    const payload = JSON.parse(Buffer.from(msg.bytes).toString('utf8'));
    return {
      type: 'broadcast',
      event: msg.event,
      payload,
      ...(msg.metaJson ? { meta: JSON.parse(msg.metaJson) } : {}),
    };
  };
  return {
    v2: () => {
      if (cache.v2 === undefined) {
        const data =
          msg.origin === 'binary'
            ? encodeUserBroadcast(topic, msg.event, msg.metaJson, msg.encoding, msg.bytes)
            : Buffer.from(encodeText(2, null, null, topic, 'broadcast', jsonPayload()));
        cache.v2 = data && [wsFrame(data, msg.origin === 'binary')];
      }
      return cache.v2;
    },
    v1: () => {
      if (cache.v1 === undefined) {
        // V1 sockets never receive binary payloads (upstream skips them).
        cache.v1 =
          msg.origin === 'binary' && msg.encoding !== JSON_ENCODING
            ? null
            : [wsFrame(Buffer.from(encodeText(1, null, null, topic, 'broadcast', jsonPayload())), false)];
      }
      return cache.v1;
    },
  };
}

/** Sends a broadcast to a topic's channels: honours `self`, private read results and replayed ids. */
export function fanoutBroadcast(
  ctx: Context,
  key: string,
  topic: string,
  msg: BroadcastMessage,
  sender?: Channel,
): number {
  const members = ctx.topics.get(key);
  if (!members) return 0;
  const frames = broadcastFrames(topic, msg);
  let delivered = 0;
  for (const ch of members) {
    if (ch === sender && !ch.self) continue;
    if (ch.isPrivate && ch.broadcastRead !== true) continue;
    if (msg.id !== undefined && ch.replayed?.has(msg.id)) continue;
    const frame = ch.conn.vsn === 2 ? frames.v2() : frames.v1();
    if (!frame) continue;
    ch.conn.sendWire(frame);
    delivered++;
  }
  ctx.metrics.eventsOut.inc(delivered);
  ctx.limits.events.add(delivered);
  return delivered;
}

/** Sends a JSON fan-out message (presence_diff) to every channel of a topic that may read presence. */
export function fanoutPresence(ctx: Context, key: string, topic: string, payload: unknown): void {
  const members = ctx.topics.get(key);
  if (!members) return;
  let v2: [Buffer] | undefined;
  let v1: [Buffer] | undefined;
  let delivered = 0;
  for (const ch of members) {
    if (ch.isPrivate && ch.presenceRead === false) continue;
    const frame =
      ch.conn.vsn === 2
        ? (v2 ??= [wsFrame(Buffer.from(encodeText(2, null, null, topic, 'presence_diff', payload)), false)])
        : (v1 ??= [wsFrame(Buffer.from(encodeText(1, null, null, topic, 'presence_diff', payload)), false)]);
    ch.conn.sendWire(frame);
    delivered++;
  }
  ctx.metrics.eventsOut.inc(delivered);
  ctx.limits.events.add(delivered);
}
