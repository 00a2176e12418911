// stack/realtime against the official @supabase/supabase-js 2.119.0 client and a real Postgres (its own cluster on
// a port in 24370-24376, with a fixture migration of meetings, members and RLS policies on realtime.messages).
// One behaviour per test; every wait is on an event with a timeout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import postgres from 'postgres';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { demoKeys } from '../config.ts';
import { createLogger } from '../log.ts';
import { signJwt } from '../shared/jwt.ts';
import { testClient } from '../testing/clients.ts';
import { startTestCluster, type TestCluster } from '../testing/cluster.ts';
import { RawSocket, upgradeAttempt } from '../testing/realtime-socket.ts';
import { userToken } from '../testing/tokens.ts';
import { Inbox, waitFor } from '../testing/wait.ts';
import { Authorizer } from './authorization.ts';
import { connect, ReservedPool } from './db.ts';
import { fixtureProject, meetingA, meetingB, users } from './fixture.ts';
import { defaultLimits, startRealtime, type RealtimeOptions, type RealtimeServer } from './index.ts';
import { Metrics } from './metrics.ts';

const log = createLogger('realtime-test');
const quiet = { ...log, info: () => {}, debug: () => {} };
const roomA = `room:${meetingA}`;
const roomB = `room:${meetingB}`;

let db: TestCluster;
let server: RealtimeServer;
let sql: postgres.Sql;
const clients: SupabaseClient[] = [];

function baseOptions(extra: Partial<RealtimeOptions> = {}): RealtimeOptions {
  return {
    jwtSecret: demoKeys.jwtSecret,
    channelErrorBackoffMs: 0,
    connectErrorBackoffMs: 0,
    log: quiet,
    opaqueKeys: {
      publishable: demoKeys.publishableKey,
      secret: demoKeys.secretKey,
      anonJwt: demoKeys.anonKey,
      serviceRoleJwt: demoKeys.serviceRoleKey,
    },
    ...extra,
  };
}

/** An official client whose accessToken callback returns `token` (fixed unless the test changes it). */
async function signedIn(token: string | null, port = server.port, realtime: Record<string, unknown> = {}) {
  const state = { token };
  const c = testClient(`http://127.0.0.1:${port}`, { token: () => state.token, realtime });
  clients.push(c);
  // Fetch the token before the first join, so the join carries access_token.
  await c.realtime.setAuth();
  return { c, state };
}

type SubscribeResult = { status: string; error?: Error };

// subscribe() takes its callback once per channel: every status it reports is kept here.
const statusLog = new WeakMap<RealtimeChannel, Inbox<SubscribeResult>>();

/** Subscribes and resolves on the first status reported (SUBSCRIBED, CHANNEL_ERROR, TIMED_OUT, CLOSED). */
async function subscribe(ch: RealtimeChannel): Promise<SubscribeResult> {
  const log = new Inbox<SubscribeResult>();
  statusLog.set(ch, log);
  ch.subscribe((status, error) => log.push({ status, error }));
  return (await log.next(1, `subscribe ${ch.topic}`))[0];
}

async function joined(ch: RealtimeChannel): Promise<RealtimeChannel> {
  const res = await subscribe(ch);
  assert.equal(res.status, 'SUBSCRIBED', `join of ${ch.topic} failed: ${res.error?.message}`);
  return ch;
}

/** Resolves when the channel reports CLOSED (a server phx_close, or a leave). */
async function closed(ch: RealtimeChannel): Promise<void> {
  const log = statusLog.get(ch)!;
  for (let n = 1; ; n++) if ((await log.next(n, `close of ${ch.topic}`))[n - 1].status === 'CLOSED') return;
}

function broadcasts(ch: RealtimeChannel, event = '*'): Inbox<Record<string, unknown>> {
  const inbox = new Inbox<Record<string, unknown>>();
  ch.on('broadcast', { event }, (p) => inbox.push(p));
  return inbox;
}

function systemMessages(ch: RealtimeChannel): Inbox<Record<string, unknown>> {
  const inbox = new Inbox<Record<string, unknown>>();
  ch.on('system', {}, (p) => inbox.push(p));
  return inbox;
}

