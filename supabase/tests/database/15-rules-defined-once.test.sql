-- Each rule is defined once: limits in private.settings, refusal reasons in private.error_reasons. Where SQL must
-- repeat a number (a CHECK constraint, the immutable is_emoji), this file fails when the two disagree; where code
-- names a reason, the reason must exist, and every reason must be used.
begin;
select plan(13);

create temporary table limits on commit drop as
  select private.setting_int('message_max_length') as content_max, private.setting_int('client_id_max_length') as client_id_max,
         private.setting_int('emoji_max_length') as emoji_max;

select tests.build_meeting_world();
create function pg_temp.insert_message(body text, client text) returns text language plpgsql as $$
begin
  insert into public.messages (meeting_id, sender_id, client_id, content)
  values (tests.world_meeting_id(), tests.get_supabase_uid('host'), client, body);
  return 'ok';
exception when check_violation then return 'check_violation';
end;
$$;

select is(pg_temp.insert_message(repeat('x', (select content_max from limits)), 'at-limit'), 'ok',
          'the messages CHECK takes message_max_length characters');
select is(pg_temp.insert_message(repeat('x', (select content_max from limits) + 1), 'over-limit'), 'check_violation',
          'and refuses one more: the CHECK agrees with the setting');
select is(pg_temp.insert_message('x', repeat('c', (select client_id_max from limits))), 'ok',
          'the client_id CHECK takes client_id_max_length characters');
select is(pg_temp.insert_message('x', repeat('c', (select client_id_max from limits) + 1)), 'check_violation',
          'and refuses one more');
select ok(private.is_emoji(repeat('👍', (select emoji_max from limits))), 'is_emoji takes emoji_max_length characters');
select ok(not private.is_emoji(repeat('👍', (select emoji_max from limits) + 1)), 'and refuses one more');

select is(
  (select array_agg(k) from unnest(private.setting_text_array('participant_state_keys')) k
    where not exists (select 1 from information_schema.columns c
                       where c.table_schema = 'public' and c.table_name = 'meeting_participants' and c.column_name = k)),
  null, 'every participant state key is a column of meeting_participants');
select ok(private.setting_text_array('moderator_state_keys') <@ private.setting_text_array('participant_state_keys'),
          'moderators change a subset of the participant state keys');

-- The reasons our SQL names: raise_error('<reason>' … and the refusal helpers' return '<reason>'.
create temporary table named_reasons on commit drop as
  select distinct m[1] as reason, p.oid::regprocedure::text as fn
    from pg_proc p
    cross join lateral regexp_matches(p.prosrc, $r$(?:raise_error\(|return )'([a-z_]+)'$r$, 'g') m
   where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace);

select is((select array_agg(distinct n.reason || ' in ' || n.fn) from named_reasons n
            where not exists (select 1 from private.error_reasons e where e.reason = n.reason)),
          null, 'every reason the SQL raises or returns is in private.error_reasons');
select is((select array_agg(e.reason) from private.error_reasons e
            where not exists (select 1 from named_reasons n where n.reason = e.reason)),
          null, 'every reason in private.error_reasons is used');
select throws_ok($$select private.raise_error('no_such_reason')$$, 'XX000', 'unknown error reason no_such_reason',
                 'an unknown reason is our bug (500), never a made-up status');
select is((select count(*) from private.error_reasons where status not between 400 and 499), 0::bigint,
          'reasons are client errors (4xx)');

-- A SQL-language function with a SET clause is never inlined and is parsed and planned again in every transaction
-- (PL/pgSQL keeps its plans per connection): the helpers every send, join and policy check runs stay PL/pgSQL. Only
-- the metrics renderer, called once per scrape, is exempt.
select is(array(select n.nspname || '.' || p.proname
                  from pg_catalog.pg_proc p
                  join pg_catalog.pg_namespace n on n.oid = p.pronamespace
                  join pg_catalog.pg_language l on l.oid = p.prolang
                 where n.nspname in ('public', 'private') and l.lanname = 'sql' and p.proconfig is not null
                   and p.oid <> 'public.broadcast_metrics()'::regprocedure
                 order by 1),
          '{}'::text[], 'no SQL-language helper with a SET clause (they would be planned anew in every transaction)');

select * from finish();
rollback;
