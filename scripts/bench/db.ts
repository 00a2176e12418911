// `npm run bench:db`: the database side of the bar in issue 3. On a throwaway database (test cluster) with
// 1,000 meetings x 50 participants x 1,000 messages, it times the private-channel read check for a meeting: topic
// (Realtime's probe sequence) and one page of get_messages, and prints their plans (explain analyze).
import { pathToFileURL } from 'node:url';
import postgres from 'postgres';
import { dbUrl } from '../../stack/config.ts';
import { createLogger, step } from '../../stack/log.ts';
import { withThrowawayDb } from '../../stack/postgres/pgtap.ts';
import { withTestCluster } from '../../stack/postgres/test-cluster.ts';

const log = createLogger('bench:db');
const MEETINGS = Number(process.env.BENCH_MEETINGS ?? 1000);
const PARTICIPANTS = Number(process.env.BENCH_PARTICIPANTS ?? 50);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1000);
const ITERATIONS = 2000;
const rollback = new Error('rollback');

/** `us` of the last statement of a multi-statement simple query (postgres.js answers one result per statement). */
function lastValue(results: unknown): number {
  const list = results as unknown[];
  const last = (Array.isArray(list[0]) ? list[list.length - 1] : list) as { us: string }[];
  return Number(last[0].us);
}

export interface BenchDataSizes {
  meetings: number;
  participants: number;
  /** Messages per meeting. */
  messages: number;
}

/**
 * Meetings x participants x messages in an empty project database, with fixed ids: organization o is
 * `a0000000-0000-4000-8000-<o>`, user u `b0000000-…-<u>`, meeting m `c0000000-…-<m>` (all zero-padded to 12 digits).
 * 10 organizations; user u belongs to organization u % 10, and so does meeting m to m % 10. Each meeting draws its
 * participants from its own organization (500 users each). Also `npm run bench`'s database section.
 */
