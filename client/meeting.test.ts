// The meeting client against the real local platform (Realtime, REST, Auth and the functions; no mocks): history,
// live events, catch-up after Realtime goes away, typing and cursors, removal, the end of a meeting, refusals.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { demoKeys } from '../stack/config.ts';
import { seedOrgs, seedPassword, seedUsers } from '../stack/testing/seed.ts';
import { startTestStack, type TestStack } from '../stack/testing/stack.ts';
import {
  createMeetingClient,
  joinMeeting,
  MeetingActionError,
  type MeetingSession,
  type MeetingState,
} from './src/index.ts';

type User = keyof typeof seedUsers;

/** Resolves when `predicate` holds for the session's state; rejects with the last state after `ms`. */
function until(
  session: MeetingSession,
  predicate: (s: MeetingState) => boolean,
  what: string,
  ms = 8000,
): Promise<MeetingState> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const state = session.getState();
      if (predicate(state)) {
        stop();
        clearTimeout(timer);
        resolve(state);
      }
    };
    const stop = session.subscribe(check);
    const timer = setTimeout(() => {
      stop();
      reject(
        new Error(
          `${what}: not within ${ms} ms (connection ${session.getState().connection}, ${session.getState().messages.length} messages)`,
        ),
      );
    }, ms);
    check();
  });
}

