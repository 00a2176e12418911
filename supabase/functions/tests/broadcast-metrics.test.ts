// Deno tests for the broadcast outcome recorder (_shared/broadcast-metrics.ts) and the service-role-only access of
// an operator's function: batching per event and outcome, a flush on a timer, a failed flush that keeps its counts,
// a bounded batch, the runtime's waitUntil, and broadcast() feeding it.
import assert from 'node:assert/strict';
import { broadcast } from '../_shared/broadcast.ts';
import { OutcomeRecorder, type OutcomeRow } from '../_shared/broadcast-metrics.ts';
import { defineFunction, route } from '../_shared/http.ts';
import { metricsInput } from '../_shared/schemas.ts';

const byKey = (rows: OutcomeRow[]) =>
  Object.fromEntries(rows.map((r) => [`${r.event}/${r.outcome}`, [r.broadcasts, r.retries, r.seconds]]));

Deno.test('outcomes: merged per event and outcome, sent in one batch by the timer, none before', async () => {
  const batches: OutcomeRow[][] = [];
  const recorder = new OutcomeRecorder({ send: (rows) => Promise.resolve(void batches.push(rows)), intervalMs: 30 });
  recorder.add(['message'], 'sent', 1, 10);
  recorder.add(['message'], 'sent', 3, 30);
  recorder.add(['message'], 'failed', 3, 2000);
  recorder.add(['reaction', 'message'], 'sent', 1, 20);
  assert.equal(batches.length, 0, 'nothing is sent on the request path');
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(batches.length, 1);
  assert.deepEqual(byKey(batches[0]), {
    'message/sent': [3, 2, 0.06],
    'message/failed': [1, 2, 2],
    'reaction/sent': [1, 0, 0.02],
  });
  assert.deepEqual(recorder.pending(), []);
});

Deno.test('outcomes: a failed flush never throws and keeps its counts for the next one', async () => {
  let fail = true;
  const batches: OutcomeRow[][] = [];
  const errors: number[] = [];
  const recorder = new OutcomeRecorder({
    send: (rows) => {
      if (fail) return Promise.reject(new Error('database unreachable'));
      batches.push(rows);
      return Promise.resolve();
    },
    intervalMs: 10_000,
    onError: (_err, failures) => errors.push(failures),
  });
  recorder.add(['message'], 'sent', 1, 100);
  await recorder.flush(); // resolves, does not reject
  assert.deepEqual(errors, [1]);
  recorder.add(['message'], 'sent', 2, 100);
  assert.deepEqual(byKey(recorder.pending()), { 'message/sent': [2, 1, 0.2] }, 'the failed batch merged with new ones');
  fail = false;
  await recorder.flush();
  assert.deepEqual(batches.map(byKey), [{ 'message/sent': [2, 1, 0.2] }], 'counted once, when the database took it');
  assert.deepEqual(recorder.pending(), []);
});

Deno.test('outcomes: the batch is bounded (distinct rows), what does not fit is counted as dropped', async () => {
  const recorder = new OutcomeRecorder({ send: () => Promise.resolve(), intervalMs: 10_000, maxRows: 2 });
  recorder.add(['a'], 'sent', 1, 1);
  recorder.add(['b'], 'sent', 1, 1);
  recorder.add(['c'], 'sent', 1, 1);
  recorder.add(['a'], 'sent', 1, 1);
  assert.deepEqual(Object.keys(byKey(recorder.pending())), ['a/sent', 'b/sent']);
  assert.equal(recorder.dropped, 1);
  await recorder.flush();
});

