-- send_message looks for an earlier attempt only when a send cannot be stored as new (migration
-- 20261204000300): a retry still answers with what the first attempt stored after every refusal that can happen
-- since (leaving, the meeting ending, the rate limit), a client_id from another meeting is still a conflict, and
-- the answer's reaction counts are right both for a new message and for a retry of one that has reactions.
begin;
select plan(18);
select tests.build_meeting_world();

-- The settings helpers it reads its limits with.
select is(private.setting_ints('message_rate_window_seconds', 'client_id_max_length', 'message_max_length'),
          array[private.setting_int('message_rate_window_seconds'), private.setting_int('client_id_max_length'),
                private.setting_int('message_max_length')],
          'setting_ints answers in the order asked');
select throws_ok($$select private.setting_ints('message_max_length', 'no_such_setting')$$, 'P0001',
                 'unknown setting among {message_max_length,no_such_setting}', 'an unknown setting is our bug and raises');
select is(private.validated_content('  12345  ', 5), '12345', 'validated_content takes a limit from its caller');
select is(tests.error_of('participant', $$select private.validated_content('123456', 5)$$) ->> 'hint', 'content_too_long',
          'and refuses past it');

-- A new message: no reactions yet, version 1.
select tests.authenticate_as('participant');
create temporary table fresh on commit drop as
  select * from public.send_message(tests.world_meeting_id(), 'fresh', 'retry-fresh');
select is((select (duplicate, reactions, reactions_version, version) from fresh),
          (false, '{}'::jsonb, 0::bigint, 1::bigint), 'a new message answers no reactions, version 1');

-- A retry of a message that has reactions since answers with their counts.
select is((select action from public.toggle_reaction((select id from fresh), '👍')), 'added', 'a reaction is added');
select tests.authenticate_as('host');
select is((select action from public.toggle_reaction((select id from fresh), '👍')), 'added', 'and another');
select tests.authenticate_as('participant');
select is((select (duplicate, reactions, reactions_version)
             from public.send_message(tests.world_meeting_id(), 'fresh', 'retry-fresh')),
          (true, '{"👍": 2}'::jsonb, 2::bigint), 'a retry answers the counts of the stored message');
reset role;

-- 'left' sent own-left while present: a retry answers, a new send is refused.
select is(tests.error_of('left', $$select public.send_message(tests.world_meeting_id(), 'again', 'own-left')$$), null,
          'after leaving, a retry of a stored message still answers');
select tests.authenticate_as('left');
select is((select (duplicate, content) from public.send_message(tests.world_meeting_id(), 'again', 'own-left')),
          (true, 'hello from left'::text), 'with the stored message, marked duplicate');
reset role;
select is(tests.error_of('left', $$select public.send_message(tests.world_meeting_id(), 'new', 'left-new')$$) ->> 'hint',
          'not_a_participant', 'a new send after leaving is refused');

-- A client_id used in another meeting is a conflict, whatever the other checks would say.
insert into public.meetings (id, organization_id, host_id, title, status, access)
values ('c0ffee00-0000-4000-8000-0000000000a1', tests.world_org_id(), tests.get_supabase_uid('host'), 'Second',
        'live', 'organization');
select is(tests.error_of('participant', $$select public.send_message('c0ffee00-0000-4000-8000-0000000000a1', 'x', 'own-participant')$$) ->> 'hint',
          'client_id_conflict', 'a client_id from another meeting is a conflict (not a member here either)');
insert into public.meeting_participants (meeting_id, user_id, role)
values ('c0ffee00-0000-4000-8000-0000000000a1', tests.get_supabase_uid('participant'), 'participant');
select is(tests.error_of('participant', $$select public.send_message('c0ffee00-0000-4000-8000-0000000000a1', 'x', 'own-participant')$$) ->> 'hint',
          'client_id_conflict', 'and as a member of it');

-- The meeting ends: retries answer, new sends are refused.
update public.meetings set status = 'ended' where id = tests.world_meeting_id();
select is(tests.error_of('participant', $$select public.send_message(tests.world_meeting_id(), 'late', 'own-participant')$$), null,
          'after the meeting ended, a retry still answers');
select is(tests.error_of('participant', $$select public.send_message(tests.world_meeting_id(), 'late', 'late-new')$$) ->> 'hint',
          'meeting_ended', 'a new send is refused with meeting_ended');

-- Invalid input is refused before any lookup: no stored message has it.
select is(tests.error_of('participant', $$select public.send_message(tests.world_meeting_id(), '   ', 'own-participant')$$) ->> 'hint',
          'content_empty', 'empty content is refused even with a stored client_id');
select is(tests.error_of('participant', $$select public.send_message('c0ffee00-0000-4000-8000-0000000000ff', 'x', 'own-participant')$$) ->> 'hint',
          'meeting_not_found', 'an unknown meeting is not found');

select is((select count(*) from public.messages where client_id in ('left-new', 'late-new')), 0::bigint,
          'nothing refused was stored');

select * from finish();
rollback;
