// The list in requirements.ts against the machine: dpkg must agree on who provides every file, the README must show
// the list's install command, and a machine lacking a file must be told exactly the package that provides it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../config.ts';
import { createLogger } from '../log.ts';
import {
  ensureSystemRequirements,
  FULL_INSTALL_COMMAND,
  missingRequirements,
  MissingSystemFilesError,
  resolveRequirement,
  SYSTEM_REQUIREMENTS,
} from './index.ts';
import { packagesOf } from './requirements.ts';

const log = createLogger('system-test');
const listed = new Set(packagesOf(SYSTEM_REQUIREMENTS));

/** The package dpkg says owns `file` (trying the file a symlink points at too), or undefined. */
function dpkgOwner(file: string): string | undefined {
  const res = spawnSync('dpkg', ['-S', file], { encoding: 'utf8' });
  if (res.status !== 0) return undefined;
  // "pkg[:arch][, pkg2]: /path" — diversions print extra lines; take the line naming our path.
  const line = res.stdout.split('\n').find((l) => l.endsWith(`: ${file}`));
  return line?.slice(0, line.lastIndexOf(': ')).split(', ')[0].split(':')[0];
}

describe('system requirements (stack/system/requirements.ts)', () => {
  it('every required file is on this machine and dpkg names a listed package as its owner', () => {
    // npm test installed the list before any suite ran, so every file is here; a file the list forgets to
    // install, or attributes to the wrong package, fails below.
    for (const req of SYSTEM_REQUIREMENTS) {
      const file = resolveRequirement(req);
      assert.ok(file, `${req.path} (${req.id}) is missing although npm test ensured the list`);
      const owner = dpkgOwner(file);
      assert.ok(owner, `dpkg -S ${file}: no package owns it`);
      assert.ok(listed.has(owner), `${file} belongs to ${owner}, which the list does not name`);
      assert.equal(owner, req.package, `${file} belongs to ${owner}, the list says ${req.package}`);
    }
  });

  it('the README quick start shows the install command the list derives', () => {
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
    assert.ok(readme.includes(FULL_INSTALL_COMMAND), `README.md must show: ${FULL_INSTALL_COMMAND}`);
  });

  it('a missing file is named with exactly the package that provides it, for a non-root user', () => {
    // A stand-in root holding every required file but pg_prove: what a machine installed with
    // --no-install-recommends looked like.
    const root = mkdtempSync(join(tmpdir(), 'mr-system-'));
    try {
      for (const req of SYSTEM_REQUIREMENTS.filter((r) => r.id !== 'pg_prove')) {
        mkdirSync(join(root, dirname(req.path)), { recursive: true });
        writeFileSync(join(root, req.path), '');
        chmodSync(join(root, req.path), 0o755);
      }
      const env = { PATH: '/usr/local/bin:/usr/bin:/bin' };
      assert.deepEqual(missingRequirements('start', { root, env }), [], 'npm start does not need pg_prove');
      assert.deepEqual(
        missingRequirements('test', { root, env }).map((r) => r.id),
        ['pg_prove'],
      );
      assert.throws(
        () => ensureSystemRequirements('test', log, { root, env, uid: 1000 }),
        (err: Error) => {
          assert.ok(err instanceof MissingSystemFilesError);
          assert.match(err.message, /\/usr\/bin\/pg_prove/);
          assert.ok(
            err.message.includes(
              'sudo apt-get install -y --no-install-recommends libtap-parser-sourcehandler-pgtap-perl\n',
            ) ||
              err.message.endsWith(
                'sudo apt-get install -y --no-install-recommends libtap-parser-sourcehandler-pgtap-perl',
              ),
            err.message,
          );
          return true;
        },
      );
      // pg_prove somewhere else on PATH counts: a user's own install is not second-guessed.
      mkdirSync(join(root, 'opt/perl/bin'), { recursive: true });
      writeFileSync(join(root, 'opt/perl/bin/pg_prove'), '');
      chmodSync(join(root, 'opt/perl/bin/pg_prove'), 0o755);
      assert.deepEqual(missingRequirements('test', { root, env: { PATH: `/opt/perl/bin:${env.PATH}` } }), []);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("with PG_BIN, the server files are the chosen server's business and only the client tools are checked", () => {
    const root = mkdtempSync(join(tmpdir(), 'mr-system-'));
    try {
      const missing = missingRequirements('test', { root, env: { PATH: '/usr/bin', PG_BIN: '/opt/pg15/bin' } });
      const clientSide = SYSTEM_REQUIREMENTS.filter((r) => !('server' in r) && r.neededBy.includes('test')).map(
        (r) => r.id,
      );
      assert.deepEqual(
        missing.map((r) => r.id),
        clientSide,
      );
      for (const id of ['pg_prove', 'psql', 'psql-15'])
        assert.ok(clientSide.includes(id as never), `${id} is checked with PG_BIN`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
