-- Joining and leaving keep one participant row per user and meeting; invitations gate invite-only meetings and
-- are answered by their invitee only.
begin;
select plan(14);
select tests.build_meeting_world();

select tests.authenticate_as('accepted');
select is((select role::text from public.join_meeting(tests.world_meeting_id())), 'participant', 'an accepted invitee joins as participant');
create temporary table first_join on commit drop as select joined_at from public.meeting_participants
  where user_id = tests.get_supabase_uid('accepted');
select is((select joined_at from public.join_meeting(tests.world_meeting_id())), (select joined_at from first_join),
          'joining again while present changes nothing');
select ok((select left_at is not null from public.leave_meeting(tests.world_meeting_id())), 'leaving stamps left_at');
select ok((select left_at is not null from public.leave_meeting(tests.world_meeting_id())), 'leaving twice is a no-op');
select is((select left_at from public.join_meeting(tests.world_meeting_id())), null, 're-joining clears left_at');
reset role;
select is((select count(*) from public.meeting_participants where meeting_id = tests.world_meeting_id()
             and user_id = tests.get_supabase_uid('accepted')), 1::bigint, 'one row per user and meeting, however often they come back');

select is(tests.error_of('uninvited', $$select public.leave_meeting(tests.world_meeting_id())$$) ->> 'sqlstate', 'PT404',
          'leaving a meeting never joined is 404');
select is(tests.error_of('host', $$select public.join_meeting(gen_random_uuid())$$) ->> 'hint', 'meeting_not_found',
          'an unknown meeting is 404');

-- The pending invitee accepts, then may join.
select is(tests.error_of('pending', $$select public.join_meeting(tests.world_meeting_id())$$) ->> 'hint', 'invitation_required',
          'a pending invitee must accept first');
select is(tests.attempt('participant', format($$update public.meeting_invitations set status = 'accepted' where invitee_id = %L returning 1$$,
          tests.get_supabase_uid('pending'))), 'ok', 'someone else''s invitation update runs ...');
select is((select status::text from public.meeting_invitations where invitee_id = tests.get_supabase_uid('pending')), 'pending',
          '... but changes nothing (RLS)');
select tests.authenticate_as('pending');
update public.meeting_invitations set status = 'accepted' where invitee_id = auth.uid();
reset role;
select is(tests.error_of('pending', $$select public.join_meeting(tests.world_meeting_id())$$), null, 'once accepted, the invitee joins');

-- Organization meetings are open to every member of the organization, and only to them.
update public.meetings set access = 'organization' where id = tests.world_meeting_id();
select is(tests.error_of('uninvited', $$select public.join_meeting(tests.world_meeting_id())$$), null,
          'any org member joins an organization meeting');
select is(tests.error_of('other_org', $$select public.join_meeting(tests.world_meeting_id())$$) ->> 'hint', 'not_allowed',
          'a member of another organization does not');

select * from finish();
rollback;
