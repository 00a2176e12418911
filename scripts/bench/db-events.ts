// `npm run bench:db-events` (also printed by `npm run bench:functions`): how long an event the database writes takes
// to reach a subscribed client, from the moment the statement is sent.
//  1. `select realtime.send(payload, event, topic, true)` over a plain SQL connection → a supabase-js client on that
//     private topic.
//  2. The meeting status trigger: `update public.meetings set status = 'live'` on a scheduled meeting →
//     `meeting_status_changed` (realtime.broadcast_changes) at a client on the meeting's topic.
// One event in flight at a time, the next after a random 0-10 ms pause (so no sample keeps step with a timer in the
// server), the first BENCH_DB_EVENT_WARMUP not measured. Such an event reaches a client only once its commit record
// is in the WAL Realtime's replication connection reads, which is why the cluster's commit settings show up here
// (stack/postgres/README.md).
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { createLogger } from '../../stack/log.ts';
import { meetingTopic, userTopic, type MeetingEventName, type MeetingEvents } from '../../types/contract.ts';
import { seedOrgs, seedUsers } from '../../stack/testing/seed.ts';
import type { TestStack } from '../../stack/testing/stack.ts';
import { benchClient, ms, pct, startBenchStack } from './harness.ts';

const log = createLogger('bench:db-events');
const DEFAULT_SAMPLES = Number(process.env.BENCH_DB_EVENT_SAMPLES ?? 200);
const DEFAULT_WARMUP = Number(process.env.BENCH_DB_EVENT_WARMUP ?? 20);
const TIMEOUT_MS = 2000;
/** Meeting channels joined at once: half of upstream's 100 channels per client. */
const JOIN_BATCH = 50;
/** What the client must see for these, p50 / p99. */
const TARGET = '<= 2 ms p50, <= 10 ms p99';
/** The labels of the two kinds, for `npm run bench`'s table. */
export const DB_EVENT_LABELS = {
  send: 'realtime.send() over SQL',
  status: "status trigger (update meetings set status = 'live')",
} as const;

/**
 * The topics and events the bench uses, in one place; the topics come from the contract (types/contract.ts). The
 * receiver must be allowed to read both (supabase/migrations/*_channels.sql): the seed's Alice, on her own user topic
 * and as the host of the bench's meetings.
 */
const receiver = seedUsers.alice.id;
const events = {
  /** A server notice on a user's own receive-only topic, as remove_participant's participant_removed. */
  send: { topic: userTopic, event: 'bench_ping' },
  /** What the meetings' status trigger writes. */
  status: { topic: meetingTopic, event: 'meeting_status_changed' satisfies MeetingEventName },
};

export interface DbEventResult {
  label: string;
  /** Statement sent → broadcast received, ms. */
  latencies: number[];
  /** Statement sent → its result (the commit) back on the SQL connection, ms. */
  roundTrips: number[];
  lost: number;
}

/** Resolves each awaited key with the moment its broadcast arrived, or undefined after TIMEOUT_MS. */
class Arrivals {
  private waiting = new Map<string, (at: number | undefined) => void>();

  expect(key: string): Promise<number | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(key, undefined), TIMEOUT_MS);
      this.waiting.set(key, (at) => (clearTimeout(timer), resolve(at)));
    });
  }

  arrived(key: string): void {
    this.settle(key, performance.now());
  }

  private settle(key: string, at: number | undefined): void {
    const done = this.waiting.get(key);
    this.waiting.delete(key);
    done?.(at);
  }
}

function subscribe<P>(
  client: SupabaseClient,
  topic: string,
  event: string,
  onPayload: (payload: P) => void,
): Promise<RealtimeChannel> {
  return new Promise((resolve, reject) => {
    const channel = client.channel(topic, { config: { private: true } });
    channel.on('broadcast', { event }, ({ payload }) => onPayload(payload as P));
    channel.subscribe((status, err) =>
      status === 'SUBSCRIBED'
        ? resolve(channel)
        : status !== 'CLOSED' && reject(err ?? new Error(`${topic}: ${status}`)),
    );
  });
}

const pause = () => new Promise((r) => setTimeout(r, Math.random() * 10));

