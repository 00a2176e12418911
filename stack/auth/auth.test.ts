// stack/auth against a real cluster of its own (port 24400) built from the project's real migrations and seed, driven
// by the official @supabase/supabase-js client. Raw HTTP appears only for what the client never sends (no
// X-Supabase-Api-Version, a bad API key, malformed bodies and URLs, /health, /settings, /.well-known/jwks.json).
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  isAuthError,
  isAuthSessionMissingError,
  isAuthWeakPasswordError,
  type Session,
  type SupabaseClient,
} from '@supabase/supabase-js';
import type postgres from 'postgres';
import { demoKeys } from '../config.ts';
import { createLogger } from '../log.ts';
import { verifyJwt, type JwtClaims } from '../shared/jwt.ts';
import { testClient } from '../testing/clients.ts';
import { startTestCluster, type TestCluster } from '../testing/cluster.ts';
import { seedOrgs, seedPassword, seedUsers } from '../testing/seed.ts';
import { startAuth, type AuthServer } from './index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const log = createLogger('auth-test');
const alice = { ...seedUsers.alice, password: seedPassword };
const acme = seedOrgs.acme;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let db: TestCluster;
let authDbUrl: string;
let sql: postgres.Sql;
/** CLI defaults: anonymous sign-ins off, reuse interval 10 s, minimum password length 6. */
let main: AuthServer;
/** Anonymous sign-ins on, a 1 s reuse interval (so the test need not wait 10 s), minimum password length 12. */
let alt: AuthServer;

const client = (
  server: AuthServer,
  key: string = demoKeys.anonKey,
  headers: Record<string, string> = {},
): SupabaseClient => testClient(`http://127.0.0.1:${server.port}`, { key, headers });

let counter = 0;
const freshEmail = (label: string) => `${label}-${++counter}@example.test`;

function claimsOf(session: Session): JwtClaims {
  const verified = verifyJwt(session.access_token, demoKeys.jwtSecret);
  assert.ok(verified.ok, 'the access token verifies with the stack JWT secret');
  return verified.claims;
}

function assertAuthError(error: unknown, status: number, code: string, message?: string): void {
  assert.ok(isAuthError(error), `expected an AuthError, got ${JSON.stringify(error)}`);
  assert.equal(error.status, status, `status of ${error.message}`);
  assert.equal(error.code, code);
  if (message !== undefined) assert.equal(error.message, message);
}

async function signUp(
  server: AuthServer,
  email: string,
  password = 'correct horse battery',
  data: Record<string, unknown> = {},
) {
  const c = client(server);
  const { data: res, error } = await c.auth.signUp({ email, password, options: { data } });
  assert.equal(error, null);
  assert.ok(res.session && res.user);
  return { client: c, session: res.session, user: res.user };
}

async function signIn(server: AuthServer, email: string, password: string) {
  const c = client(server);
  const { data, error } = await c.auth.signInWithPassword({ email, password });
  assert.equal(error, null);
  return { client: c, session: data.session, user: data.user, weakPassword: data.weakPassword };
}

/** Refreshes `refreshToken` with a client of its own (no cached state from earlier refreshes). */
const refresh = (server: AuthServer, refreshToken: string) =>
  client(server).auth.refreshSession({ refresh_token: refreshToken });

/** What the body checks say about a NUL character in the top-level member `member`. */
const nulRefused = (member: string) => `The NUL character (\\u0000) is not allowed in "${member}"`;

const usersWithEmail = async (email: string) =>
  (await sql<{ n: number }[]>`select count(*)::int as n from auth.users where email = ${email}`)[0].n;

const userCount = async () => (await sql<{ n: number }[]>`select count(*)::int as n from auth.users`)[0].n;

const sessionCount = async (userId: string) =>
  (await sql<{ n: number }[]>`select count(*)::int as n from auth.sessions where user_id = ${userId}`)[0].n;

before(async () => {
  db = await startTestCluster({ name: 'auth', ports: [24400] });
  sql = db.sql;
  authDbUrl = db.url('supabase_auth_admin');
  main = await startAuth({ port: 0, dbUrl: authDbUrl, jwtSecret: demoKeys.jwtSecret, log });
  alt = await startAuth({
    port: 0,
    dbUrl: authDbUrl,
    jwtSecret: demoKeys.jwtSecret,
    log,
    anonymousSignIns: true,
    refreshTokenReuseInterval: 1,
    minimumPasswordLength: 12,
  });
});

after(async () => {
  await main?.close();
  await alt?.close();
  await db?.stop();
});

