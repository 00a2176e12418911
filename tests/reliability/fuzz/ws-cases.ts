// The WebSocket half of the fuzz run: refused upgrades (bad keys, versions, tokens in the query) and frames on open
// sockets — not JSON, the wrong shape, binary garbage, joins to bad or forbidden topics, pushes to channels never
// joined, a public channel on a meeting's topic used to forge server events, oversized frames.
import { demoKeys } from '../../../stack/config.ts';
import { MEETING_EVENT_NAMES } from '../../../types/contract.ts';
import { urlEncode } from './bodies.ts';
import { garbageToken, HOSTILE, type Identity } from './identities.ts';
import type { IdentitySet, Targets } from './http-cases.ts';
import { invalidJson, nastyString, wrongValue, type Rng } from './random.ts';
import type { FuzzSocket, Vsn } from './socket.ts';

export type WsKind =
  | 'connect'
  | 'garbage-text'
  | 'binary'
  | 'join-bad-topic'
  | 'join-guarded'
  | 'forge-public'
  | 'unjoined'
  | 'joined-junk'
  | 'heartbeat-junk'
  | 'oversize';

export interface Frame {
  data: string | Buffer;
  binary?: boolean;
  /** Set on a private join to a topic no fuzz identity may read. */
  guardedTopic?: string;
  ref: string;
}

export interface WsCase {
  kind: WsKind;
  /** For `connect`: the upgrade's query string. */
  query?: string;
  /** The socket the frames go on: its protocol version and whose key opened it. */
  socket: { vsn: Vsn; identity: 'anon' | 'fuzzer' };
  frames?: (s: FuzzSocket) => Frame[];
}

const KINDS: readonly (readonly [number, WsKind])[] = [
  [4, 'connect'],
  [12, 'garbage-text'],
  [8, 'binary'],
  [12, 'join-bad-topic'],
  [14, 'join-guarded'],
  [8, 'forge-public'],
  [14, 'unjoined'],
  [12, 'joined-junk'],
  [3, 'heartbeat-junk'],
  [0.4, 'oversize'],
];

/** Topics no fuzz identity may read privately (the listener's meeting and notices among them). */
export function guardedTopics(t: Targets): string[] {
  return [
    ...t.protectedMeetings.flatMap((m) => [`meeting:${m}`, `meeting:${m}:ephemeral`]),
    ...t.protectedUsers.map((u) => `user:${u}`),
  ];
}

/** A public topic of this socket's own, so junk sent on a joined channel reaches no one else. */
const ownTopic = (rng: Rng) => `realtime:fuzz-${rng.int(4)}`;

export function wsCase(rng: Rng, t: Targets, ids: IdentitySet): WsCase {
  const kind = rng.weighted(KINDS);
  const socket = {
    vsn: (rng.chance(0.7) ? 2 : 1) as Vsn,
    identity: rng.chance(0.3) ? ('fuzzer' as const) : ('anon' as const),
  };
  if (kind === 'connect') return { kind, socket, query: connectQuery(rng, ids) };
  return { kind, socket, frames: (s) => framesFor(kind, rng, s, t, ids) };
}

function connectQuery(rng: Rng, ids: IdentitySet): string {
  const identity: Identity = ids[rng.pick(HOSTILE)];
  const apikey = rng.weighted<() => string | undefined>([
    [6, () => identity.token],
    [2, () => garbageToken(rng)],
    [1, () => `${demoKeys.anonKey}%00`],
    [1, () => nastyString(rng)],
  ])();
  const parts: string[] = [];
  if (apikey !== undefined) parts.push(`apikey=${apikey.includes('%') ? apikey : urlEncode(apikey)}`);
  parts.push(`vsn=${rng.pick(['1.0.0', '2.0.0', '3.0.0', '', 'x', '2.0.0.0', '1'])}`);
  if (rng.chance(0.2)) parts.push(`log_level=${urlEncode(nastyString(rng))}`);
  return parts.join('&');
}

