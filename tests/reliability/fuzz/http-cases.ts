// The HTTP requests of the fuzz run, one generator per surface: the edge functions, REST (tables and RPCs) and Auth.
// Each starts from a request a real client sends and bends it (identity, method, path, headers, body), so the
// request reaches past the first check as often as it stops there.
import { seedOrgs } from '../../../stack/testing/seed.ts';
import { contentType, headerSafe, mutateBody, urlEncode, type Json, type Mutation } from './bodies.ts';
import { authHeaders, garbageToken, HOSTILE, type Identity, type IdentityName } from './identities.ts';
import { badUuid, nastyString, type Rng } from './random.ts';

export type Surface = 'functions' | 'rest' | 'auth';

export interface HttpCase {
  surface: Surface;
  method: string;
  /** Path and query, as sent to the gateway. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  identity: IdentityName;
  mutation: Mutation | 'none';
  /** For the accounting: the function a `fuzzer` request called (its 2xx answers say what was stored). */
  fn?: string;
  /** A sign-up: a 2xx answer names the user it created. */
  signup?: boolean;
  /** An endpoint a hostile identity must never get a 2xx from (acting as a user or admin). */
  guarded?: boolean;
}

/** The ids the run aims at: the fuzzer's own (where it may act) and everyone else's (where nobody here may). */
export interface Targets {
  fuzzerId: string;
  fuzzMeeting: string;
  fuzzMessage: string;
  /** Meetings, messages and users no fuzz identity may act on (the listener's meeting first). */
  protectedMeetings: readonly string[];
  protectedMessages: readonly string[];
  protectedUsers: readonly string[];
}

export type IdentitySet = Record<IdentityName, Identity>;

const allIds = (t: Targets) => [
  t.fuzzMeeting,
  t.fuzzMessage,
  t.fuzzerId,
  ...t.protectedMeetings,
  ...t.protectedMessages,
  ...t.protectedUsers,
];

// ------------------------------------------------------------------------------------------------------------------
// Functions
// ------------------------------------------------------------------------------------------------------------------

export const FUNCTIONS = [
  'send-message',
  'react',
  'join',
  'leave',
  'presence',
  'edit-message',
  'delete-message',
  'meeting-status',
  'remove-participant',
] as const;

/** The valid body of `fn`, aimed at the fuzzer's own meeting (`own`) or at one it has no part in. */
function functionBody(rng: Rng, fn: (typeof FUNCTIONS)[number], t: Targets, own: boolean): Json {
  const meeting_id = own ? t.fuzzMeeting : rng.pick(t.protectedMeetings);
  const message_id = own ? t.fuzzMessage : rng.pick(t.protectedMessages);
  const user_id = own ? t.fuzzerId : rng.pick(t.protectedUsers);
  const content = rng.chance(0.5) ? `fuzz ${rng.uuid()}` : nastyString(rng);
  switch (fn) {
    case 'send-message':
      return { meeting_id, content, client_id: rng.uuid() };
    case 'react':
      return { message_id, emoji: rng.pick(['👍', '🎉', '👨‍👩‍👧‍👦', '❤️']) };
    case 'join':
    case 'leave':
      return { meeting_id };
    case 'presence':
      return rng.chance(0.7)
        ? { meeting_id, state: { is_muted: rng.chance(0.5), status: 'active' } }
        : { meeting_id, state: { is_hand_raised: false }, user_id };
    case 'edit-message':
      return { message_id, content };
    case 'delete-message':
      return { message_id };
    case 'meeting-status':
      // Never `ended` for the fuzz meeting: ending it would turn the rest of the run's valid requests into refusals.
      return { meeting_id, status: own ? 'live' : rng.pick(['live', 'ended']) };
    case 'remove-participant':
      return { meeting_id, user_id };
  }
}

const WRONG_METHODS = ['GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND'];