export async function seedBenchData(sql: postgres.Sql, sizes: BenchDataSizes): Promise<void> {
  await sql.unsafe(`
  insert into public.organizations (id, name, slug)
  select ('a0000000-0000-4000-8000-' || lpad(o::text, 12, '0'))::uuid, 'Org ' || o, 'org-' || o from generate_series(0, 9) o;
  insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
  select '00000000-0000-0000-0000-000000000000', ('b0000000-0000-4000-8000-' || lpad(u::text, 12, '0'))::uuid,
         'authenticated', 'authenticated', 'u' || u || '@bench.test',
         jsonb_build_object('organization_id', 'a0000000-0000-4000-8000-' || lpad((u % 10)::text, 12, '0')),
         jsonb_build_object('full_name', 'User ' || u), now(), now()
    from generate_series(0, 5009) u;
  insert into public.meetings (id, organization_id, host_id, title, status, access)
  select ('c0000000-0000-4000-8000-' || lpad(m::text, 12, '0'))::uuid,
         ('a0000000-0000-4000-8000-' || lpad((m % 10)::text, 12, '0'))::uuid,
         ('b0000000-0000-4000-8000-' || lpad((m % 10 + 10)::text, 12, '0'))::uuid, 'Meeting ' || m, 'live', 'organization'
    from generate_series(1, ${sizes.meetings}) m;
  -- participant k of meeting m: a user of the same organization (user id = org-aligned stride).
  insert into public.meeting_participants (meeting_id, user_id, role)
  select ('c0000000-0000-4000-8000-' || lpad(m::text, 12, '0'))::uuid,
         ('b0000000-0000-4000-8000-' || lpad(((m % 10) + 10 * (((m / 10) + k) % 500 + 1))::text, 12, '0'))::uuid,
         'participant'
    from generate_series(1, ${sizes.meetings}) m, generate_series(1, ${sizes.participants}) k
  on conflict do nothing;`);
  const rounds = Math.ceil(sizes.messages / sizes.participants); // each participant sends once a round
  await sql.unsafe(`
  -- History: a meeting's k-th message is k seconds after its start, and the last one an hour ago, so no rate-limit
  -- window still holds the seed's messages (a bench of send_message would count them otherwise).
  insert into public.messages (meeting_id, sender_id, client_id, content, created_at)
  select p.meeting_id, p.user_id, 'b-' || p.meeting_id || '-' || i, 'message ' || i,
         now() - interval '1 hour' - make_interval(secs => ${rounds * sizes.participants} - ((i - 1) * ${sizes.participants} + p.rn))
    from (select meeting_id, user_id, row_number() over (partition by meeting_id order by user_id) as rn
            from public.meeting_participants) p
    cross join generate_series(1, ${rounds}) i
   where p.rn <= ${sizes.participants};
  analyze;`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await withTestCluster(log, (cfg) =>
    withThrowawayDb(cfg, log, async (database) => {
      const sql = postgres(dbUrl(cfg, { database, sslmode: false }), { max: 1, onnotice: () => {} });
      try {
        await step(
          log,
          `seeding ${MEETINGS} meetings x ${PARTICIPANTS} participants x ${MESSAGES} messages`,
          async () => {
            await seedBenchData(sql, { meetings: MEETINGS, participants: PARTICIPANTS, messages: MESSAGES });
          },
        );
        const [{ meetings, participants, messages }] = await sql`select
      (select count(*) from public.meetings)::int as meetings,
      (select count(*) from public.meeting_participants)::int as participants,
      (select count(*) from public.messages)::int as messages`;
        const [target] = await sql`select mp.meeting_id, mp.user_id from public.meeting_participants mp
                                order by mp.meeting_id desc limit 1`;
        const [{ mid_seq }] = await sql`select percentile_disc(0.5) within group (order by seq) as mid_seq
                                      from public.messages where meeting_id = ${target.meeting_id}`;
        const claims = JSON.stringify({ sub: target.user_id, role: 'authenticated' });
        const topic = `meeting:${target.meeting_id}`;

        // Realtime's read check: a probe row inserted by the connection user, then read back as the client.
        let channelCheck!: { plan: unknown; us: number; visible: number };
        await sql
          .begin(async (tx) => {
            await tx`create temporary table probes on commit drop as
               select gen_random_uuid() as id from generate_series(1, ${ITERATIONS})`;
            await tx`insert into realtime.messages (id, topic, extension) select id, ${topic}, 'broadcast' from probes`;
            await tx`grant select on probes to authenticated`;
            await tx`select set_config('role', 'authenticated', true), set_config('realtime.topic', ${topic}, true),
                      set_config('request.jwt.claims', ${claims}, true)`;
            const plan = await tx.unsafe(`explain (analyze, costs off, timing on)
        select id from realtime.messages where id in (select id from probes limit 1)`);
            const rows = await tx.unsafe(`
        do $$ declare p uuid; t0 timestamptz; n int := 0; begin
          t0 := clock_timestamp();
          for p in select id from probes loop
            perform 1 from realtime.messages where id = p; n := n + 1;
          end loop;
          perform set_config('bench.us', (extract(epoch from clock_timestamp() - t0) * 1e6 / n)::text, true);
        end $$;
        select current_setting('bench.us') as us`);
            const visible = await tx`select count(*)::int as n from realtime.messages where topic = ${topic}`;
            channelCheck = { plan, us: lastValue(rows), visible: visible[0].n };
            throw rollback; // nothing persists, as Realtime's ROLLBACK AND CHAIN
          })
          .catch((e) => {
            if (e !== rollback) throw e;
          });

        const pageCheck = await sql.begin(async (tx) => {
          // get_messages runs as its owner (SECURITY DEFINER) after one membership check: explain its query as such.
          const plan = await tx.unsafe(`explain (analyze, costs off, timing on)
        select m.* from public.messages m where m.meeting_id = '${target.meeting_id}' and m.seq < ${mid_seq}
        order by m.seq desc limit 50`);
          await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
          const rows = await tx.unsafe(`
        do $$ declare t0 timestamptz; begin
          t0 := clock_timestamp();
          for i in 1..${ITERATIONS} loop
            perform * from public.get_messages('${target.meeting_id}', before_seq => ${mid_seq}, page_size => 50);
          end loop;
          perform set_config('bench.us', (extract(epoch from clock_timestamp() - t0) * 1e6 / ${ITERATIONS})::text, true);
        end $$;
        select current_setting('bench.us') as us`);
          return { plan, us: lastValue(rows) };
        });

        const planText = (rows: unknown) =>
          (rows as { 'QUERY PLAN': string }[]).map((r) => '    ' + r['QUERY PLAN']).join('\n');
        console.log(`\nData: ${meetings} meetings, ${participants} participants, ${messages} messages\n`);
        console.log('| check | mean per call | target |');
        console.log('|---|---|---|');
        console.log(
          `| meeting: channel read check (probe select as participant, ${ITERATIONS} probes) | ${(channelCheck.us / 1000).toFixed(3)} ms | <= 0.2 ms |`,
        );
        console.log(
          `| get_messages page of 50 (before_seq, ${ITERATIONS} calls) | ${(pageCheck.us / 1000).toFixed(3)} ms | <= 1 ms |`,
        );
        console.log(`\nprobe rows visible to the participant: ${channelCheck.visible} of ${ITERATIONS}`);
        console.log(`\nexplain analyze — channel read check:\n${planText(channelCheck.plan)}`);
        console.log(`\nexplain analyze — get_messages' page query:\n${planText(pageCheck.plan)}\n`);
      } finally {
        await sql.end();
      }
    }),
  );
}