async function restBroadcast(
  key: string,
  body: unknown,
  path = '/realtime/v1/api/broadcast',
  port = server.port,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) {
  return fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { apikey: demoKeys.anonKey, authorization: `Bearer ${key}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

before(async () => {
  db = await startTestCluster({
    name: 'realtime',
    ports: [24370, 24371, 24372, 24373, 24374, 24375, 24376],
    project: fixtureProject,
  });
  sql = db.sql;
  server = await startRealtime(baseOptions({ dbUrl: db.url('supabase_admin') }));
});

after(async () => {
  await Promise.all(clients.map((c) => c.removeAllChannels().catch(() => {})));
  await server?.close();
  await db?.stop();
});

describe('transport', () => {
  it('answers heartbeats on /realtime/v1/websocket (vsn 2.0.0) and /socket/websocket (vsn 1.0.0)', async () => {
    const v2 = await RawSocket.open(server.port);
    v2.send([null, '7', 'phoenix', 'heartbeat', {}]);
    assert.deepEqual(await v2.expect((m) => m[1] === '7', 'heartbeat reply'), [
      null,
      '7',
      'phoenix',
      'phx_reply',
      { status: 'ok', response: {} },
    ]);
    v2.ws.close();
    const v1 = await RawSocket.open(server.port, `apikey=${demoKeys.anonKey}&vsn=1.0.0`, '/socket/websocket');
    v1.send({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '3' });
    const reply = await v1.inbox.next(1, 'v1 heartbeat reply');
    assert.deepEqual(reply[0].text, {
      topic: 'phoenix',
      event: 'phx_reply',
      payload: { status: 'ok', response: {} },
      ref: '3',
    });
    v1.ws.close();
  });

  it('the official client gets heartbeat replies', async () => {
    const { c } = await signedIn(null, server.port, { heartbeatIntervalMs: 100 });
    const status = await waitFor<string>('heartbeat ok', (resolve) => {
      c.realtime.onHeartbeat((s) => s === 'ok' && resolve(s));
      c.realtime.connect();
    });
    assert.equal(status, 'ok');
    await c.realtime.disconnect();
  });

  it('drops malformed frames and keeps the socket open', async () => {
    const raw = await RawSocket.open(server.port);
    raw.send('not json');
    raw.send(JSON.stringify([1, 2]));
    raw.send(Buffer.from([9, 9, 9]));
    raw.send([null, '42', 'phoenix', 'heartbeat', {}]);
    assert.deepEqual((await raw.expect((m) => m[1] === '42', 'reply after malformed frames'))[4], {
      status: 'ok',
      response: {},
    });
    raw.ws.close();
  });

  it('closes sockets that stay silent past the idle timeout', async () => {
    const idle = await startRealtime(baseOptions({ idleTimeoutMs: 300 }));
    try {
      const raw = await RawSocket.open(idle.port);
      const started = Date.now();
      const { code } = await waitFor<{ code: number }>('idle close', (resolve) => void raw.closed.then(resolve), 3000);
      assert.equal(code, 1000);
      assert.ok(Date.now() - started >= 250, 'not closed before the idle timeout');
    } finally {
      await idle.close();
    }
  });

  it('refuses upgrades with the real server status codes and error bodies', async () => {
    const attempt = (query: string) => upgradeAttempt(server.port, query);
    assert.deepEqual(await attempt('vsn=2.0.0'), { status: 401, body: '{"error":"API key is missing"}' });
    const expired = signJwt({ role: 'anon', exp: Math.floor(Date.now() / 1000) - 10 }, demoKeys.jwtSecret);
    const res = await attempt(`apikey=${expired}&vsn=2.0.0`);
    assert.equal(res.status, 401);
    assert.match(JSON.parse(res.body).error, /^Token has expired (10|11) seconds ago$/);
    const forged = signJwt({ role: 'service_role', exp: 4102444800 }, 'another-secret-another-secret-another');
    assert.deepEqual(await attempt(`apikey=${forged}&vsn=2.0.0`), {
      status: 401,
      body: '{"error":"Failed to validate JWT signature"}',
    });
    assert.equal((await attempt(`apikey=${demoKeys.anonKey}&vsn=3.0.0`)).status, 403);
  });

  it('a vsn 1.0.0 client receives JSON broadcasts from a 2.0.0 client', async () => {
    const { c: v1 } = await signedIn(null, server.port, { vsn: '1.0.0' });
    const { c: v2 } = await signedIn(null);
    const inbox = broadcasts(await joined(v1.channel('lobby-v1')));
    const sender = await joined(v2.channel('lobby-v1'));
    await sender.send({ type: 'broadcast', event: 'hello', payload: { n: 1 } });
    assert.deepEqual((await inbox.next(1))[0], { type: 'broadcast', event: 'hello', payload: { n: 1 } });
  });
});

describe('tokens', () => {
  it('refuses a join with an expired token: InvalidJWTToken: Token has expired N seconds ago', async () => {
    const { c } = await signedIn(userToken(users.alice, { expiresIn: -30 }));
    const ch = c.channel('expired-at-join');
    const res = await subscribe(ch);
    assert.equal(res.status, 'CHANNEL_ERROR');
    assert.match(res.error!.message, /^InvalidJWTToken: Token has expired (30|31) seconds ago$/);
    await c.removeChannel(ch);
  });

  it('refuses join tokens with upstream error codes: missing claims, bad signature, not a JWT', async () => {
    const raw = await RawSocket.open(server.port);
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, string][] = [
      [
        signJwt({ sub: users.alice, exp: now + 60 }, demoKeys.jwtSecret),
        'InvalidJWTToken: Fields `role` and `exp` are required in JWT',
      ],
      [
        signJwt({ role: 'authenticated', exp: now + 60 }, 'not-the-stack-secret-not-the-stack-secret'),
        'JwtSignatureError: Failed to validate JWT signature',
      ],
      ['definitely-not-a-jwt', 'MalformedJWT: The token provided is not a valid JWT'],
    ];
    for (const [i, [token, reason]] of cases.entries()) {
      raw.send([`${i + 1}`, `${i + 1}`, 'realtime:token-errors', 'phx_join', { config: {}, access_token: token }]);
      const reply = await raw.expect((m) => m[1] === `${i + 1}`, `join reply ${i + 1}`);
      assert.deepEqual(reply[4], { status: 'error', response: { reason } });
    }
    raw.ws.close();
  });

  it('an access_token refresh with a valid token keeps the private channel working', async () => {
    const { c: alice, state } = await signedIn(userToken(users.alice));
    const { c: bob } = await signedIn(userToken(users.bob));
    const ch = await joined(alice.channel(roomA, { config: { private: true } }));
    const bobInbox = broadcasts(await joined(bob.channel(roomA, { config: { private: true } })));
    const checksBefore = server.metrics.authSeconds.count;
    state.token = userToken(users.alice, { expiresIn: 7200 });
    await alice.realtime.setAuth();
    await waitFor<void>('re-authorization', (resolve) => {
      const t = setInterval(() => server.metrics.authSeconds.count > checksBefore && (clearInterval(t), resolve()), 10);
    });
    await ch.send({ type: 'broadcast', event: 'after-refresh', payload: { ok: true } });
    assert.deepEqual((await bobInbox.next(1))[0].payload, { ok: true });
    assert.equal(ch.state, 'joined');
  });

  it('an access_token refresh that loses read access closes the channel with the upstream reason', async () => {
    const { c, state } = await signedIn(userToken(users.alice));
    const ch = await joined(c.channel(roomA, { config: { private: true } }));
    const system = systemMessages(ch);
    const gone = closed(ch);
    state.token = userToken(users.carol); // a valid token of someone who is not a member
    await c.realtime.setAuth();
    await gone;
    assert.deepEqual((await system.next(1))[0], {
      extension: 'system',
      status: 'error',
      channel: roomA,
      message: `You no longer have permission to read from this Channel topic: ${roomA}`,
    });
  });

  it('an access_token refresh with an invalid token closes the channel', async () => {
    const { c, state } = await signedIn(userToken(users.alice));
    const ch = await joined(c.channel('refresh-invalid'));
    const system = systemMessages(ch);
    const gone = closed(ch);
    state.token = userToken(users.alice, { expiresIn: -5 });
    await c.realtime.setAuth();
    await gone;
    assert.match(String((await system.next(1))[0].message), /^Token has expired \d+ seconds ago$/);
  });

  it('a token that expires while joined stops the channel as upstream does', async () => {
    const { c } = await signedIn(userToken(users.alice, { expiresIn: 2 }));
    const ch = await joined(c.channel('expires-while-joined'));
    const system = systemMessages(ch);
    await closed(ch);
    const [msg] = await system.next(1);
    assert.equal(msg.status, 'error');
    assert.match(String(msg.message), /^Token has expired \d+ seconds ago$/);
  });
});

describe('private meeting channels', () => {
  it('two members exchange broadcasts; the write check runs once per channel', async () => {
    const { c: alice } = await signedIn(userToken(users.alice));
    const { c: bob } = await signedIn(userToken(users.bob));
    const a = await joined(alice.channel(roomA, { config: { private: true } }));
    const b = await joined(bob.channel(roomA, { config: { private: true } }));
    const atAlice = broadcasts(a, 'chat');
    const atBob = broadcasts(b, 'chat');
    const checks = server.metrics.authSeconds.count;
    await a.send({ type: 'broadcast', event: 'chat', payload: { text: 'hi bob' } });
    await a.send({ type: 'broadcast', event: 'chat', payload: { text: 'again' } });
    await b.send({ type: 'broadcast', event: 'chat', payload: { text: 'hi alice' } });
    assert.deepEqual(
      (await atBob.next(2)).map((m) => m.payload),
      [{ text: 'hi bob' }, { text: 'again' }],
    );
    assert.deepEqual((await atAlice.next(1))[0], { type: 'broadcast', event: 'chat', payload: { text: 'hi alice' } });
    assert.equal(server.metrics.authSeconds.count - checks, 2, 'one write check per sending channel');
  });

  it('honours self and ack', async () => {
    const { c } = await signedIn(null);
    const quietCh = await joined(c.channel('self-off', { config: { broadcast: { self: false, ack: true } } }));
    const loud = await joined(c.channel('self-on', { config: { broadcast: { self: true, ack: true } } }));
    const quietInbox = broadcasts(quietCh);
    const loudInbox = broadcasts(loud);
    assert.equal(await quietCh.send({ type: 'broadcast', event: 'e', payload: { n: 1 } }), 'ok');
    assert.equal(await loud.send({ type: 'broadcast', event: 'e', payload: { n: 2 } }), 'ok');
    assert.deepEqual((await loudInbox.next(1))[0].payload, { n: 2 });
    assert.equal(quietInbox.items.length, 0, 'self: false does not echo (the ack came after the fan-out)');
  });

  it("refuses an outsider's join with the exact reason; its sends never arrive", async () => {
    const { c: alice } = await signedIn(userToken(users.alice));
    const { c: carol } = await signedIn(userToken(users.carol));
    const inbox = broadcasts(await joined(alice.channel(roomA, { config: { private: true } })));
    const intruder = carol.channel(roomA, { config: { private: true } });
    const res = await subscribe(intruder);
    assert.equal(res.status, 'CHANNEL_ERROR');
    assert.equal(
      res.error!.message,
      `Unauthorized: You do not have permissions to read from this Channel topic: ${roomA}`,
    );
    await carol.removeChannel(intruder);
    // Not joined: the client falls back to REST, which skips private messages the caller may not send.
    const fallback = carol.channel(roomA, { config: { private: true } });
    assert.equal(await fallback.send({ type: 'broadcast', event: 'sneak', payload: { from: 'carol' } }), 'ok');
    await assert.rejects(fallback.httpSend('sneak', { from: 'carol' }), /Unauthorized/);
    const marker = await restBroadcast(demoKeys.serviceRoleKey, {
      messages: [{ topic: roomA, event: 'marker', payload: {}, private: true }],
    });
    assert.equal(marker.status, 202);
    const [first] = await inbox.next(1);
    assert.equal(first.event, 'marker', 'nothing from the outsider arrived before the marker');
  });

  it('drops a send on a channel the member may read but not write, without an ack', async () => {
    const { c: alice } = await signedIn(userToken(users.alice));
    const { c: bob } = await signedIn(userToken(users.bob));
    const topic = `announce:${meetingA}`;
    const a = await joined(alice.channel(topic, { config: { private: true, broadcast: { ack: true } } }));
    const inbox = broadcasts(await joined(bob.channel(topic, { config: { private: true } })));
    assert.equal(await a.send({ type: 'broadcast', event: 'shout', payload: {} }, { timeout: 400 }), 'timed out');
    await restBroadcast(demoKeys.serviceRoleKey, {
      messages: [{ topic, event: 'marker', payload: {}, private: true }],
    });
    assert.equal((await inbox.next(1))[0].event, 'marker');
  });

  it('a second join on the same topic replaces the first (phx_close with the old join_ref)', async () => {
    const raw = await RawSocket.open(server.port);
    raw.send(['1', '1', 'realtime:dup', 'phx_join', { config: { broadcast: { self: true } } }]);
    await raw.expect((m) => m[1] === '1', 'first join reply');
    raw.send(['2', '2', 'realtime:dup', 'phx_join', { config: { broadcast: { self: true } } }]);
    assert.deepEqual(await raw.expect((m) => m[3] === 'phx_close', 'old channel closed'), [
      '1',
      '1',
      'realtime:dup',
      'phx_close',
      {},
    ]);
    assert.deepEqual(await raw.expect((m) => m[1] === '2', 'second join reply'), [
      '2',
      '2',
      'realtime:dup',
      'phx_reply',
      { status: 'ok', response: { postgres_changes: [] } },
    ]);
    raw.send(['2', '3', 'realtime:dup', 'broadcast', { type: 'broadcast', event: 'once', payload: {} }]);
    raw.send(['2', '4', 'realtime:dup', 'phx_leave', {}]);
    await raw.expect((m) => m[1] === '4', 'leave reply');
    const frames = raw.inbox.items.map((i) => i.text as unknown[]);
    assert.equal(frames.filter((f) => f[3] === 'broadcast').length, 1, 'delivered once, to the new channel');
    assert.deepEqual(await raw.expect((m) => m[3] === 'phx_close', 'close after leave'), [
      '2',
      '2',
      'realtime:dup',
      'phx_close',
      {},
    ]);
    raw.ws.close();
  });

  it('carries binary payloads as binary (WebSocket and REST)', async () => {
    const { c: alice } = await signedIn(userToken(users.alice));
    const { c: bob } = await signedIn(userToken(users.bob));
    const a = await joined(alice.channel(roomA, { config: { private: true } }));
    const inbox = broadcasts(await joined(bob.channel(roomA, { config: { private: true } })), 'blob');
    await a.send({ type: 'broadcast', event: 'blob', payload: new Uint8Array([1, 2, 3, 250]).buffer });
    // One at a time: the WebSocket send waits for its write check, so a REST send right after could overtake it.
    const [ws] = await inbox.next(1);
    const rest = await a.httpSend('blob', new Uint8Array([9, 8, 7]));
    assert.deepEqual(rest, { success: true });
    const [, http] = await inbox.next(2);
    assert.ok(ws.payload instanceof ArrayBuffer);
    assert.deepEqual([...new Uint8Array(ws.payload as ArrayBuffer)], [1, 2, 3, 250]);
    assert.deepEqual([...new Uint8Array(http.payload as ArrayBuffer)], [9, 8, 7]);
  });
});

describe('presence', () => {
  it('others see joins, state and leaves; a closed socket leaves within a second', async () => {
    const { c: alice } = await signedIn(userToken(users.alice));
    const { c: bob } = await signedIn(userToken(users.bob));
    const a = alice.channel(roomA, { config: { private: true, presence: { key: 'alice' } } });
    const joins = new Inbox<string>();
    const leaves = new Inbox<{ key: string; at: number }>();
    a.on('presence', { event: 'join' }, ({ key }) => joins.push(key));
    a.on('presence', { event: 'leave' }, ({ key }) => leaves.push({ key, at: Date.now() }));
    await joined(a);
    assert.equal(await a.track({ status: 'speaking' }), 'ok');
    await joins.next(1, 'own join');

    const b = bob.channel(roomA, { config: { private: true, presence: { key: 'bob' } } });
    const synced = waitFor<void>('bob sync with alice', (resolve) =>
      b.on('presence', { event: 'sync' }, () => b.presenceState().alice && resolve()),
    );
    await joined(b);
    await synced;
    assert.deepEqual(
      b.presenceState().alice.map(({ presence_ref: _ref, ...rest }) => rest),
      [{ status: 'speaking' }],
    );
    assert.equal(typeof b.presenceState().alice[0].presence_ref, 'string');
    assert.equal(await b.track({ status: 'listening' }), 'ok');
    assert.deepEqual((await joins.next(2))[1], 'bob');

    const cut = Date.now();
    await bob.realtime.disconnect();
    const [left] = await leaves.next(1, 'bob leave', 2000);
    assert.equal(left.key, 'bob');
    assert.ok(left.at - cut < 1000, `leave seen after ${left.at - cut} ms`);
  });
});

describe('broadcast from the database', () => {
  it('rows from realtime.send arrive once committed, in commit order, with upstream shape', async () => {
    const { c } = await signedIn(userToken(users.alice));
    const inbox = broadcasts(await joined(c.channel(roomA, { config: { private: true } })), 'db');
    const { c: other } = await signedIn(null);
    const publicInbox = broadcasts(await joined(other.channel(roomA)), 'db'); // same name, public: a separate space
    const held = await sql.reserve();
    try {
      await held`begin`;
      await held`select realtime.send('{"n": 1}'::jsonb, 'db', ${roomA}, true)`;
      await sql`select realtime.send('{"n": 2}'::jsonb, 'db', ${roomA}, true)`;
      const [second] = await inbox.next(1, 'committed row');
      assert.equal((second.payload as { n: number }).n, 2, 'the uncommitted row is not delivered');
      await held`commit`;
    } finally {
      held.release();
    }
    const [, first] = await inbox.next(2, 'row after its commit');
    const payload = first.payload as Record<string, unknown>;
    assert.equal(payload.n, 1);
    assert.match(String(payload.id), /^[0-9a-f-]{36}$/);
    assert.deepEqual(first.meta, { id: payload.id });
    assert.equal(first.type, 'broadcast');
    await sql`select realtime.send('{"n": 3}'::jsonb, 'db', ${roomA}, false)`;
    assert.equal(((await publicInbox.next(1))[0].payload as { n: number }).n, 3);
    assert.equal(inbox.items.length, 2, 'a public row does not reach the private channel');
  });

  it('a broadcast_changes trigger delivers INSERT, UPDATE and DELETE with upstream payload shape', async () => {
    const { c } = await signedIn(userToken(users.alice));
    const inbox = broadcasts(await joined(c.channel(roomA, { config: { private: true } })));
    const [note] =
      await sql`insert into public.rt_notes (meeting_id, body) values (${meetingA}, 'agenda') returning id`;
    await sql`update public.rt_notes set body = 'agenda v2' where id = ${note.id}`;
    await sql`delete from public.rt_notes where id = ${note.id}`;
    const got = (await inbox.next(3)).filter((m) => ['INSERT', 'UPDATE', 'DELETE'].includes(m.event as string));
    assert.deepEqual(
      got.map((m) => m.event),
      ['INSERT', 'UPDATE', 'DELETE'],
    );
    const [ins, upd, del] = got.map((m) => m.payload as Record<string, any>);
    assert.deepEqual(Object.keys(ins).sort(), ['id', 'old_record', 'operation', 'record', 'schema', 'table']);
    assert.equal(ins.operation, 'INSERT');
    assert.equal(ins.schema, 'public');
    assert.equal(ins.table, 'rt_notes');
    assert.equal(ins.record.body, 'agenda');
    assert.equal(ins.old_record, null);
    assert.equal(upd.old_record.body, 'agenda');
    assert.equal(upd.record.body, 'agenda v2');
    assert.equal(del.record, null);
    assert.equal(del.old_record.body, 'agenda v2');
  });

  it('replays the newest stored messages of a private topic on join (since, limit)', async () => {
    const since = Date.now() - 1000;
    for (const n of [1, 2, 3]) await sql`select realtime.send(${sql.json({ n })}, 'stored', ${roomB}, true)`;
    const { c } = await signedIn(userToken(users.carol));
    const ch = c.channel(roomB, { config: { private: true, broadcast: { replay: { since, limit: 2 } } } });
    const inbox = broadcasts(ch, 'stored');
    await joined(ch);
    const got = await inbox.next(2);
    assert.deepEqual(
      got.map((m) => (m.payload as { n: number }).n),
      [2, 3],
    );
    assert.deepEqual(
      got.map((m) => (m.meta as { replayed: boolean }).replayed),
      [true, true],
    );
    const { c: anon } = await signedIn(null);
    const denied = anon.channel(roomB, { config: { private: true, broadcast: { replay: { since } } } });
    const res = await subscribe(denied);
    assert.equal(
      res.error?.message,
      `Unauthorized: You do not have permissions to read from this Channel topic: ${roomB}`,
    );
    await anon.removeChannel(denied);
  });
});

describe('REST broadcast', () => {
  it('the service role reaches private channels through the batch endpoint (202)', async () => {
    const { c } = await signedIn(userToken(users.alice));
    const inbox = broadcasts(await joined(c.channel(roomA, { config: { private: true } })), 'ops');
    const res = await restBroadcast(demoKeys.serviceRoleKey, {
      messages: [{ topic: roomA, event: 'ops', payload: { n: 1 }, private: true, id: 'msg-1' }],
    });
    assert.equal(res.status, 202);
    assert.equal(await res.text(), '');
    assert.deepEqual((await inbox.next(1))[0], {
      type: 'broadcast',
      event: 'ops',
      payload: { n: 1 },
      meta: { id: 'msg-1' },
    });
  });

  it('a user JWT delivers where its policies allow and is skipped where they do not', async () => {
    const { c } = await signedIn(userToken(users.bob));
    const inbox = broadcasts(await joined(c.channel(roomA, { config: { private: true } })), 'user-rest');
    const outsider = await restBroadcast(userToken(users.carol), {
      messages: [{ topic: roomA, event: 'user-rest', payload: { from: 'carol' }, private: true }],
    });
    assert.equal(outsider.status, 202);
    const member = await restBroadcast(userToken(users.alice), {
      messages: [{ topic: roomA, event: 'user-rest', payload: { from: 'alice' }, private: true }],
    });
    assert.equal(member.status, 202);
    assert.deepEqual((await inbox.next(1))[0].payload, { from: 'alice' });
    const single = await restBroadcast(
      userToken(users.carol),
      { x: 1 },
      `/realtime/v1/api/broadcast/${encodeURIComponent(roomA)}/events/user-rest?private=true`,
    );
    assert.deepEqual([single.status, await single.json()], [403, { message: 'Unauthorized' }]);
    const bad = await restBroadcast(demoKeys.serviceRoleKey, { messages: [{ topic: roomA, event: 'x' }] });
    assert.deepEqual(
      [bad.status, await bad.json()],
      [422, { errors: { messages: [{ payload: ["can't be blank"] }] } }],
    );
    const anonymous = await fetch(`http://127.0.0.1:${server.port}/api/broadcast`, { method: 'POST', body: '{}' });
    assert.deepEqual([anonymous.status, await anonymous.json()], [401, { message: 'Unauthorized' }]);
  });
});