function functionPath(rng: Rng, fn: string): string {
  return rng.weighted<() => string>([
    [40, () => `/functions/v1/${fn}`],
    [1, () => `/functions/v1/${fn}/`],
    [1, () => `/functions/v1/${fn}/extra/${urlEncode(nastyString(rng))}`],
    [1, () => `/functions/v1/${fn}?${urlEncode(nastyString(rng))}=${urlEncode(nastyString(rng))}`],
    [1, () => `/functions/v1/${urlEncode(nastyString(rng))}`],
    [1, () => `/functions/v1/..%2F${fn}`],
    [1, () => `/functions/v1/${fn}%00`],
    [1, () => `/functions/v1/${'x'.repeat(rng.pick([300, 9000]))}`],
  ])();
}

export function functionCase(rng: Rng, t: Targets, ids: IdentitySet): HttpCase {
  const fn = rng.pick(FUNCTIONS);
  const identity = rng.chance(0.4) ? ids.fuzzer : ids[rng.pick(HOSTILE)];
  const own = identity.name === 'fuzzer' && rng.chance(0.85);
  const headers = authHeaders(rng, identity);
  if (fn === 'presence' && rng.chance(0.25)) {
    // GET /presence?meeting_id=…: the query is the input.
    const meeting = rng.chance(0.5) ? (own ? t.fuzzMeeting : t.protectedMeetings[0]) : badUuid(rng, allIds(t));
    const extra = rng.chance(0.3) ? `&${urlEncode(nastyString(rng))}=1` : '';
    return {
      surface: 'functions',
      method: 'GET',
      path: `/functions/v1/presence?meeting_id=${urlEncode(meeting)}${extra}`,
      headers,
      identity: identity.name,
      mutation: 'none',
      fn: 'presence:get',
    };
  }
  const { mutation, body } = mutateBody(rng, functionBody(rng, fn, t, own), allIds(t));
  const type = contentType(rng);
  if (type) headers['Content-Type'] = type;
  return {
    surface: 'functions',
    method: rng.chance(0.06) ? rng.pick(WRONG_METHODS) : 'POST',
    path: functionPath(rng, fn),
    headers,
    body,
    identity: identity.name,
    mutation,
    fn,
  };
}

// ------------------------------------------------------------------------------------------------------------------
// REST
// ------------------------------------------------------------------------------------------------------------------

const TABLES = [
  'organizations',
  'profiles',
  'meetings',
  'meeting_participants',
  'meeting_invitations',
  'messages',
  'message_reactions',
];
const ODD_TABLES = ['nope', 'settings', 'users', 'meetings;drop', '"meetings"', 'messages%00', '', 'pg_class'];
const RPCS = [
  'join_meeting',
  'leave_meeting',
  'send_message',
  'edit_message',
  'delete_message',
  'toggle_reaction',
  'update_participant_state',
  'get_messages',
  'list_participants',
  'set_meeting_status',
  'remove_participant',
  'setting_int',
  'pg_sleep',
  'nope',
];
const COLUMNS = ['id', 'meeting_id', 'content', 'status', 'title', 'user_id', 'seq', 'created_at', 'version', 'x'];
const OPERATORS = [
  'eq',
  'neq',
  'gt',
  'lte',
  'like',
  'ilike',
  'in',
  'is',
  'cs',
  'cd',
  'ov',
  'fts',
  'not.eq',
  'not.in',
  'match',
  'imatch',
  'isdistinct',
  'bogus',
  '',
];
const SELECTS = [
  '*',
  'id,content',
  '*,meetings(*)',
  'id,sender:profiles(*)',
  'meetings!inner(*)',
  'id::text',
  'count()',
  'id,',
  '((',
  'a(b(c(d(e(f)))))',
  '...meetings(*)',
  'id->>x',
  'content->0',
  '"',
];

function restValue(rng: Rng, t: Targets): string {
  return rng.pick<() => string>([
    () => rng.pick(t.protectedMeetings),
    () => badUuid(rng, allIds(t)),
    () => nastyString(rng),
    () => `(${nastyString(rng)},${nastyString(rng)})`,
    () => 'null',
    () => '{1,2',
    () => String(rng.int(1e9)),
  ])();
}