function framesFor(kind: WsKind, rng: Rng, s: FuzzSocket, t: Targets, ids: IdentitySet): Frame[] {
  const ref = s.nextRef();
  const msg = (topic: string, event: string, payload: unknown, joinRef: string | null = ref) =>
    s.encode(joinRef, ref, topic, event, payload);
  switch (kind) {
    case 'garbage-text':
      return [{ ref, data: garbageText(rng, s.vsn, ref) }];
    case 'binary':
      return [{ ref, data: garbageBinary(rng, ref), binary: true }];
    case 'join-bad-topic':
      return [{ ref, data: msg(badTopic(rng, t), 'phx_join', joinPayload(rng, ids)) }];
    case 'join-guarded': {
      const topic = rng.pick(guardedTopics(t));
      const payload = {
        config: { private: true, broadcast: { self: true }, presence: { enabled: true } },
        ...tokenField(rng, ids),
      };
      return [{ ref, data: msg(`realtime:${topic}`, 'phx_join', payload), guardedTopic: topic }];
    }
    case 'forge-public': {
      // Joined publicly, a meeting's topic is just a name: what is said there must never reach its private channel.
      const topic = `realtime:meeting:${rng.pick(t.protectedMeetings)}`;
      const event = rng.pick(MEETING_EVENT_NAMES);
      return [
        { ref, data: msg(topic, 'phx_join', { config: { private: false, broadcast: { self: true } } }) },
        {
          ref: `${ref}b`,
          data: s.encode(ref, `${ref}b`, topic, 'broadcast', { type: 'broadcast', event, payload: { forged: true } }),
        },
      ];
    }
    case 'unjoined':
      return [
        {
          ref,
          data: msg(
            `realtime:${rng.pick(guardedTopics(t))}`,
            rng.pick(['broadcast', 'presence', 'access_token', 'phx_leave', 'nope']),
            channelPayload(rng, ids),
          ),
        },
      ];
    case 'joined-junk': {
      const topic = ownTopic(rng);
      return [
        {
          ref,
          data: msg(topic, 'phx_join', {
            config: { broadcast: { self: rng.chance(0.5) }, presence: { enabled: true } },
          }),
        },
        {
          ref: `${ref}j`,
          data: s.encode(
            ref,
            `${ref}j`,
            topic,
            rng.pick(['broadcast', 'presence', 'access_token', 'nope', 'phx_join']),
            channelPayload(rng, ids),
          ),
        },
      ];
    }
    case 'heartbeat-junk':
      return [{ ref, data: msg('phoenix', rng.pick(['heartbeat', 'phx_join', 'nope', '']), wrongValue(rng), null) }];
    case 'oversize':
      return [{ ref, data: oversize(rng, s, ref) }];
    case 'connect':
      return [];
  }
}

function garbageText(rng: Rng, vsn: Vsn, ref: string): string {
  return rng.pick<() => string>([
    () => invalidJson(rng, `["1","${ref}","realtime:x","phx_join",{}]`),
    () => nastyString(rng),
    () => JSON.stringify(wrongValue(rng)),
    () =>
      JSON.stringify(
        vsn === 2 ? { topic: 'realtime:x', event: 'phx_join', ref } : ['1', ref, 'realtime:x', 'phx_join', {}],
      ),
    () => JSON.stringify([ref, ref, 'realtime:x']),
    () => JSON.stringify([1, 2, 3, 4, 5]),
    () => JSON.stringify([null, ref, 42, 'phx_join', {}]),
    () => JSON.stringify([null, ref, 'realtime:x', { e: 1 }, {}, 'extra', 'extra']),
    () => JSON.stringify({ topic: ['a'], event: null, ref }),
  ])();
}

