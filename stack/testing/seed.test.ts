// seed.ts against supabase/seed.sql: every id, email and organization the tests name is the seed's, and the seed
// has no user, organization or meeting that seed.ts lacks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../config.ts';
import { seedMeetings, seedOrgs, seedPassword, seedUsers } from './seed.ts';

const seedSql = readFileSync(join(projectRoot, 'supabase', 'seed.sql'), 'utf8');

/** The rows of the `values` list after `marker`, each as its quoted strings. */
function rowsAfter(marker: string): string[][] {
  const start = seedSql.indexOf(marker);
  assert.notEqual(start, -1, `seed.sql has ${marker}`);
  const list = seedSql.slice(start).split(';')[0];
  return [...list.matchAll(/\(\s*('[^)]*)\)/g)].map((row) => [...row[1].matchAll(/'([^']*)'/g)].map((m) => m[1]));
}

describe('the seed ids of stack/testing', () => {
  it("organizations are the seed's", () => {
    assert.deepEqual(
      rowsAfter('insert into public.organizations').map((r) => r[0]),
      Object.values(seedOrgs),
    );
  });

  it("users are the seed's: id, email and organization", () => {
    const rows = rowsAfter('from (values').map(([id, email, , org]) => ({ id, email, org }));
    assert.deepEqual(
      rows,
      Object.values(seedUsers).map(({ id, email, org }) => ({ id, email, org })),
    );
    assert.match(seedSql, new RegExp(`crypt\\('${seedPassword}'`), "every user's password");
  });

  it("meetings are the seed's", () => {
    assert.deepEqual(
      rowsAfter('insert into public.meetings').map((r) => r[0]),
      Object.values(seedMeetings),
    );
  });
});