describe('meeting client (client/) on the local platform', () => {
  let stack: TestStack;
  const sessions: MeetingSession[] = [];

  before(async () => {
    stack = await startTestStack('client', 22321);
  });
  after(async () => {
    await Promise.all(sessions.map((s) => s.dispose()));
    await stack?.stop();
  });

  async function signedIn(user: User) {
    // In Node, the `ws` transport: Node 20's built-in WebSocket never fires `close` when a handshake is refused (a 502
    // while Realtime restarts), so supabase-js would wait in `connecting` for good. Browsers fire it.
    const supabase = createMeetingClient(stack.url, demoKeys.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
    });
    const { error } = await supabase.auth.signInWithPassword({ email: seedUsers[user].email, password: seedPassword });
    assert.ifError(error);
    return supabase;
  }

  async function join(user: User, meetingId: string, options = {}) {
    const session = await joinMeeting(await signedIn(user), meetingId, options);
    sessions.push(session);
    return session;
  }

  /** A live Acme meeting hosted by alice; others join through the client. */
  async function freshMeeting(): Promise<string> {
    const id = randomUUID();
    await stack.sql`insert into public.meetings (id, organization_id, host_id, title, status)
                    values (${id}, ${seedOrgs.acme}, ${seedUsers.alice.id}, 'Client meeting', 'live')`;
    // Seed users are in the seed's meeting; the 3-meetings-at-once rule counts every earlier test's meeting too.
    await stack.sql`update public.meeting_participants set left_at = now() where left_at is null and meeting_id <> ${id}`;
    return id;
  }

  it('joins live with history, participants and presence, and delivers messages to everyone once, in order', async () => {
    const meeting = await freshMeeting();
    const alice = await join('alice', meeting);
    await alice.send('before bob');
    const bob = await join('bob', meeting);
    assert.equal(bob.getState().connection, 'live');
    assert.deepEqual(
      bob.getState().messages.map((m) => m.content),
      ['before bob'],
      'history on join',
    );
    await until(
      alice,
      (s) => s.participants.some((p) => p.user_id === seedUsers.bob.id && p.online),
      'alice sees bob online',
    );
    const heard: string[] = [];
    const stopHearing = alice.on('message', (event) => heard.push(event.message.content ?? ''));
    for (let i = 0; i < 5; i++) await bob.send(`from bob ${i}`);
    const state = await until(alice, (s) => s.messages.length === 6, 'alice has all six');
    assert.deepEqual(
      state.messages.map((m) => m.content),
      ['before bob', ...[0, 1, 2, 3, 4].map((i) => `from bob ${i}`)],
    );
    assert.deepEqual(bob.getState().pending, [], 'nothing pending once stored');
    assert.deepEqual(
      heard,
      [0, 1, 2, 3, 4].map((i) => `from bob ${i}`),
      'typed events, as they arrive',
    );
    stopHearing();
  });

  it('after Realtime goes away and comes back, catch-up brings every missed message exactly once, then live', async () => {
    const meeting = await freshMeeting();
    const alice = await join('alice', meeting);
    const carol = await join('carol', meeting);
    const seen: string[] = [];
    carol.subscribe(() => {
      const c = carol.getState().connection;
      if (seen[seen.length - 1] !== c) seen.push(c);
    });
    await stack.handle.stopService('realtime');
    try {
      await until(carol, (s) => s.connection === 'reconnecting', 'carol notices');
      for (let i = 0; i < 20; i++) await alice.send(`missed ${i}`); // stored; the broadcasts fail
    } finally {
      await stack.handle.startService('realtime');
    }
    const state = await until(
      carol,
      (s) => s.connection === 'live' && s.messages.length >= 20,
      'carol caught up',
      20_000,
    );
    assert.deepEqual(
      state.messages.map((m) => m.content),
      Array.from({ length: 20 }, (_, i) => `missed ${i}`),
    );
    assert.equal(new Set(state.messages.map((m) => m.id)).size, 20, 'no duplicates');
    assert.ok(seen.includes('reconnecting') && seen[seen.length - 1] === 'live', `states went ${seen.join(' → ')}`);
  });

  it('typing shows, renews and expires on its own; cursors are coalesced and the last position wins', async () => {
    const meeting = await freshMeeting();
    const alice = await join('alice', meeting, { typingTimeoutMs: 800, typingHeartbeatMs: 300 });
    const bob = await join('bob', meeting, { typingTimeoutMs: 800, typingHeartbeatMs: 300 });
    await until(alice, (s) => s.participants.some((p) => p.user_id === seedUsers.bob.id), 'alice knows bob');
    bob.setTyping(true);
    await until(alice, (s) => s.typing.includes(seedUsers.bob.id), 'alice sees bob typing');
    await new Promise((r) => setTimeout(r, 1200));
    assert.ok(alice.getState().typing.includes(seedUsers.bob.id), 'heartbeats keep it past the timeout');
    await bob.dispose(); // a closed tab: no "stopped typing" is ever sent
    await until(alice, (s) => !s.typing.includes(seedUsers.bob.id), 'the indicator expires at the receiver', 3000);

    const carol = await join('carol', meeting);
    await until(alice, (s) => s.participants.some((p) => p.user_id === seedUsers.carol.id), 'alice knows carol');
    let cursorUpdates = 0;
    let last = alice.getState().cursors;
    alice.subscribe(() => {
      if (alice.getState().cursors !== last) {
        last = alice.getState().cursors;
        cursorUpdates++;
      }
    });
    const started = Date.now();
    for (let i = 1; i <= 200; i++) {
      carol.moveCursor(i / 200, 0.5);
      await new Promise((r) => setTimeout(r, 2));
    }
    const state = await until(alice, (s) => s.cursors[seedUsers.carol.id]?.x === 1, 'the last position arrives');
    const seconds = (Date.now() - started) / 1000;
    assert.ok(
      cursorUpdates <= Math.ceil(seconds * 20) + 2,
      `${cursorUpdates} cursor updates in ${seconds.toFixed(2)} s (≤ 20 Hz)`,
    );
    assert.equal(state.cursors[seedUsers.carol.id].y, 0.5);
  });

  it('reactions clicked at the same moment end with the same counts everywhere', async () => {
    const meeting = await freshMeeting();
    const [alice, bob, carol] = [
      await join('alice', meeting),
      await join('bob', meeting),
      await join('carol', meeting),
    ];
    const message = await alice.send('react to me');
    await until(carol, (s) => s.messages.some((m) => m.id === message.id), 'carol has it');
    await Promise.all([alice, bob, carol].map((s) => s.react(message.id, '🎉')));
    for (const s of [alice, bob, carol]) {
      await until(s, (st) => st.messages.find((m) => m.id === message.id)?.reactions['🎉'] === 3, 'counts reach 3');
    }
  });

  it('a removed participant is closed with reason removed; ending the meeting closes everyone with reason ended', async () => {
    const meeting = await freshMeeting();
    const alice = await join('alice', meeting);
    const bob = await join('bob', meeting);
    const carol = await join('carol', meeting);
    await until(alice, (s) => s.participants.length === 3, 'three present');
    await alice.remove(seedUsers.carol.id);
    await until(carol, (s) => s.connection === 'closed' && s.closedReason === 'removed', 'carol is told');
    await until(alice, (s) => s.participants.length === 2, 'carol is gone for alice');
    await assert.rejects(
      bob.remove(seedUsers.alice.id),
      (err: MeetingActionError) => err.code === 'not_moderator' || err.code === 'cannot_remove_host',
    );
    assert.ok(
      bob.getState().errors.some((e) => e.action === 'remove-participant'),
      'the refusal is in the state',
    );
    await alice.setMeetingStatus('ended');
    for (const s of [alice, bob]) await until(s, (st) => st.closedReason === 'ended', 'closed: ended');
  });

  it('a 429 shows the wait, and the message goes out by itself once it is over; leave closes and removes the channels', async () => {
    const meeting = await freshMeeting();
    await stack.sql`update private.settings set value = '1' where key = 'message_rate_limit'`;
    await stack.sql`update private.settings set value = '2' where key = 'message_rate_window_seconds'`;
    try {
      const bob = await join('bob', meeting);
      await bob.send('first');
      const second = bob.send('second');
      const waiting = await until(bob, (s) => s.pending.some((p) => p.status === 'waiting'), 'the wait is shown');
      const pending = waiting.pending.find((p) => p.status === 'waiting')!;
      assert.equal(pending.error?.code, 'rate_limited');
      assert.ok((pending.error?.retryAfter ?? 0) >= 1);
      await second;
      assert.deepEqual(
        bob.getState().messages.map((m) => m.content),
        ['first', 'second'],
      );
      await bob.leave();
      assert.deepEqual([bob.getState().connection, bob.getState().closedReason], ['closed', 'left']);
      assert.equal(bob.supabase.getChannels().length, 0, 'no channel left behind');
    } finally {
      await stack.sql`update private.settings set value = '30' where key = 'message_rate_limit'`;
      await stack.sql`update private.settings set value = '60' where key = 'message_rate_window_seconds'`;
    }
  });

  it('an outsider cannot join: the refusal is typed', async () => {
    const meeting = await freshMeeting();
    await assert.rejects(
      join('dave', meeting),
      (err: MeetingActionError) => err.status === 403 && err.code === 'not_allowed',
    );
  });
});

