// `npm run bench`'s database section, on a cluster of its own (the project's migrations and seed, then bench:db's
// meetings × participants × messages: 1M messages at full size):
//  1. pgbench TPS of `send_message` called as an authenticated user (role and `request.jwt.claims` set in the
//     transaction with set_config, as PostgREST does) against a bare insert of the same row as the superuser, and
//     against an RPC that only inserts the row (bench.insert_only, SECURITY DEFINER like send_message) called the same
//     way: what the call as an authenticated user costs with no rules at all, the most any send_message could reach.
//     Rounds are interleaved (the order rotated each round). Every transaction is a random member of a random meeting
//     (all seeded participants), so each sender sends at a person's pace and the rate-limit window (the default 60 s;
//     only the count is lifted) holds a few of their messages, as in a real room, not the hundreds a single pgbench
//     client per sender would post each second. Every script is one round trip per transaction, so the differences
//     are the call as a user and the RPC's own work: the membership and rate-limit checks, the answer's shape.
//  2. get_messages page latency as a member, from the client (postgres.js), at random points of a meeting's history.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemFile } from '../../stack/system/index.ts';
import { startTestCluster } from '../../stack/testing/cluster.ts';
import { seedBenchData, type BenchDataSizes } from './db.ts';
import { percentile } from './report.ts';

export interface DatabaseBenchOptions {
  sizes: BenchDataSizes;
  /** pgbench clients (each its own meeting and member), seconds per run, interleaved rounds. */
  clients: number;
  seconds: number;
  rounds: number;
  /** get_messages calls per round. */
  pageCalls: number;
  pageSize: number;
  progress: (message: string) => void;
}

export interface DatabaseBenchRaw {
  messages: number;
  sendMessageTps: number[];
  bareInsertTps: number[];
  insertOnlyRpcTps: number[];
  pageP50Ms: number[];
  pageP99Ms: number[];
}

/** pgbench scripts over `pairs` (meeting, member) pairs: each transaction picks one at random. */
function rpcScript(pairs: number, rpc: string): string {
  return `\\set r random(1, 1000000000000)
\\set p random(0, ${pairs - 1})
begin \\;
select set_config('role', 'authenticated', true), set_config('request.jwt.claims', claims, true),
       set_config('bench.meeting', meeting_id::text, true)
  from bench.pairs where n = :p \\;
select ${rpc}(current_setting('bench.meeting')::uuid, 'hello from pgbench', 'pgb-' || :client_id || '-' || :r) \\;
commit;
`;
}

function bareInsertScript(pairs: number): string {
  return `\\set r random(1, 1000000000000)
\\set p random(0, ${pairs - 1})
insert into public.messages (meeting_id, sender_id, client_id, content)
select meeting_id, user_id, 'pgb-' || :client_id || '-' || :r, 'hello from pgbench' from bench.pairs where n = :p;
`;
}

/** Transactions per second of one pgbench run of `script`; throws with pgbench's output when it fails. */
function pgbench(url: URL, script: string, clients: number, seconds: number): Promise<number> {
  const args = [
    '-h',
    url.hostname,
    '-p',
    url.port,
    '-U',
    url.username,
    '-n', // no vacuum of pgbench's own tables (there are none)
    '-c',
    String(clients),
    '-j',
    String(Math.min(clients, 2)),
    '-T',
    String(seconds),
    '-f',
    script,
    url.pathname.slice(1),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(systemFile('pgbench'), args, {
      env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output);
      const failed = Number(/number of failed transactions: (\d+)/.exec(output)?.[1] ?? 0);
      if (code !== 0 || !tps || failed > 0) reject(new Error(`pgbench ${script} failed (${code}):\n${output}`));
      else resolve(Number(tps[1]));
    });
  });
}

