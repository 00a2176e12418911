// Deno tests for supabase/functions/_shared: validation, error mapping, the handler shape, and the broadcast
// client's retries against a real failing HTTP endpoint.
import assert from 'node:assert/strict';
import { broadcast, broadcastStats } from '../_shared/broadcast.ts';
import { ApiError, fromPostgrest } from '../_shared/errors.ts';
import { defineFunction, MAX_BODY_BYTES, route, validationError } from '../_shared/http.ts';
import { createRequestLogger } from '../_shared/log.ts';
import { presenceInput, reactInput, sendMessageInput } from '../_shared/schemas.ts';
import { LIMITS } from '../../../types/contract.ts';

const meetingId = '00000000-0000-4000-c000-000000000001';
const b64 = (o: unknown) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(o))))
    .replace(/=+$/, '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
const token = (claims: Record<string, unknown>) => `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.sig`;
const userToken = token({
  sub: '00000000-0000-4000-b000-00000000000a',
  role: 'authenticated',
  exp: Math.floor(Date.now() / 1000) + 600,
});

Deno.test('send-message input: trims content and accepts seed-style uuids', () => {
  const parsed = sendMessageInput.parse({ meeting_id: meetingId, content: '  hi  ', client_id: 'c-1' });
  assert.deepEqual(parsed, { meeting_id: meetingId, content: 'hi', client_id: 'c-1' });
});

Deno.test('send-message input: every field problem is reported by name', () => {
  const result = sendMessageInput.safeParse({ meeting_id: 'nope', content: 'x'.repeat(5000), client_id: '' });
  assert.equal(result.success, false);
  const err = validationError(result.error!);
  assert.equal(err.status, 400);
  assert.equal(err.code, 'validation_failed');
  assert.deepEqual(Object.keys((err.details as { fields: Record<string, string> }).fields).sort(), [
    'client_id',
    'content',
    'meeting_id',
  ]);
  assert.equal((err.details as { fields: Record<string, string> }).fields.content, 'must be at most 4000 characters');
});

Deno.test("one field breaking a database rule answers the database's reason, as the docs promise", () => {
  const codeOf = (body: Record<string, unknown>) => validationError(sendMessageInput.safeParse(body).error!).code;
  const ok = { meeting_id: meetingId, content: 'hi', client_id: 'c-1' };
  assert.equal(codeOf({ ...ok, content: 'x'.repeat(LIMITS.message_max_length + 1) }), 'content_too_long');
  assert.equal(codeOf({ ...ok, content: '   ' }), 'content_empty');
  assert.equal(codeOf({ ...ok, client_id: '' }), 'invalid_client_id');
  assert.equal(codeOf({ ...ok, client_id: 'c'.repeat(LIMITS.client_id_max_length + 1) }), 'invalid_client_id');
  assert.equal(codeOf({ ...ok, client_id: 'a\u0000b' }), 'invalid_client_id');
  assert.equal(codeOf({ ...ok, client_id: 'a\ud800b' }), 'invalid_client_id');
  // JSON.parse('"\\ud800"') is a lone surrogate: a field error, not PostgREST's 400 bad_request after the fact.
  assert.equal(codeOf({ ...ok, content: JSON.parse('"a\\ud800 b"') }), 'validation_failed');
  assert.equal(codeOf({ ...ok, content: 'ends \udfff' }), 'validation_failed');
  assert.equal(sendMessageInput.safeParse({ ...ok, content: 'a pair 😀 is fine' }).success, true);
  assert.equal(
    validationError(reactInput.safeParse({ message_id: meetingId, emoji: '👍'.repeat(20) }).error!).code,
    'invalid_emoji',
  );
  assert.equal(codeOf({ ...ok, content: 3 }), 'validation_failed', 'a wrong type is not a rule of the database');
});

Deno.test('presence input: unknown state keys are an error naming them; wrong types are field errors', () => {
  const unknown = presenceInput.safeParse({ meeting_id: meetingId, state: { is_muted: true, volume: 3, zoom: 1 } });
  const err = validationError(unknown.error!);
  assert.equal(err.code, 'unknown_state_keys');
  assert.equal(err.message, 'unknown keys: state.volume, state.zoom');
  const wrong = validationError(presenceInput.safeParse({ meeting_id: meetingId, state: { is_muted: 'yes' } }).error!);
  assert.equal(wrong.code, 'validation_failed');
  assert.ok('state.is_muted' in (wrong.details as { fields: Record<string, string> }).fields);
  assert.equal(
    presenceInput.safeParse({ meeting_id: meetingId, state: {} }).success,
    false,
    'an empty state changes nothing',
  );
});

Deno.test('RPC errors: PT<status> keeps the status, the hint becomes the code, details are parsed', () => {
  const limited = fromPostgrest({
    code: 'PT429',
    message: 'at most 30 messages per 60 seconds; retry in 12 s',
    hint: 'rate_limited',
    details: '{"retry_after_seconds": 12, "limit": 30, "window_seconds": 60}',
  });
  assert.deepEqual(
    [limited.status, limited.code, limited.headers['Retry-After'], limited.details?.limit],
    [429, 'rate_limited', '12', 30],
  );
  const forbidden = fromPostgrest({
    code: 'PT403',
    message: 'join the meeting to send messages',
    hint: 'not_a_participant',
    details: '{}',
  });
  assert.deepEqual([forbidden.status, forbidden.code, forbidden.details], [403, 'not_a_participant', undefined]);
  assert.equal(fromPostgrest({ code: '22P02', message: 'invalid input syntax for type uuid' }).status, 400);
  assert.equal(fromPostgrest({ code: 'PGRST301', message: 'JWT expired' }).status, 401);
  assert.equal(fromPostgrest({ code: '', message: 'TypeError: fetch failed' }).status, 503);
  // PostgREST cannot reach Postgres (a restart): 503 upstream_unavailable with Retry-After, not a 500.
  const dbDown = fromPostgrest(
    { code: 'PGRST000', message: 'Database connection error. Retrying the connection.' },
    503,
  );
  assert.deepEqual([dbDown.status, dbDown.code, dbDown.headers['Retry-After']], [503, 'upstream_unavailable', '1']);
  assert.equal(fromPostgrest({ code: 'XX000', message: 'internal' }).status, 500, 'a server failure stays a 5xx');
  // A NUL in a string: PostgREST answers 400 22P05. Any 4xx from the API is the client's mistake, never a 500.
  assert.deepEqual(
    [
      fromPostgrest({ code: '22P05', message: 'unsupported Unicode escape sequence' }, 400).status,
      fromPostgrest({ code: '22P05', message: 'unsupported Unicode escape sequence' }, 400).code,
    ],
    [400, 'bad_request'],
  );
  assert.equal(fromPostgrest({ code: 'PGRST100', message: 'parse error' }, 400).status, 400);
  assert.equal(fromPostgrest({ code: 'PGRST202', message: 'function not found' }, 404).status, 404);
  assert.equal(fromPostgrest({ code: 'PGRST999', message: 'teapot' }, 418).status, 400, 'an unusual 4xx answers 400');
  assert.equal(fromPostgrest({ code: 'XX000', message: 'internal' }, 500).status, 500);
});

const echo = defineFunction({
  name: 'test',
  post: route({ input: sendMessageInput, run: (input, caller) => Promise.resolve({ input, user: caller.userId }) }),
});
const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  echo(
    new Request('http://localhost/test', {
      method: 'POST',
      body,
      headers: { Authorization: `Bearer ${userToken}`, ...headers },
    }),
  );

Deno.test('handler: OPTIONS preflight, 405 with Allow, 401 without a user token', async () => {
  const pre = await echo(new Request('http://localhost/test', { method: 'OPTIONS' }));
  assert.equal(pre.headers.get('Access-Control-Allow-Origin'), '*');
  const put = await echo(new Request('http://localhost/test', { method: 'PUT' }));
  assert.deepEqual(
    [put.status, put.headers.get('Allow'), (await put.json()).error.code],
    [405, 'OPTIONS, POST', 'method_not_allowed'],
  );
  const anon = await post('{}', { Authorization: `Bearer ${token({ role: 'anon', exp: 2e9 })}` });
  assert.deepEqual([anon.status, (await anon.json()).error.code], [401, 'not_authenticated']);
  const expired = await post('{}', { Authorization: `Bearer ${token({ sub: 'u', role: 'authenticated', exp: 1 })}` });
  assert.equal(expired.status, 401);
  const none = await echo(new Request('http://localhost/test', { method: 'POST', body: '{}' }));
  assert.equal(none.status, 401);
  for (const bad of ['not-a-jwt', `${b64({ alg: 'HS256' })}.bnVsbA.sig`]) {
    // no payload; a payload of null
    const refused = await post('{}', { Authorization: `Bearer ${bad}` });
    assert.deepEqual([refused.status, (await refused.json()).error.code], [401, 'not_authenticated'], bad);
  }
});

Deno.test('handler: claims with non-ASCII text decode as UTF-8', async () => {
  const ok = await post(JSON.stringify({ meeting_id: meetingId, content: 'hello', client_id: 'c' }), {
    Authorization: `Bearer ${token({ sub: 'ü-ß-名前', role: 'authenticated', exp: 2e9 })}`,
  });
  assert.equal((await ok.json()).user, 'ü-ß-名前');
});

Deno.test('handler: malformed JSON is 400, a body over 16 KB is 413, a valid one reaches run()', async () => {
  const bad = await post('{"meeting_id":');
  assert.deepEqual([bad.status, (await bad.json()).error.code], [400, 'invalid_json']);
  const big = await post(JSON.stringify({ content: 'x'.repeat(MAX_BODY_BYTES) }));
  assert.deepEqual([big.status, (await big.json()).error.code], [413, 'payload_too_large']);
  const ok = await post(JSON.stringify({ meeting_id: meetingId, content: 'hello', client_id: 'c' }));
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).user, '00000000-0000-4000-b000-00000000000a');
});

