// Nothing lost, nothing doubled: 50 senders × 200 messages into one meeting while 10 receivers (meeting sessions
// of the client library, each with its own socket) hold it, once undisturbed and once per fault. Senders use the
// library's sendMessage (one client_id per message, retried on network errors and 5xx); receivers rely on what the
// library does by itself — live events merged by id, reconnects, catch-up reads. Verdict, per receiver: it holds
// exactly the stored messages, each once; and every message a sender was told is stored is stored, once.
import { setTimeout as sleep } from 'node:timers/promises';
import { joinMeeting, MeetingActionError, sendMessage, type MeetingSession } from '../../client/src/index.ts';
import type { MeetingSupabase } from '../../client/src/index.ts';
import { invokeFunction } from '../../client/src/index.ts';
import type { TestStack } from '../../stack/testing/stack.ts';
import { FaultProxy } from './fault-proxy.ts';
import { createPeople, liveMeeting, type Person } from './people.ts';
import type { Scenario, ScenarioContext, ScenarioResult } from './scenario.ts';

const SENDERS = Number(process.env.RELIABILITY_SENDERS ?? 50);
const PER_SENDER = Number(process.env.RELIABILITY_MESSAGES ?? 200);
const RECEIVERS = Number(process.env.RELIABILITY_RECEIVERS ?? 10);
/** After the last send, how long receivers may take to hold everything (the library's periodic catch-up is 20 s). */
const CONVERGE_MS = 30_000;

/** What a fault scenario does to the platform once a share of the messages is stored. */
interface Fault {
  /** Share of all messages acknowledged before the fault starts. */
  at: number;
  /** Injects the fault and resolves when it is over; returns what it saw go wrong (empty when it behaved). */
  inject(env: FaultEnv): Promise<string[]>;
  /** Lines for the summary. */
  describe(): string;
  /** Whose connections the fault must have dropped (checked: a fault that reached nobody proves nothing). */
  drops: 'every receiver' | 'the proxied receiver' | 'nobody';
}

interface FaultEnv {
  stack: TestStack;
  proxy: FaultProxy;
  /** The first sender's client, for probes. */
  probe: MeetingSupabase;
  meetingId: string;
}

let people: { senders: Person[]; receivers: Person[] } | undefined;

async function cast(stack: TestStack) {
  if (!people) {
    // Senders send far more than a person would: the per-user rate limit (30 a minute) is lifted for the run, as the
    // limits of Realtime are (see run.ts); the limit has its own tests.
    await stack.sql`update private.settings set value = '1000000' where key = 'message_rate_limit'`;
    const all = await createPeople(stack, `reliability-${Date.now()}`, SENDERS + RECEIVERS);
    people = { senders: all.slice(0, SENDERS), receivers: all.slice(SENDERS) };
  }
  return people;
}

interface ReceiverTally {
  session: MeetingSession;
  /** Live `message` events by message id (a count above 1 is a duplicate delivery the library had to absorb). */
  live: Map<string, number>;
  /** Connection states it passed through. */
  states: Set<string>;
}

