-- Threat: a table, function or helper reachable by someone it was not meant for.
--   RLS on every table; no SECURITY DEFINER function without a fixed search_path; definer helpers live outside
--   exposed schemas; anon can execute no RPC; authenticated exactly the RPCs; foreign keys are indexed.
begin;
select plan(9);

select is(
  (select array_agg(c.relname::text order by c.relname) from pg_class c
    where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace) and c.relkind in ('r', 'p')
      and not c.relrowsecurity),
  null, 'RLS is enabled on every table in public and private');

select is(
  (select array_agg(p.oid::regprocedure::text order by 1) from pg_proc p
    where p.prosecdef
      and p.pronamespace not in ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
      and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) cfg where cfg like 'search_path=%')),
  null, 'every SECURITY DEFINER function pins its search_path');

select is(
  (select array_agg(p.oid::regprocedure::text order by 1) from pg_proc p
    where p.prosecdef and p.pronamespace in ('public'::regnamespace, 'graphql_public'::regnamespace)
      and p.proname not in ('join_meeting', 'leave_meeting', 'send_message', 'edit_message', 'delete_message',
                            'get_messages', 'toggle_reaction', 'update_participant_state', 'list_participants',
                            'remove_participant', 'set_meeting_status',
                            'record_broadcast_outcomes', 'broadcast_metrics')),
  null, 'SECURITY DEFINER functions in exposed schemas are RPCs only (helpers live in private)');

select is(
  (select array_agg(p.oid::regprocedure::text order by 1) from pg_proc p
    where p.pronamespace = 'public'::regnamespace and has_function_privilege('anon', p.oid, 'execute')),
  null, 'anon can execute no function in public');

select set_eq(
  $$select p.proname::text from pg_proc p
     where p.pronamespace = 'public'::regnamespace and has_function_privilege('authenticated', p.oid, 'execute')$$,
  array['join_meeting', 'leave_meeting', 'send_message', 'edit_message', 'delete_message', 'get_messages',
        'toggle_reaction', 'update_participant_state', 'list_participants', 'remove_participant', 'set_meeting_status'],
  'authenticated can execute exactly the RPCs');

select ok(not has_schema_privilege('anon', 'private', 'usage'), 'anon cannot reach the private schema');
select ok(not has_table_privilege('authenticated', 'private.settings', 'select'), 'clients cannot read settings directly');

select is(
  (select array_agg(c.conrelid::regclass::text || '(' || c.conname || ')' order by 1)
     from pg_constraint c
    where c.contype = 'f' and c.connamespace = 'public'::regnamespace
      and not exists (select 1 from pg_index i
                       where i.indrelid = c.conrelid
                         and (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] = c.conkey)),
  array['meeting_participants(meeting_participants_removed_by_fkey)'],
  'every foreign key a policy or helper follows is indexed (removed_by is audit only)');

select is(
  (select array_agg(c.relname::text order by 1) from pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
      and (has_table_privilege('anon', c.oid, 'select') or has_table_privilege('anon', c.oid, 'insert'))),
  null, 'anon has no privilege on any domain table');

select * from finish();
rollback;