/** Times `fire` (one statement) until the broadcast keyed `key` arrives; records it when `measured`. */
async function timeOne(
  arrivals: Arrivals,
  key: string,
  fire: () => Promise<unknown>,
  into: DbEventResult,
  measured: boolean,
) {
  const arrival = arrivals.expect(key);
  const sent = performance.now();
  await fire();
  const committed = performance.now();
  const at = await arrival;
  if (!measured) return;
  if (at === undefined) into.lost++;
  else {
    into.latencies.push(at - sent);
    into.roundTrips.push(committed - sent);
  }
}

/** Samples per event kind, and unmeasured ones first (BENCH_DB_EVENT_SAMPLES / BENCH_DB_EVENT_WARMUP by default). */
export interface DbEventOptions {
  samples: number;
  warmup: number;
}

export async function measureDbEvents(
  { cfg, sql }: TestStack,
  { samples, warmup }: DbEventOptions = { samples: DEFAULT_SAMPLES, warmup: DEFAULT_WARMUP },
): Promise<DbEventResult[]> {
  const client = benchClient(cfg, receiver);
  await client.realtime.setAuth(); // with an accessToken callback the first join would otherwise go with the anon key
  const arrivals = new Arrivals();
  const total = warmup + samples;
  try {
    const send: DbEventResult = { label: DB_EVENT_LABELS.send, latencies: [], roundTrips: [], lost: 0 };
    const topic = events.send.topic(receiver);
    const channel = await subscribe(client, topic, events.send.event, (p: { sample: string }) =>
      arrivals.arrived(p.sample),
    );
    log.info('realtime.send', { topic, samples, warmup });
    for (let i = 0; i < total; i++) {
      const key = randomUUID();
      await timeOne(
        arrivals,
        key,
        () => sql`select realtime.send(${sql.json({ sample: key })}, ${events.send.event}, ${topic}, true)`,
        send,
        i >= warmup,
      );
      await pause();
    }
    await client.removeChannel(channel);

    // Status only moves forward, so each sample needs a scheduled meeting of its own; Alice hosts them all.
    const status: DbEventResult = {
      label: DB_EVENT_LABELS.status,
      latencies: [],
      roundTrips: [],
      lost: 0,
    };
    const meetings = (
      await sql<{ id: string }[]>`
      insert into public.meetings (organization_id, host_id, title)
      select ${seedOrgs.acme}, ${receiver}, 'Bench ' || g from generate_series(1, ${total}) g
      returning id`
    ).map((m) => m.id);
    log.info('status trigger', { topic: events.status.topic('<id>'), samples, warmup });
    // Joined a batch at a time, ahead of their updates, so no join's authorization work overlaps a measured event.
    for (let first = 0; first < total; first += JOIN_BATCH) {
      const batch = meetings.slice(first, first + JOIN_BATCH);
      const channels = await Promise.all(
        batch.map((id) =>
          subscribe(
            client,
            events.status.topic(id),
            events.status.event,
            (p: MeetingEvents['meeting_status_changed']) => arrivals.arrived(p.record.id),
          ),
        ),
      );
      await new Promise((r) => setTimeout(r, 100));
      for (const [j, id] of batch.entries()) {
        await timeOne(
          arrivals,
          id,
          () => sql`update public.meetings set status = 'live' where id = ${id}`,
          status,
          first + j >= warmup,
        );
        await pause();
      }
      await Promise.all(channels.map((c) => client.removeChannel(c)));
    }
    return [send, status];
  } finally {
    await client.removeAllChannels();
    client.realtime.disconnect();
  }
}

/** Table rows `| measure | p50 | p99 | target |` for the results. */
export function dbEventRows(results: DbEventResult[]): string[] {
  return results.map(
    (r) =>
      `| ${r.label} → client (SQL round trip p50 ${ms(pct(r.roundTrips, 50))}${r.lost ? `; ${r.lost} lost` : ''}) ` +
      `| ${ms(pct(r.latencies, 50))} | ${ms(pct(r.latencies, 99))} | ${TARGET} |`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const stack = await startBenchStack();
  let results: DbEventResult[];
  try {
    results = await measureDbEvents(stack);
  } finally {
    await stack.stop();
  }
  console.log(`\n| database event, ${DEFAULT_SAMPLES} samples each | p50 | p99 | target |`);
  console.log('|---|---|---|---|');
  for (const row of dbEventRows(results)) console.log(row);
  console.log('');
}