async function runLoad(ctx: ScenarioContext, label: string, fault?: Fault): Promise<ScenarioResult> {
  const { stack, log } = ctx;
  const failures: string[] = [];
  const started = performance.now();
  const { senders, receivers } = await cast(stack);
  const meetingId = await liveMeeting(stack, `reliability: ${label}`);
  const proxy = await FaultProxy.start(stack.cfg.apiPort);
  const tallies: ReceiverTally[] = [];
  try {
    // Receivers: the first one reaches the platform through the fault proxy, the rest directly.
    for (const [i, person] of receivers.entries()) {
      const session = await joinMeeting(await person.client(i === 0 ? proxy.url : stack.url), meetingId);
      const tally: ReceiverTally = { session, live: new Map(), states: new Set() };
      session.on('message', ({ message }) => tally.live.set(message.id, (tally.live.get(message.id) ?? 0) + 1));
      session.subscribe(() => tally.states.add(session.getState().connection));
      tallies.push(tally);
    }
    const senderClients = await Promise.all(senders.map((p) => p.client()));
    await Promise.all(senderClients.map((c) => invokeFunction(c, 'join', { meeting_id: meetingId })));
    log.info('load starting', { scenario: label, senders: SENDERS, perSender: PER_SENDER, receivers: RECEIVERS });

    const total = SENDERS * PER_SENDER;
    let acknowledged = 0;
    const retriedStatuses = new Map<number, number>();
    const failedSends: string[] = [];
    let faultStarted: () => void = () => {};
    const faultStart = new Promise<void>((resolve) => (faultStarted = resolve));
    const sendStarted = performance.now();
    const sending = senderClients.map(async (client, s) => {
      for (let i = 0; i < PER_SENDER; i++) {
        try {
          await sendMessage(
            client,
            { meeting_id: meetingId, content: `sender ${s} message ${i}`, client_id: `${label}-${s}-${i}` },
            {
              // Enough attempts to outlast a restart (about 45 s of backoff): a person would press retry instead.
              maxAttempts: 14,
              onRetry: (error) => retriedStatuses.set(error.status, (retriedStatuses.get(error.status) ?? 0) + 1),
            },
          );
          acknowledged++;
          if (fault && acknowledged === Math.round(total * fault.at)) faultStarted();
        } catch (err) {
          const e = err as MeetingActionError;
          failedSends.push(`sender ${s} message ${i}: ${e.status} ${e.code ?? ''} ${e.message}`);
        }
      }
    });
    const faultDone = fault
      ? faultStart.then(() => fault.inject({ stack, proxy, probe: senderClients[0], meetingId }))
      : Promise.resolve([]);
    await Promise.all(sending);
    const sendSeconds = (performance.now() - sendStarted) / 1000;
    if (fault && acknowledged < Math.round(total * fault.at)) faultStarted(); // too many failures to reach it
    failures.push(...(await faultDone));
    failures.push(...failedSends.slice(0, 5));
    if (failedSends.length > 5) failures.push(`… and ${failedSends.length - 5} more failed sends`);

    // What was stored: every client_id once, every acknowledged message among them.
    const stored = await stack.sql<{ id: string; client_id: string }[]>`
      select id, client_id from public.messages where meeting_id = ${meetingId}`;
    const storedIds = new Set(stored.map((r) => r.id));
    const clientIds = new Set(stored.map((r) => r.client_id));
    if (clientIds.size !== stored.length) failures.push(`${stored.length - clientIds.size} client_ids stored twice`);
    if (stored.length !== acknowledged)
      failures.push(`${stored.length} messages stored but ${acknowledged} acknowledged to their senders`);

    // Every receiver converges on exactly the stored set, by itself.
    const convergeStarted = performance.now();
    const gapsOf = (t: ReceiverTally) => {
      const held = t.session.getState().messages;
      const heldIds = new Set(held.map((m) => m.id));
      let missing = 0;
      for (const id of storedIds) if (!heldIds.has(id)) missing++;
      const extra = [...heldIds].filter((id) => !storedIds.has(id)).length;
      return { missing, extra, doubled: held.length - heldIds.size };
    };
    while (
      tallies.some((t) => gapsOf(t).missing > 0 || t.session.getState().connection !== 'live') &&
      performance.now() - convergeStarted < CONVERGE_MS
    ) {
      await sleep(250);
    }
    const convergeSeconds = (performance.now() - convergeStarted) / 1000;
    let gaps = 0;
    let doubled = 0;
    let liveDeliveries = 0;
    let wireDuplicates = 0;
    for (const [i, t] of tallies.entries()) {
      const g = gapsOf(t);
      gaps += g.missing;
      doubled += g.doubled + g.extra;
      for (const n of t.live.values()) {
        liveDeliveries++;
        wireDuplicates += n - 1;
      }
      const connection = t.session.getState().connection;
      if (g.missing) failures.push(`receiver ${i} lacks ${g.missing} stored messages after ${CONVERGE_MS / 1000} s`);
      if (g.doubled) failures.push(`receiver ${i} holds ${g.doubled} messages twice`);
      if (g.extra) failures.push(`receiver ${i} holds ${g.extra} messages that are not stored`);
      if (connection !== 'live') failures.push(`receiver ${i} ended ${connection}, not live`);
      const pending = t.session.getState().pending.length;
      if (pending) failures.push(`receiver ${i} has ${pending} pending messages`);
    }
    const deliveries = stored.length * tallies.length;
    const caughtUp = deliveries - gaps - liveDeliveries;
    const retries = [...retriedStatuses].map(([status, n]) => `${n}×${status || 'network'}`).join(' ');
    const summary =
      `${stored.length}/${total} stored in ${sendSeconds.toFixed(1)} s (${Math.round(stored.length / sendSeconds)} msg/s), ` +
      `${failedSends.length} failed sends${retries ? `, retried ${retries}` : ''}; ` +
      `${tallies.length} receivers hold ${deliveries - gaps}/${deliveries} (${liveDeliveries} live, ${caughtUp} by catch-up), ` +
      `${gaps} gaps, ${doubled} duplicates (${wireDuplicates} repeated on the wire), ` +
      `all live ${convergeSeconds.toFixed(1)} s after the last send` +
      (fault ? `; ${fault.describe()}` : '') +
      `; ${((performance.now() - started) / 1000).toFixed(1)} s`;
    const dropped = tallies.filter((t) => t.states.has('reconnecting')).length;
    if (fault?.drops === 'every receiver' && dropped !== tallies.length)
      failures.push(
        `only ${dropped} of ${tallies.length} receivers lost their connection: the fault did not reach them`,
      );
    if (fault?.drops === 'the proxied receiver' && !tallies[0].states.has('reconnecting'))
      failures.push('the proxied receiver never left live: the fault did not reach it');
    return { summary, failures };
  } finally {
    await Promise.all(tallies.map((t) => t.session.dispose()));
    await proxy.close();
    // Everyone leaves, so the next scenario's joins stay within the 3-meetings-at-once rule.
    await stack.sql`update public.meeting_participants set left_at = now() where meeting_id = ${meetingId} and left_at is null`;
  }
}

