// stack/edge-runtime with real Deno workers and the official client's functions.invoke.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient, FunctionsHttpError } from '@supabase/supabase-js';
import { demoKeys, projectRoot } from '../config.ts';
import { createLogger } from '../log.ts';
import { signJwt } from '../shared/jwt.ts';
import { tempProject } from '../testing/project.ts';
import { startFunctions, type FunctionsServer } from './index.ts';

const fixtures: Record<string, string> = {
  echo: `Deno.serve(async (req) => {
    const url = new URL(req.url);
    return Response.json({ path: url.pathname, query: url.search, method: req.method, body: req.method === 'POST' ? await req.json() : null,
      supabaseUrl: Deno.env.get('SUPABASE_URL'), slug: Deno.env.get('SUPABASE_FUNCTION_SLUG'), secret: Deno.env.get('MY_SECRET'),
      leaked: Deno.env.get('SUPABASE_NOT_ALLOWED') ?? null, sbApiKey: req.headers.get('sb-api-key') });
  });`,
  open: `Deno.serve(() => new Response('open to all', { headers: { 'content-type': 'text/plain' } }));`,
  throws: `let calls = 0;
  Deno.serve(() => { calls++; if (calls === 1) throw new Error('boom'); return Response.json({ calls }); });`,
  crash: `Deno.serve((req) => { if (new URL(req.url).searchParams.has('die')) Deno.exit(1); return Response.json({ alive: true }); });`,
  slow: `Deno.serve(async (req) => { if (new URL(req.url).searchParams.has('hang')) await new Promise((r) => setTimeout(r, 10_000)); return Response.json({ fast: true }); });`,
  broken: `Deno.serve(() => new Response('never' ;`,
  'default-export': `export default { fetch: (req: Request) => Response.json({ style: 'default export', method: req.method }) };`,
  // Told where to report, it says goodbye on beforeunload through EdgeRuntime.waitUntil, after a delay.
  farewell: `let reportTo = '';
  addEventListener('beforeunload', () => {
    EdgeRuntime.waitUntil(new Promise((r) => setTimeout(r, 200)).then(() => fetch(reportTo, { method: 'POST', body: 'goodbye' })));
  });
  Deno.serve(async (req) => { reportTo = (await req.json()).reportTo; return Response.json({ ok: true }); });`,
  reads: `Deno.serve(async () => { try { await Deno.readTextFile('/etc/hostname'); return Response.json({ read: true }); }
    catch (e) { return Response.json({ read: false, error: (e as Error).name }); } });`,
};

