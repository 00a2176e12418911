-- Meeting status: scheduled -> live -> ended only (host only), stamped, and every change broadcast from the
-- database to meeting:<id> as meeting_status_changed with {record, old_record, operation}.
begin;
select plan(15);
select tests.build_meeting_world();
-- A second, scheduled meeting of the same host.
insert into public.meetings (id, organization_id, host_id, title)
values ('c0ffee00-0000-4000-8000-000000000002', tests.world_org_id(), tests.get_supabase_uid('host'), 'Later');

select tests.authenticate_as('host');
select is((select status::text from public.set_meeting_status('c0ffee00-0000-4000-8000-000000000002', 'live')), 'live',
          'scheduled -> live');
reset role;
select ok((select started_at is not null from public.meetings where id = 'c0ffee00-0000-4000-8000-000000000002'),
          'going live stamps started_at');

select is((select event || ' private=' || private::text from realtime.messages
            where topic = 'meeting:c0ffee00-0000-4000-8000-000000000002'),
          'meeting_status_changed private=true', 'the trigger stores a private meeting_status_changed message on meeting:<id>');
select is((select payload - 'id' - 'record' - 'old_record' from realtime.messages
            where topic = 'meeting:c0ffee00-0000-4000-8000-000000000002'),
          '{"operation": "UPDATE", "table": "meetings", "schema": "public"}'::jsonb, 'with operation, table and schema');
select is((select row(payload -> 'record' ->> 'status', payload -> 'old_record' ->> 'status', payload -> 'record' ->> 'id')::text
             from realtime.messages where topic = 'meeting:c0ffee00-0000-4000-8000-000000000002'),
          row('live', 'scheduled', 'c0ffee00-0000-4000-8000-000000000002')::text, 'and the new and old records');

select tests.authenticate_as('host');
select is((select status::text from public.set_meeting_status('c0ffee00-0000-4000-8000-000000000002', 'ended')), 'ended',
          'live -> ended');
reset role;
select ok((select ended_at is not null from public.meetings where id = 'c0ffee00-0000-4000-8000-000000000002'),
          'ending stamps ended_at');
select is((select count(*) from realtime.messages where topic = 'meeting:c0ffee00-0000-4000-8000-000000000002'), 2::bigint,
          'each change is broadcast once');

select is(tests.error_of('host', $$select public.set_meeting_status('c0ffee00-0000-4000-8000-000000000002', 'live')$$)
            - 'message', jsonb_build_object('sqlstate', 'PT409', 'hint', 'invalid_status_transition',
                                            'detail', jsonb_build_object('from', 'ended', 'to', 'live')),
          'ended -> live is refused with 409');
select is(tests.error_of('host', $$select public.set_meeting_status(tests.world_meeting_id(), 'scheduled')$$) ->> 'sqlstate',
          'PT409', 'live -> scheduled is refused');
insert into public.meetings (id, organization_id, host_id, title)
values ('c0ffee00-0000-4000-8000-000000000003', tests.world_org_id(), tests.get_supabase_uid('host'), 'Skipped');
select is(tests.error_of('host', $$select public.set_meeting_status('c0ffee00-0000-4000-8000-000000000003', 'ended')$$) ->> 'sqlstate',
          'PT409', 'scheduled -> ended (skipping live) is refused');

select is(tests.error_of('host', $$select public.set_meeting_status(tests.world_meeting_id(), 'live')$$), null,
          'setting the current status again is a no-op, not an error');
select is(tests.attempt('host', $$update public.meetings set status = 'ended' where id = tests.world_meeting_id()$$), '42501',
          'the host cannot bypass the RPC with a direct status update');

select is(tests.error_of('accepted', $$select public.join_meeting('c0ffee00-0000-4000-8000-000000000002')$$) ->> 'hint',
          'meeting_ended', 'nobody joins an ended meeting');
select is(tests.error_of('host', $$select public.send_message('c0ffee00-0000-4000-8000-000000000002', 'late', 'late-1')$$) ->> 'hint',
          'meeting_ended', 'nobody sends to an ended meeting');

select * from finish();
rollback;
