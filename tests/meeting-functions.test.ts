// The product's server API end to end: edge functions on the local platform, called with supabase.functions.invoke
// by three members of Acme and one outsider from Globex, heard on private meeting channels. No mocks.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { FunctionsHttpError } from '@supabase/supabase-js';
import { demoKeys } from '../stack/config.ts';
import { subscribePrivate } from '../stack/testing/channels.ts';
import { insertMeeting, seedMeetings, seedUsers } from '../stack/testing/seed.ts';
import { startTestStack, type Client, type TestStack } from '../stack/testing/stack.ts';
import { userToken } from '../stack/testing/tokens.ts';
import type { FunctionErrorBody, FunctionResponse, MeetingEvents, UserEvents } from '../types/contract.ts';

type Member = { client: Client; userId: string; accessToken: string };

async function invoke<N extends keyof FunctionResponseMap>(who: Member, name: N, body: unknown) {
  const { data, error, response } = await who.client.functions.invoke(name, { body: body as Record<string, unknown> });
  if (error) {
    assert.ok(error instanceof FunctionsHttpError, `unexpected ${error.name}: ${error.message}`);
    return {
      status: error.context.status as number,
      error: ((await error.context.json()) as FunctionErrorBody).error,
      headers: error.context.headers as Headers,
      data: undefined,
    };
  }
  return {
    status: response?.status ?? 200,
    data: data as FunctionResponseMap[N],
    error: undefined,
    headers: response?.headers,
  };
}
type FunctionResponseMap = {
  [
    K in
      | 'send-message'
      | 'edit-message'
      | 'delete-message'
      | 'react'
      | 'join'
      | 'leave'
      | 'presence'
      | 'meeting-status'
      | 'remove-participant'
  ]: FunctionResponse<K>;
};