describe('stack/auth with supabase-js', () => {
  it('sign-up auto-confirms and returns a session whose token carries the real claims', async () => {
    const email = freshEmail('nora');
    const { client: c, session, user } = await signUp(main, email, 'correct horse battery', { full_name: 'Nora New' });
    assert.equal(user.email, email);
    assert.ok(user.email_confirmed_at);
    assert.deepEqual(user.app_metadata, { provider: 'email', providers: ['email'] });
    assert.deepEqual(user.user_metadata, { full_name: 'Nora New', email_verified: true });
    assert.equal(user.is_anonymous, false);
    assert.equal(user.identities?.length, 1);
    assert.equal(user.identities?.[0].provider, 'email');
    assert.equal(user.identities?.[0].identity_data?.email, email);
    assert.equal(session.token_type, 'bearer');
    assert.equal(session.expires_in, 3600);
    assert.match(session.refresh_token, /^[a-z2-7]{12}$/);

    const claims = claimsOf(session);
    assert.equal(claims.iss, 'http://127.0.0.1:54321/auth/v1');
    assert.equal(claims.sub, user.id);
    assert.equal(claims.aud, 'authenticated');
    assert.equal(claims.role, 'authenticated');
    assert.equal(claims.email, email);
    assert.equal(claims.phone, '');
    assert.deepEqual(claims.app_metadata, user.app_metadata);
    assert.deepEqual(claims.user_metadata, user.user_metadata);
    assert.equal(claims.aal, 'aal1');
    assert.equal(claims.is_anonymous, false);
    assert.match(String(claims.session_id), uuidPattern);
    assert.equal(Number(claims.exp) - Number(claims.iat), 3600);
    assert.equal(session.expires_at, claims.exp);
    const amr = claims.amr as { method: string; timestamp: number }[];
    assert.equal(amr.length, 1);
    assert.equal(amr[0].method, 'password');
    assert.ok(Math.abs(amr[0].timestamp - Number(claims.iat)) <= 2);

    // getClaims() with an HS256 token validates it through GET /user.
    const { data: verified, error } = await c.auth.getClaims();
    assert.equal(error, null);
    assert.equal(verified?.claims.sub, user.id);

    // The rows are the ones GoTrue writes.
    const [row] = await sql`select * from auth.users where id = ${user.id}`;
    assert.equal(row.instance_id, '00000000-0000-0000-0000-000000000000');
    assert.match(row.encrypted_password, /^\$2a\$10\$/);
    for (const column of ['confirmation_token', 'recovery_token', 'email_change_token_new', 'email_change']) {
      assert.equal(row[column], '', `${column} is '' (never NULL)`);
    }
    assert.ok(row.last_sign_in_at);
    const [s] = await sql`select * from auth.sessions where id = ${String(claims.session_id)}`;
    assert.equal(s.user_id, user.id);
    assert.equal(s.aal, 'aal1');
    const tokens =
      await sql`select token, parent, revoked, user_id from auth.refresh_tokens where session_id = ${s.id}`;
    assert.deepEqual(
      tokens.map((t) => ({ ...t })),
      [{ token: session.refresh_token, parent: null, revoked: false, user_id: user.id }],
    );
    const claimsRows = await sql`select authentication_method from auth.mfa_amr_claims where session_id = ${s.id}`;
    assert.deepEqual(
      claimsRows.map((r) => r.authentication_method),
      ['password'],
    );
    // The project's trigger made the profile row.
    const [profile] = await sql`select full_name, organization_id from public.profiles where id = ${user.id}`;
    assert.deepEqual({ ...profile }, { full_name: 'Nora New', organization_id: null });
  });

  it('sign-up errors: existing user, weak password, bad email, missing password', async () => {
    const c = client(main);
    let res = await c.auth.signUp({ email: alice.email, password: 'whatever-long' });
    assertAuthError(res.error, 422, 'user_already_exists', 'User already registered');
    assert.equal(res.data.session, null);

    res = await c.auth.signUp({ email: freshEmail('weak'), password: 'short' });
    assert.ok(isAuthWeakPasswordError(res.error));
    assertAuthError(res.error, 422, 'weak_password', 'Password should be at least 6 characters.');
    assert.deepEqual(res.error.reasons, ['length']);

    res = await c.auth.signUp({ email: 'not-an-email', password: 'long enough' });
    assertAuthError(res.error, 400, 'validation_failed', 'Unable to validate email address: invalid format');

    res = await c.auth.signUp({ email: freshEmail('nopass'), password: '' });
    assertAuthError(res.error, 400, 'validation_failed', 'Signup requires a valid password');

    res = await c.auth.signUp({ email: freshEmail('long'), password: 'x'.repeat(73) });
    assertAuthError(res.error, 400, 'validation_failed', 'Password cannot be longer than 72 characters');
  });

  it('password sign-in: a seeded user signs in, wrong password and unknown email are invalid_credentials', async () => {
    const { session, user, weakPassword } = await signIn(main, alice.email, alice.password);
    assert.ok(session);
    assert.equal(user?.id, alice.id);
    assert.equal(weakPassword, undefined);
    const claims = claimsOf(session);
    assert.equal(claims.sub, alice.id);
    assert.equal((claims.app_metadata as Record<string, unknown>).organization_id, acme);
    assert.equal((claims.user_metadata as Record<string, unknown>).full_name, 'Alice Admin');
    const [row] = await sql`select last_sign_in_at from auth.users where id = ${alice.id}`;
    assert.ok(Date.now() - row.last_sign_in_at.getTime() < 60_000, 'last_sign_in_at moves to now');

    const c = client(main);
    let res = await c.auth.signInWithPassword({ email: alice.email, password: 'not-the-password' });
    assertAuthError(res.error, 400, 'invalid_credentials', 'Invalid login credentials');
    res = await c.auth.signInWithPassword({ email: 'nobody@example.test', password: 'whatever' });
    assertAuthError(res.error, 400, 'invalid_credentials', 'Invalid login credentials');
    // Email is case-insensitive.
    res = await c.auth.signInWithPassword({ email: 'ALICE@acme.test', password: alice.password });
    assert.equal(res.error, null);
  });

  it('a correct password that misses the current rules signs in with weakPassword', async () => {
    // `alt` wants 12 characters; password123 has 11.
    const { session, weakPassword } = await signIn(alt, alice.email, alice.password);
    assert.ok(session);
    assert.deepEqual(weakPassword, { message: 'Password should be at least 12 characters.', reasons: ['length'] });
  });

  it('getUser and updateUser: metadata merges, a password change ends the other sessions', async () => {
    const email = freshEmail('uma');
    const a = await signUp(main, email, 'first password', { full_name: 'Uma', team: 'red' });
    const b = await signIn(main, email, 'first password');
    const { data: got, error } = await a.client.auth.getUser();
    assert.equal(error, null);
    assert.equal(got.user?.id, a.user.id);
    assert.equal(got.user?.identities?.length, 1);

    const updated = await a.client.auth.updateUser({ data: { avatar_url: 'https://x.test/a.png', team: null } });
    assert.equal(updated.error, null);
    assert.deepEqual(updated.data.user?.user_metadata, {
      full_name: 'Uma',
      email_verified: true,
      avatar_url: 'https://x.test/a.png',
    });
    const [profile] = await sql`select full_name from public.profiles where id = ${a.user.id}`;
    assert.equal(profile.full_name, 'Uma');

    let res = await a.client.auth.updateUser({ password: 'first password' });
    assertAuthError(res.error, 422, 'same_password', 'New password should be different from the old password.');
    res = await a.client.auth.updateUser({ password: '123' });
    assert.ok(isAuthWeakPasswordError(res.error));

    res = await a.client.auth.updateUser({ password: 'second password' });
    assert.equal(res.error, null);
    // b's session was deleted: GET /user says session_not_found, which auth-js reports as a missing session.
    const gone = await b.client.auth.getUser();
    assert.ok(isAuthSessionMissingError(gone.error));
    assert.equal((await a.client.auth.getUser()).error, null, 'the session that changed the password stays');
    const old = await client(main).auth.signInWithPassword({ email, password: 'first password' });
    assertAuthError(old.error, 400, 'invalid_credentials');
    await signIn(main, email, 'second password');
  });

  it('refreshSession rotates the refresh token within the same session; the parent gives back the same child', async () => {
    const { client: c, session: s0 } = await signIn(main, alice.email, alice.password);
    assert.ok(s0);
    const { data, error } = await c.auth.refreshSession();
    assert.equal(error, null);
    const s1 = data.session!;
    assert.notEqual(s1.refresh_token, s0.refresh_token);
    const c0 = claimsOf(s0);
    const c1 = claimsOf(s1);
    assert.equal(c1.session_id, c0.session_id);
    assert.deepEqual(c1.amr, c0.amr, 'a refresh adds no authentication method');
    const rows =
      await sql`select token, parent, revoked from auth.refresh_tokens where session_id = ${String(c0.session_id)} order by id`;
    assert.deepEqual(
      rows.map((r) => ({ ...r })),
      [
        { token: s0.refresh_token, parent: null, revoked: true },
        { token: s1.refresh_token, parent: s0.refresh_token, revoked: false },
      ],
    );
    const [session] = await sql`select refreshed_at from auth.sessions where id = ${String(c0.session_id)}`;
    assert.ok(session.refreshed_at);

    // A client that lost the answer presents the parent again: the same child comes back, nothing new is issued.
    const again = await refresh(main, s0.refresh_token);
    assert.equal(again.error, null);
    assert.equal(again.data.session?.refresh_token, s1.refresh_token);
    const count =
      await sql`select count(*)::int as n from auth.refresh_tokens where session_id = ${String(c0.session_id)}`;
    assert.equal(count[0].n, 2);

    for (const [token, status, code, message] of [
      ['', 400, 'validation_failed', 'Refresh token is not valid'],
      ['tooshort', 400, 'validation_failed', 'Refresh token is not valid'],
      ['abcdefghijkl', 400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found'],
    ] as const) {
      const res = await refresh(main, token);
      if (token === '') {
        // auth-js refuses an empty refresh token before sending anything.
        assert.ok(isAuthSessionMissingError(res.error));
        continue;
      }
      assertAuthError(res.error, status, code, message);
    }
  });

  it('an older refresh token is accepted within the reuse interval and revokes the session after it', async () => {
    const { session: s0 } = await signUp(alt, freshEmail('rita'), 'a long enough password');
    const sessionId = String(claimsOf(s0).session_id);
    const r1 = (await refresh(alt, s0.refresh_token)).data.session!.refresh_token;
    const r2 = (await refresh(alt, r1)).data.session!.refresh_token;
    // s0's token is now a grandparent; inside the 1 s window it still rotates (into a new branch).
    const within = await refresh(alt, s0.refresh_token);
    assert.equal(within.error, null);
    const r3 = within.data.session!.refresh_token;
    assert.ok(![s0.refresh_token, r1, r2].includes(r3));
    const [branch] = await sql`select parent from auth.refresh_tokens where token = ${r3}`;
    assert.equal(branch.parent, s0.refresh_token);

    // Past the window, r1 (neither live nor the parent of the live token) is a replay: the session's tokens die.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const replay = await refresh(alt, r1);
    assertAuthError(replay.error, 400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
    const live = await sql`select token from auth.refresh_tokens where session_id = ${sessionId} and not revoked`;
    assert.equal(live.length, 0, 'every token of the session is revoked');
    assertAuthError((await refresh(alt, s0.refresh_token)).error, 400, 'refresh_token_already_used');
  });

  it('signOut scopes: others, local, global', async () => {
    const email = freshEmail('sam');
    const { user } = await signUp(main, email);
    await sql`delete from auth.sessions where user_id = ${user.id}`;
    const [c1, c2, c3] = await Promise.all([1, 2, 3].map(() => signIn(main, email, 'correct horse battery')));
    assert.equal(await sessionCount(user.id), 3);

    assert.equal((await c1.client.auth.signOut({ scope: 'others' })).error, null);
    assert.equal(await sessionCount(user.id), 1);
    assert.ok(isAuthSessionMissingError((await c2.client.auth.getUser()).error));
    assertAuthError((await refresh(main, c3.session!.refresh_token)).error, 400, 'refresh_token_not_found');
    assert.equal((await c1.client.auth.getUser()).error, null);

    const c4 = await signIn(main, email, 'correct horse battery');
    assert.equal((await c1.client.auth.signOut({ scope: 'local' })).error, null);
    assert.equal(await sessionCount(user.id), 1);
    assert.equal((await c1.client.auth.getSession()).data.session, null, 'local sign-out forgets the session');
    assert.equal((await c4.client.auth.getUser()).error, null);

    await signIn(main, email, 'correct horse battery');
    assert.equal(await sessionCount(user.id), 2);
    assert.equal((await c4.client.auth.signOut()).error, null, 'global is the default scope');
    assert.equal(await sessionCount(user.id), 0);
    // The access token still verifies (PostgREST never checks sessions) but Auth no longer knows its session.
    const stale = await client(main).auth.getUser(c4.session!.access_token);
    assert.ok(isAuthSessionMissingError(stale.error));
  });

  it('anonymous sign-in: refused when disabled, an anonymous session when enabled', async () => {
    const refused = await client(main).auth.signInAnonymously();
    assertAuthError(refused.error, 422, 'anonymous_provider_disabled', 'Anonymous sign-ins are disabled');

    const c = client(alt);
    const { data, error } = await c.auth.signInAnonymously({ options: { data: { full_name: 'Guest' } } });
    assert.equal(error, null);
    const user = data.user!;
    assert.equal(user.is_anonymous, true);
    assert.equal(user.email, '');
    assert.deepEqual(user.identities, []);
    assert.deepEqual(user.app_metadata, {});
    const claims = claimsOf(data.session!);
    assert.equal(claims.is_anonymous, true);
    assert.equal(claims.role, 'authenticated');
    assert.equal(claims.email, '');
    assert.deepEqual(
      (claims.amr as { method: string }[]).map((a) => a.method),
      ['anonymous'],
    );
    const [profile] = await sql`select full_name from public.profiles where id = ${user.id}`;
    assert.equal(profile.full_name, 'Guest');

    const noEmail = await c.auth.updateUser({ password: 'a long enough password' });
    assertAuthError(
      noEmail.error,
      422,
      'validation_failed',
      'Updating password of an anonymous user without an email or phone is not allowed',
    );
    // Adding an email makes the guest a permanent user at once (mailer autoconfirm).
    const email = freshEmail('guest');
    const converted = await c.auth.updateUser({ email, password: 'a long enough password' });
    assert.equal(converted.error, null);
    assert.equal(converted.data.user?.is_anonymous, false);
    assert.equal(converted.data.user?.email, email);
    assert.deepEqual(converted.data.user?.app_metadata, { provider: 'email', providers: ['email'] });
    assert.deepEqual(
      converted.data.user?.identities?.map((i) => i.provider),
      ['email'],
    );
    const again = await signIn(alt, email, 'a long enough password');
    assert.equal(again.user?.id, user.id);
  });

  it('the admin API works with the service role key and refuses the anon key and user tokens', async () => {
    const admin = client(main, demoKeys.serviceRoleKey).auth.admin;
    const email = freshEmail('ada');
    const created = await admin.createUser({
      email,
      password: 'admin-chosen',
      email_confirm: true,
      user_metadata: { full_name: 'Ada Admin-made' },
      app_metadata: { organization_id: acme, org_role: 'member' },
    });
    assert.equal(created.error, null);
    const user = created.data.user!;
    assert.deepEqual(user.app_metadata, {
      provider: 'email',
      providers: ['email'],
      organization_id: acme,
      org_role: 'member',
    });
    assert.deepEqual(user.user_metadata, { full_name: 'Ada Admin-made', email_verified: true });
    assert.ok(user.email_confirmed_at);
    await signIn(main, email, 'admin-chosen');
    const [profile] = await sql`select full_name from public.profiles where id = ${user.id}`;
    assert.equal(profile.full_name, 'Ada Admin-made');

    assertAuthError(
      (await admin.createUser({ email, password: 'x' })).error,
      422,
      'email_exists',
      'A user with this email address has already been registered',
    );
    const unconfirmedEmail = freshEmail('unconfirmed');
    assert.equal((await admin.createUser({ email: unconfirmedEmail, password: 'not confirmed' })).error, null);
    const res = await client(main).auth.signInWithPassword({ email: unconfirmedEmail, password: 'not confirmed' });
    assertAuthError(res.error, 400, 'email_not_confirmed', 'Email not confirmed');

    const updated = await admin.updateUserById(user.id, {
      app_metadata: { org_role: 'admin' },
      user_metadata: { title: 'CTO' },
    });
    assert.equal(updated.error, null);
    assert.equal(updated.data.user?.app_metadata.org_role, 'admin');
    assert.equal(updated.data.user?.user_metadata.title, 'CTO');

    const page = await admin.listUsers({ page: 1, perPage: 2 });
    assert.equal(page.error, null);
    assert.equal(page.data.users.length, 2);
    const total = (await sql`select count(*)::int as n from auth.users`)[0].n;
    assert.equal((page.data as { total?: number }).total, total);
    assert.equal((page.data as { nextPage?: number }).nextPage, 2);
    assert.equal((page.data as { lastPage?: number }).lastPage, Math.ceil(total / 2));
    const all = await admin.listUsers();
    assert.ok(all.data.users.some((u) => u.email === alice.email));

    const byId = await admin.getUserById(alice.id);
    assert.equal(byId.data.user?.email, alice.email);
    assertAuthError(
      (await admin.getUserById('11111111-1111-4111-8111-111111111111')).error,
      404,
      'user_not_found',
      'User not found',
    );

    const deleted = await admin.deleteUser(user.id);
    assert.equal(deleted.error, null);
    assert.equal(deleted.data.user?.id, user.id);
    assert.equal((await sql`select count(*)::int as n from auth.users where id = ${user.id}`)[0].n, 0);
    assert.equal((await sql`select count(*)::int as n from public.profiles where id = ${user.id}`)[0].n, 0);

    // The opaque secret key stands for the service role, as the gateway maps it.
    assert.equal((await client(main, demoKeys.secretKey).auth.admin.listUsers()).error, null);
    const anon = client(main).auth.admin;
    assertAuthError((await anon.listUsers()).error, 403, 'not_admin', 'User not allowed');
    assertAuthError((await anon.createUser({ email: freshEmail('nope'), password: 'x' })).error, 403, 'not_admin');
    const { session } = await signIn(main, alice.email, alice.password);
    const asUser = client(main, demoKeys.anonKey, { Authorization: `Bearer ${session!.access_token}` }).auth.admin;
    assertAuthError((await asUser.listUsers()).error, 403, 'not_admin');
  });

  it('text Postgres cannot store is a 400 that stores nothing, on every endpoint that writes client text', async () => {
    // Sign-up: a NUL in a metadata value or member name is refused before anything is written (it used to be a 500).
    const email = freshEmail('nul');
    for (const data of [{ bio: 'a\u0000b' }, { 'a\u0000b': 1 }, { nested: [{ deep: '\u0000' }] }]) {
      const res = await client(main).auth.signUp({ email, password: 'long enough', options: { data } });
      assertAuthError(res.error, 400, 'validation_failed', nulRefused('data'));
      assert.equal(res.data.session, null);
    }
    assert.equal(await usersWithEmail(email), 0);
    // The same for an anonymous sign-up, for the email of a password sign-in (a lookup that used to fail with 500),
    // and for sign-up data the project's profiles trigger refuses (full_name is at most 200 characters).
    const before = await userCount();
    const anonymous = await client(alt).auth.signInAnonymously({ options: { data: { full_name: 'Guest\u0000' } } });
    assertAuthError(anonymous.error, 400, 'validation_failed', nulRefused('data'));
    const signIn = await client(main).auth.signInWithPassword({
      email: 'alice\u0000@acme.test',
      password: alice.password,
    });
    assertAuthError(signIn.error, 400, 'validation_failed', nulRefused('email'));
    const tooLong = await client(main).auth.signUp({
      email,
      password: 'long enough',
      options: { data: { full_name: 'x'.repeat(201) } },
    });
    assertAuthError(tooLong.error, 400, 'validation_failed');
    assert.match(
      String(tooLong.error?.message),
      /^The database refused a value of this request: .*"profiles_full_name_check"$/,
    );
    const longAud = await client(main, demoKeys.anonKey, { 'X-JWT-AUD': 'a'.repeat(256) }).auth.signUp({
      email,
      password: 'long enough',
    });
    assertAuthError(longAud.error, 400, 'validation_failed', 'X-JWT-AUD cannot be longer than 255 characters');
    assert.equal(await userCount(), before, 'no user was created');

    // updateUser: the metadata stays as it was, and the session is unharmed.
    const { client: c, user } = await signUp(main, freshEmail('keeper'), 'correct horse battery', { bio: 'kept' });
    const updated = await c.auth.updateUser({ data: { bio: 'changed\u0000' } });
    assertAuthError(updated.error, 400, 'validation_failed', nulRefused('data'));
    const [row] = await sql`select raw_user_meta_data from auth.users where id = ${user.id}`;
    assert.deepEqual(row.raw_user_meta_data, { bio: 'kept', email_verified: true });
    assert.equal((await c.auth.getUser()).data.user?.user_metadata.bio, 'kept');

    // Admin create and update: user_metadata, app_metadata, a role longer than its column, a ban beyond Go's range.
    const admin = client(main, demoKeys.serviceRoleKey).auth.admin;
    const adminEmail = freshEmail('admin-nul');
    for (const [attrs, message] of [
      [{ user_metadata: { bio: '\u0000' } }, nulRefused('user_metadata')],
      [{ app_metadata: { org_role: '\u0000' } }, nulRefused('app_metadata')],
      [{ role: 'r'.repeat(256) }, 'role cannot be longer than 255 characters'],
      [{ ban_duration: '100000000h' }, 'invalid format for ban duration: time: invalid duration "100000000h"'],
    ] as const) {
      const res = await admin.createUser({ email: adminEmail, password: 'admin-chosen', ...attrs });
      assertAuthError(res.error, 400, 'validation_failed', message);
    }
    assert.equal(await usersWithEmail(adminEmail), 0);
    const adminUpdate = await admin.updateUserById(user.id, {
      app_metadata: { org_role: 'admin\u0000' },
      user_metadata: { bio: 'x' },
    });
    assertAuthError(adminUpdate.error, 400, 'validation_failed', nulRefused('app_metadata'));
    const [after] = await sql`select raw_user_meta_data, raw_app_meta_data from auth.users where id = ${user.id}`;
    assert.deepEqual(after.raw_user_meta_data, { bio: 'kept', email_verified: true });
    assert.deepEqual(after.raw_app_meta_data, { provider: 'email', providers: ['email'] });
    const page = await admin.listUsers({ page: 1e20, perPage: 1 });
    assertAuthError(
      page.error,
      400,
      'validation_failed',
      'Bad Pagination Parameters: strconv.ParseUint: parsing "100000000000000000000": value out of range',
    );
  });

  it('a lone UTF-16 surrogate in sign-up data is stored as U+FFFD, as Go decodes it', async () => {
    const { user } = await signUp(main, freshEmail('surrogate'), 'correct horse battery', {
      bio: 'a\ud800b',
      ['\udc00']: 1,
    });
    assert.deepEqual(user.user_metadata, { bio: 'a\ufffdb', '\ufffd': 1, email_verified: true });
    const [row] = await sql`select raw_user_meta_data from auth.users where id = ${user.id}`;
    assert.deepEqual(row.raw_user_meta_data, user.user_metadata);
  });

  it("a token's sub and claims drive RLS: Alice sees Acme's profiles, a new user only their own", async () => {
    const visibleTo = async (session: Session) =>
      sql.begin(async (tx) => {
        await tx`select set_config('request.jwt.claims', ${JSON.stringify(claimsOf(session))}, true)`;
        await tx`set local role authenticated`;
        return (await tx<{ id: string }[]>`select id from public.profiles order by id`).map((r) => r.id);
      });
    const { session } = await signIn(main, alice.email, alice.password);
    assert.deepEqual(await visibleTo(session!), [alice.id, seedUsers.bob.id, seedUsers.carol.id]);
    const newcomer = await signUp(main, freshEmail('newcomer'));
    assert.deepEqual(await visibleTo(newcomer.session), [newcomer.user.id]);
  });
});

describe('stack/auth wire details the client does not show', () => {
  const url = (path: string) => `http://127.0.0.1:${main.port}${path}`;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url(path), {
      method: 'POST',
      headers: { apikey: demoKeys.anonKey, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('errors have the versioned shape with X-Supabase-Api-Version and the legacy shape without', async () => {
    const credentials = { email: alice.email, password: 'wrong' };
    const versioned = await post('/token?grant_type=password', credentials, { 'x-supabase-api-version': '2024-01-01' });
    assert.equal(versioned.status, 400);
    assert.equal(versioned.headers.get('x-supabase-api-version'), '2024-01-01');
    assert.deepEqual(await versioned.json(), { code: 'invalid_credentials', message: 'Invalid login credentials' });
    const legacy = await post('/auth/v1/token?grant_type=password', credentials);
    assert.equal(legacy.headers.get('x-supabase-api-version'), null);
    assert.deepEqual(await legacy.json(), {
      code: 400,
      error_code: 'invalid_credentials',
      msg: 'Invalid login credentials',
    });
    const weak = await post('/signup', { email: freshEmail('w'), password: 'abc' });
    assert.deepEqual(await weak.json(), {
      code: 422,
      error_code: 'weak_password',
      msg: 'Password should be at least 6 characters.',
      weak_password: { reasons: ['length'] },
    });
  });

  it('grant types, JSON bodies, API keys and bearer tokens are checked as GoTrue and the gateway do', async () => {
    const v = { 'x-supabase-api-version': '2024-01-01' };
    let res = await post('/token?grant_type=magic', {}, v);
    assert.deepEqual(
      [res.status, await res.json()],
      [400, { code: 'invalid_credentials', message: 'unsupported_grant_type' }],
    );
    res = await post('/signup', '{"email": ', v);
    assert.equal(res.status, 400);
    assert.equal((await res.json()).code, 'bad_json');
    res = await post('/signup', { email: freshEmail('k'), password: 'long enough' }, { apikey: 'not-a-key' });
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), {
      message: 'Invalid API key',
      hint: 'Double check your Supabase `anon` or `service_role` API key.',
    });
    res = await fetch(url('/user'), { headers: v });
    assert.deepEqual([res.status, (await res.json()).code], [401, 'no_authorization']);
    res = await fetch(url('/user'), { headers: { ...v, apikey: demoKeys.anonKey } });
    assert.deepEqual(
      [res.status, await res.json()],
      [403, { code: 'bad_jwt', message: 'invalid claim: missing sub claim' }],
    );
    res = await fetch(url('/user'), { headers: { ...v, authorization: `Bearer ${demoKeys.anonKey.slice(0, -2)}xx` } });
    assert.equal(res.status, 403);
    assert.match(
      (await res.json()).message,
      /^invalid JWT: unable to parse or verify signature, token signature is invalid/,
    );
    res = await fetch(url('/nowhere'), { headers: v });
    assert.equal(res.status, 404);
  });

  it('bodies, queries and request targets the client cannot send are 400s, never 500s', async () => {
    const v = { 'x-supabase-api-version': '2024-01-01' };
    const email = freshEmail('raw');
    const signup = (data: string) => post('/signup', `{"email":"${email}","password":"long enough","data":${data}}`, v);
    // Nesting deeper than JSON.stringify can write back, and a number beyond float64, are bad_json as in Go.
    let res = await signup('{"a":'.repeat(2000) + '1' + '}'.repeat(2000));
    assert.deepEqual(
      [res.status, await res.json()],
      [400, { code: 'bad_json', message: 'Could not parse request body as JSON: exceeded max depth' }],
    );
    res = await signup('{"n":1e400}');
    assert.deepEqual([res.status, (await res.json()).code], [400, 'bad_json']);
    assert.equal(await usersWithEmail(email), 0);

    const service = { ...v, apikey: demoKeys.serviceRoleKey, authorization: `Bearer ${demoKeys.serviceRoleKey}` };
    res = await fetch(url('/admin/users?filter=%00'), { headers: service });
    assert.deepEqual(
      [res.status, await res.json()],
      [
        400,
        {
          code: 'validation_failed',
          message: 'The NUL character (\\u0000) is not allowed in query parameter "filter"',
        },
      ],
    );
    res = await fetch(url('/admin/users/%zz'), { headers: service });
    assert.deepEqual(
      [res.status, await res.json()],
      [400, { code: 'validation_failed', message: 'Malformed request URL' }],
    );

    // An absolute-form target Node's parser accepts but WHATWG URL does not used to end the process.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request({ host: '127.0.0.1', port: main.port, path: 'http://[x/health' }, (r) => {
        r.resume();
        resolve(r.statusCode);
      })
        .on('error', reject)
        .end();
    });
    assert.equal(status, 400);
    assert.equal((await fetch(url('/health'))).status, 200, 'the server is still up');
  });

  it('health, settings and an empty JWKS answer without a key', async () => {
    const health = await (await fetch(url('/health'))).json();
    assert.equal(health.name, 'GoTrue');
    const settings = await (await fetch(url('/auth/v1/settings'))).json();
    assert.equal(settings.external.email, true);
    assert.equal(settings.external.anonymous_users, false);
    assert.equal(settings.mailer_autoconfirm, true);
    const jwks = await fetch(url('/.well-known/jwks.json'));
    assert.deepEqual(await jwks.json(), { keys: [] });
    assert.equal(jwks.headers.get('cache-control'), 'public, max-age=600');
  });

  /** main.ts forked as the supervisor forks it; resolves once it reports ready. */
  async function forkMain() {
    const child = fork(join(here, 'main.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, AUTH_PORT: '0', DB_URL: authDbUrl, JWT_SECRET: demoKeys.jwtSecret },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const ready = await new Promise<{ type: string; service: string; port: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no ready message within 20 s')), 20_000);
      child.once('message', (msg) => {
        clearTimeout(timer);
        resolve(msg as { type: string; service: string; port: number });
      });
      void exited.then((code) => reject(new Error(`main.ts exited early with ${code}: ${stderr}`)));
    });
    return { child, ready, exited };
  }

  it('main.ts runs as a forked service: ready message with its port, SIGTERM exits 0', async () => {
    const { child, ready, exited } = await forkMain();
    try {
      assert.equal(ready.type, 'ready');
      assert.equal(ready.service, 'auth');
      assert.equal((await fetch(`http://127.0.0.1:${ready.port}/health`)).status, 200);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('main.ts does not outlive a supervisor that goes away (IPC disconnect)', async () => {
    const { child, exited } = await forkMain();
    try {
      child.disconnect();
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