describe('meeting client with 4-second access tokens', () => {
  let stack: TestStack;
  const sessions: MeetingSession[] = [];

  before(async () => {
    process.env.JWT_EXPIRY = '4'; // read by the auth service of this stack only (the host process is forked now)
    try {
      stack = await startTestStack('client-expiry', 22621);
    } finally {
      delete process.env.JWT_EXPIRY;
    }
  });
  after(async () => {
    await Promise.all(sessions.map((s) => s.dispose()));
    await stack?.stop();
  });

  it("keeps receiving as tokens expire, and after a Realtime restart past its token's expiry rejoins and receives again", async () => {
    const client = (heartbeatIntervalMs: number) =>
      createMeetingClient(stack.url, demoKeys.anonKey, {
        auth: { persistSession: false, autoRefreshToken: true },
        realtime: { transport: WebSocket as never, heartbeatIntervalMs },
      });
    const meeting = randomUUID();
    await stack.sql`insert into public.meetings (id, organization_id, host_id, title, status)
                    values (${meeting}, ${seedOrgs.acme}, ${seedUsers.alice.id}, 'Short tokens', 'live')`;
    const [aliceClient, bobClient] = [client(1000), client(1000)];
    for (const [c, who] of [
      [aliceClient, 'alice'],
      [bobClient, 'bob'],
    ] as const) {
      assert.ifError((await c.auth.signInWithPassword({ email: seedUsers[who].email, password: seedPassword })).error);
    }
    const firstToken = (await bobClient.auth.getSession()).data.session!.access_token;
    const alice = await joinMeeting(aliceClient, meeting);
    const bob = await joinMeeting(bobClient, meeting);
    sessions.push(alice, bob);
    await new Promise((r) => setTimeout(r, 6000)); // past the first token's expiry: Realtime would close a stale channel
    await alice.send('after expiry');
    await until(bob, (s) => s.messages.some((m) => m.content === 'after expiry'), 'bob still receives');
    assert.notEqual(bobClient.realtime.accessTokenValue, firstToken, 'supabase-js handed Realtime a fresh token');

    await stack.handle.stopService('realtime');
    await until(bob, (s) => s.connection !== 'live', 'bob notices');
    await new Promise((r) => setTimeout(r, 5000)); // the token of the last heartbeat expires meanwhile
    await stack.handle.startService('realtime');
    await until(bob, (s) => s.connection === 'live', 'bob is live again', 20_000);
    await alice.whenLive();
    await alice.send('after the restart');
    await until(bob, (s) => s.messages.some((m) => m.content === 'after the restart'), 'bob receives after rejoining');
  });
});
