// stack/postgrest against the REAL project: supabase/migrations and supabase/seed.sql on an isolated cluster, the
// project's RPCs and RLS exercised through @supabase/supabase-js as the seeded users (JWTs minted with the demo
// secret, as Auth would), plus the anon key and the service role.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { demoKeys } from '../config.ts';
import { testClient } from '../testing/clients.ts';
import { startTestCluster, type TestCluster } from '../testing/cluster.ts';
import { seedMeetings, seedUsers as users, type SeedUser } from '../testing/seed.ts';
import { userToken } from '../testing/tokens.ts';
import { startRest, type RestServer } from './index.ts';

const { weeklySync, leadership: leadershipReview, globexStandup } = seedMeetings;

describe('stack/postgrest with supabase-js on the project migrations and seed', () => {
  let db: TestCluster;
  let rest: RestServer;
  let restUrl: string;
  const as = (who: SeedUser) => testClient(restUrl, { token: userToken(users[who].id, { email: users[who].email }) });

  before(async () => {
    db = await startTestCluster({ name: 'rest-project', ports: [24411, 24413, 24415, 24417] });
    rest = await startRest({ port: 0, dbUrl: db.url('authenticator'), jwtSecret: demoKeys.jwtSecret });
    restUrl = `http://127.0.0.1:${rest.port}`;
  });

  after(async () => {
    await rest?.close();
    await db?.stop();
  });

  it("get_messages pages a meeting's messages newest first for a participant", async () => {
    const { data, error, status } = await as('carol').rpc('get_messages', { meeting_id: weeklySync, page_size: 2 });
    assert.equal(error, null);
    assert.equal(status, 200);
    const page = data as Array<{ content: string; seq: number; sender_id: string }>;
    assert.deepEqual(
      page.map((m) => m.content),
      ['On mute, my train is loud.', 'Morning all. Release notes are in the doc.'],
    );
    const older = await as('carol').rpc('get_messages', { meeting_id: weeklySync, before_seq: page[1].seq });
    assert.deepEqual(
      (older.data as Array<{ content: string }>).map((m) => m.content),
      ['Welcome to the weekly sync!'],
    );
    const viaGet = await as('alice')
      .rpc('get_messages', { meeting_id: weeklySync, newest_first: false }, { get: true })
      .select('content')
      .limit(1);
    assert.deepEqual(viaGet.data, [{ content: 'Welcome to the weekly sync!' }]);
  });

  it('get_messages refuses a non-member with PT403 not_a_participant and validates page_size with PT400', async () => {
    const res = await as('dave').rpc('get_messages', { meeting_id: weeklySync });
    assert.equal(res.status, 403);
    assert.deepEqual(res.error, {
      code: 'PT403',
      message: 'join the meeting to read its messages',
      hint: 'not_a_participant',
      details: '{}',
    });
    const bad = await as('alice').rpc('get_messages', { meeting_id: weeklySync, page_size: 1000 });
    assert.equal(bad.status, 400);
    assert.equal(bad.error?.hint, 'invalid_page_size');
    assert.deepEqual(JSON.parse(bad.error!.details), { max: 100 });
    const missing = await as('alice').rpc('get_messages', { meeting_id: '00000000-0000-4000-c000-0000000000ff' });
    assert.equal(missing.status, 404);
    assert.equal(missing.error?.hint, 'meeting_not_found');
  });

  it('send_message stores a message once per client_id and the sender reads it back', async () => {
    const first = await as('bob').rpc('send_message', {
      meeting_id: weeklySync,
      content: '  hello from bob  ',
      client_id: 'bob-1',
    });
    assert.equal(first.error, null);
    const sent = first.data as { content: string; duplicate: boolean; sender_id: string; seq: number };
    assert.equal(sent.content, 'hello from bob');
    assert.equal(sent.duplicate, false);
    assert.equal(sent.sender_id, users.bob.id);
    const retry = await as('bob').rpc('send_message', {
      meeting_id: weeklySync,
      content: 'hello from bob',
      client_id: 'bob-1',
    });
    assert.equal((retry.data as { duplicate: boolean; seq: number }).duplicate, true);
    assert.equal((retry.data as { seq: number }).seq, sent.seq);
    const latest = await as('alice')
      .from('messages')
      .select('content, sender:profiles!messages_sender_id_fkey(full_name)')
      .eq('meeting_id', weeklySync)
      .order('seq', { ascending: false })
      .limit(1)
      .single();
    assert.deepEqual(latest.data, { content: 'hello from bob', sender: { full_name: 'Bob Builder' } });
  });

  it('send_message answers PT429 rate_limited with its JSON details once the limit is reached', async () => {
    // Leave room for exactly two more messages from carol in the current window (the seed counts too).
    const [{ recent }] = await db.sql<Array<{ recent: number }>>`select count(*)::int as recent from public.messages
      where sender_id = ${users.carol.id} and meeting_id = ${weeklySync} and created_at > now() - interval '60 seconds'`;
    await db.sql`update private.settings set value = ${String(recent + 2)}::jsonb where key = 'message_rate_limit'`;
    try {
      const carol = as('carol');
      for (const n of [1, 2]) {
        const ok = await carol.rpc('send_message', {
          meeting_id: weeklySync,
          content: `burst ${n}`,
          client_id: `carol-burst-${n}`,
        });
        assert.equal(ok.error, null);
      }
      const limited = await carol.rpc('send_message', {
        meeting_id: weeklySync,
        content: 'one too many',
        client_id: 'carol-burst-3',
      });
      assert.equal(limited.status, 429);
      assert.equal(limited.error?.code, 'PT429');
      assert.equal(limited.error?.hint, 'rate_limited');
      const details = JSON.parse(limited.error!.details);
      assert.equal(details.limit, recent + 2);
      assert.equal(details.window_seconds, 60);
      assert.ok(details.retry_after_seconds >= 1);
    } finally {
      await db.sql`update private.settings set value = '30' where key = 'message_rate_limit'`;
    }
  });

  it('writing messages directly is refused (42501 → 403); anon may not call RPCs (42501 → 401)', async () => {
    const direct = await as('alice')
      .from('messages')
      .insert({ meeting_id: weeklySync, sender_id: users.alice.id, client_id: 'x', content: 'x' });
    assert.equal(direct.status, 403);
    assert.equal(direct.error?.code, '42501');
    const anon = await testClient(restUrl).rpc('get_messages', { meeting_id: weeklySync });
    assert.equal(anon.status, 401);
    assert.equal(anon.error?.code, '42501');
    assert.equal(anon.error?.message, 'permission denied for function get_messages');
    const anonTable = await testClient(restUrl).from('meetings').select('*');
    assert.equal(anonTable.status, 401);
  });

  it('the service role reads every row but RPCs need a user (PT401 not_authenticated)', async () => {
    const service = testClient(restUrl, { token: demoKeys.serviceRoleKey });
    const meetings = await service.from('meetings').select('id', { count: 'exact', head: true });
    assert.equal(meetings.count, 3);
    const rpc = await service.rpc('send_message', { meeting_id: weeklySync, content: 'x', client_id: 'svc-1' });
    assert.equal(rpc.status, 401);
    assert.equal(rpc.error?.code, 'PT401');
    assert.equal(rpc.error?.hint, 'not_authenticated');
  });

  it('RLS shows each user only their meetings, with embedded hosts and participants', async () => {
    const titles = async (who: keyof typeof users) =>
      ((await as(who).from('meetings').select('title').order('title')).data ?? []).map((m) => m.title);
    assert.deepEqual(await titles('alice'), ['Leadership review', 'Weekly sync']);
    assert.deepEqual(await titles('carol'), ['Leadership review', 'Weekly sync']);
    assert.deepEqual(await titles('dave'), ['Globex stand-up']);
    const { data, error } = await as('alice')
      .from('meetings')
      .select('title, status, host:profiles!meetings_host_id_fkey(full_name), meeting_participants(role, user_id)')
      .eq('id', weeklySync)
      .order('role', { referencedTable: 'meeting_participants' })
      .single();
    assert.equal(error, null);
    assert.deepEqual(data, {
      title: 'Weekly sync',
      status: 'live',
      host: { full_name: 'Alice Admin' },
      meeting_participants: [
        { role: 'host', user_id: users.alice.id },
        { role: 'cohost', user_id: users.bob.id },
        { role: 'participant', user_id: users.carol.id },
      ],
    });
    const hidden = await as('dave').from('meetings').select('id').eq('id', leadershipReview).maybeSingle();
    assert.equal(hidden.data, null);
    const daveMessages = await as('dave').from('messages').select('meeting_id');
    assert.deepEqual(daveMessages.data, [{ meeting_id: globexStandup }]);
  });

  it("column grants and policies govern updates: own profile yes, someone else's silently no", async () => {
    const own = await as('carol')
      .from('profiles')
      .update({ full_name: 'Carol C.' })
      .eq('id', users.carol.id)
      .select('full_name')
      .single();
    assert.deepEqual(own.data, { full_name: 'Carol C.' });
    const other = await as('carol')
      .from('profiles')
      .update({ full_name: 'Hacked' })
      .eq('id', users.alice.id)
      .select('full_name');
    assert.deepEqual(other.data, []);
    const forbidden = await as('carol').from('profiles').update({ org_role: 'admin' }).eq('id', users.carol.id);
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.error?.code, '42501');
  });

  it('set_meeting_status: host only (PT403 not_host), invalid transitions are PT409 with {from, to}', async () => {
    const notHost = await as('bob').rpc('set_meeting_status', { meeting_id: leadershipReview, status: 'live' });
    assert.equal(notHost.status, 403);
    assert.equal(notHost.error?.hint, 'not_host');
    const backwards = await as('alice').rpc('set_meeting_status', { meeting_id: weeklySync, status: 'scheduled' });
    assert.equal(backwards.status, 409);
    assert.equal(backwards.error?.code, 'PT409');
    assert.equal(backwards.error?.hint, 'invalid_status_transition');
    assert.deepEqual(JSON.parse(backwards.error!.details), { from: 'live', to: 'scheduled' });
    const live = await as('alice')
      .rpc('set_meeting_status', { meeting_id: leadershipReview, status: 'live' })
      .select('status, started_at');
    assert.equal((live.data as { status: string }).status, 'live');
  });

  it('update_participant_state takes a JSON object argument; list_participants returns a table', async () => {
    const state = await as('carol').rpc('update_participant_state', {
      meeting_id: weeklySync,
      state: { is_hand_raised: true },
    });
    assert.equal(state.error, null);
    assert.equal((state.data as { is_hand_raised: boolean }).is_hand_raised, true);
    const unknown = await as('carol').rpc('update_participant_state', {
      meeting_id: weeklySync,
      state: { volume: 11 },
    });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.error?.hint, 'unknown_state_keys');
    const people = await as('alice')
      .rpc('list_participants', { meeting_id: weeklySync })
      .select('full_name, is_hand_raised')
      .eq('is_hand_raised', true);
    assert.deepEqual(people.data, [{ full_name: 'Carol C.', is_hand_raised: true }]);
  });
});