Deno.test('handler: a thrown ApiError keeps its status; anything else is a 500 without internals', async () => {
  const fails = (err: Error) =>
    defineFunction({ name: 't', post: route({ input: sendMessageInput, run: () => Promise.reject(err) }) });
  const body = JSON.stringify({ meeting_id: meetingId, content: 'x', client_id: 'c' });
  const req = () =>
    new Request('http://localhost/t', { method: 'POST', body, headers: { Authorization: `Bearer ${userToken}` } });
  const refused = await fails(new ApiError(409, 'meeting_ended', 'this meeting has ended'))(req());
  assert.deepEqual(
    [refused.status, await refused.json()],
    [409, { error: { code: 'meeting_ended', message: 'this meeting has ended' } }],
  );
  const crashed = await fails(new Error('secret internals'))(req());
  assert.deepEqual(
    [crashed.status, await crashed.json()],
    [500, { error: { code: 'internal_error', message: 'the request failed on the server' } }],
  );
});

/** A real HTTP endpoint that answers the given statuses in turn (then the last one forever). */
function failingEndpoint(statuses: number[], delayMs = 0) {
  const seen: unknown[] = [];
  const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, async (req) => {
    seen.push(await req.json());
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    return new Response(null, { status: statuses[Math.min(seen.length - 1, statuses.length - 1)] });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/realtime/v1/api/broadcast`,
    seen,
    close: () => server.shutdown(),
  };
}

Deno.test(
  'broadcast: retries 5xx with backoff and succeeds; one call carries every message, private by default',
  async () => {
    const ep = failingEndpoint([500, 503, 202]);
    const before = broadcastStats.retried;
    const outcome = await broadcast(
      [
        { topic: 'meeting:1', event: 'a', payload: { n: 1 } },
        { topic: 'meeting:1', event: 'b', payload: {} },
      ],
      { url: ep.url, serviceRoleKey: 'k', baseDelayMs: 5 },
    );
    await ep.close();
    assert.equal(outcome, 'sent');
    assert.equal(ep.seen.length, 3);
    assert.equal(broadcastStats.retried - before, 2);
    assert.deepEqual(ep.seen[2], {
      messages: [
        { topic: 'meeting:1', event: 'a', payload: { n: 1 }, private: true },
        { topic: 'meeting:1', event: 'b', payload: {}, private: true },
      ],
    });
  },
);

Deno.test('broadcast: gives up after the last attempt and says failed; a 4xx is not retried', async () => {
  const down = failingEndpoint([500]);
  assert.equal(
    await broadcast([{ topic: 't', event: 'e', payload: {} }], { url: down.url, maxAttempts: 3, baseDelayMs: 1 }),
    'failed',
  );
  await down.close();
  assert.equal(down.seen.length, 3);
  const refused = failingEndpoint([401]);
  assert.equal(
    await broadcast([{ topic: 't', event: 'e', payload: {} }], { url: refused.url, baseDelayMs: 1 }),
    'failed',
  );
  await refused.close();
  assert.equal(refused.seen.length, 1);
});

Deno.test('broadcast: a timeout counts as a failure to retry; nothing listening is failed, not thrown', async () => {
  const slow = failingEndpoint([202], 300);
  assert.equal(
    await broadcast([{ topic: 't', event: 'e', payload: {} }], {
      url: slow.url,
      timeoutMs: 50,
      maxAttempts: 2,
      baseDelayMs: 1,
    }),
    'failed',
  );
  await new Promise((r) => setTimeout(r, 350)); // let the slow handler finish before shutdown
  await slow.close();
  assert.equal(slow.seen.length, 2);
  assert.equal(
    await broadcast([{ topic: 't', event: 'e', payload: {} }], {
      url: 'http://127.0.0.1:1/x',
      maxAttempts: 2,
      baseDelayMs: 1,
    }),
    'failed',
  );
});

Deno.test(
  'logs: a request writes one line when it ends, carrying the broadcast it noted; a failed broadcast warns at once',
  async () => {
    const lines: Record<string, unknown>[] = [];
    const realLog = console.log;
    console.log = (line: string) => void lines.push(JSON.parse(line));
    const ep = failingEndpoint([202]);
    try {
      const handler = defineFunction({
        name: 'log-test',
        post: route({
          input: sendMessageInput,
          run: async (_input, _caller, { log }) => ({
            broadcast: await broadcast([{ topic: 't', event: 'e', payload: {} }], { url: ep.url, log }),
          }),
        }),
      });
      const res = await handler(
        new Request('http://fn/log-test', {
          method: 'POST',
          headers: { Authorization: `Bearer ${userToken}` },
          body: JSON.stringify({ meeting_id: meetingId, content: 'x', client_id: 'c' }),
        }),
      );
      assert.equal(res.status, 200);
      assert.equal(lines.length, 1);
      const [line] = lines;
      assert.equal(line.fn, 'log-test');
      assert.equal(line.msg, 'ok');
      const [note] = line.notes as Record<string, unknown>[];
      assert.equal(note.msg, 'broadcast sent');
      assert.deepEqual(note.events, ['e']);
      assert.equal(typeof note.ms, 'number');
      assert.equal(typeof note.sent, 'number');

      lines.length = 0;
      const failed = await broadcast([{ topic: 't', event: 'e', payload: {} }], {
        url: 'http://127.0.0.1:9/none',
        maxAttempts: 1,
        log: createRequestLogger('x'),
      });
      assert.equal(failed, 'failed');
      assert.deepEqual(
        lines.map((l) => [l.level, l.msg]),
        [['warn', 'broadcast failed']],
      );
    } finally {
      console.log = realLog;
      await ep.close();
    }
  },
);
