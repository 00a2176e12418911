// The load both `npm run bench:functions` and `npm run bench` (section 2) put on the bench stack: a meeting of N
// members, every one a supabase-js client subscribed to `meeting:<id>` (server events) and `meeting:<id>:ephemeral`
// (client events) as the meeting client joins them, and messages offered on a fixed schedule in one of two ways:
//  - invoke: functions.invoke('send-message') → send_message stores it → the function's REST broadcast `message` on
//    `meeting:<id>`, which every member receives (the sender too): the durable path;
//  - broadcast: channel.send() on `meeting:<id>:ephemeral` straight over the sender's socket, with `self: true` so
//    every member receives it too, as many deliveries as the durable path: what the path costs without durability.
// Members send in turn (`senders` of them), as in a meeting where everyone chats. Latency is send → delivery at each
// member; the first `warmupSeconds` of the schedule are sent but not measured (a steady state, not the first burst:
// pool connections and fresh backends that plan every PL/pgSQL statement once). CPU by process is read from /proc
// over the measured window.
import { randomUUID } from 'node:crypto';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { meetingEphemeralTopic, meetingTopic } from '../../types/contract.ts';
import { seedOrgs, seedUsers } from '../../stack/testing/seed.ts';
import type { TestStack } from '../../stack/testing/stack.ts';
import { cpuBetween, cpuSnapshot, type CpuSnapshot } from './cpu.ts';
import { benchClient } from './harness.ts';
import type { DurableMode } from './report.ts';

/** The client event the broadcast mode sends (not one of the contract's: receivers must tell it from real traffic). */
const BENCH_EVENT = 'bench_message';
/** How long the deliveries of the last messages may take before they count as lost. */
const DRAIN_MS = 3000;
/** How long the last invokes may take to answer before they count as failed. */
const INVOKE_DEADLINE_MS = 30_000;

export interface BenchMeeting {
  id: string;
  clients: SupabaseClient[];
  ephemeral: RealtimeChannel[];
  /** Send time by message key; deliveries look theirs up here. */
  sentAt: Map<string, number>;
  /** Called with (latency, sent time) for every delivery of a measured message. */
  onDelivery: (latency: number, sentAt: number) => void;
  close(): Promise<void>;
}

function subscribe(channel: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) =>
    channel.subscribe((status, err) =>
      status === 'SUBSCRIBED'
        ? resolve()
        : status !== 'CLOSED' && reject(err ?? new Error(`${channel.topic}: ${status}`)),
    ),
  );
}

/**
 * A live meeting with `receivers` new members (users of the seed's organization), each subscribed to both meeting
 * topics. The per-member message rate limit is lifted (a 1 s window, so its check reads as few rows as a real
 * sender's): the bench measures delivery, not the limit.
 */
export async function prepareMeeting({ cfg, sql }: TestStack, receivers: number): Promise<BenchMeeting> {
  const id = randomUUID();
  const org = seedOrgs.acme;
  await sql`update private.settings set value = '1000000' where key = 'message_rate_limit'`;
  await sql`update private.settings set value = '1' where key = 'message_rate_window_seconds'`;
  await sql`insert into public.meetings (id, organization_id, host_id, title, status) values (${id}, ${org}, ${seedUsers.alice.id}, 'Bench', 'live')`;
  const userIds = Array.from({ length: receivers }, () => randomUUID());
  for (const user of userIds) {
    await sql`insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
              values ('00000000-0000-0000-0000-000000000000', ${user}, 'authenticated', 'authenticated', ${user + '@bench.test'},
                      ${sql.json({ organization_id: org })}, '{}', now(), now())`;
    await sql`insert into public.meeting_participants (meeting_id, user_id) values (${id}, ${user})`;
  }
  const meeting: BenchMeeting = {
    id,
    clients: userIds.map((user) => benchClient(cfg, user)),
    ephemeral: [],
    sentAt: new Map(),
    onDelivery: () => {},
    async close() {
      await Promise.all(meeting.clients.map((c) => c.removeAllChannels()));
      for (const c of meeting.clients) c.realtime.disconnect();
    },
  };
  const delivered = (key: string) => {
    const t = meeting.sentAt.get(key);
    if (t !== undefined) meeting.onDelivery(performance.now() - t, t);
  };
  // With an accessToken callback the first join would go with the anon key unless the token is fetched first.
  await Promise.all(meeting.clients.map((client) => client.realtime.setAuth()));
  await Promise.all(
    meeting.clients.map(async (client) => {
      const server = client.channel(meetingTopic(id), { config: { private: true } });
      server.on('broadcast', { event: 'message' }, ({ payload }) =>
        delivered((payload as { message: { client_id: string } }).message.client_id),
      );
      const ephemeral = client.channel(meetingEphemeralTopic(id), {
        config: { private: true, broadcast: { self: true } },
      });
      ephemeral.on('broadcast', { event: BENCH_EVENT }, ({ payload }) => delivered((payload as { key: string }).key));
      await Promise.all([subscribe(server), subscribe(ephemeral)]);
      meeting.ephemeral.push(ephemeral);
    }),
  );
  return meeting;
}