export async function runDatabaseBench(opts: DatabaseBenchOptions): Promise<DatabaseBenchRaw> {
  const db = await startTestCluster({ name: 'db-bench', ports: [24377, 24378, 24379] });
  const dir = mkdtempSync(join(tmpdir(), 'mr-pgbench-'));
  try {
    const { sql } = db;
    const started = performance.now();
    await seedBenchData(sql, opts.sizes);
    // What autovacuum does soon after a million inserts (its insert threshold), before the measured runs: the
    // visibility map set, so index-only scans and the runs do not race a vacuum of the seed.
    await sql.unsafe('vacuum (analyze) public.messages');
    const [{ messages }] = await sql<{ messages: number }[]>`select count(*)::int as messages from public.messages`;
    opts.progress(`database: ${messages} messages seeded (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    // Every (meeting, member) pair, numbered for pgbench; the rate limit's count lifted, its window left as shipped.
    await sql.unsafe(`
      create schema bench;
      create table bench.pairs (n int primary key, meeting_id uuid not null, user_id uuid not null, claims text not null);
      insert into bench.pairs
      select row_number() over (order by meeting_id, user_id) - 1, meeting_id, user_id,
             json_build_object('sub', user_id, 'role', 'authenticated')::text
        from public.meeting_participants;
      update private.settings set value = '1000000' where key = 'message_rate_limit';
      -- send_message with no rules: the same row, inserted as the owner, answered as the row.
      create function bench.insert_only(meeting_id uuid, content text, client_id text) returns public.messages
      language plpgsql volatile security definer set search_path = ''
      as $fn$
      declare
        stored public.messages;
      begin
        insert into public.messages (meeting_id, sender_id, client_id, content, type)
        values (insert_only.meeting_id, (select auth.uid()), insert_only.client_id, insert_only.content, 'text')
        returning * into stored;
        return stored;
      end;
      $fn$;
      grant usage on schema bench to authenticated;
      grant execute on function bench.insert_only(uuid, text, text) to authenticated;`);
    const [{ pairs }] = await sql<{ pairs: number }[]>`select count(*)::int as pairs from bench.pairs`;
    const sendFile = join(dir, 'send_message.sql');
    const bareFile = join(dir, 'bare_insert.sql');
    const insertOnlyFile = join(dir, 'insert_only_rpc.sql');
    writeFileSync(sendFile, rpcScript(pairs, 'public.send_message'));
    writeFileSync(bareFile, bareInsertScript(pairs));
    writeFileSync(insertOnlyFile, rpcScript(pairs, 'bench.insert_only'));
    const url = new URL(db.url());
    const raw: DatabaseBenchRaw = {
      messages,
      sendMessageTps: [],
      bareInsertTps: [],
      insertOnlyRpcTps: [],
      pageP50Ms: [],
      pageP99Ms: [],
    };
    const scripts: [string, number[]][] = [
      [sendFile, raw.sendMessageTps],
      [bareFile, raw.bareInsertTps],
      [insertOnlyFile, raw.insertOnlyRpcTps],
    ];
    // One unmeasured second of each first: backends plan the RPC's statements once.
    for (const [file] of scripts) await pgbench(url, file, opts.clients, 1);
    for (let round = 0; round < opts.rounds; round++) {
      // Rotated each round, so no script always runs first or after the same one.
      for (let i = 0; i < scripts.length; i++) {
        const [file, tps] = scripts[(round + i) % scripts.length];
        tps.push(await pgbench(url, file, opts.clients, opts.seconds));
      }
      opts.progress(
        `database: pgbench round ${round + 1}/${opts.rounds}: send_message ${raw.sendMessageTps.at(-1)?.toFixed(0)} tps, bare insert ${raw.bareInsertTps.at(-1)?.toFixed(0)} tps, insert-only RPC ${raw.insertOnlyRpcTps.at(-1)?.toFixed(0)} tps`,
      );
    }

    // get_messages as a member of the meeting with the most messages, before a random seq of its history.
    const [target] = await sql<{ meeting_id: string; user_id: string; lo: string; hi: string }[]>`
      select m.meeting_id, (select user_id from public.meeting_participants p where p.meeting_id = m.meeting_id limit 1) as user_id,
             min(m.seq) as lo, max(m.seq) as hi
        from public.messages m group by m.meeting_id order by count(*) desc limit 1`;
    const claims = JSON.stringify({ sub: target.user_id, role: 'authenticated' });
    const lo = Number(target.lo);
    const hi = Number(target.hi);
    for (let round = 0; round <= opts.rounds; round++) {
      const times: number[] = [];
      await sql.begin(async (tx) => {
        await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
        for (let i = 0; i < opts.pageCalls; i++) {
          const before = lo + Math.floor(Math.random() * (hi - lo + 1));
          const t = performance.now();
          const rows =
            await tx`select id from public.get_messages(${target.meeting_id}, before_seq => ${before}, page_size => ${opts.pageSize})`;
          times.push(performance.now() - t);
          if (rows.length === 0 && before > lo) throw new Error('get_messages returned no page');
        }
      });
      if (round === 0) continue; // warm-up
      raw.pageP50Ms.push(percentile(times, 50));
      raw.pageP99Ms.push(percentile(times, 99));
    }
    opts.progress(`database: get_messages measured`);
    return raw;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await db.stop();
  }
}