describe('meeting edge functions end to end', () => {
  let stack: TestStack;
  let alice: Member; // host of Weekly sync
  let bob: Member; // cohost
  let carol: Member; // participant
  let dave: Member; // Globex: the outsider

  before(async () => {
    stack = await startTestStack('functions', 26321);
    [alice, bob, carol, dave] = await Promise.all([
      stack.signIn('alice'),
      stack.signIn('bob'),
      stack.signIn('carol'),
      stack.signIn('dave'),
    ]);
  });
  after(async () => {
    await stack?.stop();
  });

  /** A live Acme meeting hosted by alice with the given members present, created in the database. */
  const freshMeeting = (members: Member[] = [bob, carol]) =>
    insertMeeting(stack.sql, 'Test meeting', { participants: members.map((m) => m.userId) });

  const storedCount = async (meetingId: string) =>
    (await stack.sql`select count(*)::int as n from public.messages where meeting_id = ${meetingId}`)[0].n as number;

  it('a message sent by A arrives at B and C on the private channel with the typed payload', async () => {
    const topic = `meeting:${seedMeetings.weeklySync}`;
    const [atBob, atCarol] = await Promise.all([
      subscribePrivate(bob.client, topic),
      subscribePrivate(carol.client, topic),
    ]);
    const clientId = randomUUID();
    const sent = await invoke(alice, 'send-message', {
      meeting_id: seedMeetings.weeklySync,
      content: '  Agenda is in the doc  ',
      client_id: clientId,
    });
    assert.equal(sent.status, 200);
    assert.equal(sent.data!.broadcast, 'sent');
    assert.equal(sent.data!.duplicate, false);
    assert.equal(sent.data!.message.content, 'Agenda is in the doc');
    const match = (p: Record<string, unknown>) => (p as MeetingEvents['message']).message.client_id === clientId;
    const [b, c] = await Promise.all([
      atBob.next<MeetingEvents['message']>('message', match),
      atCarol.next<MeetingEvents['message']>('message', match),
    ]);
    for (const payload of [b, c]) {
      assert.deepEqual(payload.message, sent.data!.message);
      assert.equal(typeof payload.message.seq, 'number');
      assert.equal(payload.message.sender_id, seedUsers.alice.id);
    }
  });

  it("the outsider's invoke gets 403 and its join of the meeting channel is refused with the exact reason", async () => {
    const before = await storedCount(seedMeetings.weeklySync);
    const res = await invoke(dave, 'send-message', {
      meeting_id: seedMeetings.weeklySync,
      content: 'let me in',
      client_id: randomUUID(),
    });
    assert.equal(res.status, 403);
    assert.equal(res.error!.code, 'not_a_participant');
    assert.equal(await storedCount(seedMeetings.weeklySync), before);
    const topic = `meeting:${seedMeetings.weeklySync}`;
    await assert.rejects(subscribePrivate(dave.client, topic), (err: Error) =>
      err.message.includes(`Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`),
    );
  });

  it('a retry with the same client_id stores one row and broadcasts once', async () => {
    const meeting = await freshMeeting();
    const atBob = await subscribePrivate(bob.client, `meeting:${meeting}`);
    const body = { meeting_id: meeting, content: 'only once', client_id: randomUUID() };
    const first = await invoke(alice, 'send-message', body);
    const retry = await invoke(alice, 'send-message', body);
    assert.equal(first.data!.duplicate, false);
    assert.equal(retry.data!.duplicate, true);
    assert.equal(retry.data!.broadcast, 'skipped');
    assert.deepEqual(retry.data!.message, first.data!.message);
    await atBob.next('message', (p) => (p as MeetingEvents['message']).message.client_id === body.client_id);
    await new Promise((r) => setTimeout(r, 300)); // room for a second broadcast, which must not come
    assert.equal(
      atBob.count('message', (p) => (p as MeetingEvents['message']).message.client_id === body.client_id),
      1,
    );
    assert.equal(await storedCount(meeting), 1);
  });

  it('the 31st message in a minute is refused with 429 and Retry-After', async () => {
    const meeting = await freshMeeting();
    for (let i = 1; i <= 30; i++) {
      const res = await invoke(carol, 'send-message', {
        meeting_id: meeting,
        content: `message ${i}`,
        client_id: `burst-${meeting}-${i}`,
      });
      assert.equal(res.status, 200, `message ${i}`);
    }
    const refused = await invoke(carol, 'send-message', {
      meeting_id: meeting,
      content: 'one too many',
      client_id: `burst-${meeting}-31`,
    });
    assert.equal(refused.status, 429);
    assert.equal(refused.error!.code, 'rate_limited');
    const retryAfter = Number(refused.headers!.get('Retry-After'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(refused.error!.details!.retry_after_seconds, retryAfter);
    assert.equal(await storedCount(meeting), 30);
  });

  it('reactions toggle with counts and are broadcast', async () => {
    const meeting = await freshMeeting();
    const atCarol = await subscribePrivate(carol.client, `meeting:${meeting}`);
    const { data: sent } = await invoke(alice, 'send-message', {
      meeting_id: meeting,
      content: 'react to me',
      client_id: randomUUID(),
    });
    const messageId = sent!.message.id;
    const added = await invoke(bob, 'react', { message_id: messageId, emoji: '👍' });
    assert.deepEqual([added.data!.action, added.data!.counts, added.data!.meeting_id], ['added', { '👍': 1 }, meeting]);
    const event = await atCarol.next<MeetingEvents['reaction']>('reaction', (p) => p.action === 'added');
    assert.deepEqual(event, {
      message_id: messageId,
      meeting_id: meeting,
      user_id: bob.userId,
      emoji: '👍',
      action: 'added',
      counts: { '👍': 1 },
      version: 1,
    });
    assert.deepEqual((await invoke(carol, 'react', { message_id: messageId, emoji: '👍' })).data!.counts, { '👍': 2 });
    const removed = await invoke(bob, 'react', { message_id: messageId, emoji: '👍' });
    assert.deepEqual([removed.data!.action, removed.data!.counts], ['removed', { '👍': 1 }]);
    assert.equal((await invoke(bob, 'react', { message_id: messageId, emoji: 'lol' })).error!.code, 'invalid_emoji');
  });

  it('join, leave and presence are answered and broadcast', async () => {
    const meeting = await freshMeeting([bob]);
    const atBob = await subscribePrivate(bob.client, `meeting:${meeting}`);
    for (let i = 0; i < 3; i++)
      await invoke(alice, 'send-message', { meeting_id: meeting, content: `history ${i}`, client_id: randomUUID() });

    // Carol is present in every earlier test's meeting (inserted directly); a user is in at most 3 at once.
    await stack.sql`update public.meeting_participants set left_at = now()
                    where user_id = ${carol.userId} and left_at is null and meeting_id <> ${meeting}`;
    const joined = await invoke(carol, 'join', { meeting_id: meeting });
    assert.equal(joined.status, 200);
    assert.equal(joined.data!.topic, `meeting:${meeting}`);
    assert.equal(joined.data!.ephemeral_topic, `meeting:${meeting}:ephemeral`);
    assert.equal(joined.data!.presence_key, carol.userId);
    assert.deepEqual(
      joined.data!.messages.map((m) => m.content),
      ['history 2', 'history 1', 'history 0'],
      'newest first for first paint',
    );
    const joinEvent = await atBob.next<MeetingEvents['participant_joined']>('participant_joined');
    assert.equal(joinEvent.participant.user_id, carol.userId);

    const updated = await invoke(carol, 'presence', {
      meeting_id: meeting,
      state: { is_hand_raised: true, status: 'away' },
    });
    assert.equal(updated.data!.participant.is_hand_raised, true);
    const updateEvent = await atBob.next<MeetingEvents['participant_updated']>('participant_updated');
    assert.deepEqual([updateEvent.participant.user_id, updateEvent.participant.status], [carol.userId, 'away']);
    const unknown = await invoke(carol, 'presence', { meeting_id: meeting, state: { is_muted: true, volume: 11 } });
    assert.deepEqual(
      [unknown.status, unknown.error!.code, unknown.error!.message],
      [400, 'unknown_state_keys', 'unknown keys: state.volume'],
    );

    const { data: listing } = await carol.client.functions.invoke(`presence?meeting_id=${meeting}`, { method: 'GET' });
    const participants = (listing as FunctionResponse<'presence:get'>).participants;
    assert.deepEqual(participants.map((p) => p.full_name).sort(), ['Alice Admin', 'Bob Builder', 'Carol Chen']);

    const left = await invoke(carol, 'leave', { meeting_id: meeting });
    assert.ok(left.data!.participant.left_at);
    const leftEvent = await atBob.next<MeetingEvents['participant_left']>('participant_left');
    assert.deepEqual([leftEvent.participant.user_id, leftEvent.reason], [carol.userId, 'left']);
    assert.ok(leftEvent.participant.version > updateEvent.participant.version, 'each change raises the version');
  });

  it('edits and deletes are broadcast; only the sender edits', async () => {
    const meeting = await freshMeeting();
    const atCarol = await subscribePrivate(carol.client, `meeting:${meeting}`);
    const { data: sent } = await invoke(bob, 'send-message', {
      meeting_id: meeting,
      content: 'typo heer',
      client_id: randomUUID(),
    });
    const edited = await invoke(bob, 'edit-message', { message_id: sent!.message.id, content: 'typo here' });
    assert.ok(edited.data!.message.edited_at);
    assert.equal((await atCarol.next<MeetingEvents['message_edited']>('message_edited')).message.content, 'typo here');
    assert.equal(
      (await invoke(carol, 'edit-message', { message_id: sent!.message.id, content: 'mine now' })).error!.code,
      'not_sender',
    );
    const deleted = await invoke(alice, 'delete-message', { message_id: sent!.message.id }); // the host may delete
    assert.equal(deleted.data!.message.content, null);
    assert.equal(
      (await atCarol.next<MeetingEvents['message_deleted']>('message_deleted')).message_id,
      sent!.message.id,
    );
  });

  it('malformed JSON, wrong types, 5,000 characters, a missing or expired JWT get the documented 4xx and store nothing', async () => {
    const meeting = await freshMeeting();
    const url = `${stack.url}/functions/v1/send-message`;
    const headers = {
      apikey: demoKeys.anonKey,
      Authorization: `Bearer ${carol.accessToken}`,
      'Content-Type': 'application/json',
    };
    const malformed = await fetch(url, { method: 'POST', headers, body: '{"meeting_id": ' });
    assert.deepEqual(
      [malformed.status, ((await malformed.json()) as FunctionErrorBody).error.code],
      [400, 'invalid_json'],
    );
    const wrongTypes = await invoke(carol, 'send-message', { meeting_id: 42, content: ['x'], client_id: null });
    assert.deepEqual([wrongTypes.status, wrongTypes.error!.code], [400, 'validation_failed']);
    assert.deepEqual(Object.keys(wrongTypes.error!.details!.fields as object).sort(), [
      'client_id',
      'content',
      'meeting_id',
    ]);
    const long = await invoke(carol, 'send-message', {
      meeting_id: meeting,
      content: 'x'.repeat(5000),
      client_id: randomUUID(),
    });
    assert.deepEqual(
      [long.status, (long.error!.details!.fields as Record<string, string>).content],
      [400, 'must be at most 4000 characters'],
    );
    assert.equal(long.error!.code, 'content_too_long', 'the code the contract promises, not validation_failed');
    const huge = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ meeting_id: meeting, content: 'x'.repeat(20_000), client_id: 'h' }),
    });
    assert.equal(huge.status, 413);
    const noJwt = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(noJwt.status, 401);
    const expired = userToken(carol.userId, { email: seedUsers.carol.email, expiresIn: -10 });
    const expiredRes = await fetch(url, {
      method: 'POST',
      headers: { ...headers, Authorization: `Bearer ${expired}` },
      body: JSON.stringify({ meeting_id: meeting, content: 'late', client_id: randomUUID() }),
    });
    assert.equal(expiredRes.status, 401);
    const get = await fetch(url, { headers });
    assert.equal(get.status, 405);
    // A NUL character, which Postgres refuses in any text, in every string field: 400 with the field named.
    const nul = 'a\u0000b';
    const sendNul = await invoke(carol, 'send-message', { meeting_id: meeting, content: nul, client_id: nul });
    assert.deepEqual(
      [sendNul.status, sendNul.error!.code, Object.keys(sendNul.error!.details!.fields as object).sort()],
      [400, 'validation_failed', ['client_id', 'content']],
    );
    const { data: own } = await invoke(carol, 'send-message', {
      meeting_id: meeting,
      content: 'to edit',
      client_id: randomUUID(),
    });
    const editNul = await invoke(carol, 'edit-message', { message_id: own!.message.id, content: nul });
    assert.deepEqual([editNul.status, editNul.error!.code], [400, 'validation_failed']);
    const reactNul = await invoke(carol, 'react', { message_id: own!.message.id, emoji: '👍\u0000' });
    assert.deepEqual(
      [reactNul.status, reactNul.error!.code],
      [400, 'invalid_emoji'],
      "the database's reason for a bad emoji",
    );
    // Past validation (the schemas are the first line, not the only one), the API's 400 22P05 stays a 400.
    const { error: rpcNul, status: rpcStatus } = await carol.client.rpc('send_message', {
      meeting_id: meeting,
      content: nul,
      client_id: 'x',
    });
    assert.deepEqual([rpcStatus, rpcNul?.code], [400, '22P05']);
    assert.equal(await storedCount(meeting), 1, 'only the valid message was stored');
  });

  it('the host ends the meeting and everyone receives meeting_status_changed from the database trigger', async () => {
    const meeting = await freshMeeting();
    const [atBob, atCarol] = await Promise.all([
      subscribePrivate(bob.client, `meeting:${meeting}`),
      subscribePrivate(carol.client, `meeting:${meeting}`),
    ]);
    assert.equal(
      (await invoke(bob, 'meeting-status', { meeting_id: meeting, status: 'ended' })).error!.code,
      'not_host',
    );
    const ended = await invoke(alice, 'meeting-status', { meeting_id: meeting, status: 'ended' });
    assert.equal(ended.data!.meeting.status, 'ended');
    for (const probe of [atBob, atCarol]) {
      const change = await probe.next<MeetingEvents['meeting_status_changed']>('meeting_status_changed');
      assert.deepEqual(
        [change.operation, change.table, change.schema, change.record.status, change.old_record.status],
        ['UPDATE', 'meetings', 'public', 'ended', 'live'],
      );
    }
    assert.equal(
      (await invoke(carol, 'send-message', { meeting_id: meeting, content: 'too late', client_id: randomUUID() }))
        .error!.code,
      'meeting_ended',
    );
  });

  it('a removed participant is told on user:<id>, cannot re-join, and loses the meeting channel when its token is re-checked', async () => {
    const meeting = await freshMeeting();
    const [atCarolMeeting, atCarolUser, atBob, atCarolEphemeral, atBobEphemeral] = await Promise.all([
      subscribePrivate(carol.client, `meeting:${meeting}`),
      subscribePrivate(carol.client, `user:${carol.userId}`),
      subscribePrivate(bob.client, `meeting:${meeting}`),
      subscribePrivate(carol.client, `meeting:${meeting}:ephemeral`),
      subscribePrivate(bob.client, `meeting:${meeting}:ephemeral`),
    ]);
    // Carol is typing before she is removed: Realtime checks her write permission at this first send and caches it.
    const typing = (n: number) =>
      atCarolEphemeral.channel.send({
        type: 'broadcast',
        event: 'typing',
        payload: { user_id: carol.userId, is_typing: true, n },
      });
    await typing(1);
    await atBobEphemeral.next('typing', (p) => p.n === 1);
    const removed = await invoke(alice, 'remove-participant', { meeting_id: meeting, user_id: carol.userId });
    assert.ok(removed.data!.participant.removed_at);
    const notice = await atCarolUser.next<UserEvents['participant_removed']>('participant_removed');
    assert.deepEqual([notice.meeting_id, notice.removed_by], [meeting, alice.userId]);
    const left = await atBob.next<MeetingEvents['participant_left']>('participant_left');
    assert.deepEqual([left.participant.user_id, left.reason], [carol.userId, 'removed']);
    assert.equal((await invoke(carol, 'join', { meeting_id: meeting })).error!.code, 'removed_from_meeting');
    // Until her token is re-checked, Realtime's cached authorization still lets her already-open channels work:
    // what docs/authorization.md says, measured. Her typing still reaches Bob (receivers drop it: she is no longer
    // a participant)...
    await typing(2);
    await atBobEphemeral.next('typing', (p) => p.n === 2);
    // ...until the client sends a new access token (a refresh, or what the meeting client does on participant_removed):
    // Realtime authorizes at join and again whenever the client sends its access token: the channels close then.
    const closedOf = (probe: typeof atCarolMeeting) =>
      new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (probe.channel.state === 'closed' || probe.channel.state === 'errored') {
            clearInterval(timer);
            resolve();
          }
        }, 20);
      });
    const closed = Promise.all([closedOf(atCarolMeeting), closedOf(atCarolEphemeral)]);
    const refreshed = userToken(carol.userId, { email: seedUsers.carol.email, expiresIn: 3000 }); // a new token, as a refresh would bring
    await carol.client.realtime.setAuth(refreshed);
    await Promise.race([
      closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error('channel not closed after re-check')), 5000)),
    ]);
    await assert.rejects(subscribePrivate(carol.client, `meeting:${meeting}`), /Unauthorized/);
    await assert.rejects(subscribePrivate(carol.client, `meeting:${meeting}:ephemeral`), /Unauthorized/);
    assert.equal(atCarolUser.channel.state, 'joined', "her own user: channel stays: it is hers, not the meeting's");
  });

  it('with Realtime stopped, send-message still stores the message and answers broadcast: failed', async () => {
    const meeting = await freshMeeting();
    await stack.handle.stopService('realtime');
    try {
      const res = await invoke(carol, 'send-message', {
        meeting_id: meeting,
        content: 'stored anyway',
        client_id: randomUUID(),
      });
      assert.equal(res.status, 200);
      assert.equal(res.data!.broadcast, 'failed');
      assert.equal(await storedCount(meeting), 1);
      // What the function's broadcast met: the gateway's answer for a dead upstream, as Kong gives it.
      const direct = await fetch(`${stack.url}/realtime/v1/api/broadcast`, {
        method: 'POST',
        headers: { apikey: demoKeys.serviceRoleKey, 'content-type': 'application/json' },
        body: '{"messages":[]}',
      });
      assert.equal(direct.status, 502);
    } finally {
      await stack.handle.startService('realtime');
    }
    // Started again in place: the channel works as before.
    const again = await invoke(carol, 'send-message', {
      meeting_id: meeting,
      content: 'and delivered',
      client_id: randomUUID(),
    });
    assert.equal(again.data!.broadcast, 'sent');
  });
});