/** Random bytes, or realtime-js's kind-3 broadcast frame with lengths that lie, or a kind the server only sends. */
function garbageBinary(rng: Rng, ref: string): Buffer {
  const topic = Buffer.from(`realtime:${nastyString(rng)}`);
  const event = Buffer.from('typing');
  const payload = Buffer.from('{"a":1}');
  const header = (kind: number, lens: number[], encoding: number) => Buffer.from([kind, ...lens, encoding]);
  return rng.pick<() => Buffer>([
    () => rng.bytes(rng.int(64)),
    () => Buffer.alloc(0),
    () =>
      Buffer.concat([
        header(3, [1, ref.length, topic.length, event.length, 0], 1),
        Buffer.from(`1${ref}`),
        topic,
        event,
        payload,
      ]),
    () => Buffer.concat([header(3, [255, 255, 255, 255, 255], 1), Buffer.from('short')]),
    () => Buffer.concat([header(3, [0, 0, topic.length, event.length, 0], 7), topic, event, payload]),
    () => Buffer.concat([header(4, [topic.length, event.length, 0, 0, 0], 1), topic, event, payload]),
    () => Buffer.from([3]),
  ])();
}

function badTopic(rng: Rng, t: Targets): string {
  return rng.pick<() => string>([
    () => '',
    () => 'realtime:',
    () => `realtime:${'x'.repeat(rng.pick([10_000, 200_000]))}`,
    () => 'realtime:\u0000',
    () => `realtime:meeting:${t.protectedMeetings[0]}\u0000`,
    () => `meeting:${t.protectedMeetings[0]}`,
    () => `realtime:realtime:meeting:${t.protectedMeetings[0]}`,
    () => `REALTIME:meeting:${t.protectedMeetings[0]}`,
    () => `realtime:${nastyString(rng)}`,
    () => nastyString(rng),
    () => 'phoenix',
  ])();
}

/** A join's payload with config fields of the wrong types (upstream falls back to defaults for each). */
function joinPayload(rng: Rng, ids: IdentitySet): unknown {
  return rng.pick<() => unknown>([
    () => ({ config: { private: rng.pick([true, 'true', 1, null]) }, ...tokenField(rng, ids) }),
    () => ({ config: wrongValue(rng) }),
    () => ({ config: { broadcast: wrongValue(rng), presence: { key: wrongValue(rng), enabled: 'yes' } } }),
    () => ({
      config: {
        postgres_changes: [{ event: '*', schema: nastyString(rng), table: 'messages', filter: nastyString(rng) }],
      },
    }),
    () => ({ config: { private: true, broadcast: { replay: { since: 'x', limit: -1 } } } }),
    () => wrongValue(rng),
  ])();
}

/** `access_token` of a hostile identity (or garbage, or none: the socket's key then decides). */
function tokenField(rng: Rng, ids: IdentitySet): Record<string, unknown> {
  if (rng.chance(0.25)) return {};
  if (rng.chance(0.2)) return { access_token: rng.chance(0.5) ? garbageToken(rng) : wrongValue(rng) };
  return { access_token: ids[rng.pick(HOSTILE)].token ?? null };
}

function channelPayload(rng: Rng, ids: IdentitySet): unknown {
  return rng.pick<() => unknown>([
    () => ({ type: 'broadcast', event: rng.pick(MEETING_EVENT_NAMES), payload: { forged: true } }),
    () => ({ type: 'broadcast', event: wrongValue(rng), payload: wrongValue(rng) }),
    () => ({ type: 'presence', event: 'track', payload: wrongValue(rng) }),
    () => ({ type: 'presence', event: rng.pick(['untrack', 'nope', '']), payload: {} }),
    () => tokenField(rng, ids),
    () => wrongValue(rng),
  ])();
}

/** Over the tenant payload limit (3000 KB: an error ack) or over the 5 MB frame limit (the transport closes). */
function oversize(rng: Rng, s: FuzzSocket, ref: string): string {
  const bytes = rng.chance(0.5) ? 3_100_000 : 5_100_000;
  return s.encode(ref, ref, ownTopic(rng), 'broadcast', {
    type: 'broadcast',
    event: 'big',
    payload: { x: 'a'.repeat(bytes) },
  });
}