describe('roles the API cannot become', () => {
  // A token correctly signed with the JWT secret may still name any role. PostgREST refuses one its `authenticator`
  // login cannot SET ROLE to (42501); Realtime's checks must refuse it the same way instead of running as it.
  const superRoles = ['postgres', 'supabase_admin'];

  it('a private join with such a role gets the refusal a denied join gets', async () => {
    for (const role of superRoles) {
      const { c } = await signedIn(userToken(users.alice, { role })); // alice: a member, so only the role can refuse
      const ch = c.channel(roomA, { config: { private: true } });
      const res = await subscribe(ch);
      assert.equal(res.status, 'CHANNEL_ERROR', role);
      assert.equal(
        res.error?.message,
        `Unauthorized: You do not have permissions to read from this Channel topic: ${roomA}`,
      );
      await c.removeChannel(ch);
    }
  });

  it('REST private broadcasts with such a role are not delivered (batch: skipped with 202, single: 403)', async () => {
    const { c } = await signedIn(userToken(users.bob));
    const inbox = broadcasts(await joined(c.channel(roomA, { config: { private: true } })));
    for (const role of superRoles) {
      const token = userToken(users.alice, { role });
      const batch = await restBroadcast(token, {
        messages: [{ topic: roomA, event: 'escalated', payload: { role }, private: true }],
      });
      assert.equal(batch.status, 202);
      const single = await restBroadcast(
        token,
        { role },
        `/realtime/v1/api/broadcast/${encodeURIComponent(roomA)}/events/escalated?private=true`,
      );
      assert.deepEqual([single.status, await single.json()], [403, { message: 'Unauthorized' }]);
    }
    await restBroadcast(demoKeys.serviceRoleKey, {
      messages: [{ topic: roomA, event: 'marker', payload: {}, private: true }],
    });
    assert.deepEqual(
      (await inbox.next(1))[0].event,
      'marker',
      'nothing sent with a superuser role arrived before the marker',
    );
  });

  it('a refresh to such a role closes a joined private channel', async () => {
    const { c, state } = await signedIn(userToken(users.alice));
    const ch = await joined(c.channel(roomA, { config: { private: true } }));
    const system = systemMessages(ch);
    const gone = closed(ch);
    state.token = userToken(users.alice, { role: 'postgres' });
    await c.realtime.setAuth();
    await gone;
    assert.equal(
      (await system.next(1))[0].message,
      `You no longer have permission to read from this Channel topic: ${roomA}`,
    );
  });

  it('the read and write checks (join, client broadcast, presence track, REST) refuse it; API roles still pass', async () => {
    const sqlAdmin = connect(db.url('supabase_admin'), 1, 'realtime-test');
    const pool = new ReservedPool(sqlAdmin, 1);
    await pool.start();
    try {
      const authorizer = new Authorizer(pool, new Metrics(), quiet);
      const as = (role: string) => ({ topic: roomA, claims: { sub: users.alice, role, exp: 4102444800 }, headers: {} });
      for (const role of [...superRoles, 'pg_read_all_data', 'no_such_role']) {
        assert.deepEqual(await authorizer.read(as(role), true), { broadcast: false, presence: false }, role);
        assert.equal(await authorizer.write(as(role), 'broadcast'), false, role);
        assert.equal(await authorizer.write(as(role), 'presence'), false, role);
      }
      assert.deepEqual(await authorizer.read(as('authenticated'), true), { broadcast: true, presence: true });
      assert.equal(await authorizer.write(as('authenticated'), 'broadcast'), true);
      assert.deepEqual(
        await authorizer.read(as('anon'), false),
        { broadcast: false, presence: null },
        'anon has no policy',
      );
      // The role switch is transaction-local: the pooled connection is the server's own login again afterwards.
      const [who] = await pool.multi('select session_user::text as s, current_user::text as c');
      assert.deepEqual({ ...who }, { s: 'supabase_admin', c: 'supabase_admin' });
    } finally {
      pool.end();
      await sqlAdmin.end({ timeout: 1 });
    }
  });

  it('Postgres Changes as such a role: no RLS row passes, and changes carry no columns (Error 401)', async () => {
    const { c } = await signedIn(userToken(users.alice, { role: 'postgres' }));
    const changes = new Inbox<Record<string, any>>();
    const ch = c
      .channel('escalated-changes')
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'rt_notes' }, (p: Record<string, any>) =>
        changes.push(p),
      )
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'rt_scores' }, (p: Record<string, any>) =>
        changes.push(p),
      );
    const system = systemMessages(ch);
    await joined(ch);
    assert.equal((await system.next(1))[0].message, 'Subscribed to PostgreSQL');
    await sql`insert into public.rt_notes (meeting_id, body) values (${meetingA}, 'for members only')`;
    await sql`insert into public.rt_scores (id, player, points) values (900, 'root', 1)`;
    const [first] = await changes.next(1);
    assert.equal(first.table, 'rt_scores', 'the RLS-protected note never arrived');
    assert.deepEqual([first.new, first.errors], [{}, ['Error 401: Unauthorized']]);
  });
});