function restQuery(rng: Rng, t: Targets): string {
  const params: string[] = [];
  if (rng.chance(0.6)) params.push(`select=${urlEncode(rng.chance(0.8) ? rng.pick(SELECTS) : nastyString(rng))}`);
  for (let i = rng.int(4); i > 0; i--) {
    params.push(`${urlEncode(rng.pick(COLUMNS))}=${urlEncode(`${rng.pick(OPERATORS)}.${restValue(rng, t)}`)}`);
  }
  if (rng.chance(0.15)) params.push(`or=${urlEncode(`(id.eq.${restValue(rng, t)},${nastyString(rng)})`)}`);
  if (rng.chance(0.15)) params.push(`order=${urlEncode(`${rng.pick(COLUMNS)}.${rng.pick(['asc', 'desc', 'x'])}`)}`);
  if (rng.chance(0.15)) params.push(`limit=${urlEncode(rng.pick(['-1', 'abc', '1e99', '0', '9999999999999']))}`);
  if (rng.chance(0.1)) params.push(`offset=${urlEncode(rng.pick(['-5', 'x', '1e20']))}`);
  if (rng.chance(0.05)) params.push(`on_conflict=${urlEncode(rng.pick(COLUMNS))}&columns=${urlEncode('id,"')}`);
  if (rng.chance(0.05)) params.push(`${urlEncode(nastyString(rng))}=${urlEncode(nastyString(rng))}`);
  return params.length ? `?${params.join('&')}` : '';
}

/** PostgREST's request headers, sometimes right and often not. */
function restHeaders(rng: Rng): Record<string, string> {
  const headers: Record<string, string> = {};
  const maybe = (p: number, name: string, values: string[]) => {
    if (rng.chance(p)) headers[name] = headerSafe(rng.chance(0.85) ? rng.pick(values) : nastyString(rng));
  };
  maybe(0.2, 'Range', ['0-9', '5-', '-5', '9-0', 'items=0-9', 'bytes=0-1', '0-99999999999999999999', 'x']);
  maybe(0.05, 'Range-Unit', ['items', 'bytes', 'x']);
  maybe(0.3, 'Prefer', [
    'return=representation',
    'return=minimal',
    'count=exact',
    'count=planned,return=representation',
    'resolution=merge-duplicates',
    'resolution=ignore-duplicates',
    'missing=default',
    'tx=rollback',
    'handling=strict, foo=bar',
    'params=single-object',
    'max-affected=0',
  ]);
  maybe(0.15, 'Accept', [
    'application/vnd.pgrst.object+json',
    'text/csv',
    'application/geo+json',
    'application/vnd.pgrst.plan+json',
    'image/png',
    '*/*;q=x',
  ]);
  maybe(0.1, 'Accept-Profile', ['public', 'auth', 'private', 'realtime', 'graphql_public', 'pg_catalog']);
  maybe(0.05, 'Content-Profile', ['public', 'auth', 'private']);
  return headers;
}

/** A row a client might insert into `table` (impersonating Alice, in her organization). */
function restRow(rng: Rng, table: string, t: Targets): Json {
  const meeting_id = t.protectedMeetings[0];
  const alice = t.protectedUsers[0];
  switch (table) {
    case 'meetings':
      return { organization_id: seedOrgs.acme, host_id: alice, title: 'fuzz', status: 'scheduled' };
    case 'messages':
      return { meeting_id, sender_id: alice, content: 'fuzz', client_id: `fuzz-${rng.uuid()}` };
    case 'message_reactions':
      return { message_id: t.protectedMessages[0], user_id: alice, emoji: '👍' };
    case 'meeting_participants':
      return { meeting_id, user_id: alice, role: 'host' };
    default:
      return { id: t.protectedUsers[0], name: 'fuzz', full_name: 'fuzz', slug: 'fuzz', status: 'accepted' };
  }
}

function rpcArgs(rpc: string, t: Targets): Json {
  const meeting_id = t.protectedMeetings[0];
  const message_id = t.protectedMessages[0];
  switch (rpc) {
    case 'send_message':
      return { meeting_id, content: 'fuzz', client_id: 'fuzz' };
    case 'edit_message':
      return { message_id, content: 'fuzz' };
    case 'delete_message':
      return { message_id };
    case 'toggle_reaction':
      return { message_id, emoji: '👍' };
    case 'update_participant_state':
      return { meeting_id, state: { is_muted: true }, user_id: t.protectedUsers[0] };
    case 'get_messages':
      return { meeting_id, page_size: 50, before_seq: null };
    case 'remove_participant':
      return { meeting_id, user_id: t.protectedUsers[2] };
    case 'set_meeting_status':
      return { meeting_id, status: 'ended' };
    default:
      return { meeting_id };
  }
}

