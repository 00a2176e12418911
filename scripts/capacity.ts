// `npm run capacity`: how many concurrent meetings of a given size fit on each hosted Supabase plan before a Realtime
// quota stops them, from stated per-person activity and the client's own rates (MEETING_DEFAULTS, read, not copied),
// so the tables change when the client's rates do. Prints the tables as markdown; `npm run capacity -- --write`
// rewrites the generated section of docs/capacity.md, and tests/capacity.test.ts fails when that section is stale.
//
// Counting follows Supabase: a broadcast is one message sent plus one per client it is delivered to (Manage Realtime
// Messages usage); upstream Realtime counts its messages-per-second quota the same way (BroadcastHandler adds the
// send, MessageDispatcher one per delivery). Presence has a quota of its own, which upstream counts per track, per
// join-time presence_state and per presence_diff delivery. Rate quotas are averages over the last minute.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MEETING_DEFAULTS, type MeetingOptions } from '../client/src/meeting.ts';
import { LIMITS } from '../types/rules.ts';

/** One hosted plan's Realtime quotas, per project (https://supabase.com/docs/guides/realtime/limits). */
export interface Plan {
  name: string;
  /** Concurrent connections (sockets). */
  connections: number;
  /** Messages per second, every delivery counted. */
  messagesPerSecond: number;
  /** Channel joins per second. */
  joinsPerSecond: number;
  /** Channels on one connection. */
  channelsPerConnection: number;
  /** Presence messages per second (tracks, join-time states, diff deliveries). */
  presencePerSecond: number;
}

/** Free, Pro (with its spend cap) and Team, as published; Pro without a spend cap has Team's numbers. */
export const PLANS: readonly Plan[] = [
  {
    name: 'Free',
    connections: 200,
    messagesPerSecond: 100,
    joinsPerSecond: 100,
    channelsPerConnection: 100,
    presencePerSecond: 20,
  },
  {
    name: 'Pro',
    connections: 500,
    messagesPerSecond: 500,
    joinsPerSecond: 500,
    channelsPerConnection: 100,
    presencePerSecond: 50,
  },
  {
    name: 'Team',
    connections: 10_000,
    messagesPerSecond: 2_500,
    joinsPerSecond: 2_500,
    channelsPerConnection: 100,
    presencePerSecond: 1_000,
  },
];

/** Every plan: one client may call track/untrack at most 5 times per 30 s on a channel, or the channel is closed. */
export const CLIENT_PRESENCE_LIMIT = { calls: 5, windowSeconds: 30 } as const;

/** Rate quotas trip on the average of the last minute (upstream's RateCounter: 60 buckets of 1 s). */
export const RATE_WINDOW_SECONDS = 60;

/** What each person does, on average, while in a meeting. */
export interface Activity {
  /** Chat messages each person sends per minute. */
  chatPerMinute: number;
  /** Seconds of typing before each message (one typing burst per message). */
  typingSecondsPerMessage: number;
  /** Share of the participants who move a pointer over the shared board. */
  cursorPeople: number;
  /** Share of their time that pointer is moving. */
  cursorMoving: number;
  /** Minutes a person stays before leaving, or dropping and rejoining: each stay is one join and one leave. */
  stayMinutes: number;
}

export const ACTIVITY: Activity = {
  chatPerMinute: 0.5,
  typingSecondsPerMessage: 12,
  cursorPeople: 0.2,
  cursorMoving: 0.1,
  stayMinutes: 45,
};

/** How a client turns that activity into Realtime traffic. */
export interface ClientModel {
  name: string;
  /** The typing rule, in words. */
  typingRule: string;
  /** Typing events one burst of `seconds` of typing sends. */
  typingEventsPerBurst: (seconds: number) => number;
  /** The cursor rule, in words. */
  cursorRule: string;
  /** Cursor events per second while the pointer moves. */
  cursorHz: number;
  /** Channels per participant: meeting:<id>, meeting:<id>:ephemeral and user:<id>, on one socket per tab. */
  channelsPerParticipant: number;
  /** Presence track calls per join (on meeting:<id>:ephemeral, once it is subscribed). */
  tracksPerJoin: number;
  /** Seconds between catch-up reads while live (database requests, not Realtime messages). */
  syncIntervalSeconds: number;
}

