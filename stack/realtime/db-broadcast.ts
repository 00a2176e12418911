// Broadcast from the database: rows that realtime.send() / broadcast_changes() insert into realtime.messages are
// replicated (publication supabase_realtime_messages_publication) and, once committed and in commit order, sent to
// the topic's public or private subscribers as user broadcasts with meta {id}. Rows arrive under their daily
// partition's name (realtime.messages_YYYY_MM_DD) because the publication does not publish via the root.
import type { Context } from './context.ts';
import { topicKey } from './context.ts';
import { fanoutBroadcast } from './fanout.ts';
import type { Change, Transaction } from './replication.ts';

const messagesRelation = /^messages(_\d{4}_\d{2}_\d{2})?$/;

export function onMessagesTransaction(ctx: Context, tx: Transaction): void {
  const latency = Math.max(0, Date.now() - tx.commitTime.getTime()) / 1000;
  for (const change of tx.changes) {
    if (
      change.kind !== 'INSERT' ||
      change.relation.schema !== 'realtime' ||
      !messagesRelation.test(change.relation.table)
    )
      continue;
    const row = rowOf(change);
    // Upstream needs these columns (else UnableToBroadcastChanges) and one of payload/binary_payload.
    if (
      !row.id ||
      row.topic == null ||
      row.event == null ||
      row.private == null ||
      !row.inserted_at ||
      (row.payload == null && row.binary_payload == null)
    ) {
      ctx.log.warn('UnableToBroadcastChanges', { id: row.id, topic: row.topic });
      continue;
    }
    if (ctx.limits.events.tripped) {
      ctx.log.warn('database broadcast dropped: too many messages per second', { topic: row.topic });
      continue;
    }
    const bytes = row.payload != null ? Buffer.from(row.payload) : Buffer.from(row.binary_payload!.slice(2), 'hex');
    if (bytes.length > ctx.limits.maxPayloadBytes) {
      ctx.log.warn('database broadcast dropped: payload too large', { topic: row.topic });
      continue;
    }
    const isPrivate = row.private === 't';
    ctx.metrics.dbEvents.inc();
    ctx.metrics.dbBroadcastLatency.observe(latency);
    fanoutBroadcast(ctx, topicKey(isPrivate, row.topic), `realtime:${row.topic}`, {
      origin: 'binary',
      event: row.event,
      encoding: row.payload != null ? 1 : 0,
      bytes,
      metaJson: JSON.stringify({ id: row.id }),
      id: row.id,
    });
  }
}

function rowOf(change: Change): Record<string, string | null | undefined> {
  const row: Record<string, string | null | undefined> = {};
  change.relation.columns.forEach((c, i) => (row[c.name] = change.record?.[i]));
  return row;
}