/**
 * REST is fuzzed only by hostile identities: the fuzzer could legitimately create meetings there, which the run would
 * then have to tell apart from a leak. Reads by the fuzzer go through the functions.
 */
export function restCase(rng: Rng, t: Targets, ids: IdentitySet): HttpCase {
  const identity = ids[rng.pick(HOSTILE)];
  // A quarter are clean writes: well-formed rows and calls from the wrong identity, which only RLS, grants and the
  // RPCs' own checks stand between and the database.
  return rng.chance(0.25) ? cleanWrite(rng, t, identity) : messyRequest(rng, t, identity);
}

function cleanWrite(rng: Rng, t: Targets, identity: Identity): HttpCase {
  const headers: Record<string, string> = { ...authHeaders(rng, identity), 'Content-Type': 'application/json' };
  if (rng.chance(0.5))
    headers.Prefer = rng.pick(['return=representation', 'return=minimal', 'resolution=merge-duplicates']);
  const rpc = rng.chance(0.4);
  const name = rpc ? rng.pick(RPCS.slice(0, 11)) : rng.pick(TABLES);
  const body = rpc
    ? rpcArgs(name, t)
    : rng.chance(0.5)
      ? restRow(rng, name, t)
      : [restRow(rng, name, t), restRow(rng, name, t)];
  return {
    surface: 'rest',
    method: rpc ? 'POST' : rng.pick(['POST', 'POST', 'PATCH']),
    path: rpc ? `/rest/v1/rpc/${name}` : `/rest/v1/${name}${rng.chance(0.5) ? '' : `?id=neq.${rng.uuid()}`}`,
    headers,
    body: Buffer.from(JSON.stringify(body)),
    identity: identity.name,
    mutation: 'valid',
  };
}

function messyRequest(rng: Rng, t: Targets, identity: Identity): HttpCase {
  const headers = { ...authHeaders(rng, identity), ...restHeaders(rng) };
  const rpc = rng.chance(0.35);
  let path: string;
  let base: Json;
  let method: string;
  if (rpc) {
    const name = rng.pick(RPCS);
    path = `/rest/v1/rpc/${name}`;
    base = rpcArgs(name, t);
    method = rng.weighted([
      [8, 'POST'],
      [2, 'GET'],
      [1, 'PATCH'],
      [1, 'DELETE'],
    ]);
  } else {
    const table = rng.chance(0.9) ? rng.pick(TABLES) : rng.pick(ODD_TABLES);
    path = `/rest/v1/${urlEncode(table)}`;
    base = restRow(rng, table, t);
    method = rng.weighted([
      [6, 'GET'],
      [1, 'HEAD'],
      [4, 'POST'],
      [3, 'PATCH'],
      [2, 'DELETE'],
      [1, 'PUT'],
      [1, 'OPTIONS'],
    ]);
  }
  path += restQuery(rng, t);
  if (method === 'GET' || method === 'HEAD' || method === 'DELETE') {
    return { surface: 'rest', method, path, headers, identity: identity.name, mutation: 'none' };
  }
  const { mutation, body } = mutateBody(rng, base, allIds(t));
  const type = contentType(rng);
  if (type) headers['Content-Type'] = type;
  return { surface: 'rest', method, path, headers, body, identity: identity.name, mutation };
}

// ------------------------------------------------------------------------------------------------------------------
// Auth
// ------------------------------------------------------------------------------------------------------------------

interface AuthEndpoint {
  method: string;
  path: (rng: Rng) => string;
  body?: (rng: Rng, t: Targets) => Json;
  signup?: boolean;
  /** Acts as the token's user or as an admin: a hostile token must never get a 2xx. */
  guarded?: boolean;
}

