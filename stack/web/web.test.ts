// stack/web alone: what the static server answers (the page, its assets, /config.json, nothing outside the build,
// 503 before a build is served) and when a build is reused. The page itself is tested in Chromium (web/tests).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../log.ts';
import { ensureWebBuild, sourceHash } from './build.ts';
import { startStaticServer, type StaticServer } from './server.ts';

const config = { apiUrl: 'http://127.0.0.1:54321', anonKey: 'anon-key' };

/** A raw request: fetch would normalize the `..` segments this test sends on purpose. */
function get(
  port: number,
  path: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('stack/web static server', () => {
  let dir: string;
  let server: StaticServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mr-web-'));
    mkdirSync(join(dir, 'build', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'build', 'index.html'), '<!doctype html><title>room</title>');
    writeFileSync(join(dir, 'build', 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'outside the build');
    server = await startStaticServer({ port: 0, config });
  });

  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 until a build is served, but /config.json at once', async () => {
    assert.equal((await get(server.port, '/')).status, 503);
    const cfg = await get(server.port, '/config.json');
    assert.equal(cfg.status, 200);
    assert.deepEqual(JSON.parse(cfg.body), config);
    assert.equal(cfg.headers['cache-control'], 'no-store');
  });

  it('serves the page (asked for again every time) and its hashed assets (cached for good), with a CSP naming the API', async () => {
    server.serve(join(dir, 'build'));
    const page = await get(server.port, '/');
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>room<\/title>/);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.headers['cache-control'], 'no-cache');
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /connect-src 'self' http:\/\/127\.0\.0\.1:54321 ws:\/\/127\.0\.0\.1:54321/);
    assert.match(csp, /worker-src blob:/, 'the Realtime heartbeat worker is a blob: script');
    const asset = await get(server.port, '/assets/index-abc123.js');
    assert.equal(asset.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.match(String(asset.headers['cache-control']), /immutable/);
    assert.equal((await get(server.port, '/', 'HEAD')).body, '');
  });

  it('serves nothing outside the build, and only GET and HEAD', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/missing.js',
      '/assets',
    ]) {
      assert.equal((await get(server.port, path)).status, 404, path);
    }
    const post = await get(server.port, '/', 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });
});

describe('stack/web build', () => {
  it("hashes the page's sources only: a source change is a new build, a test change is not", () => {
    const root = mkdtempSync(join(tmpdir(), 'mr-web-src-'));
    try {
      mkdirSync(join(root, 'web', 'src'), { recursive: true });
      mkdirSync(join(root, 'web', 'tests'), { recursive: true });
      writeFileSync(join(root, 'web', 'src', 'App.tsx'), 'export const a = 1;');
      const first = sourceHash(root);
      writeFileSync(join(root, 'web', 'tests', 'room.test.ts'), 'test');
      assert.equal(sourceHash(root), first, 'tests are not part of the bundle');
      writeFileSync(join(root, 'web', 'src', 'App.tsx'), 'export const a = 2;');
      assert.notEqual(sourceHash(root), first);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reuses the build of unchanged sources without running vite', async () => {
    const buildsDir = mkdtempSync(join(tmpdir(), 'mr-web-builds-'));
    try {
      const existing = join(buildsDir, `${sourceHash()}-production`);
      mkdirSync(existing);
      writeFileSync(join(existing, 'index.html'), 'built before');
      const build = await ensureWebBuild(createLogger('web-test'), { buildsDir });
      assert.equal(build.built, false);
      assert.equal(build.dir, existing);
    } finally {
      rmSync(buildsDir, { recursive: true, force: true });
    }
  });
});