const SESSION_SHAPE = { channelsPerParticipant: 3, tracksPerJoin: 1 } as const;

/** The meeting client as shipped: a typing heartbeat and coalesced cursors, at its default rates. */
export function shippedClient(rates: Required<MeetingOptions> = MEETING_DEFAULTS): ClientModel {
  const beatMs = rates.typingHeartbeatMs;
  return {
    name: 'the client as shipped',
    typingRule:
      `one event when typing starts, one every ${beatMs / 1000} s while it goes on (\`typingHeartbeatMs\`), ` +
      `one when it stops`,
    // Beats at 0, beat, 2·beat, … before the burst ends, then the stop.
    typingEventsPerBurst: (seconds) => Math.ceil((seconds * 1000) / beatMs) + 1,
    cursorRule:
      `at most one event per ${rates.cursorIntervalMs} ms (\`cursorIntervalMs\`, ` +
      `${1000 / rates.cursorIntervalMs} a second), the last position wins`,
    cursorHz: 1000 / rates.cursorIntervalMs,
    syncIntervalSeconds: rates.syncIntervalMs / 1000,
    ...SESSION_SHAPE,
  };
}

/** A client without the throttle and the coalescing: a typing event per keystroke, a cursor event per pointer move. */
export function naiveClient(
  keystrokesPerSecond = 5,
  pointerHz = 60,
  rates: Required<MeetingOptions> = MEETING_DEFAULTS,
): ClientModel {
  return {
    name: 'a naive client',
    typingRule: `one event per keystroke (${keystrokesPerSecond} a second while typing), one when it stops`,
    typingEventsPerBurst: (seconds) => seconds * keystrokesPerSecond + 1,
    cursorRule: `one event per pointer move (${pointerHz} a second, one per frame)`,
    cursorHz: pointerHz,
    syncIntervalSeconds: rates.syncIntervalMs / 1000,
    ...SESSION_SHAPE,
  };
}

/** What one meeting of `size` people costs Realtime per second, in the units of each quota. */
export interface MeetingLoad {
  size: number;
  /** Sends per second: chat messages through send-message, and client events on the ephemeral channel. */
  chatSends: number;
  typingEvents: number;
  cursorEvents: number;
  /** Joins (and as many leaves) per second. */
  turnovers: number;
  /** Catch-up reads per second (four database requests each: two get_messages, list_participants, the meeting). */
  syncs: number;
  /** Realtime messages per second by source, every delivery counted, and their sum. */
  chat: number;
  typing: number;
  cursors: number;
  membership: number;
  messages: number;
  presence: number;
  joins: number;
  connections: number;
}

export function meetingLoad(size: number, activity: Activity, client: ClientModel): MeetingLoad {
  const n = size;
  const chatSends = (n * activity.chatPerMinute) / 60;
  const typingEvents = chatSends * client.typingEventsPerBurst(activity.typingSecondsPerMessage);
  const cursorEvents = n * activity.cursorPeople * activity.cursorMoving * client.cursorHz;
  const turnovers = n / (activity.stayMinutes * 60);
  // send-message broadcasts over REST to meeting:<id>: one sent, one to every member, the sender included.
  const chat = chatSends * (1 + n);
  // Typing and cursors go from a client to meeting:<id>:ephemeral (self: false): one sent, n − 1 delivered.
  const typing = typingEvents * n;
  const cursors = cursorEvents * n;
  // participant_joined goes out before the joiner subscribes (1 + n − 1), participant_left while the leaver still
  // listens (1 + n).
  const membership = turnovers * (n + (1 + n));
  return {
    size,
    chatSends,
    typingEvents,
    cursorEvents,
    turnovers,
    // Every member reads on an interval while live, and once more after each join.
    syncs: n / client.syncIntervalSeconds + turnovers,
    chat,
    typing,
    cursors,
    membership,
    messages: chat + typing + cursors + membership,
    // A join: each track a diff to all n, and the join-time presence_state; a leave: a diff to the n − 1 who stay.
    presence: turnovers * (client.tracksPerJoin * (1 + n) + 1 + (n - 1)),
    joins: turnovers * client.channelsPerParticipant,
    connections: n,
  };
}

