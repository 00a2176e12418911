// Replay for private channels (config.broadcast.replay): the newest `limit` (1..25) broadcast rows of the topic
// since `since` (unix ms) and before now + 1 minute, delivered oldest first right after the join reply with
// meta {replayed: true, id}: JSON rows as channel pushes, binary rows as kind-4 frames.
import type { Channel } from './channel.ts';
import type { Context } from './context.ts';
import { encodeUserBroadcast } from './serializer.ts';

export interface ReplayedMessage {
  id: string;
  deliver(ch: Channel): void;
}

export async function replay(ctx: Context, sub: string, since: number, limit: number): Promise<ReplayedMessage[]> {
  if (!ctx.sql) throw new Error('no database configured');
  const n = Math.min(25, Math.max(1, limit));
  const rows = await ctx.sql<
    { id: string; event: string | null; payload: string | null; binary_payload: Buffer | null }[]
  >`
    select id::text, event, payload::text as payload, binary_payload
    from realtime.messages
    where topic = ${sub} and private is true and extension = 'broadcast'
      and inserted_at >= timezone('utc', to_timestamp(${since}::float8 / 1000))
      and inserted_at < timezone('utc', now()) + interval '1 minute'
    order by inserted_at desc
    limit ${n}`;
  return rows.reverse().map((row) => ({
    id: row.id,
    deliver(ch: Channel) {
      const event = row.event ?? '';
      const meta = { replayed: true, id: row.id };
      if (row.binary_payload && ch.conn.vsn === 2) {
        const frame = encodeUserBroadcast(ch.topic, event, JSON.stringify(meta), 0, row.binary_payload);
        if (frame) ch.conn.sendFrame(frame, true);
      } else if (row.payload !== null) {
        ch.push('broadcast', { type: 'broadcast', event, payload: JSON.parse(row.payload), meta });
      }
    },
  }));
}