export interface LoadOptions {
  mode: DurableMode;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  senders: number;
  /** Called when the measured window starts (profilers and stall watches start here). */
  onMeasureStart?: (at: number) => void | Promise<void>;
}

export interface LoadResult {
  /** Invoke round trips, ms (invoke mode only). */
  invokes: number[];
  /** Send → delivery, ms, one per delivery. */
  deliveries: number[];
  /** When each delivery's message was sent (performance.now()), to tell stalls from queueing. */
  deliverySentAt: number[];
  measureStart: number;
  /** Measured messages, and those whose send failed or did not finish. */
  total: number;
  failed: number;
  /** Deliveries expected (measured messages sent × members) and not seen within the drain time. */
  lost: number;
  /** Measured messages completed per second, from the window's start to the last completion. */
  achievedRate: number;
  /** CPU ms by process over the measured window (cpu.ts labels). */
  cpu: Map<string, number>;
}

/** Offers `rate` msg/s for warm-up + `seconds` in `mode` and measures the second part. */
export async function runLoad(stack: TestStack, meeting: BenchMeeting, opts: LoadOptions): Promise<LoadResult> {
  const run = randomUUID().slice(0, 8);
  const deliveries: number[] = [];
  const deliverySentAt: number[] = [];
  meeting.sentAt.clear();
  meeting.onDelivery = (latency, t) => {
    deliveries.push(latency);
    deliverySentAt.push(t);
  };
  const invokes: number[] = [];
  let failed = 0;
  let lastDone = 0;
  const senders = Math.min(opts.senders, meeting.clients.length);
  const send = async (i: number, measured: boolean) => {
    const key = `bench-${run}-${i}`;
    const sender = i % senders;
    const t = performance.now();
    if (measured) meeting.sentAt.set(key, t);
    let ok: boolean;
    if (opts.mode === 'invoke') {
      const call = meeting.clients[sender].functions.invoke('send-message', {
        body: { meeting_id: meeting.id, content: `m${i}`, client_id: key },
      });
      const deadline = new Promise<{ error: Error }>((r) =>
        setTimeout(() => r({ error: new Error('no answer') }), INVOKE_DEADLINE_MS).unref(),
      );
      const { error } = await Promise.race([call, deadline]);
      ok = !error;
      if (ok && measured) invokes.push(performance.now() - t);
    } else {
      ok = (await meeting.ephemeral[sender].send({ type: 'broadcast', event: BENCH_EVENT, payload: { key } })) === 'ok';
    }
    if (!measured) return;
    if (!ok) {
      failed++;
      meeting.sentAt.delete(key);
    }
    lastDone = performance.now();
  };
  const warmup = Math.round(opts.rate * opts.warmupSeconds);
  const total = Math.round(opts.rate * opts.seconds);
  const scheduleStart = performance.now();
  const inflight: Promise<void>[] = [];
  let cpuBefore: CpuSnapshot | undefined;
  let measureStart = scheduleStart;
  for (let i = 0; i < warmup + total; i++) {
    const wait = scheduleStart + (i * 1000) / opts.rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (i === warmup) {
      cpuBefore = cpuSnapshot(stack.cfg.stateDir);
      await opts.onMeasureStart?.(performance.now());
      measureStart = performance.now();
    }
    inflight.push(send(i, i >= warmup));
  }
  await Promise.all(inflight);
  const achievedRate = (total - failed) / ((Math.max(lastDone, measureStart + 1) - measureStart) / 1000);
  const expected = (total - failed) * meeting.clients.length;
  const drainUntil = performance.now() + DRAIN_MS;
  while (deliveries.length < expected && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
  const cpu = cpuBetween(cpuBefore ?? cpuSnapshot(stack.cfg.stateDir), cpuSnapshot(stack.cfg.stateDir));
  meeting.onDelivery = () => {};
  return {
    invokes,
    deliveries,
    deliverySentAt,
    measureStart,
    total,
    failed,
    lost: Math.max(0, expected - deliveries.length),
    achievedRate,
    cpu,
  };
}
