-- remove_participant: host or cohost only; the removed user is told on user:<id> in the same transaction, loses
-- the meeting channel at once and cannot re-join.
begin;
select plan(11);
select tests.build_meeting_world();

select is(tests.error_of('participant', format($$select public.remove_participant(tests.world_meeting_id(), %L)$$,
                                               tests.get_supabase_uid('host'))) ->> 'hint', 'not_moderator',
          'a participant cannot remove anyone');
select is(tests.error_of('host', format($$select public.remove_participant(tests.world_meeting_id(), %L)$$,
                                        tests.get_supabase_uid('host'))) ->> 'hint', 'cannot_remove_self',
          'the host cannot remove themselves (they leave)');
select is(tests.error_of('host', format($$select public.remove_participant(tests.world_meeting_id(), %L)$$,
                                        tests.get_supabase_uid('accepted'))) ->> 'sqlstate', 'PT404',
          'someone never in the meeting cannot be removed (404)');

select tests.authenticate_as('host');
select ok((select removed_at is not null and left_at is not null
             from public.remove_participant(tests.world_meeting_id(), tests.get_supabase_uid('participant'))),
          'the host removes a participant: removed and left');
reset role;

select is((select event || ' private=' || private::text || ' meeting=' || (payload ->> 'meeting_id')
             from realtime.messages where topic = 'user:' || tests.get_supabase_uid('participant')),
          'participant_removed private=true meeting=' || tests.world_meeting_id(),
          'the removed user is told on their user: channel');
select is(tests.attempt('participant', format($$select tests.require_access(tests.channel_can_read(%L))$$,
                                              'meeting:' || tests.world_meeting_id())), '42501',
          'the removed user can no longer receive on the meeting channel');
select is(tests.attempt('participant', format($$select tests.require_access(tests.channel_can_write(%L))$$,
                                              'meeting:' || tests.world_meeting_id())), '42501', 'nor send on it');
select is(tests.error_of('participant', $$select public.join_meeting(tests.world_meeting_id())$$) ->> 'hint',
          'removed_from_meeting', 'and cannot re-join');

-- A cohost moderates participants, not the host or other cohosts.
update public.meeting_participants set left_at = null, role = 'cohost' where user_id = tests.get_supabase_uid('left');
insert into public.meeting_participants (meeting_id, user_id, role)
values (tests.world_meeting_id(), tests.get_supabase_uid('accepted'), 'cohost');
select is(tests.error_of('left', format($$select public.remove_participant(tests.world_meeting_id(), %L)$$,
                                        tests.get_supabase_uid('host'))) ->> 'hint', 'cannot_remove_host', 'a cohost cannot remove the host');
select is(tests.error_of('left', format($$select public.remove_participant(tests.world_meeting_id(), %L)$$,
                                        tests.get_supabase_uid('accepted'))) ->> 'hint', 'cannot_remove_cohost', 'nor another cohost');
update public.meeting_participants set role = 'participant' where user_id = tests.get_supabase_uid('accepted');
select is(tests.error_of('left', format($$select public.remove_participant(tests.world_meeting_id(), %L)$$,
                                        tests.get_supabase_uid('accepted'))), null, 'but removes a participant');

select * from finish();
rollback;
