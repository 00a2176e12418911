// GET /metrics end to end: messages sent through the send-message function by a signed-in user are counted once each
// in the database, a broadcast that fails while Realtime is down is counted as failed, the counters survive the
// platform process being killed, and only the service role reads them (through the gateway and the `metrics`
// function). No mocks: the whole local platform, started by the supervisor as `npm start` does.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { demoKeys } from '../stack/config.ts';
import { seedMeetings } from '../stack/testing/seed.ts';
import { startTestStack, type Client, type TestStack } from '../stack/testing/stack.ts';
import type { FunctionResponse } from '../types/contract.ts';

type Samples = Map<string, number>;

/** Prometheus text → value by series (`name{labels}`); comments skipped. */
function parseExposition(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

const sent = 'meeting_broadcasts_total{event="message",outcome="sent"}';
const failed = 'meeting_broadcasts_total{event="message",outcome="failed"}';
const retries = 'meeting_broadcast_retries_total{event="message"}';
const latencySum = 'meeting_broadcast_latency_seconds_sum{event="message",outcome="sent"}';
const latencyCount = 'meeting_broadcast_latency_seconds_count{event="message",outcome="sent"}';
const serviceRole = { apikey: demoKeys.secretKey };

describe('GET /metrics: broadcast outcomes that survive workers and restarts, for the service role only', () => {
  let stack: TestStack;
  let alice: { client: Client; accessToken: string };

  before(async () => {
    stack = await startTestStack('metrics', 31321);
    alice = await stack.signIn('alice');
  });
  after(async () => {
    await stack?.stop();
  });

  const scrape = (headers: Record<string, string> = serviceRole) => fetch(`${stack.url}/metrics`, { headers });
  const counters = async (): Promise<Samples> => {
    const res = await scrape();
    assert.equal(res.status, 200, await res.clone().text());
    return parseExposition(await res.text());
  };
  const value = (samples: Samples, series: string) => samples.get(series) ?? 0;
  /** Polls until `done` holds (outcomes reach the database about a second after the broadcast). */
  const countersWhen = async (done: (s: Samples) => boolean, what: string, ms = 10_000): Promise<Samples> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const samples = await counters();
      if (done(samples)) return samples;
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const send = async (content: string, clientId: string = randomUUID()) => {
    const { data, error } = await alice.client.functions.invoke<FunctionResponse<'send-message'>>('send-message', {
      body: { meeting_id: seedMeetings.weeklySync, content, client_id: clientId },
    });
    assert.equal(error, null);
    return data!;
  };

  it('the service role reads it (secret key or legacy JWT, apikey or Bearer); anon and users get 401/403', async () => {
    const admins: Record<string, string>[] = [
      { apikey: demoKeys.secretKey },
      { authorization: `Bearer ${demoKeys.secretKey}` },
      { apikey: demoKeys.serviceRoleKey },
      { authorization: `Bearer ${demoKeys.serviceRoleKey}`, apikey: demoKeys.anonKey },
    ];
    for (const headers of admins) {
      const res = await scrape(headers);
      assert.equal(res.status, 200, JSON.stringify(headers));
      assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4');
      const text = await res.text();
      for (const family of [
        '# TYPE meeting_broadcasts_total counter',
        '# TYPE meeting_broadcast_success_ratio gauge',
        '# TYPE meeting_broadcast_latency_seconds summary',
        '# TYPE realtime_connections gauge',
        '# TYPE realtime_channels gauge',
        '# TYPE realtime_joins_total counter',
        '# TYPE realtime_events_in_total counter',
      ]) {
        assert.ok(text.includes(family), `${family} in\n${text}`);
      }
    }
    const refusals: [Record<string, string>, number][] = [
      [{}, 401],
      [{ authorization: 'Bearer not-a-token' }, 401],
      [{ apikey: 'sb_secret_not-the-key' }, 401],
      [{ apikey: demoKeys.anonKey }, 403],
      [{ apikey: demoKeys.publishableKey }, 403],
      [{ authorization: `Bearer ${alice.accessToken}`, apikey: demoKeys.anonKey }, 403],
      // A user's token wins over the secret key in apikey, as on every route.
      [{ authorization: `Bearer ${alice.accessToken}`, apikey: demoKeys.secretKey }, 403],
    ];
    for (const [headers, status] of refusals) {
      const res = await scrape(headers);
      assert.equal(res.status, status, JSON.stringify(headers));
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(typeof ((await res.json()) as { message: unknown }).message, 'string');
    }
  });

  it('each message sent is counted exactly once, with its latency; a retried send is not counted again', async () => {
    const before = await counters();
    const n = 5;
    const clientIds: string[] = [];
    for (let i = 0; i < n; i++) {
      clientIds.push(randomUUID());
      assert.equal((await send(`counted ${i}`, clientIds[i])).broadcast, 'sent');
    }
    assert.equal((await send('counted 0', clientIds[0])).broadcast, 'skipped', 'a retry is a duplicate');
    const afterSends = await countersWhen(
      (s) => value(s, sent) >= value(before, sent) + n,
      `${n} more sent broadcasts`,
    );
    await new Promise((r) => setTimeout(r, 1500)); // past the next flush: nothing more arrives
    const settled = await counters();
    assert.equal(value(settled, sent) - value(before, sent), n, 'sent rises by exactly the messages sent');
    assert.equal(value(settled, sent), value(afterSends, sent));
    assert.equal(value(settled, latencyCount) - value(before, latencyCount), n, 'one latency sample each');
    assert.ok(value(settled, latencySum) > value(before, latencySum), 'the latency sum grows');
    assert.equal(value(settled, failed), value(before, failed), 'nothing failed');
    assert.ok(value(settled, 'meeting_broadcast_success_ratio') > 0);
  });

  it('a broadcast that fails while Realtime is down is counted as failed, with its retries', async () => {
    const before = await counters();
    await stack.handle.stopService('realtime');
    try {
      assert.equal((await send('while realtime is down')).broadcast, 'failed');
    } finally {
      await stack.handle.startService('realtime');
    }
    const after = await countersWhen((s) => value(s, failed) >= value(before, failed) + 1, 'a failed broadcast');
    assert.equal(value(after, failed) - value(before, failed), 1);
    assert.equal(value(after, retries) - value(before, retries), 2, 'three attempts: two retries');
    assert.equal(value(after, sent), value(before, sent));
    const ratio = value(after, 'meeting_broadcast_success_ratio');
    assert.ok(ratio > 0 && ratio < 1, `success ratio ${ratio}`);
  });

  it('the counters survive the platform process being killed and restarted', async () => {
    const before = await counters();
    assert.ok(value(before, sent) >= 5 && value(before, failed) >= 1, 'the earlier tests left counts');
    const first = stack.handle.platformPid();
    assert.ok(first);
    process.kill(first, 'SIGKILL');
    const deadline = Date.now() + 30_000;
    let back: Response | undefined;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      const pid = stack.handle.platformPid();
      if (pid === undefined || pid === first) continue;
      back = await scrape().catch(() => undefined);
      if (back?.status === 200) break;
    }
    assert.equal(back?.status, 200, 'GET /metrics did not answer within 30 s of the host process being killed');
    const after = parseExposition(await back!.text());
    for (const series of [sent, failed, retries, latencySum, latencyCount, 'meeting_broadcast_success_ratio']) {
      assert.equal(value(after, series), value(before, series), series);
    }
    // And the new workers record too.
    assert.equal((await send('after the restart')).broadcast, 'sent');
    await countersWhen((s) => value(s, sent) === value(before, sent) + 1, 'the first send after the restart');
  });

  it('the metrics function answers the same counters to the service role only (hosted has no gateway of ours)', async () => {
    const call = (headers: Record<string, string>) => fetch(`${stack.url}/functions/v1/metrics`, { headers });
    const res = await call({ authorization: `Bearer ${demoKeys.serviceRoleKey}` });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4');
    const fromFunction = parseExposition(await res.text());
    const fromGateway = await counters();
    assert.equal(value(fromFunction, sent), value(fromGateway, sent));
    assert.equal(value(fromFunction, failed), value(fromGateway, failed));
    assert.ok(![...fromFunction.keys()].some((k) => k.startsWith('realtime_')), 'the database part only');
    const bySecretKey = await call({ apikey: demoKeys.secretKey });
    assert.equal(bySecretKey.status, 200, await bySecretKey.text());
    const asUser = await call({ authorization: `Bearer ${alice.accessToken}`, apikey: demoKeys.anonKey });
    assert.equal(asUser.status, 403);
    assert.equal(((await asUser.json()) as { error: { code: string } }).error.code, 'forbidden');
    const asAnon = await call({ authorization: `Bearer ${demoKeys.anonKey}`, apikey: demoKeys.anonKey });
    assert.equal(asAnon.status, 403);
    await asAnon.body?.cancel();
    const post = await fetch(`${stack.url}/functions/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${demoKeys.serviceRoleKey}` },
    });
    assert.equal(post.status, 405);
    await post.body?.cancel();
  });
});
