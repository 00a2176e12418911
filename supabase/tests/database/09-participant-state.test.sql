-- update_participant_state: only the allowed keys with the right types; moderators may mute others or lower
-- their hand, nothing else.
begin;
select plan(12);
select tests.build_meeting_world();

select is(tests.error_of('participant', $$select public.update_participant_state(tests.world_meeting_id(), '{"is_muted": true, "zed": 1, "foo": 2}')$$)
            - 'detail', jsonb_build_object('sqlstate', 'PT400', 'hint', 'unknown_state_keys', 'message', 'unknown state keys: foo, zed'),
          'unknown keys are an error naming them');
select is(tests.error_of('participant', $$select public.update_participant_state(tests.world_meeting_id(), '{"is_muted": "yes"}')$$) -> 'detail',
          '{"key": "is_muted", "expected": "boolean"}'::jsonb, 'a boolean key with a string is refused');
select is(tests.error_of('participant', $$select public.update_participant_state(tests.world_meeting_id(), '{"status": "sleeping"}')$$) ->> 'hint',
          'invalid_state_value', 'an unknown status is refused');
select is(tests.error_of('participant', $$select public.update_participant_state(tests.world_meeting_id(), '[true]')$$) ->> 'hint',
          'invalid_state', 'a non-object is refused');
select is(tests.error_of('participant', $$select public.update_participant_state(tests.world_meeting_id(), '{}')$$) ->> 'hint',
          'invalid_state', 'an empty object is refused');

select tests.authenticate_as('participant');
select is((select row(is_muted, is_video_on, is_hand_raised, status)::text
             from public.update_participant_state(tests.world_meeting_id(), '{"is_muted": true, "is_hand_raised": true, "status": "away"}')),
          row(true, true, true, 'away')::text, 'allowed keys change, the others stay');
reset role;

select is(tests.error_of('host', format($$select public.update_participant_state(tests.world_meeting_id(), '{"is_muted": false}', %L)$$,
                                        tests.get_supabase_uid('participant'))), null, 'the host may mute or unmute someone');
select is(tests.error_of('host', format($$select public.update_participant_state(tests.world_meeting_id(), '{"is_video_on": false}', %L)$$,
                                        tests.get_supabase_uid('participant'))) ->> 'hint',
          'not_allowed_for_others', 'but not turn their camera off');

update public.meeting_participants set role = 'cohost' where user_id = tests.get_supabase_uid('participant');
select is(tests.error_of('participant', format($$select public.update_participant_state(tests.world_meeting_id(), '{"is_hand_raised": false}', %L)$$,
                                        tests.get_supabase_uid('host'))), null, 'a present cohost may lower the host''s hand');
select is(tests.error_of('host', format($$select public.update_participant_state(tests.world_meeting_id(), '{"is_muted": true}', %L)$$,
                                        tests.get_supabase_uid('left'))) ->> 'hint', 'participant_not_found',
          'someone who left has no state to change (404)');
select is(tests.error_of('left', $$select public.update_participant_state(tests.world_meeting_id(), '{"is_muted": true}')$$) ->> 'sqlstate',
          'PT403', 'nor can they change their own');
select is(tests.error_of('participant', $$select public.update_participant_state(gen_random_uuid(), '{"is_muted": true}')$$) ->> 'sqlstate',
          'PT404', 'an unknown meeting is 404');

select * from finish();
rollback;