describe('stack/edge-runtime', () => {
  let workdir: string;
  let server: FunctionsServer;
  let supabase: ReturnType<typeof createClient>;

  before(async () => {
    workdir = tempProject('fn', {
      functions: fixtures,
      files: {
        'functions/_shared/index.ts': 'export const shared = 1;',
        'functions/.env': 'MY_SECRET="from .env"\nSUPABASE_NOT_ALLOWED=1\n',
      },
      config: '[functions.open]\nverify_jwt = false\n',
    });
    server = await startFunctions({
      port: 0,
      workdir,
      jwtSecret: demoKeys.jwtSecret,
      denoDir: join(projectRoot, '.stack', 'deno'),
      env: { SUPABASE_URL: 'http://127.0.0.1:54321' },
      requestTimeoutMs: 1500,
      log: createLogger('functions-test'),
    });
    supabase = createClient(`http://127.0.0.1:${server.port}`, demoKeys.anonKey);
  });

  after(async () => {
    await server?.close();
    rmSync(workdir, { recursive: true, force: true });
  });

  it('invokes a Deno.serve function with the request path, body and the runtime env', async () => {
    const { data, error } = await supabase.functions.invoke('echo/sub/path?x=1', { body: { hello: 'world' } });
    assert.equal(error, null);
    assert.deepEqual(data, {
      path: '/echo/sub/path',
      query: '?x=1',
      method: 'POST',
      body: { hello: 'world' },
      supabaseUrl: 'http://127.0.0.1:54321',
      slug: 'echo',
      secret: 'from .env',
      leaked: null,
      sbApiKey: null,
    });
  });

  it('serves export default { fetch } modules and GET', async () => {
    const { data } = await supabase.functions.invoke('default-export', { method: 'GET' });
    assert.deepEqual(data, { style: 'default export', method: 'GET' });
  });

  it('verify_jwt: no token, a bad token and a bad algorithm get the runtime 401 bodies', async () => {
    const base = `http://127.0.0.1:${server.port}/functions/v1/echo`;
    const none = await fetch(base, { method: 'POST' });
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('sb-error-code'), 'UNAUTHORIZED_NO_AUTH_HEADER');
    assert.deepEqual(await none.json(), {
      code: 'UNAUTHORIZED_NO_AUTH_HEADER',
      message: 'Missing authorization header',
      msg: 'Missing authorization header',
    });
    const forged = signJwt({ role: 'service_role', exp: 2e9 }, 'not-the-secret-not-the-secret-not-the-secret');
    const bad = createClient(`http://127.0.0.1:${server.port}`, forged);
    const { error } = await bad.functions.invoke('echo', { body: {} });
    assert.ok(error instanceof FunctionsHttpError);
    assert.deepEqual(await error.context.json(), {
      code: 'UNAUTHORIZED_LEGACY_JWT',
      message: 'Invalid JWT',
      msg: 'Invalid JWT',
    });
    const rs = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.e30.sig`;
    const alg = await fetch(base, { method: 'POST', headers: { authorization: `Bearer ${rs}` } });
    assert.equal((await alg.json()).code, 'UNAUTHORIZED_UNSUPPORTED_TOKEN_ALGORITHM');
    const expired = await fetch(base, {
      method: 'POST',
      headers: { authorization: `Bearer ${signJwt({ role: 'anon', exp: 1 }, demoKeys.jwtSecret)}` },
    });
    assert.equal(expired.status, 401);
  });

  it('verify_jwt = false in config.toml lets anyone in; OPTIONS is never checked', async () => {
    const open = await fetch(`http://127.0.0.1:${server.port}/functions/v1/open`);
    assert.equal(open.status, 200);
    assert.equal(await open.text(), 'open to all');
    const preflight = await fetch(`http://127.0.0.1:${server.port}/functions/v1/echo`, { method: 'OPTIONS' });
    assert.notEqual(preflight.status, 401);
  });

  it('a function that throws answers 500 WORKER_ERROR and the next request works', async () => {
    const first = await supabase.functions.invoke('throws', { body: {} });
    assert.ok(first.error instanceof FunctionsHttpError);
    assert.equal(first.error.context.status, 500);
    assert.deepEqual(await first.error.context.json(), {
      code: 'WORKER_ERROR',
      message: 'Function exited due to an error (please check logs)',
    });
    const second = await supabase.functions.invoke('throws', { body: {} });
    assert.deepEqual(second.data, { calls: 2 });
  });

  it('a worker that dies answers 500 and is replaced on the next request', async () => {
    const died = await supabase.functions.invoke('crash?die=1', { body: {} });
    assert.equal((died.error as FunctionsHttpError).context.status, 500);
    const next = await supabase.functions.invoke('crash', { body: {} });
    assert.deepEqual(next.data, { alive: true });
  });

  it('a request over the time limit answers 546 WORKER_LIMIT and the next request works', async () => {
    const slow = await supabase.functions.invoke('slow?hang=1', { body: {} });
    assert.equal((slow.error as FunctionsHttpError).context.status, 546);
    assert.equal((await (slow.error as FunctionsHttpError).context.json()).code, 'WORKER_LIMIT');
    const next = await supabase.functions.invoke('slow', { body: {} });
    assert.deepEqual(next.data, { fast: true });
  });

  it('a function that does not compile answers 503 BOOT_ERROR', async () => {
    const { error } = await supabase.functions.invoke('broken', { body: {} });
    assert.equal((error as FunctionsHttpError).context.status, 503);
    assert.deepEqual(await (error as FunctionsHttpError).context.json(), {
      code: 'BOOT_ERROR',
      message: 'Worker failed to boot (please check logs)',
    });
  });

  it('unknown functions and _shared are 404 Function not found', async () => {
    for (const name of ['nope', '_shared']) {
      const res = await fetch(`http://127.0.0.1:${server.port}/functions/v1/${name}`, {
        headers: { authorization: `Bearer ${demoKeys.anonKey}` },
      });
      assert.equal(res.status, 404);
      assert.equal(await res.text(), 'Function not found');
    }
  });

  it('workers get least permissions: no reading outside the functions folder', async () => {
    const { data } = await supabase.functions.invoke('reads', { body: {} });
    assert.deepEqual(data, { read: false, error: 'NotCapable' });
  });

  it('a retired worker gets beforeunload and finishes what it gave EdgeRuntime.waitUntil', async () => {
    const heard: string[] = [];
    const listener = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        heard.push(body);
        res.end();
      });
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    try {
      const reportTo = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/`;
      assert.deepEqual((await supabase.functions.invoke('farewell', { body: { reportTo } })).data, { ok: true });
      await server.reload(); // retires every worker, as an edit under supabase/functions/ does
      assert.deepEqual(heard, ['goodbye']);
    } finally {
      listener.close();
    }
  });

  it('reloads a function when its file changes', async () => {
    assert.deepEqual((await supabase.functions.invoke('default-export', { method: 'GET' })).data, {
      style: 'default export',
      method: 'GET',
    });
    writeFileSync(
      join(workdir, 'supabase', 'functions', 'default-export', 'index.ts'),
      `export default { fetch: () => Response.json({ style: 'edited' }) };`,
    );
    const deadline = Date.now() + 5000;
    let seen: unknown;
    while (Date.now() < deadline) {
      seen = (await supabase.functions.invoke('default-export', { method: 'GET' })).data;
      if ((seen as { style?: string })?.style === 'edited') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(seen, { style: 'edited' });
  });
});