export type Limit = 'connections' | 'messages/s' | 'presence/s' | 'joins/s' | 'channels/connection' | 'presence calls';

export interface Fit {
  /** Concurrent meetings that fit under every quota. */
  meetings: number;
  /** The quota that stops the next meeting. */
  binding: Limit;
  /** The binding quota divided by one meeting's need: below 1, not even one meeting fits. */
  ratio: number;
}

export function fit(plan: Plan, load: MeetingLoad, client: ClientModel): Fit {
  // A user may be present in LIMITS.max_present_meetings meetings at once, all on one socket at worst.
  const channelsPerSocket = client.channelsPerParticipant * LIMITS.max_present_meetings;
  const ratios: [Limit, number][] = [
    ['connections', plan.connections / load.connections],
    ['messages/s', plan.messagesPerSecond / load.messages],
    ['presence/s', plan.presencePerSecond / load.presence],
    ['joins/s', plan.joinsPerSecond / load.joins],
    ['channels/connection', channelsPerSocket <= plan.channelsPerConnection ? Infinity : 0],
    ['presence calls', client.tracksPerJoin <= CLIENT_PRESENCE_LIMIT.calls ? Infinity : 0],
  ];
  const [binding, ratio] = ratios.reduce((min, r) => (r[1] < min[1] ? r : min));
  return { meetings: Math.floor(ratio + 1e-9), binding, ratio };
}

/** Filling one meeting of `size` from empty: what the whole wave of joins costs, in each quota's units. */
export function fillLoad(size: number, client: ClientModel): { joins: number; presence: number; messages: number } {
  const n = size;
  const arrivals = (n * (n + 1)) / 2; // the k-th joiner's presence diff and participant_joined reach k (k = 1..n)
  return {
    joins: n * client.channelsPerParticipant,
    presence: client.tracksPerJoin * (n + arrivals) + n,
    messages: arrivals,
  };
}

/** Seconds one meeting takes to fill from empty at the plan's average rates, and the quota that sets the pace. */
export function fillSeconds(plan: Plan, size: number, client: ClientModel): { seconds: number; binding: Limit } {
  const load = fillLoad(size, client);
  const paces: [Limit, number][] = [
    ['joins/s', load.joins / plan.joinsPerSecond],
    ['presence/s', load.presence / plan.presencePerSecond],
    ['messages/s', load.messages / plan.messagesPerSecond],
  ];
  const [binding, seconds] = paces.reduce((max, p) => (p[1] > max[1] ? p : max));
  return { seconds, binding };
}

/**
 * CPU measured on the local stack (one 2-core VM), not on hosted Supabase. Realtime, the gateway, REST and Auth are
 * one Node thread in the host process, so that process gets one core at most; Postgres and Deno share the rest.
 */
export const MEASURED_LOCALLY = {
  when: '2026-12-04, 2-core development VM, Node v20.20.2',
  cores: 2,
  /** `npm run bench:realtime`, median of 3: Realtime server CPU µs per delivery, 1 → 1 at 1,000 msg/s. */
  realtimeMicrosOneToOne: 86.53,
  /** The same, 1 → 50 at 200 msg/s (1 → 200 at 50 msg/s gave 9.01). */
  realtimeMicrosPerDelivery: 8.81,
  /** `npm run bench:functions`: CPU ms per send-message delivered to 50 members at 200 msg/s, by process. */
  chat: { receivers: 50, host: 2.25, postgres: 1.46, deno: 1.14 },
  /** One catch-up read (the four requests of the client's sync, newest page full) at 100/s, 50 members. */
  sync: { host: 3.12, postgres: 5.09 },
};