const platformKill = (): Fault => {
  let before: number | undefined;
  let after: number | undefined;
  let downMs = 0;
  return {
    at: 0.3,
    async inject({ stack }) {
      before = stack.handle.platformPid();
      if (!before) return ['no platform process to kill'];
      const killed = performance.now();
      process.kill(before, 'SIGKILL');
      // The supervisor notices the exit and starts it again; the gateway answers once it is back.
      for (;;) {
        after = stack.handle.platformPid();
        if (
          after &&
          after !== before &&
          (await fetch(`${stack.url}/rest/v1/`).then(
            (r) => r.status < 500,
            () => false,
          ))
        )
          break;
        if (performance.now() - killed > 30_000) return ['the platform was not back within 30 s of SIGKILL'];
        await sleep(100);
      }
      downMs = performance.now() - killed;
      return [];
    },
    drops: 'every receiver',
    describe: () =>
      `platform pid ${before} SIGKILLed, pid ${after} serving again after ${(downMs / 1000).toFixed(1)} s`,
  };
};

const postgresRestart = (): Fault => {
  const statuses = new Map<string, number>();
  let downMs = 0;
  let stopMs = 0;
  let slowestProbeMs = 0;
  let pidBefore: number | undefined;
  return {
    at: 0.3,
    async inject({ stack, probe, meetingId }) {
      const failures: string[] = [];
      pidBefore = stack.handle.platformPid();
      const stopped = performance.now();
      await stack.handle.stopDatabase();
      stopMs = performance.now() - stopped;
      // While it is down, a send is answered with a clear 503 (probed for 3 s), never a hang or another 5xx.
      while (performance.now() - stopped < 3000) {
        const asked = performance.now();
        try {
          await invokeFunction(probe, 'send-message', {
            meeting_id: meetingId,
            content: 'probe while the database is down',
            client_id: `probe-${Date.now()}`,
          });
          statuses.set('200', (statuses.get('200') ?? 0) + 1);
        } catch (err) {
          const e = err as MeetingActionError;
          const key = `${e.status} ${e.code}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        }
        slowestProbeMs = Math.max(slowestProbeMs, performance.now() - asked);
        await sleep(200);
      }
      await stack.handle.startDatabase();
      downMs = performance.now() - stopped;
      for (const key of statuses.keys())
        if (key !== '503 upstream_unavailable') failures.push(`while the database was down a send answered ${key}`);
      if (statuses.size === 0) failures.push('no probe was answered while the database was down');
      if (slowestProbeMs > 2000)
        failures.push(`a send took ${Math.round(slowestProbeMs)} ms to be refused while the database was down`);
      if (stack.handle.platformPid() !== pidBefore)
        failures.push('the platform process was restarted: recovery must not need it');
      return failures;
    },
    drops: 'nobody',
    describe: () =>
      `database stopped in ${(stopMs / 1000).toFixed(1)} s and down ${(downMs / 1000).toFixed(1)} s, probes answered ${[...statuses].map(([k, n]) => `${n}× ${k}`).join(', ')} (slowest ${Math.round(slowestProbeMs)} ms), platform pid unchanged`,
  };
};

const blackhole = (): Fault => {
  const BLACKHOLE_MS = 20_000;
  let reset = 0;
  return {
    at: 0.3,
    async inject({ proxy }) {
      reset = proxy.counts.reset;
      proxy.cut();
      reset = proxy.counts.reset - reset;
      await proxy.blackhole(BLACKHOLE_MS);
      return reset === 0 ? ['the proxied receiver had no open connection to cut'] : [];
    },
    drops: 'the proxied receiver',
    describe: () => `receiver 0's ${reset} connections reset, then ${BLACKHOLE_MS / 1000} s of black hole`,
  };
};

export const deliveryScenarios: Scenario[] = [
  { name: 'exactly once', run: (ctx) => runLoad(ctx, 'undisturbed') },
  { name: 'platform SIGKILL', run: (ctx) => runLoad(ctx, 'platform SIGKILL', platformKill()) },
  { name: 'Postgres restart', run: (ctx) => runLoad(ctx, 'Postgres restart', postgresRestart()) },
  { name: 'connection cut + black hole', run: (ctx) => runLoad(ctx, 'black hole', blackhole()) },
];