/** A deterministic pseudo-random source (mulberry32), so a failing case can be reproduced. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Strings made of what breaks naive servers: NUL, quotes, backslashes, SQL and dollar quoting, %, emoji, surrogates. */
function hostileStrings(n: number, seed: number): string[] {
  const alphabet = [
    '\u0000',
    "'",
    '"',
    '\\',
    '$$',
    ';',
    '--',
    '%00',
    '%',
    'ü',
    '😀',
    '\ud800',
    ' ',
    '\n',
    'a',
    'room:',
    ':',
    '*',
    '.',
  ];
  const next = prng(seed);
  return Array.from({ length: n }, () => {
    let s = '';
    for (let len = 1 + Math.floor(next() * 12); len > 0; len--) s += alphabet[Math.floor(next() * alphabet.length)];
    return s;
  });
}

describe('hostile topics, bodies and tokens', () => {
  it('every private join with a hostile topic gets an error reply, every public one an ok; the socket lives on', async () => {
    const raw = await RawSocket.open(server.port);
    const topics = [`${roomA}\u0000`, '\u0000', ...hostileStrings(40, 1)];
    const token = userToken(users.alice);
    for (const [i, sub] of topics.entries()) {
      const topic = `realtime:${sub}`;
      raw.send([`p${i}`, `p${i}`, topic, 'phx_join', { config: { private: true }, access_token: token }]);
      const reply = await raw.expect((m) => m[1] === `p${i}`, `private join reply for ${JSON.stringify(sub)}`);
      assert.deepEqual(reply, [
        `p${i}`,
        `p${i}`,
        topic,
        'phx_reply',
        {
          status: 'error',
          response: { reason: `Unauthorized: You do not have permissions to read from this Channel topic: ${sub}` },
        },
      ]);
      raw.send([`q${i}`, `q${i}`, topic, 'phx_join', { config: { broadcast: { self: true, ack: true } } }]);
      assert.equal(
        ((await raw.expect((m) => m[1] === `q${i}`, 'public join reply'))[4] as { status: string }).status,
        'ok',
      );
      raw.send([`q${i}`, `r${i}`, topic, 'broadcast', { type: 'broadcast', event: sub, payload: { sub } }]);
      assert.deepEqual(await raw.expect((m) => m[3] === 'broadcast' && m[2] === topic, 'own broadcast'), [
        null,
        null,
        topic,
        'broadcast',
        { type: 'broadcast', event: sub, payload: { sub } },
      ]);
      raw.send([`q${i}`, `l${i}`, topic, 'phx_leave', {}]);
      await raw.expect((m) => m[1] === `l${i}`, 'leave reply');
    }
    raw.send([null, 'hb', 'phoenix', 'heartbeat', {}]);
    assert.deepEqual((await raw.expect((m) => m[1] === 'hb', 'heartbeat after the hostile joins'))[4], {
      status: 'ok',
      response: {},
    });
    raw.ws.close();
  });

  it("NUL in a member's event name and payload is delivered verbatim on a private channel", async () => {
    const { c: alice } = await signedIn(userToken(users.alice));
    const { c: bob } = await signedIn(userToken(users.bob));
    const a = await joined(alice.channel(roomA, { config: { private: true, broadcast: { ack: true } } }));
    const inbox = broadcasts(await joined(bob.channel(roomA, { config: { private: true } })));
    const bodies = hostileStrings(10, 2).map((s) => ({ s, nested: { [s]: [s, { s }] } }));
    for (const body of bodies)
      assert.equal(await a.send({ type: 'broadcast', event: `ev\u0000${body.s}`, payload: body }), 'ok');
    const got = await inbox.next(bodies.length);
    // realtime-js writes the event name into the binary frame with TextEncoder, which turns a lone surrogate into U+FFFD.
    const encoded = (event: string) => event.replace(/\p{Cs}/gu, '\ufffd');
    assert.deepEqual(
      got.map((m) => [m.event, m.payload]),
      bodies.map((b) => [encoded(`ev\u0000${b.s}`), b]),
    );
  });

  it("tokens with a NUL: join and refresh get upstream's JWT errors, claims with one are refused by private checks", async () => {
    const raw = await RawSocket.open(server.port);
    const good = userToken(users.alice);
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, boolean, string][] = [
      [`${good}\u0000`, false, 'MalformedJWT: The token provided is not a valid JWT'],
      [`\u0000${good}`, false, 'MalformedJWT: The token provided is not a valid JWT'],
      [`${good.slice(0, 20)}%00${good.slice(20)}`, false, 'MalformedJWT: The token provided is not a valid JWT'],
      [
        signJwt({ sub: `${users.alice}\u0000`, role: 'authenticated', exp: now + 60 }, demoKeys.jwtSecret),
        true,
        `Unauthorized: You do not have permissions to read from this Channel topic: ${roomA}`,
      ],
      [
        signJwt({ sub: users.alice, role: 'authenticated\u0000', exp: now + 60 }, demoKeys.jwtSecret),
        true,
        `Unauthorized: You do not have permissions to read from this Channel topic: ${roomA}`,
      ],
    ];
    for (const [i, [token, isPrivate, reason]] of cases.entries()) {
      raw.send([
        `${i}`,
        `${i}`,
        `realtime:${roomA}`,
        'phx_join',
        { config: { private: isPrivate }, access_token: token },
      ]);
      assert.deepEqual((await raw.expect((m) => m[1] === `${i}`, `join reply ${i}`))[4], {
        status: 'error',
        response: { reason },
      });
    }
    // A refresh with one stops the channel as any invalid token does.
    raw.send(['j', 'j', 'realtime:nul-refresh', 'phx_join', { config: {}, access_token: good }]);
    await raw.expect((m) => m[1] === 'j', 'join reply');
    raw.send(['j', 'k', 'realtime:nul-refresh', 'access_token', { access_token: `${good}\u0000` }]);
    assert.deepEqual((await raw.expect((m) => m[3] === 'system', 'shutdown'))[4], {
      extension: 'system',
      status: 'error',
      message: 'The token provided is not a valid JWT',
      channel: 'nul-refresh',
    });
    assert.deepEqual(await raw.expect((m) => m[3] === 'phx_close', 'close'), [
      'j',
      'j',
      'realtime:nul-refresh',
      'phx_close',
      {},
    ]);
    raw.ws.close();
    assert.deepEqual(
      await upgradeAttempt(server.port, `apikey=${encodeURIComponent(`${demoKeys.anonKey}\u0000`)}&vsn=2.0.0`),
      { status: 401, body: '{"error":"The token provided is not a valid JWT"}' },
    );
  });

  it('REST topics with a NUL are answered as any refused or undelivered topic; malformed escapes get 400', async () => {
    const { c } = await signedIn(userToken(users.bob));
    const inbox = broadcasts(await joined(c.channel(roomA, { config: { private: true } })));
    for (const key of [demoKeys.serviceRoleKey, userToken(users.alice)]) {
      const batch = await restBroadcast(key, {
        messages: [
          { topic: `${roomA}\u0000`, event: 'nul', payload: {}, private: true },
          { topic: '\u0000', event: 'nul\u0000', payload: { s: '\u0000' }, private: false },
        ],
      });
      assert.equal(batch.status, 202);
    }
    const single = (key: string, topic: string, query = '?private=true') =>
      restBroadcast(key, {}, `/realtime/v1/api/broadcast/${topic}/events/nul${query}`);
    const refused = await single(userToken(users.alice), encodeURIComponent(`${roomA}\u0000`));
    assert.deepEqual([refused.status, await refused.json()], [403, { message: 'Unauthorized' }]);
    assert.equal((await single(userToken(users.alice), '%00', '')).status, 202, 'public: nobody listens, accepted');
    const malformed = await single(userToken(users.alice), '%E0%A4%A');
    assert.deepEqual([malformed.status, await malformed.json()], [400, { message: 'Bad Request' }]);
    await restBroadcast(demoKeys.serviceRoleKey, {
      messages: [{ topic: roomA, event: 'marker', payload: {}, private: true }],
    });
    assert.equal((await inbox.next(1))[0].event, 'marker', 'no NUL topic reached the room');
  });

  it('Postgres Changes bindings with a NUL are a system error, not a lost join or a crash', async () => {
    const bindings = [
      { event: '*', schema: 'public', table: 'rt_scores\u0000' },
      { event: '*', schema: 'public\u0000', table: 'rt_scores' },
      { event: '*', schema: 'public', table: 'rt_scores', filter: 'player=like.a\u0000%' },
      { event: '*', schema: 'public', table: 'rt_scores', filter: 'player=eq.\u0000' },
      { event: '*', schema: 'public', table: 'rt_scores', filter: 'player=match.(' },
    ];
    const raw = await RawSocket.open(server.port);
    for (const [i, binding] of bindings.entries()) {
      for (const wait of [false, true]) {
        const topic = `realtime:nul-changes-${i}-${wait}`;
        raw.send([
          `${i}${wait}`,
          `${i}${wait}`,
          topic,
          'phx_join',
          { config: { postgres_changes: [binding], ...(wait ? { postgres_changes_options: { wait: true } } : {}) } },
        ]);
        const reply = (await raw.expect((m) => m[1] === `${i}${wait}`, `join reply ${i} ${wait}`))[4] as {
          status: string;
          response: { reason?: string };
        };
        const message = wait
          ? (assert.equal(reply.status, 'error'), reply.response.reason!)
          : (assert.equal(reply.status, 'ok'),
            ((await raw.expect((m) => m[3] === 'system' && m[2] === topic, 'system'))[4] as { message: string })
              .message);
        assert.match(
          message,
          /Unable to subscribe to changes with given parameters|Error parsing/,
          JSON.stringify(binding),
        );
      }
    }
    // Deliveries to everyone else on the table still work.
    const { c } = await signedIn(null);
    const changes = new Inbox<Record<string, any>>();
    const ch = c
      .channel('after-nul')
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'rt_scores' }, (p: Record<string, any>) =>
        changes.push(p),
      );
    const system = systemMessages(ch);
    await joined(ch);
    await system.next(1);
    await sql`insert into public.rt_scores (id, player, points) values (901, 'after', 1)`;
    assert.equal((await changes.next(1))[0].new.player, 'after');
    raw.ws.close();
  });
});