/** Server CPU one meeting costs a self-hosted box, in ms per second: the host thread's, Postgres's, the whole box's. */
export function selfHostedCpu(load: MeetingLoad, measured = MEASURED_LOCALLY) {
  const n = load.size;
  const delivery = measured.realtimeMicrosPerDelivery / 1000;
  const received = (measured.realtimeMicrosOneToOne - measured.realtimeMicrosPerDelivery) / 1000; // one event in
  // Chat, joins and leaves each go through a function: invoke, RPC, REST broadcast to the members.
  const calls = load.chatSends + 2 * load.turnovers;
  const callHost = measured.chat.host - measured.chat.receivers * delivery + n * delivery;
  const ephemeral = (load.typingEvents + load.cursorEvents) * (received + (n - 1) * delivery);
  const host = calls * callHost + ephemeral + load.syncs * measured.sync.host;
  const postgres = calls * measured.chat.postgres + load.syncs * measured.sync.postgres;
  return { host, postgres, box: host + postgres + calls * measured.chat.deno };
}

/** Meetings one self-hosted box carries: the host thread on one core, everything on all of them. */
export function selfHostedFit(load: MeetingLoad, measured = MEASURED_LOCALLY): { meetings: number; binding: string } {
  const { host, box } = selfHostedCpu(load, measured);
  const [binding, ratio]: [string, number] =
    1000 / host <= (measured.cores * 1000) / box
      ? ['host thread', 1000 / host]
      : ['all cores', (measured.cores * 1000) / box];
  return { meetings: Math.floor(ratio + 1e-9), binding };
}

export interface Scenario {
  name: string;
  client: ClientModel;
  activity: Activity;
}

export interface CapacityInputs {
  plans: readonly Plan[];
  sizes: readonly number[];
  activity: Activity;
  shipped: ClientModel;
  naive: ClientModel;
}

export function defaultInputs(rates: Required<MeetingOptions> = MEETING_DEFAULTS): CapacityInputs {
  return {
    plans: PLANS,
    sizes: [10, 50, 200],
    activity: ACTIVITY,
    shipped: shippedClient(rates),
    naive: naiveClient(),
  };
}

/** The client as shipped, the naive client, and the client as shipped in meetings that leave the board alone. */
export function scenarios(inputs: CapacityInputs): Scenario[] {
  const { activity, shipped, naive } = inputs;
  return [
    { name: shipped.name, client: shipped, activity },
    { name: naive.name, client: naive, activity },
    { name: `${shipped.name}, no one on the board`, client: shipped, activity: { ...activity, cursorPeople: 0 } },
  ];
}

// -- markdown ---------------------------------------------------------------------------------------------------

const num = (v: number, digits = 0) =>
  v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const rate = (v: number) => (v >= 100 ? num(v) : v >= 10 ? num(v, 1) : num(v, 2));
