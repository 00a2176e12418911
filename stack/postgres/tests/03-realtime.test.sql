-- realtime.send(), realtime.topic() and realtime.broadcast_changes() store what Realtime broadcasts.
begin;
select plan(13);

select has_table('realtime', 'messages', 'realtime.messages exists');
select is((select relkind::text from pg_class where oid = 'realtime.messages'::regclass), 'p', 'realtime.messages is partitioned');
select isnt(to_regclass('realtime.messages_' || to_char(current_date, 'YYYY_MM_DD')), null, 'today''s partition exists');
select ok(exists (select 1 from pg_publication where pubname = 'supabase_realtime'), 'publication supabase_realtime exists');
select ok(exists (select 1 from pg_publication_tables where pubname = 'supabase_realtime_messages_publication'
                  and schemaname = 'realtime'), 'supabase_realtime_messages_publication publishes realtime.messages');

select realtime.send('{"hello":"world"}'::jsonb, 'greeting', 'room:1');
select is((select private from realtime.messages where topic = 'room:1'), true, 'realtime.send() is private by default');
select is((select payload ->> 'id' from realtime.messages where topic = 'room:1'),
          (select id::text from realtime.messages where topic = 'room:1'), 'realtime.send() adds the row id to the payload');
select is((select event || '/' || extension from realtime.messages where topic = 'room:1'), 'greeting/broadcast',
          'realtime.send() stores the event as a broadcast');

select realtime.send('{"id":"mine"}'::jsonb, 'e', 'room:2', false);
select is((select payload ->> 'id' || '/' || private::text from realtime.messages where topic = 'room:2'), 'mine/false',
          'realtime.send() keeps a caller id and honours private = false');

select set_config('realtime.topic', 'meeting:abc', true);
select is(realtime.topic(), 'meeting:abc', 'realtime.topic() returns the topic setting');

create table public.rt_probe (id int primary key, status text);
create function public.rt_probe_broadcast() returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform realtime.broadcast_changes('probe:' || coalesce(new.id, old.id), 'probe_changed', tg_op, tg_table_name,
                                     tg_table_schema, new, old);
  return null;
end
$$;
create trigger rt_probe_broadcast after update on public.rt_probe for each row execute function public.rt_probe_broadcast();
insert into public.rt_probe values (7, 'scheduled');
update public.rt_probe set status = 'live' where id = 7;

select is((select payload - 'id' from realtime.messages where topic = 'probe:7'),
  '{"schema":"public","table":"rt_probe","operation":"UPDATE","record":{"id":7,"status":"live"},"old_record":{"id":7,"status":"scheduled"}}'::jsonb,
  'broadcast_changes stores {schema, table, operation, record, old_record}');
select is((select event || '/' || private::text from realtime.messages where topic = 'probe:7'), 'probe_changed/true',
  'broadcast_changes stores a private message with the given event');

set local role authenticated;
select realtime.send('{}'::jsonb, 'e', 'room:denied');
reset role;
select is((select count(*) from realtime.messages where topic = 'room:denied'), 0::bigint,
  'without an INSERT policy an authenticated realtime.send() stores nothing (and only warns)');

select * from finish();
rollback;