const email = (rng: Rng) => (rng.chance(0.3) ? 'alice@acme.test' : `fuzz-${rng.uuid()}@example.test`);
const grantTypes = ['password', 'password', 'refresh_token', 'refresh_token', '', 'id_token', 'pkce', 'magic'];

const AUTH_ENDPOINTS: readonly (readonly [number, AuthEndpoint])[] = [
  [
    5,
    {
      method: 'POST',
      path: (rng) =>
        `/auth/v1/token?grant_type=${urlEncode(rng.chance(0.9) ? rng.pick(grantTypes) : nastyString(rng))}`,
      body: (rng) =>
        rng.chance(0.5)
          ? { email: email(rng), password: rng.pick(['password123', 'wrong', '']) }
          : { refresh_token: rng.chance(0.5) ? garbageToken(rng) : rng.bytes(8).toString('hex') },
    },
  ],
  [
    3,
    {
      method: 'POST',
      path: () => '/auth/v1/signup',
      body: (rng) => ({ email: email(rng), password: 'password123', data: { full_name: 'Fuzz' } }),
      signup: true,
    },
  ],
  [2, { method: 'GET', path: () => '/auth/v1/user', guarded: true }],
  [
    2,
    {
      method: 'PUT',
      path: () => '/auth/v1/user',
      body: (rng) => rng.pick([{ data: { full_name: 'x' } }, { email: email(rng) }, { password: 'password1234' }]),
      guarded: true,
    },
  ],
  [
    2,
    {
      method: 'POST',
      path: (rng) =>
        `/auth/v1/logout${rng.chance(0.5) ? `?scope=${rng.pick(['global', 'local', 'others', 'x'])}` : ''}`,
    },
  ],
  [2, { method: 'POST', path: () => '/auth/v1/recover', body: (rng) => ({ email: email(rng) }) }],
  [1, { method: 'GET', path: () => '/auth/v1/admin/users', guarded: true }],
  [
    1,
    {
      method: 'POST',
      path: () => '/auth/v1/admin/users',
      body: (rng) => ({ email: email(rng), password: 'password123', email_confirm: true }),
      guarded: true,
    },
  ],
  [
    1,
    {
      method: 'PUT',
      path: (rng) => `/auth/v1/admin/users/${urlEncode(rng.chance(0.7) ? rng.uuid() : nastyString(rng))}`,
      body: () => ({ app_metadata: { org_role: 'admin' } }),
      guarded: true,
    },
  ],
  [
    1,
    {
      method: 'DELETE',
      path: (rng) => `/auth/v1/admin/users/${urlEncode(rng.chance(0.7) ? rng.uuid() : nastyString(rng))}`,
      guarded: true,
    },
  ],
  [
    1,
    {
      method: 'GET',
      path: (rng) => rng.pick(['/auth/v1/settings', '/auth/v1/health', '/auth/v1/.well-known/jwks.json']),
    },
  ],
  [
    1,
    {
      method: 'POST',
      path: (rng) =>
        `/auth/v1/${rng.pick(['otp', 'verify', 'magiclink', 'factors', 'nope', urlEncode(nastyString(rng))])}`,
      body: (rng) => ({ email: email(rng), type: 'signup', token: '123456' }),
    },
  ],
];

export function authCase(rng: Rng, t: Targets, ids: IdentitySet): HttpCase {
  const endpoint = rng.weighted(AUTH_ENDPOINTS);
  // Who calls matters only where a token is read (/user, /logout, /admin); elsewhere these are just the wrong keys.
  const identity = ids[rng.pick(HOSTILE)];
  const headers = authHeaders(rng, identity);
  const method = rng.chance(0.05) ? rng.pick(WRONG_METHODS) : endpoint.method;
  const common = {
    surface: 'auth' as const,
    method,
    path: endpoint.path(rng),
    headers,
    identity: identity.name,
    signup: endpoint.signup,
    guarded: endpoint.guarded,
  };
  if (!endpoint.body) return { ...common, mutation: 'none' };
  const { mutation, body } = mutateBody(rng, endpoint.body(rng, t), allIds(t));
  const type = contentType(rng);
  if (type) headers['Content-Type'] = type;
  return { ...common, body, mutation };
}