Deno.test('outcomes: the runtime is asked to wait for the scheduled flush, which settles when it is done', async () => {
  const waited: Promise<unknown>[] = [];
  let sent = 0;
  const recorder = new OutcomeRecorder({
    send: () => Promise.resolve(void sent++),
    intervalMs: 10_000,
    waitUntil: (p) => void waited.push(p),
  });
  recorder.add(['message'], 'sent', 1, 5);
  recorder.add(['message'], 'sent', 1, 5);
  assert.equal(waited.length, 1, 'one wait per scheduled flush');
  await recorder.flush(); // as on beforeunload: at once, not after the interval
  await waited[0];
  assert.equal(sent, 1);
});

Deno.test('outcomes: broadcast() records each event with its attempts and time, sent or failed', async () => {
  const recorder = new OutcomeRecorder({ send: () => Promise.resolve(), intervalMs: 10_000 });
  let calls = 0;
  const flaky = (() => Promise.resolve(new Response(null, { status: ++calls === 1 ? 503 : 202 }))) as typeof fetch;
  assert.equal(
    await broadcast([{ topic: 't', event: 'message', payload: {} }], {
      fetch: flaky,
      url: 'http://x',
      baseDelayMs: 1,
      outcomes: recorder,
    }),
    'sent',
  );
  const down = (() => Promise.resolve(new Response(null, { status: 502 }))) as typeof fetch;
  assert.equal(
    await broadcast([{ topic: 't', event: 'reaction', payload: {} }], {
      fetch: down,
      url: 'http://x',
      maxAttempts: 3,
      baseDelayMs: 1,
      outcomes: recorder,
    }),
    'failed',
  );
  const rows = byKey(recorder.pending());
  assert.deepEqual([rows['message/sent'][0], rows['message/sent'][1]], [1, 1], 'sent after one retry');
  assert.deepEqual([rows['reaction/failed'][0], rows['reaction/failed'][1]], [1, 2], 'failed after three attempts');
  assert.ok((rows['message/sent'][2] as number) > 0);
  await recorder.flush();
});

Deno.test(
  'service-role function: the service role key passes; a user or anon token is 403; nothing is 401',
  async () => {
    const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    const jwt = (role: string) => `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ role, exp: 4102444800 })}.sig`;
    const serviceKey = jwt('service_role');
    Deno.env.set('SUPABASE_SERVICE_ROLE_KEY', serviceKey);
    Deno.env.set('SUPABASE_SECRET_KEYS', JSON.stringify({ default: 'sb_secret_test' }));
    try {
      const handler = defineFunction({
        name: 'operator-test',
        access: 'service_role',
        get: route({
          input: metricsInput,
          run: (_i, caller) => Promise.resolve(new Response(`token ${caller.accessToken}`)),
        }),
      });
      const call = (headers: Record<string, string>) => handler(new Request('http://fn/operator-test', { headers }));
      const passing: Record<string, string>[] = [
        { Authorization: `Bearer ${serviceKey}` },
        { apikey: 'sb_secret_test' },
        { Authorization: 'Bearer sb_secret_test', apikey: 'sb_secret_test' },
      ];
      for (const headers of passing) {
        const res = await call(headers);
        assert.deepEqual([res.status, await res.text()], [200, `token ${serviceKey}`], JSON.stringify(headers));
      }
      const refused: [Record<string, string>, number][] = [
        [{ Authorization: `Bearer ${jwt('authenticated')}` }, 403],
        [{ Authorization: `Bearer ${jwt('anon')}`, apikey: jwt('anon') }, 403],
        [{}, 401],
        [{ apikey: 'sb_secret_wrong' }, 401],
        [{ Authorization: `Bearer ${serviceKey}x` }, 401],
      ];
      for (const [headers, status] of refused) {
        const res = await call(headers);
        assert.equal(res.status, status, JSON.stringify(headers));
        assert.equal(
          ((await res.json()) as { error: { code: string } }).error.code,
          status === 401 ? 'not_authenticated' : 'forbidden',
        );
      }
    } finally {
      Deno.env.delete('SUPABASE_SERVICE_ROLE_KEY');
      Deno.env.delete('SUPABASE_SECRET_KEYS');
    }
  },
);