describe('postgres changes', () => {
  /** Joins a channel with one postgres_changes binding; resolves once the server says it is subscribed. */
  async function changesFeed(
    token: string | null,
    name: string,
    binding: { event: '*' | 'INSERT'; table: string; filter?: string },
  ) {
    const { c } = await signedIn(token);
    const changes = new Inbox<Record<string, any>>();
    const ch = c
      .channel(name)
      .on('postgres_changes', { schema: 'public', ...binding } as never, (p: Record<string, any>) => changes.push(p));
    const system = systemMessages(ch);
    await joined(ch);
    assert.equal((await system.next(1, 'Subscribed to PostgreSQL'))[0].message, 'Subscribed to PostgreSQL');
    return changes;
  }

  it('delivers only changes that pass the filter, with the real payload shape', async () => {
    const changes = await changesFeed(null, 'scores', { event: 'INSERT', table: 'rt_scores', filter: 'points=gt.10' });
    await sql`insert into public.rt_scores (id, player, points) values (1, 'low', 5), (2, 'high', 20)`;
    await sql`insert into public.rt_scores (id, player, points) values (3, 'higher', 30)`;
    const [first, second] = await changes.next(2);
    assert.deepEqual(first.new, { id: 2, player: 'high', points: 20 });
    assert.deepEqual(second.new, { id: 3, player: 'higher', points: 30 });
    assert.equal(first.eventType, 'INSERT');
    assert.equal(first.schema, 'public');
    assert.equal(first.table, 'rt_scores');
    assert.deepEqual(first.old, {});
    assert.equal(first.errors, null);
    assert.match(first.commit_timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('delivers UPDATE and DELETE with the old replica-identity columns, in commit order', async () => {
    const changes = await changesFeed(null, 'scores-all', { event: '*', table: 'rt_scores', filter: 'id=in.(50,51)' });
    await sql`insert into public.rt_scores (id, player, points) values (50, 'eve', 1)`;
    await sql`update public.rt_scores set points = 2 where id = 50`;
    await sql`delete from public.rt_scores where id = 50`;
    const got = await changes.next(3);
    assert.deepEqual(
      got.map((p) => p.eventType),
      ['INSERT', 'UPDATE', 'DELETE'],
    );
    assert.deepEqual([got[1].new, got[1].old], [{ id: 50, player: 'eve', points: 2 }, { id: 50 }]);
    assert.deepEqual([got[2].new, got[2].old], [{}, { id: 50 }]);
  });

  it("applies the subscriber's RLS: rows it cannot select never arrive", async () => {
    const changes = await changesFeed(userToken(users.alice), 'notes-feed', { event: '*', table: 'rt_notes' });
    await sql`insert into public.rt_notes (meeting_id, body) values (${meetingB}, 'board secret')`;
    await sql`insert into public.rt_notes (meeting_id, body, tags, meta) values (${meetingA}, 'standup', '{a,b}', '{"k": 1}')`;
    const [got] = await changes.next(1);
    assert.equal(got.new.body, 'standup');
    assert.deepEqual(got.new.tags, ['a', 'b']);
    assert.deepEqual(got.new.meta, { k: 1 });
    assert.equal(got.new.done, false);
    assert.equal(changes.items.filter((p) => p.new.body === 'board secret').length, 0);
  });

  it('reports a table outside the supabase_realtime publication as a system error', async () => {
    const { c } = await signedIn(null);
    const ch = c
      .channel('not-published')
      .on('postgres_changes', { event: '*', schema: 'public', table: 'rt_members' }, () => {});
    const system = systemMessages(ch);
    await joined(ch);
    const [msg] = await system.next(1);
    assert.equal(msg.status, 'error');
    assert.match(
      String(msg.message),
      /^Unable to subscribe to changes with given parameters\. Please check Realtime is enabled for the given connect parameters: \[event: \*, schema: public, table: rt_members/,
    );
  });
});

describe('restarts and shutdown', () => {
  it('the client reconnects and rejoins by itself after the server restarts', async () => {
    const first = await startRealtime(baseOptions());
    const port = first.port;
    let second: RealtimeServer | undefined;
    try {
      const { c } = await signedIn(null, port);
      const statuses = new Inbox<string>();
      const ch = c.channel('restart-room', { config: { broadcast: { self: true } } });
      const inbox = broadcasts(ch);
      ch.subscribe((s) => statuses.push(s));
      await statuses.next(1, 'first SUBSCRIBED');
      await first.close({ restart: true });
      second = await startRealtime(baseOptions({ port }));
      await waitFor<void>(
        'rejoin after restart',
        (resolve) => {
          const t = setInterval(
            () => statuses.items.filter((s) => s === 'SUBSCRIBED').length >= 2 && (clearInterval(t), resolve()),
            20,
          );
        },
        8000,
      );
      assert.ok(statuses.items.includes('CHANNEL_ERROR'), 'the channel saw the socket go away');
      await ch.send({ type: 'broadcast', event: 'back', payload: {} });
      assert.equal((await inbox.next(1))[0].event, 'back');
      await c.removeAllChannels();
    } finally {
      await first.close();
      await second?.close();
    }
  });

  it('a clean shutdown sends phx_close to every channel, which the client treats as final', async () => {
    const srv = await startRealtime(baseOptions());
    const { c } = await signedIn(null, srv.port);
    const ch = await joined(c.channel('shutdown-room'));
    const gone = closed(ch);
    await srv.close();
    await gone;
    assert.equal(ch.state, 'closed');
    await c.realtime.disconnect();
  });
});

describe('limits', () => {
  /** A server of its own with tight limits (no database) and an anonymous official client on it. */
  async function withLimits(
    limits: RealtimeOptions['limits'],
    body: (srv: RealtimeServer, c: SupabaseClient) => Promise<void>,
  ) {
    const srv = await startRealtime(baseOptions({ limits: { rateTickMs: 100, ...limits } }));
    try {
      const { c } = await signedIn(null, srv.port);
      await body(srv, c);
      await c.removeAllChannels();
    } finally {
      await srv.close();
    }
  }

  it('channels per client: ChannelRateLimitReached: Too many channels', () =>
    withLimits({ maxChannelsPerClient: 2 }, async (_srv, c) => {
      await joined(c.channel('one'));
      await joined(c.channel('two'));
      const res = await subscribe(c.channel('three'));
      assert.equal(res.error?.message, 'ChannelRateLimitReached: Too many channels');
    }));

  it('payload size: an ack send over the limit is answered with an error', () =>
    withLimits({ maxPayloadSizeKb: 1 }, async (_srv, c) => {
      const ch = await joined(c.channel('big', { config: { broadcast: { ack: true } } }));
      assert.equal(await ch.send({ type: 'broadcast', event: 'e', payload: { s: 'x'.repeat(600) } }), 'ok');
      assert.equal(await ch.send({ type: 'broadcast', event: 'e', payload: { s: 'x'.repeat(2000) } }), 'error');
    }));

  it('presence calls per client window: Client presence rate limit exceeded', () =>
    withLimits({ clientPresenceMaxCalls: 2 }, async (_srv, c) => {
      const ch = await joined(c.channel('busy-presence'));
      const system = systemMessages(ch);
      const gone = closed(ch);
      assert.equal(await ch.track({ n: 1 }), 'ok');
      assert.equal(await ch.track({ n: 2 }), 'ok');
      void ch.track({ n: 3 }, { timeout: 500 });
      await gone;
      assert.equal((await system.next(1))[0].message, 'Client presence rate limit exceeded');
    }));

  it('concurrent users: ConnectionRateLimitReached at join, 429 at connect', async () => {
    const srv = await startRealtime(baseOptions({ limits: { maxConcurrentUsers: 1 } }));
    try {
      const early = await RawSocket.open(srv.port); // connected while the tenant still had room
      const { c: first } = await signedIn(null, srv.port);
      await joined(first.channel('crowded'));
      early.send(['1', '1', 'realtime:crowded', 'phx_join', { config: {} }]);
      assert.deepEqual((await early.expect((m) => m[1] === '1', 'join reply'))[4], {
        status: 'error',
        response: { reason: 'ConnectionRateLimitReached: Too many connected users' },
      });
      assert.deepEqual(await upgradeAttempt(srv.port, `apikey=${demoKeys.anonKey}&vsn=2.0.0`), {
        status: 429,
        body: '{"error":"Too many connected users"}',
      });
      early.ws.close();
      await first.removeAllChannels();
    } finally {
      await srv.close();
    }
  });

  it('concurrent users with the official client: a second socket is refused at join until the first leaves', async () => {
    const srv = await startRealtime(baseOptions({ limits: { maxConcurrentUsers: 1 } }));
    try {
      const { c: first } = await signedIn(null, srv.port);
      const { c: second } = await signedIn(null, srv.port);
      // Both sockets open while the tenant has room: the limit counts sockets with a joined channel.
      for (const c of [first, second]) {
        c.realtime.connect();
        await waitFor<void>('socket open', (resolve) => {
          const t = setInterval(() => c.realtime.isConnected() && (clearInterval(t), resolve()), 5);
        });
      }
      await joined(first.channel('crowded'));
      await joined(first.channel('crowded-too')); // a counted socket may join more
      const late = second.channel('crowded');
      const res = await subscribe(late);
      assert.equal(res.status, 'CHANNEL_ERROR');
      assert.equal(res.error?.message, 'ConnectionRateLimitReached: Too many connected users');
      await first.removeAllChannels();
      // The client rejoins by itself (after 1 s); now there is room.
      const statuses = statusLog.get(late)!;
      for (let n = 2; ; n++) if ((await statuses.next(n, 'rejoin', 4000))[n - 1].status === 'SUBSCRIBED') break;
      await second.removeAllChannels();
    } finally {
      await srv.close();
    }
  });

  it('presence events per second: Too many presence messages per second (track and the join-time sync)', () =>
    withLimits(
      { maxPresenceEventsPerSecond: 0, clientPresenceMaxCalls: 1000, rateBuckets: 1000, maxEventsPerSecond: 1e9 },
      async (_srv, c) => {
        // Limit 0 with a long window: the first counted event trips the tenant for the rest of the test. (The diffs
        // fanned out count as messages too, so that limit is out of the way.)
        const ch = await joined(c.channel('presence-flood'));
        const system = systemMessages(ch);
        let stopped = false;
        const gone = closed(ch).then(() => (stopped = true));
        assert.equal(await ch.track({ n: 0 }), 'ok');
        for (let n = 1; !stopped && n < 1000; n++) await ch.track({ n }, { timeout: 200 });
        await gone;
        assert.equal((await system.next(1))[0].message, 'Too many presence messages per second');
        const synced = c
          .channel('presence-late', { config: { presence: { key: 'late' } } })
          .on('presence', { event: 'sync' }, () => {});
        const lateSystem = systemMessages(synced);
        await joined(synced);
        await closed(synced);
        assert.equal((await lateSystem.next(1))[0].message, 'Too many presence messages per second');
      },
    ));

  it('payload size over REST and presence: 422 Payload size exceeds tenant limit, Track message size exceeded', () =>
    withLimits({ maxPayloadSizeKb: 1 }, async (srv, c) => {
      const big = { s: 'x'.repeat(2000) };
      const batch = await restBroadcast(
        demoKeys.anonKey,
        { messages: [{ topic: 'big', event: 'e', payload: big }] },
        undefined,
        srv.port,
      );
      assert.deepEqual(
        [batch.status, await batch.json()],
        [422, { errors: { messages: [{ payload: ['Payload size exceeds tenant limit'] }] } }],
      );
      const single = await restBroadcast(demoKeys.anonKey, big, '/realtime/v1/api/broadcast/big/events/e', srv.port);
      assert.deepEqual([single.status, await single.json()], [422, { message: 'Payload size exceeds tenant limit' }]);
      const ch = await joined(c.channel('big-presence'));
      const system = systemMessages(ch);
      const gone = closed(ch);
      void ch.track(big, { timeout: 500 });
      await gone;
      assert.equal((await system.next(1))[0].message, 'Track message size exceeded');
    }));

  it("defaults are upstream's self-hosted tenant defaults", () => {
    assert.deepEqual(
      {
        maxConcurrentUsers: defaultLimits.maxConcurrentUsers,
        maxChannelsPerClient: defaultLimits.maxChannelsPerClient,
        maxJoinsPerSecond: defaultLimits.maxJoinsPerSecond,
        maxEventsPerSecond: defaultLimits.maxEventsPerSecond,
        maxPresenceEventsPerSecond: defaultLimits.maxPresenceEventsPerSecond,
        maxPayloadSizeKb: defaultLimits.maxPayloadSizeKb,
        clientPresenceMaxCalls: defaultLimits.clientPresenceMaxCalls,
        clientPresenceWindowMs: defaultLimits.clientPresenceWindowMs,
      },
      {
        maxConcurrentUsers: 200,
        maxChannelsPerClient: 100,
        maxJoinsPerSecond: 100,
        maxEventsPerSecond: 100,
        maxPresenceEventsPerSecond: 1000,
        maxPayloadSizeKb: 3000,
        clientPresenceMaxCalls: 5,
        clientPresenceWindowMs: 30_000,
      },
    );
  });

  it('joins per second: ClientJoinRateLimitReached: Too many joins per second, then the socket closes (1001)', () =>
    withLimits({ maxJoinsPerSecond: 5, maxChannelsPerClient: 10_000 }, async (srv) => {
      const raw = await RawSocket.open(srv.port);
      // Join until the averaged counter trips (it closes a 100 ms bucket at a time), then check the reply. Bounded by
      // time, not by count: a fast machine can send hundreds of joins before the first bucket closes.
      let reply: unknown[] = [];
      const deadline = Date.now() + 5000;
      for (let i = 1; Date.now() < deadline; i++) {
        raw.send([`${i}`, `${i}`, `realtime:j${i}`, 'phx_join', { config: {} }]);
        reply = await raw.expect((m) => m[1] === `${i}`, `join reply ${i}`);
        if ((reply[4] as { status: string }).status === 'error') break;
      }
      assert.deepEqual(reply[4], {
        status: 'error',
        response: { reason: 'ClientJoinRateLimitReached: Too many joins per second' },
      });
      assert.equal((await raw.closed).code, 1001);
    }));

  it('events per second: channels stop with Too many messages per second, REST gets 429', () =>
    withLimits({ maxEventsPerSecond: 20 }, async (srv, c) => {
      const ch = await joined(c.channel('chatty', { config: { broadcast: { self: true } } }));
      const system = systemMessages(ch);
      const gone = closed(ch);
      for (let i = 0; i < 30; i++) void ch.send({ type: 'broadcast', event: 'e', payload: { i } });
      await gone;
      assert.equal((await system.next(1))[0].message, 'Too many messages per second');
      // The REST API is refused while the tenant is over the limit (the average spans 12 buckets, 1.2 s here).
      const rest = await restBroadcast(
        demoKeys.anonKey,
        { messages: [{ topic: 'chatty', event: 'e', payload: {} }] },
        undefined,
        srv.port,
      );
      assert.deepEqual([rest.status, await rest.json()], [429, { message: 'Too many requests' }]);
    }));
});

describe('metrics', () => {
  it('serves Prometheus text with connections, channels, joins, events and timings', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    assert.ok(value('realtime_joins_total') > 0);
    assert.ok(value('realtime_events_in_total') > 0);
    assert.ok(value('realtime_events_out_total') > 0);
    assert.ok(value('realtime_authorization_check_seconds_count') > 0);
    assert.ok(value('realtime_db_broadcast_latency_seconds_count') > 0);
    assert.ok(Number.isFinite(value('realtime_connections')));
    assert.ok(Number.isFinite(value('realtime_channels')));
    assert.match(text, /^# TYPE realtime_authorization_check_seconds histogram$/m);
  });
});
