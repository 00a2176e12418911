// stack/postgrest against its own fixture schema (fixtures/*.sql) on an isolated cluster, driven by the official
// @supabase/supabase-js client exactly as an app would use it; raw fetch only where the client cannot say it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { demoKeys } from '../config.ts';
import { signJwt } from '../shared/jwt.ts';
import { testClient, type TestClient } from '../testing/clients.ts';
import { startTestCluster, type TestCluster } from '../testing/cluster.ts';
import { sqlFiles } from '../testing/project.ts';
import { userToken } from '../testing/tokens.ts';
import { startRest, type RestServer } from './index.ts';

let db: TestCluster;
let rest: RestServer;
let restUrl: string;
let anon: TestClient;
let service: TestClient;

/** A raw request with the anon key, for what supabase-js never sends (Range, and= , bad tokens, injections). */
async function raw(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  const res = await fetch(`${restUrl}${path}`, {
    ...init,
    headers: { apikey: demoKeys.anonKey, Authorization: `Bearer ${demoKeys.anonKey}`, ...init.headers },
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body: body as any };
}

describe('stack/postgrest with supabase-js on a fixture schema', () => {
  before(async () => {
    db = await startTestCluster({
      name: 'rest',
      ports: [24410, 24412, 24414, 24416],
      project: { migrations: sqlFiles(fileURLToPath(new URL('fixtures', import.meta.url))) },
    });
    rest = await startRest({
      port: 0,
      dbUrl: db.url('authenticator'),
      jwtSecret: demoKeys.jwtSecret,
      schemas: ['public', 'extra'],
    });
    restUrl = `http://127.0.0.1:${rest.port}`;
    anon = testClient(restUrl);
    service = testClient(restUrl, { token: demoKeys.serviceRoleKey });
  });

  after(async () => {
    await rest?.close();
    await db?.stop();
  });

  describe('select', () => {
    it('reads columns with aliases, casts and JSON paths', async () => {
      const { data, error, status } = await anon
        .from('authors')
        .select('id, full_name:name, rating::text, country:meta->>country, meta->awards->hugo, first_tag:tags->0')
        .order('id')
        .limit(2);
      assert.equal(error, null);
      assert.equal(status, 200);
      assert.deepEqual(data, [
        { id: 1, full_name: 'Ursula Le Guin', rating: '4.8', country: 'US', hugo: 5, first_tag: 'scifi' },
        { id: 2, full_name: 'Terry Pratchett', rating: '4.7', country: 'UK', hugo: 0, first_tag: 'fantasy' },
      ]);
    });

    it('embeds many-to-one as an object, one-to-many as an array, one-to-one as an object, nested', async () => {
      const { data, error } = await anon
        .from('books')
        .select('id, author:authors!books_author_id_fkey(name), reviews(stars), covers(color)')
        .in('id', [1, 2, 7])
        .order('id')
        .order('stars', { referencedTable: 'reviews', ascending: false });
      assert.equal(error, null);
      assert.deepEqual(data, [
        { id: 1, author: { name: 'Ursula Le Guin' }, reviews: [{ stars: 5 }, { stars: 4 }], covers: { color: 'blue' } },
        { id: 2, author: { name: 'Ursula Le Guin' }, reviews: [], covers: null },
        { id: 7, author: null, reviews: [], covers: null },
      ]);
      const nested = await anon
        .from('authors')
        .select('name, books!books_author_id_fkey(title, reviews(body))')
        .eq('id', 1)
        .order('id', { referencedTable: 'books' })
        .limit(1, { referencedTable: 'books' })
        .single();
      assert.deepEqual(nested.data, {
        name: 'Ursula Le Guin',
        books: [{ title: 'A Wizard of Earthsea', reviews: [{ body: 'classic' }, { body: 'lovely' }] }],
      });
    });

    it('hints by column name pick the many-to-one side; spreads lift to-one columns', async () => {
      const { data } = await anon
        .from('authors')
        .select('name, favorite:books!favorite_book_id(title)')
        .eq('id', 2)
        .single();
      assert.deepEqual(data, { name: 'Terry Pratchett', favorite: { title: 'Small Gods' } });
      const spread = await anon
        .from('books')
        .select('title, ...authors!books_author_id_fkey(author_name:name)')
        .eq('id', 4)
        .single();
      assert.deepEqual(spread.data, { title: 'Guards! Guards!', author_name: 'Terry Pratchett' });
    });

    it('!inner drops parents without a match; embed filters narrow only the embedded rows otherwise', async () => {
      const inner = await anon
        .from('books')
        .select('id, reviews!inner(stars)', { count: 'exact' })
        .eq('reviews.stars', 5)
        .order('id');
      assert.deepEqual(inner.data, [
        { id: 1, reviews: [{ stars: 5 }] },
        { id: 4, reviews: [{ stars: 5 }] },
      ]);
      assert.equal(inner.count, 2);
      const left = await anon
        .from('books')
        .select('id, reviews(stars)')
        .eq('reviews.stars', 5)
        .in('id', [1, 2])
        .order('id');
      assert.deepEqual(left.data, [
        { id: 1, reviews: [{ stars: 5 }] },
        { id: 2, reviews: [] },
      ]);
      const present = await anon.from('books').select('id, covers(color)').not('covers', 'is', null).order('id');
      assert.deepEqual(
        present.data?.map((b) => b.id),
        [1, 4],
      );
      const absent = await anon.from('books').select('id, authors!books_author_id_fkey(name)').is('authors', null);
      assert.deepEqual(
        absent.data?.map((b) => b.id),
        [7],
      );
    });

    it('counts embedded rows with rel(count)', async () => {
      const { data, error } = await anon.from('books').select('id, reviews(count)').in('id', [1, 2]).order('id');
      assert.equal(error, null);
      assert.deepEqual(data, [
        { id: 1, reviews: [{ count: 2 }] },
        { id: 2, reviews: [{ count: 0 }] },
      ]);
    });

    it('orders by a to-one embed column', async () => {
      const { data, error } = await anon
        .from('books')
        .select('id, authors!books_author_id_fkey(name)')
        .not('author_id', 'is', null)
        .order('authors(name)')
        .order('id', { ascending: false })
        .limit(3);
      assert.equal(error, null);
      assert.deepEqual(
        data?.map((b) => b.id),
        [6, 5, 4],
      );
    });

    it('reports embedding mistakes as PostgREST does (PGRST201, PGRST200, PGRST108)', async () => {
      const ambiguous = await anon.from('authors').select('name, books(title)');
      assert.equal(ambiguous.status, 300);
      assert.equal(ambiguous.error?.code, 'PGRST201');
      assert.match(ambiguous.error!.hint, /'books!authors_favorite_book_id_fkey', 'books!books_author_id_fkey'/);
      const missing = await anon.from('authors').select('name, kv(*)');
      assert.equal(missing.status, 400);
      assert.equal(missing.error?.code, 'PGRST200');
      assert.equal(
        missing.error?.message,
        "Could not find a relationship between 'authors' and 'kv' in the schema cache",
      );
      const notEmbedded = await anon.from('books').select('id').eq('reviews.stars', 5);
      assert.equal(notEmbedded.error?.code, 'PGRST108');
    });
  });

  describe('filters', () => {
    const ids = async (q: PromiseLike<{ data: Array<{ id: number }> | null; error: unknown }>) => {
      const { data, error } = await q;
      assert.equal(error, null);
      return data!.map((r) => r.id);
    };
    const books = () => anon.from('books').select('id').order('id');
    const authors = () => anon.from('authors').select('id').order('id');

    it('compares with eq neq gt gte lt lte', async () => {
      assert.deepEqual(await ids(books().eq('published', 1969)), [2]);
      assert.deepEqual(await ids(books().neq('genre', 'scifi')), [1, 4]);
      assert.deepEqual(await ids(books().gt('published', 1987)), [4, 5]);
      assert.deepEqual(await ids(books().gte('published', 1987)), [4, 5, 6]);
      assert.deepEqual(await ids(books().lt('published', 1969)), [1]);
      assert.deepEqual(await ids(books().lte('published', 1969)), [1, 2]);
    });

    it('matches patterns with like / ilike (% or *), regexes and quantifiers', async () => {
      assert.deepEqual(await ids(books().like('title', 'The%')), [2, 3]);
      assert.deepEqual(await ids(books().filter('title', 'like', 'The*')), [2, 3]);
      assert.deepEqual(await ids(books().ilike('title', '%GODS%')), [5]);
      assert.deepEqual(await ids(books().regexMatch('title', '^[AC]')), [1, 6]);
      assert.deepEqual(await ids(books().regexIMatch('title', 'guards')), [4]);
      assert.deepEqual(await ids(books().likeAnyOf('title', ['%Gods%', '%Phlebas%'])), [5, 6]);
      assert.deepEqual(await ids(books().ilikeAllOf('title', ['%the%', '%dark%'])), [2]);
    });

    it('tests is, in (quoted values with commas), isdistinct and full-text search', async () => {
      assert.deepEqual(await ids(books().is('genre', null)), [5, 7]);
      assert.deepEqual(await ids(books().is('available', false)), [3]);
      assert.deepEqual(await ids(books().in('title', ['Small Gods', 'Guards! Guards!', 'a, (tricky) one'])), [4, 5]);
      assert.deepEqual(await ids(books().in('id', [])), []);
      assert.deepEqual(await ids(books().isDistinct('genre', 'scifi')), [1, 4, 5, 7]);
      assert.deepEqual(await ids(books().textSearch('title', 'wizard & earthsea', { config: 'english' })), [1]);
      assert.deepEqual(await ids(books().textSearch('title', 'small gods', { type: 'plain' })), [5]);
      assert.deepEqual(
        await ids(books().textSearch('title', '"left hand"', { type: 'websearch', config: 'english' })),
        [2],
      );
    });

    it('checks containment on arrays and jsonb (cs, cd, ov) and filters JSON paths', async () => {
      assert.deepEqual(await ids(authors().contains('tags', ['scifi'])), [1, 3]);
      assert.deepEqual(await ids(authors().containedBy('tags', ['scifi', 'fantasy'])), [1, 3, 4]);
      assert.deepEqual(await ids(authors().overlaps('tags', ['humor', 'nothing'])), [2]);
      assert.deepEqual(await ids(authors().contains('meta', { country: 'UK' })), [2]);
      assert.deepEqual(await ids(authors().eq('meta->>country', 'US')), [1]);
      assert.deepEqual(await ids(authors().gt('meta->awards->hugo', 1)), [1]);
    });

    it('negates with not., combines with or= (nested and()) and and=', async () => {
      assert.deepEqual(await ids(books().not('genre', 'is', null).not('genre', 'eq', 'scifi')), [1, 4]);
      assert.deepEqual(await ids(books().not('id', 'in', '(1,2,3)')), [4, 5, 6, 7]);
      assert.deepEqual(await ids(books().or('genre.eq.fantasy,published.gt.1990')), [1, 4, 5]);
      assert.deepEqual(
        await ids(books().or('and(genre.eq.scifi,published.lt.1970),title.in.("Small Gods","Nope, not")')),
        [2, 5],
      );
      assert.deepEqual(await ids(books().or('title.eq."Guards! Guards!",not.and(id.gt.1,id.lt.7)')), [1, 4, 7]);
      const and = await raw('/books?select=id&and=(genre.eq.scifi,or(published.gte.1974,available.is.false))&order=id');
      assert.deepEqual(
        and.body.map((r: { id: number }) => r.id),
        [3, 6],
      );
      const notOr = await raw('/books?select=id&not.or=(genre.is.null,id.gt.2)&order=id');
      assert.deepEqual(
        notOr.body.map((r: { id: number }) => r.id),
        [1, 2],
      );
      assert.deepEqual(
        await ids(books().or('stars.gte.5', { referencedTable: 'reviews' }).select('id, reviews!inner(stars)')),
        [1, 4],
      );
    });

    it('rejects what does not parse with PGRST100 and bad values with 22P02', async () => {
      const op = await raw('/books?id=eqq.1');
      assert.equal(op.status, 400);
      assert.equal(op.body.code, 'PGRST100');
      assert.match(op.body.message, /^"failed to parse filter \(eqq\.1\)" \(line 1, column 1\)$/);
      const sel = await anon.from('books').select('id,(title');
      assert.equal(sel.error?.code, 'PGRST100');
      const value = await anon.from('books').select('id').eq('id', 'abc');
      assert.equal(value.status, 400);
      assert.equal(value.error?.code, '22P02');
      assert.equal(value.error?.message, 'invalid input syntax for type integer: "abc"');
      const column = await anon.from('books').select('nope');
      assert.equal(column.status, 400);
      assert.equal(column.error?.code, '42703');
    });
  });

  describe('order and pagination', () => {
    it('orders with nulls first / last and pages with limit, offset and range', async () => {
      const first = await anon.from('books').select('id').order('genre', { nullsFirst: true }).order('id');
      assert.deepEqual(
        first.data?.map((b) => b.id),
        [5, 7, 1, 4, 2, 3, 6],
      );
      const last = await anon
        .from('books')
        .select('id')
        .order('genre', { ascending: false, nullsFirst: false })
        .order('id');
      assert.deepEqual(
        last.data?.map((b) => b.id),
        [2, 3, 6, 1, 4, 5, 7],
      );
      const page = await anon.from('books').select('id').order('id').range(2, 4);
      assert.deepEqual(
        page.data?.map((b) => b.id),
        [3, 4, 5],
      );
      const limited = await anon.from('books').select('id').order('published', { ascending: false }).limit(2);
      assert.deepEqual(
        limited.data?.map((b) => b.id),
        [7, 5],
      );
    });

    it('counts exactly, with and without a body; Content-Range and 206 Partial Content', async () => {
      const head = await anon.from('books').select('*', { count: 'exact', head: true });
      assert.equal(head.status, 200);
      assert.equal(head.count, 7);
      assert.equal(head.data, null);
      const partial = await anon
        .from('books')
        .select('id', { count: 'exact' })
        .eq('available', true)
        .order('id')
        .range(0, 1);
      assert.equal(partial.status, 206);
      assert.equal(partial.count, 6);
      assert.equal(partial.data?.length, 2);
      const r = await raw('/books?select=id&order=id', { headers: { Range: '2-3', Prefer: 'count=exact' } });
      assert.equal(r.status, 206);
      assert.equal(r.headers.get('content-range'), '2-3/7');
      assert.equal(r.headers.get('preference-applied'), 'count=exact');
      const none = await raw('/books?select=id&id=gt.100', { headers: { Prefer: 'count=exact' } });
      assert.equal(none.headers.get('content-range'), '*/0');
      const beyond = await raw('/books?select=id&offset=10', { headers: { Prefer: 'count=exact' } });
      assert.equal(beyond.status, 416);
      assert.equal(beyond.body.code, 'PGRST103');
      const bad = await raw('/books?select=id', { headers: { Range: '5-2' } });
      assert.equal(bad.status, 416);
    });

    it('caps reads at max-rows; an empty page without count is */*', async () => {
      const empty = await raw('/books?id=eq.999');
      assert.equal(empty.headers.get('content-range'), '*/*');
      assert.deepEqual(empty.body, []);
      const capped = await startRest({
        port: 0,
        dbUrl: db.url('authenticator'),
        jwtSecret: demoKeys.jwtSecret,
        maxRows: 3,
      });
      try {
        const res = await testClient(`http://127.0.0.1:${capped.port}`)
          .from('books')
          .select('id', { count: 'exact' })
          .order('id')
          .limit(5);
        assert.deepEqual(
          res.data?.map((b) => b.id),
          [1, 2, 3],
        );
        assert.equal(res.count, 7);
        assert.equal(res.status, 206);
      } finally {
        await capped.close();
      }
    });
  });

  describe('single and maybeSingle', () => {
    it('single() returns the object for one row and PGRST116 (406) otherwise', async () => {
      const one = await anon.from('books').select('title').eq('id', 1).single();
      assert.deepEqual(one.data, { title: 'A Wizard of Earthsea' });
      const none = await anon.from('books').select('title').eq('id', 999).single();
      assert.equal(none.status, 406);
      assert.equal(none.error?.code, 'PGRST116');
      assert.equal(none.error?.message, 'Cannot coerce the result to a single JSON object');
      assert.equal(none.error?.details, 'The result contains 0 rows');
      const many = await anon.from('books').select('title').single();
      assert.equal(many.error?.details, 'The result contains 7 rows');
    });

    it('maybeSingle() gives null for no row and the client-side PGRST116 for several', async () => {
      const none = await anon.from('books').select('title').eq('id', 999).maybeSingle();
      assert.equal(none.error, null);
      assert.equal(none.data, null);
      const many = await anon.from('books').select('title').maybeSingle();
      assert.equal(many.error?.code, 'PGRST116');
    });

    it('a singular mutation that touches several rows is rolled back', async () => {
      const res = await service.from('kv').update({ value: 'x' }).in('key', ['a', 'b']).select().single();
      assert.equal(res.status, 406);
      const after = await anon.from('kv').select('key, value').in('key', ['a', 'b']).order('key');
      assert.deepEqual(after.data, [
        { key: 'a', value: 'alpha' },
        { key: 'b', value: 'beta' },
      ]);
    });
  });

  describe('writes', () => {
    it('inserts with return=minimal (201, no body) and representation (select, embeds)', async () => {
      const minimal = await anon.from('kv').insert({ key: 'w1', value: 'one' });
      assert.equal(minimal.status, 201);
      assert.equal(minimal.data, null);
      const rep = await anon
        .from('books')
        .insert([
          { id: 100, title: 'New One', author_id: 3 },
          { id: 101, title: 'New Two' },
        ])
        .select('id, title, available, author:authors!books_author_id_fkey(name)');
      assert.equal(rep.status, 201);
      assert.deepEqual(rep.data, [
        { id: 100, title: 'New One', available: true, author: { name: 'Iain Banks' } },
        { id: 101, title: 'New Two', available: true, author: null },
      ]);
      const one = await anon.from('kv').insert({ key: 'w2', value: 'two' }).select().single();
      assert.deepEqual(one.data, { key: 'w2', value: 'two', hits: 0 });
    });

    it('stores and filters values with quotes, backslashes and $ exactly (values are quoted literals); NUL is refused with 400', async () => {
      const tricky = [
        `O'Brien'); drop table public.kv; --`,
        'back\\slash \\x41 \\\\ end\\',
        "$1 $$ $p$ E'x'",
        "a''b\\'c",
      ];
      for (const [i, value] of tricky.entries()) {
        const inserted = await anon
          .from('kv')
          .insert({ key: `q${i}`, value })
          .select('value')
          .single();
        assert.equal(inserted.error, null);
        assert.equal(inserted.data?.value, value);
        const found = await anon
          .from('kv')
          .select('key')
          .eq('value', value)
          .in('key', [`q${i}`, `x'${i}`]);
        assert.deepEqual(found.data, [{ key: `q${i}` }]);
      }
      const nulBody = await anon.from('kv').insert({ key: 'nul', value: 'a\u0000b' }); // PostgreSQL's JSON parser refuses it
      assert.equal(nulBody.status, 400);
      assert.equal(nulBody.error?.code, '22P05');
      const nulFilter = await anon.from('kv').select('key').eq('value', 'a\u0000b'); // as the server refuses a NUL parameter
      assert.equal(nulFilter.status, 400);
      assert.equal(nulFilter.error?.code, '22021');
      assert.equal((await anon.from('kv').select('key').eq('key', 'nul')).data?.length, 0);
    });

    it('fills absent keys with NULL, or with the column DEFAULT when defaultToNull is false', async () => {
      const nulls = await anon
        .from('counters')
        .insert([{ name: 'c1', note: 'given' }, { name: 'c2' }])
        .select('name, note');
      assert.deepEqual(nulls.data, [
        { name: 'c1', note: 'given' },
        { name: 'c2', note: null },
      ]);
      const defaults = await anon
        .from('counters')
        .insert([{ name: 'c3', note: 'given' }, { name: 'c4' }], { defaultToNull: false })
        .select('name, note, n');
      assert.deepEqual(defaults.data, [
        { name: 'c3', note: 'given', n: 0 },
        { name: 'c4', note: 'fresh', n: 0 },
      ]);
    });

    it('maps constraint violations: 23505 and 23503 → 409, 23502 → 400, unknown column PGRST204', async () => {
      const dup = await anon.from('kv').insert({ key: 'a', value: 'again' });
      assert.equal(dup.status, 409);
      assert.equal(dup.error?.code, '23505');
      assert.equal(dup.error?.details, 'Key (key)=(a) already exists.');
      const fk = await anon.from('books').insert({ id: 102, title: 'Orphan', author_id: 999 });
      assert.equal(fk.status, 409);
      assert.equal(fk.error?.code, '23503');
      const notNull = await anon.from('books').insert({ id: 103 });
      assert.equal(notNull.status, 400);
      assert.equal(notNull.error?.code, '23502');
      const unknown = await anon.from('kv').insert({ key: 'z', nope: 1 });
      assert.equal(unknown.error?.code, 'PGRST204');
      assert.equal(unknown.error?.message, "Could not find the 'nope' column of 'kv' in the schema cache");
    });

    it('upserts: merge-duplicates updates (200 when nothing new), ignore-duplicates keeps, on_conflict names the key', async () => {
      const merged = await anon.from('kv').upsert({ key: 'b', value: 'BETA' }).select();
      assert.equal(merged.status, 200);
      assert.deepEqual(merged.data, [{ key: 'b', value: 'BETA', hits: 0 }]);
      const mixed = await anon
        .from('kv')
        .upsert([
          { key: 'b', value: 'B2' },
          { key: 'u1', value: 'new' },
        ])
        .select('key, value');
      assert.equal(mixed.status, 201);
      assert.deepEqual(mixed.data, [
        { key: 'b', value: 'B2' },
        { key: 'u1', value: 'new' },
      ]);
      const ignored = await anon.from('kv').upsert({ key: 'b', value: 'ignored' }, { ignoreDuplicates: true }).select();
      assert.deepEqual(ignored.data, []);
      const kept = await anon.from('kv').select('value').eq('key', 'b').single();
      assert.equal(kept.data?.value, 'B2');
      const counters = await anon
        .from('counters')
        .upsert({ name: 'visits', n: 42 }, { onConflict: 'name' })
        .select('name, n, note');
      assert.deepEqual(counters.data, [{ name: 'visits', n: 42, note: 'fresh' }]);
    });

    it('updates and deletes, with and without returning, with count', async () => {
      const minimal = await anon.from('kv').update({ value: 'changed' }).eq('key', 'w1');
      assert.equal(minimal.status, 204);
      const rep = await anon
        .from('kv')
        .update({ hits: 5 }, { count: 'exact' })
        .in('key', ['w1', 'w2'])
        .select('key, hits')
        .order('key');
      assert.equal(rep.status, 200);
      assert.equal(rep.count, 2);
      assert.deepEqual(rep.data, [
        { key: 'w1', hits: 5 },
        { key: 'w2', hits: 5 },
      ]);
      const none = await anon.from('kv').update({ hits: 1 }).eq('key', 'missing').select();
      assert.deepEqual(none.data, []);
      // maxAffected() is typed for PostgREST 13+ only; the client sends it whatever the type says.
      type Strict = {
        maxAffected(n: number): PromiseLike<{ status: number; error: { code: string; details: string } | null }>;
      };
      const tooMany = await (
        anon.from('kv').update({ hits: 9 }).in('key', ['w1', 'w2']) as unknown as Strict
      ).maxAffected(1);
      assert.equal(tooMany.status, 400);
      assert.equal(tooMany.error?.code, 'PGRST124');
      assert.equal(tooMany.error?.details, 'The query affects 2 rows');
      const untouched = await anon.from('kv').select('hits').eq('key', 'w1').single();
      assert.equal(untouched.data?.hits, 5, 'PGRST124 rolled the update back');
      const deleted = await anon.from('kv').delete({ count: 'exact' }).eq('key', 'w1');
      assert.equal(deleted.status, 204);
      assert.equal(deleted.count, 1);
      const gone = await anon.from('kv').delete().eq('key', 'w2').select('key');
      assert.deepEqual(gone.data, [{ key: 'w2' }]);
    });
  });

  describe('rpc', () => {
    it('calls scalar functions by POST and GET, using defaults', async () => {
      assert.deepEqual(await anon.rpc('add', { a: 1, b: 2 }), {
        data: 3,
        error: null,
        count: null,
        status: 200,
        statusText: 'OK',
        success: true,
      });
      const get = await anon.rpc('add', { a: 1 }, { get: true });
      assert.equal(get.data, 11);
      const json = await anon.rpc('merge_meta', { patch: { a: { b: 1 } }, tags: ['x', 'y'] });
      assert.deepEqual(json.data, { a: { b: 1 }, tags: ['x', 'y'] });
    });

    it('calls set-returning functions with select, filters, order, range and count', async () => {
      const rows = await anon
        .rpc('books_by', { author: 1 })
        .select('id, title')
        .gt('published', 1968)
        .order('id', { ascending: false });
      assert.deepEqual(rows.data, [
        { id: 3, title: 'The Dispossessed' },
        { id: 2, title: 'The Left Hand of Darkness' },
      ]);
      const embedded = await anon.rpc('books_by', { author: 2 }).select('title, reviews(stars)').order('id');
      assert.deepEqual(embedded.data, [
        { title: 'Guards! Guards!', reviews: [{ stars: 5 }] },
        { title: 'Small Gods', reviews: [] },
      ]);
      const counted = await anon.rpc('books_by', { author: 1 }, { count: 'exact' }).select('id').range(0, 0);
      assert.equal(counted.count, 3);
      assert.equal(counted.status, 206);
      const head = await anon.rpc('books_by', { author: 1 }, { head: true, count: 'exact' });
      assert.equal(head.count, 3);
      const titles = await anon.rpc('book_titles').limit(2);
      assert.deepEqual(titles.data, ['A Wizard of Earthsea', 'The Left Hand of Darkness']);
      const table = await anon.rpc('book_stats').eq('genre', 'scifi');
      assert.deepEqual(table.data, [{ genre: 'scifi', n: 3 }]);
      const one = await anon.rpc('first_book').select('title').single();
      assert.deepEqual(one.data, { title: 'A Wizard of Earthsea' });
    });

    it('void → 204; volatile functions write only through POST (GET is read-only → 405)', async () => {
      const empty = await anon.rpc('nothing');
      assert.equal(empty.status, 204);
      assert.equal(empty.data, null);
      const bumped = await anon.rpc('bump', { k: 'r1' });
      assert.deepEqual(bumped.data, { key: 'r1', value: null, hits: 1 });
      const viaGet = await anon.rpc('bump', { k: 'r1' }, { get: true });
      assert.equal(viaGet.status, 405);
      assert.equal(viaGet.error?.code, '25006');
    });

    it('maps RAISE errors: PTxxx to status xxx with hint and details, P0001 to 400', async () => {
      for (const status of [400, 403, 404, 409, 429]) {
        const res = await anon.rpc('fail_with', { status, reason: `reason_${status}` });
        assert.equal(res.status, status);
        assert.deepEqual(res.error, {
          code: `PT${status}`,
          message: 'failed on purpose',
          hint: `reason_${status}`,
          details: `{"status": ${status}}`,
        });
      }
      const plain = await anon.rpc('fail_plain');
      assert.equal(plain.status, 400);
      assert.equal(plain.error?.code, 'P0001');
      assert.equal(plain.error?.message, 'plain failure');
    });

    it('reports unknown functions and argument sets with PGRST202', async () => {
      const res = await anon.rpc('add', { x: 1 });
      assert.equal(res.status, 404);
      assert.equal(res.error?.code, 'PGRST202');
      assert.equal(res.error?.message, 'Could not find the function public.add(x) in the schema cache');
      assert.equal(
        res.error?.details,
        'Searched for the function public.add with parameter x or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.',
      );
      const none = await anon.rpc('no_such_function');
      assert.equal(
        none.error?.message,
        'Could not find the function public.no_such_function without parameters in the schema cache',
      );
      const overload = await anon.rpc('overloaded', { a: 1, b: 2 });
      assert.equal(overload.data, 'two');
    });

    it('sets role, claims and request.* exactly as PostgREST (read-only for a stable function)', async () => {
      const sub = randomUUID();
      const token = userToken(sub, { email: 'ctx@example.test' });
      const res = await testClient(restUrl, { token }).rpc('request_context');
      const ctx = res.data as Record<string, any>;
      assert.equal(ctx.role, 'authenticated');
      assert.equal(ctx.uid, sub);
      assert.equal(ctx.claims.sub, sub);
      assert.equal(ctx.claims.email, 'ctx@example.test');
      assert.equal(ctx.method, 'POST');
      assert.equal(ctx.path, '/rpc/request_context');
      assert.equal(ctx.headers.authorization, `Bearer ${token}`);
      assert.equal(ctx.headers.apikey, demoKeys.anonKey);
      assert.equal(ctx.headers['content-profile'], 'public');
      assert.match(ctx.headers['x-client-info'], /^supabase-js/);
      assert.deepEqual(ctx.cookies, {});
      assert.equal(ctx.search_path, '"public", "public", "extensions"');
      assert.equal(ctx.read_only, 'on');
      assert.equal(ctx.statement_timeout, '8s', "the authenticated role's own setting is applied");
      const anonCtx = (await anon.rpc('request_context', {}, { get: true })).data as Record<string, any>;
      assert.equal(anonCtx.role, 'anon');
      assert.deepEqual(anonCtx.claims, { iss: 'supabase-demo', role: 'anon', exp: 1983812996 });
      assert.equal(anonCtx.method, 'GET');
      assert.equal(anonCtx.statement_timeout, '3s');
      const tz = await raw('/rpc/request_context', {
        headers: { Prefer: 'timezone=Europe/Paris', Cookie: 'a=1; b=two' },
      });
      assert.equal(tz.body.timezone, 'Europe/Paris');
      assert.deepEqual(tz.body.cookies, { a: '1', b: 'two' });
      assert.equal(tz.headers.get('preference-applied'), 'timezone=Europe/Paris');
      const noToken = await fetch(`${restUrl}/rpc/request_context`).then((r) => r.json());
      assert.deepEqual(noToken.claims, { role: 'anon' });
    });

    it('applies response.status and response.headers set by the function', async () => {
      const res = await raw('/rpc/custom_response', { method: 'POST' });
      assert.equal(res.status, 202);
      assert.equal(res.headers.get('x-custom'), 'yes');
      assert.deepEqual(res.body, { ok: true });
    });
  });

  describe('row level security and roles', () => {
    const alice = randomUUID();
    const bob = randomUUID();
    const as = (sub: string) => testClient(restUrl, { token: userToken(sub, { email: `${sub}@example.test` }) });

    it("hides other users' rows, refuses anon with 401 and a foreign owner with 403", async () => {
      const a = await as(alice).from('notes').insert({ body: 'alice note' }).select('body, owner_id').single();
      assert.deepEqual(a.data, { body: 'alice note', owner_id: alice });
      await as(bob)
        .from('notes')
        .insert([{ body: 'bob 1' }, { body: 'bob 2' }]);
      const mine = await as(alice).from('notes').select('body');
      assert.deepEqual(mine.data, [{ body: 'alice note' }]);
      const bobs = await as(bob).from('notes').select('body', { count: 'exact' });
      assert.equal(bobs.count, 2);
      const steal = await as(bob).from('notes').update({ body: 'stolen' }).eq('owner_id', alice).select();
      assert.deepEqual(steal.data, []);
      const denied = await anon.from('notes').select('*');
      assert.equal(denied.status, 401);
      assert.equal(denied.error?.code, '42501');
      const forged = await as(bob).from('notes').insert({ body: 'forged', owner_id: alice });
      assert.equal(forged.status, 403);
      assert.equal(forged.error?.code, '42501');
      assert.match(forged.error!.message, /row-level security/);
      const all = await service.from('notes').select('id', { count: 'exact', head: true });
      assert.equal(all.count, 3, 'service_role bypasses RLS');
    });

    it("rejects bad tokens with PostgREST's 401 codes", async () => {
      const now = Math.floor(Date.now() / 1000);
      const cases: Array<[string, string, string]> = [
        [signJwt({ role: 'authenticated', exp: now - 100 }, demoKeys.jwtSecret), 'PGRST303', 'JWT expired'],
        [
          signJwt({ role: 'authenticated', exp: now + 100 }, 'another-secret-that-is-long-enough-to-sign'),
          'PGRST301',
          'No suitable key or wrong key type',
        ],
        ['abc.def', 'PGRST301', 'Expected 3 parts in JWT; got 2'],
        [demoKeys.publishableKey, 'PGRST301', 'Expected 3 parts in JWT; got 1'],
      ];
      for (const [token, code, message] of cases) {
        const res = await raw('/books?select=id', { headers: { Authorization: `Bearer ${token}` } });
        assert.equal(res.status, 401);
        assert.equal(res.body.code, code);
        assert.equal(res.body.message, message);
        assert.match(res.headers.get('www-authenticate')!, /^Bearer error="invalid_token"/);
      }
      const unknownRole = await raw('/books?select=id', {
        headers: { Authorization: `Bearer ${signJwt({ role: 'nobody' }, demoKeys.jwtSecret)}` },
      });
      assert.equal(unknownRole.status, 401);
      assert.equal(unknownRole.body.message, 'role "nobody" does not exist');
      const admin = await raw('/books?select=id', {
        headers: { Authorization: `Bearer ${signJwt({ role: 'supabase_admin' }, demoKeys.jwtSecret)}` },
      });
      assert.equal(admin.status, 403);
      assert.equal(admin.body.code, '42501');
    });
  });

  describe('schemas and the schema cache', () => {
    it('switches profiles with schema(); unexposed schemas are PGRST106', async () => {
      const items = await anon.schema('extra').from('items').select('label');
      assert.deepEqual(items.data, [{ label: 'only in extra' }]);
      const hello = await anon.schema('extra').rpc('hello', { name: 'you' });
      assert.equal(hello.data, 'hello you');
      const inserted = await anon.schema('extra').from('items').insert({ id: 2, label: 'two' }).select('id');
      assert.deepEqual(inserted.data, [{ id: 2 }]);
      const hidden = await anon.from('items').select('*');
      assert.equal(hidden.status, 404);
      assert.equal(hidden.error?.code, 'PGRST205');
      const bad = await anon.schema('private').from('settings').select('*');
      assert.equal(bad.status, 406);
      assert.equal(bad.error?.code, 'PGRST106');
      assert.equal(bad.error?.hint, 'Only the following schemas are exposed: public, extra');
    });

    it('names unknown tables with PGRST205 and a suggestion', async () => {
      const res = await anon.from('book').select('*');
      assert.equal(res.status, 404);
      assert.equal(res.error?.message, "Could not find the table 'public.book' in the schema cache");
      assert.equal(res.error?.hint, "Perhaps you meant the table 'public.books'");
    });

    it('reloads on NOTIFY pgrst after DDL', async () => {
      await db.sql.unsafe(
        'create table public.late_table (id int primary key); insert into public.late_table values (1)',
      );
      let res = await anon.from('late_table').select('id');
      for (let i = 0; i < 50 && res.error; i++) {
        await new Promise((r) => setTimeout(r, 100));
        res = await anon.from('late_table').select('id');
      }
      assert.deepEqual(res.data, [{ id: 1 }]);
    });

    it('serves CSV, stripped nulls and the OpenAPI root', async () => {
      const csv = await anon.from('books').select('id, genre').in('id', [4, 5]).order('id').csv();
      assert.equal(csv.data, 'id,genre\n4,fantasy\n5,');
      const stripped = await anon.from('books').select('id, genre').eq('id', 5).stripNulls();
      assert.deepEqual(stripped.data, [{ id: 5 }]);
      const spec = await raw('/', {});
      assert.equal(spec.body.swagger, '2.0');
      assert.ok(spec.body.paths['/books']);
    });
  });

  describe('SQL injection', () => {
    const probes = [
      `/books?select=id;drop table public.kv`,
      `/books?select=id,title::text);drop table public.kv;--`,
      `/books?id=eq.1;drop table public.kv`,
      `/books?id=eq.1' or '1'='1`,
      `/books?${encodeURIComponent('id"; drop table public.kv; --')}=eq.1`,
      `/books?order=${encodeURIComponent('id;drop table public.kv')}`,
      `/books?order=${encodeURIComponent('"id; drop table public.kv"')}`,
      `/books?select=${encodeURIComponent(`title->>'x'');drop table public.kv;--`)}`,
      `/books?title=in.(${encodeURIComponent(`"a')); drop table public.kv; --"`)})`,
      `/books?or=(${encodeURIComponent(`id.eq.1) or (1=1`)})`,
      `/authors?meta->>${encodeURIComponent(`x'); drop table public.kv; --`)}=eq.1`,
      `/books?title=fts(${encodeURIComponent(`english'); drop table public.kv; --`)}).x`,
      `/rpc/add?a=${encodeURIComponent('1); drop table public.kv; --')}`,
      `/${encodeURIComponent('kv; drop table public.kv')}`,
      `/books?select=${encodeURIComponent('"id\u0000"; drop table public.kv; --"')}`,
      `/books?${encodeURIComponent('"id\u0000" = 1 or true; --"')}=eq.1`,
    ];

    it('treats every query parameter, header and body key as data', async () => {
      for (const probe of probes) {
        const res = await raw(probe);
        assert.ok(res.status >= 200 && res.status < 500, `${probe} → ${res.status}`);
        if (res.status === 200) assert.ok(Array.isArray(res.body) || typeof res.body === 'number', probe);
      }
      const quote = await anon.from('books').select('id').eq('title', "x' or '1'='1");
      assert.deepEqual(quote.data, []);
      const profile = await raw('/books', { headers: { 'Accept-Profile': 'public"; drop table public.kv; --' } });
      assert.equal(profile.body.code, 'PGRST106');
      const conflict = await raw(`/kv?on_conflict=${encodeURIComponent('key) do nothing; drop table public.kv; --')}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Prefer: 'resolution=merge-duplicates' },
        body: '{"key":"i1"}',
      });
      assert.equal(conflict.status, 400);
      const columns = await raw(
        `/kv?columns=${encodeURIComponent('"key","value) select 1; drop table public.kv; --"')}`,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '[{"key":"i2"}]',
        },
      );
      assert.equal(columns.body.code, 'PGRST204');
      const bodyKey = await anon
        .from('kv')
        .insert({ key: 'i3', 'value") values (1); drop table public.kv; --': 'x' } as never);
      assert.equal(bodyKey.error?.code, 'PGRST204');
      const rpcKey = await anon.rpc('add', { 'a := 1); drop table public.kv; --': 1 });
      assert.equal(rpcKey.error?.code, 'PGRST202');
      const timezone = await raw('/books?select=id&limit=1', {
        headers: { Prefer: "timezone=UTC'; drop table public.kv; --" },
      });
      assert.equal(timezone.status, 200);
      const headerValue = await raw('/rpc/request_context', { headers: { 'X-Evil': "'); drop table public.kv; --" } });
      assert.equal(headerValue.body.headers['x-evil'], "'); drop table public.kv; --");
      const kv = await db.sql.unsafe(`select count(*)::int as n from public.kv where key in ('a', 'b')`);
      assert.equal(kv[0].n, 2, 'public.kv is still there with its rows');
    });
  });
});