/** A markdown table; the first `textColumns` columns are left-aligned text, the rest right-aligned numbers. */
const table = (header: string[], rows: string[][], textColumns = 1) =>
  [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i < textColumns ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

function fitCell(f: Fit): string {
  if (f.meetings > 0) return `**${num(f.meetings)}** (${f.binding})`;
  return `**0** (${f.binding}: one meeting needs ${num(1 / f.ratio, 1)}×)`;
}

/** The generated section of docs/capacity.md: every table, from the inputs. */
export function renderCapacity(inputs: CapacityInputs = defaultInputs()): string {
  const { plans, sizes, activity: a, shipped, naive } = inputs;
  const all = scenarios(inputs);
  const out: string[] = [];
  const pct = (v: number) => `${num(v * 100)} %`;

  out.push('### Stated rates\n');
  out.push(
    table(
      ['per person', 'rate'],
      [
        ['chat', `${a.chatPerMinute} messages a minute`],
        [
          'typing',
          `${a.typingSecondsPerMessage} s before each message ` +
            `(${pct((a.chatPerMinute * a.typingSecondsPerMessage) / 60)} of the time)`,
        ],
        [
          'cursor',
          `${pct(a.cursorPeople)} of people move a pointer on the board, ${pct(a.cursorMoving)} of their time ` +
            `(${pct(a.cursorPeople * a.cursorMoving)} of people moving at any moment)`,
        ],
        ['stay', `${a.stayMinutes} min, then a leave and a join (someone else's, or a rejoin)`],
        ...[shipped, naive].flatMap((c) => [
          [`typing, ${c.name}`, c.typingRule],
          [`cursor, ${c.name}`, c.cursorRule],
        ]),
        [
          'channels',
          `${shipped.channelsPerParticipant} (\`meeting:<id>\`, \`meeting:<id>:ephemeral\`, \`user:<id>\`) on one ` +
            `socket per tab; ${shipped.channelsPerParticipant * LIMITS.max_present_meetings} at most ` +
            `(${LIMITS.max_present_meetings} meetings at once)`,
        ],
        ['Presence', `${shipped.tracksPerJoin} track per join, on \`meeting:<id>:ephemeral\``],
        [
          'catch-up read',
          `every ${shipped.syncIntervalSeconds} s while live (\`syncIntervalMs\`), and after each join`,
        ],
      ],
      2,
    ),
  );

  out.push('\n### Quotas (hosted Realtime, per project)\n');
  out.push(
    table(
      ['quota', ...plans.map((p) => p.name)],
      [
        ['concurrent connections', ...plans.map((p) => num(p.connections))],
        ['messages per second', ...plans.map((p) => num(p.messagesPerSecond))],
        ['channel joins per second', ...plans.map((p) => num(p.joinsPerSecond))],
        ['channels per connection', ...plans.map((p) => num(p.channelsPerConnection))],
        ['presence messages per second', ...plans.map((p) => num(p.presencePerSecond))],
        [
          'presence calls per client and channel',
          ...plans.map(() => `${CLIENT_PRESENCE_LIMIT.calls} per ${CLIENT_PRESENCE_LIMIT.windowSeconds} s`),
        ],
      ],
    ),
  );

  out.push('\n### What one action costs, in a meeting of n people\n');
  const burst = shipped.typingEventsPerBurst(a.typingSecondsPerMessage);
  const naiveBurst = naive.typingEventsPerBurst(a.typingSecondsPerMessage);
  out.push(
    table(
      ['action', 'Realtime messages', ...sizes.map((n) => `n = ${n}`)],
      [
        ['a chat message (REST broadcast from send-message)', '1 + n', ...sizes.map((n) => num(1 + n))],
        [
          `a ${a.typingSecondsPerMessage} s typing burst, ${shipped.name} (${burst} events)`,
          `${burst} × n`,
          ...sizes.map((n) => num(burst * n)),
        ],
        [
          `the same, ${naive.name} (${naiveBurst} events)`,
          `${naiveBurst} × n`,
          ...sizes.map((n) => num(naiveBurst * n)),
        ],
        [
          `one pointer moving for a second, ${shipped.name}`,
          `${num(shipped.cursorHz)} × n`,
          ...sizes.map((n) => num(shipped.cursorHz * n)),
        ],
        [`the same, ${naive.name}`, `${num(naive.cursorHz)} × n`, ...sizes.map((n) => num(naive.cursorHz * n))],
        ['a join and a leave (participant_joined, participant_left)', '2n + 1', ...sizes.map((n) => num(2 * n + 1))],
        [
          'the same, in presence messages (track, presence_state, two diffs)',
          '2n + 1',
          ...sizes.map((n) => num(2 * n + 1)),
        ],
      ],
      2,
    ),
  );

  out.push('\n### One meeting, per second\n');
  out.push(
    table(
      [
        'people',
        'client',
        'chat',
        'typing',
        'cursors',
        'joins and leaves',
        'messages/s',
        'presence/s',
        'joins/s',
        'catch-up reads/s',
      ],
      all.slice(0, 2).flatMap(({ client, activity }) =>
        sizes.map((size) => {
          const l = meetingLoad(size, activity, client);
          return [
            `${size}`,
            client.name,
            rate(l.chat),
            rate(l.typing),
            rate(l.cursors),
            rate(l.membership),
            `**${rate(l.messages)}**`,
            rate(l.presence),
            rate(l.joins),
            rate(l.syncs),
          ];
        }),
      ),
      2,
    ),
  );

  for (const s of all) {
    out.push(`\n### Concurrent meetings that fit: ${s.name}\n`);
    out.push(
      table(
        ['people per meeting', ...plans.map((p) => p.name)],
        sizes.map((size) => {
          const l = meetingLoad(size, s.activity, s.client);
          return [`${size}`, ...plans.map((p) => fitCell(fit(p, l, s.client)))];
        }),
      ),
    );
  }

  out.push(`\n### What the typing throttle and the cursor coalescing buy\n`);
  out.push(
    table(
      [
        'people per meeting',
        'typing messages/s, naive → shipped',
        'cursor messages/s, naive → shipped',
        ...plans.map((p) => `${p.name} meetings, naive → shipped`),
      ],
      sizes.map((size) => {
        const before = meetingLoad(size, a, naive);
        const after = meetingLoad(size, a, shipped);
        return [
          `${size}`,
          `${rate(before.typing)} → ${rate(after.typing)} (÷${num(before.typing / after.typing, 1)})`,
          `${rate(before.cursors)} → ${rate(after.cursors)} (÷${num(before.cursors / after.cursors, 1)})`,
          ...plans.map((p) => `${num(fit(p, before, naive).meetings)} → ${num(fit(p, after, shipped).meetings)}`),
        ];
      }),
    ),
  );

  out.push(`\n### Filling rooms: meetings that can go from empty to full within one minute\n`);
  out.push(
    table(
      ['people per meeting', ...plans.map((p) => p.name)],
      sizes.map((size) => [
        `${size}`,
        ...plans.map((p) => {
          const { seconds, binding } = fillSeconds(p, size, shipped);
          const meetings = Math.floor(RATE_WINDOW_SECONDS / seconds + 1e-9);
          return meetings > 0
            ? `**${num(meetings)}** (${binding})`
            : `**0** (${binding}: one takes ${num(seconds / 60, 1)} min)`;
        }),
      ]),
    ),
  );

  // Per person, the database's share does not depend on the meeting's size.
  const perPerson = meetingLoad(1, a, shipped);
  out.push(`\n### The managed Postgres, per 1,000 people in meetings (CPU per request measured locally)\n`);
  out.push(
    table(
      ['catch-up reads/s (4 requests each)', 'function calls/s (chat, join, leave)', 'Postgres cores'],
      [
        [
          rate(1000 * perPerson.syncs),
          rate(1000 * (perPerson.chatSends + 2 * perPerson.turnovers)),
          num(selfHostedCpu(perPerson).postgres, 2),
        ],
      ],
      0,
    ),
  );

  const m = MEASURED_LOCALLY;
  out.push(`\n### One self-hosted box of ${m.cores} cores: CPU measured locally (${m.when})\n`);
  out.push(
    table(
      [
        'people per meeting',
        'ms CPU per s per meeting, as shipped: host thread, Postgres',
        ...all.map((s) => `meetings, ${s.name}`),
      ],
      sizes.map((size) => {
        const cpu = selfHostedCpu(meetingLoad(size, a, shipped));
        return [
          `${size}`,
          `${rate(cpu.host)}, ${rate(cpu.postgres)}`,
          ...all.map((s) => {
            const f = selfHostedFit(meetingLoad(size, s.activity, s.client));
            return `**${num(f.meetings)}** (${f.binding})`;
          }),
        ];
      }),
    ),
  );

  return out.join('\n') + '\n';
}

// -- the doc --------------------------------------------------------------------------------------------------

export const capacityDoc = fileURLToPath(new URL('../docs/capacity.md', import.meta.url));
export const BEGIN = '<!-- capacity:begin -->';
export const END = '<!-- capacity:end -->';

function markers(doc: string): [number, number] {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/capacity.md lacks the ${BEGIN} … ${END} markers`);
  return [start + BEGIN.length, end];
}

/** The generated section of a capacity doc, between the markers. */
export function generatedSection(doc: string): string {
  const [start, end] = markers(doc);
  return doc.slice(start, end).replace(/^\n/, '');
}

export function withSection(doc: string, section: string): string {
  const [start, end] = markers(doc);
  return `${doc.slice(0, start)}\n${section}${doc.slice(end)}`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const section = renderCapacity();
  if (process.argv.includes('--write')) {
    writeFileSync(capacityDoc, withSection(readFileSync(capacityDoc, 'utf8'), section));
    console.log('docs/capacity.md: generated section rewritten');
  } else {
    process.stdout.write(section);
  }
}
