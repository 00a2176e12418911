// The local platform end to end, through the gateway, with the official client: what `npm start` gives.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient, FunctionsHttpError } from '@supabase/supabase-js';
import { demoKeys, projectRoot } from '../stack/config.ts';
import { listProcesses } from '../stack/shared/proc.ts';
import { tempDir } from '../stack/testing/project.ts';
import { seedMeetings, seedOrgs } from '../stack/testing/seed.ts';
import { startTestStack, type TestStack } from '../stack/testing/stack.ts';
import { waitFor } from '../stack/testing/wait.ts';

/** Pids of the Deno processes whose parent is `pid`. */
const denoChildrenOf = (pid: number) =>
  listProcesses()
    .filter((p) => p.ppid === pid && p.cmdline.includes('deno'))
    .map((p) => p.pid);

const cli = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'stack', 'cli.ts'), ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });

describe('local platform through the gateway', () => {
  let stack: TestStack;
  let env: Record<string, string>;

  before(async () => {
    stack = await startTestStack('platform', 25321);
    env = {
      STACK_STATE_DIR: stack.cfg.stateDir,
      STACK_API_PORT: String(stack.cfg.apiPort),
      STACK_DB_PORT: String(stack.cfg.dbPort),
    };
  });
  after(async () => {
    await stack?.stop();
  });

  it('a user signs in, reads a table, invokes a function and receives the broadcast it sent through the REST endpoint', async () => {
    const alice = await stack.signIn('alice');
    const bob = await stack.signIn('bob');
    const { data: meetings, error } = await alice.client
      .from('meetings')
      .select('id, title, status')
      .eq('id', seedMeetings.weeklySync);
    assert.equal(error, null);
    assert.deepEqual(meetings, [{ id: seedMeetings.weeklySync, title: 'Weekly sync', status: 'live' }]);

    const channel = bob.client.channel(`meeting:${seedMeetings.weeklySync}`, { config: { private: true } });
    const received = waitFor<{ message: { content: string; client_id: string } }>(
      'the message broadcast',
      (emit) => {
        channel.on('broadcast', { event: 'message' }, ({ payload }) => emit(payload as never));
      },
      8000,
    );
    await waitFor<string>(
      'SUBSCRIBED',
      (emit) => channel.subscribe((status) => status === 'SUBSCRIBED' && emit(status)),
      8000,
    );

    const { data, error: invokeError } = await alice.client.functions.invoke('send-message', {
      body: {
        meeting_id: seedMeetings.weeklySync,
        content: 'hello from the full path',
        client_id: `platform-${Date.now()}`,
      },
    });
    assert.equal(invokeError, null);
    assert.equal(data.broadcast, 'sent');
    const payload = await received;
    assert.equal(payload.message.content, 'hello from the full path');
    assert.equal(payload.message.client_id, data.message.client_id);
  });

  it('auth through the gateway: sign-up, sign-in errors, refresh rotation, update user, sign-out', async () => {
    const client = stack.anon();
    const email = `new-${Date.now()}@acme.test`;
    const { data: signUp, error } = await client.auth.signUp({
      email,
      password: 'correct horse battery',
      options: { data: { full_name: 'New Person' } },
    });
    assert.equal(error, null);
    assert.ok(signUp.session, 'local sign-up is auto-confirmed and returns a session');
    const profile = await stack.sql`select full_name from public.profiles where id = ${signUp.user!.id}`;
    assert.equal(profile[0].full_name, 'New Person', 'the sign-up trigger created the profile');
    const dup = await stack.anon().auth.signUp({ email, password: 'correct horse battery' });
    assert.equal(dup.error?.code, 'user_already_exists');
    const wrong = await stack.anon().auth.signInWithPassword({ email: 'alice@acme.test', password: 'nope' });
    assert.deepEqual([wrong.error?.status, wrong.error?.code], [400, 'invalid_credentials']);
    const first = signUp.session!.refresh_token;
    const { data: refreshed } = await client.auth.refreshSession();
    assert.notEqual(refreshed.session!.refresh_token, first, 'refresh rotates the refresh token');
    const { data: updated } = await client.auth.updateUser({ data: { theme: 'dark' } });
    assert.equal(updated.user!.user_metadata.theme, 'dark');
    assert.equal((await client.auth.signOut()).error, null);
    const after = await client.auth.getUser(refreshed.session!.access_token);
    assert.equal(after.data.user, null);
    assert.equal(after.error?.name, 'AuthSessionMissingError', 'the signed-out session is gone (session_not_found)');
  });

  it('REST through the gateway: RLS per user, embeds, counts, single, writes and RPC errors', async () => {
    const alice = await stack.signIn('alice');
    const dave = await stack.signIn('dave');
    const { data: mine, count } = await alice.client
      .from('meetings')
      .select('title, host:profiles!meetings_host_id_fkey(full_name), meeting_participants(count)', { count: 'exact' })
      .eq('organization_id', seedOrgs.acme)
      .order('title');
    assert.equal(count, 2);
    assert.deepEqual(
      mine!.map((m) => m.title),
      ['Leadership review', 'Weekly sync'],
    );
    assert.equal((mine![1].host as unknown as { full_name: string }).full_name, 'Alice Admin');
    const { data: theirs } = await dave.client.from('meetings').select('title');
    assert.deepEqual(theirs, [{ title: 'Globex stand-up' }], 'RLS shows dave only his organization');
    const { data: created, error } = await alice.client
      .from('meetings')
      .insert({ organization_id: seedOrgs.acme, host_id: alice.userId, title: 'Planning' })
      .select('id, status')
      .single();
    assert.equal(error, null);
    assert.equal(created!.status, 'scheduled');
    const renamed = await alice.client
      .from('meetings')
      .update({ title: 'Planning (moved)' })
      .eq('id', created!.id)
      .select('title')
      .single();
    assert.equal(renamed.data!.title, 'Planning (moved)');
    const notMine = await dave.client.from('meetings').update({ title: 'hijacked' }).eq('id', created!.id).select();
    assert.deepEqual(notMine.data, [], 'another organization updates nothing');
    const none = await alice.client
      .from('meetings')
      .select('id')
      .eq('id', '00000000-0000-4000-c000-00000000ffff')
      .single();
    assert.equal(none.error?.code, 'PGRST116');
    const direct = await alice.client
      .from('messages')
      .insert({ meeting_id: created!.id, sender_id: alice.userId, client_id: 'x', content: 'x' });
    assert.equal(direct.error?.code, '42501', 'nobody writes messages directly');
    const rpc = await dave.client.rpc('get_messages', { meeting_id: seedMeetings.weeklySync });
    assert.deepEqual([rpc.status, rpc.error?.code, rpc.error?.hint], [403, 'PT403', 'not_a_participant']);
  });

  it('the publishable key works like the anon key: REST as anon, functions past verify_jwt via sb-api-key', async () => {
    const publishable = createClient(stack.url, demoKeys.publishableKey, { auth: { persistSession: false } });
    const { error } = await publishable.from('meetings').select('id');
    assert.equal(error?.code, '42501', 'anon has no privilege on meetings: the request reached REST as anon');
    const { error: fnError } = await publishable.functions.invoke('send-message', { body: {} });
    assert.ok(fnError instanceof FunctionsHttpError);
    const body = await fnError.context.json();
    assert.equal(fnError.context.status, 401);
    assert.equal(
      body.error.code,
      'not_authenticated',
      'verify_jwt let the derived anon JWT through; the function asked for a user',
    );
  });

  it('functions with verify_jwt refuse a request with no key at all with the runtime body', async () => {
    const res = await fetch(`${stack.url}/functions/v1/send-message`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).code, 'UNAUTHORIZED_NO_AUTH_HEADER');
  });

  it("answers CORS preflights and adds CORS headers; unknown routes are Kong's 404", async () => {
    const pre = await fetch(`${stack.url}/rest/v1/meetings`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'apikey, authorization',
      },
    });
    assert.equal(pre.status, 200);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    assert.equal(pre.headers.get('access-control-allow-headers'), 'apikey, authorization');
    const got = await fetch(`${stack.url}/rest/v1/meetings`, { headers: { apikey: demoKeys.anonKey } });
    assert.equal(got.headers.get('access-control-allow-origin'), '*');
    const missing = await fetch(`${stack.url}/nowhere`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { message: 'no Route matched with those values' });
  });

  it('a host process that dies is restarted, and the API answers again', async () => {
    const alice = await stack.signIn('alice');
    await alice.client.functions.invoke('presence', { method: 'GET' }); // boots a Deno worker, whatever it answers
    const first = stack.handle.platformPid();
    assert.ok(first);
    const workers = denoChildrenOf(first);
    assert.ok(workers.length > 0, 'a Deno worker runs under the host process');
    process.kill(first, 'SIGKILL');
    const deadline = Date.now() + 30_000;
    let answered = false;
    while (!answered && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      const { error, status } = await alice.client.from('meetings').select('id').limit(1);
      answered = !error && status === 200 && stack.handle.platformPid() !== first;
    }
    assert.ok(answered, 'the API did not answer within 30 s of the host process being killed');
    // The killed process's workers saw their stdin close and exited: nothing is left behind.
    const gone = Date.now() + 5000;
    while (workers.some((pid) => existsSync(`/proc/${pid}`)) && Date.now() < gone)
      await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      workers.filter((pid) => existsSync(`/proc/${pid}`)),
      [],
    );
  });

  it('status -o env prints the supabase status values; a second start says one is already running', () => {
    const status = cli(['status', '-o', 'env'], env);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`^API_URL="http://127.0.0.1:${stack.cfg.apiPort}"$`, 'm'));
    assert.match(status.stdout, /^ANON_KEY="eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9\.[^"]+"$/m);
    assert.match(
      status.stdout,
      new RegExp(`^DB_URL="postgresql://postgres:postgres@127.0.0.1:${stack.cfg.dbPort}/postgres"$`, 'm'),
    );
    assert.match(status.stdout, /^PUBLISHABLE_KEY="sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH"$/m);
    const second = cli(['start'], env);
    assert.notEqual(second.status, 0);
    assert.match(second.stderr, /already running/);
  });
});

describe('npm start in a terminal', () => {
  it('prints the status block, then Ctrl-C stops every service and the database', async () => {
    const stateDir = tempDir('ctrlc');
    const apiPort = 27321;
    const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'stack', 'cli.ts'), 'start'], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        STACK_STATE_DIR: stateDir,
        STACK_API_PORT: String(apiPort),
        STACK_DB_PORT: String(apiPort + 1),
      },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await waitFor<void>(
        'the status block',
        (emit) => child.stdout.on('data', () => out.includes('Press Ctrl-C') && emit()),
        60_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; npm start printed:\n${out}`);
      });
      assert.match(out, /Project URL +│ http:\/\/127\.0\.0\.1:27321/);
      assert.match(out, /anon +│ eyJ/);
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 0, out);
      for (const port of [apiPort, apiPort + 1, apiPort + 59, apiPort + 70, apiPort + 71, apiPort + 72]) {
        const open = await new Promise<boolean>((resolve) => {
          const s = connect(port, '127.0.0.1');
          s.once('connect', () => {
            s.destroy();
            resolve(true);
          });
          s.once('error', () => resolve(false));
        });
        assert.equal(open, false, `port ${port} is closed after Ctrl-C`);
      }
    } finally {
      child.kill('SIGKILL');
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
