-- Every stateful object a client keeps carries a version raised in the writing transaction: a message (edit,
-- delete), its reaction counts (every toggle, counts exact at that version), a participant, a meeting. And one user
-- is present in at most `max_present_meetings` meetings at once. And meetings are published for Postgres Changes.
begin;
select plan(20);
select tests.build_meeting_world();

create temporary table target on commit drop as select id from public.messages where client_id = 'own-participant';
grant select on target to authenticated;

select tests.authenticate_as('participant');
select is((select row(version, reactions_version, reactions)::text from public.get_messages(tests.world_meeting_id())
            where id = (select id from target)), row(1, 0, '{}'::jsonb)::text, 'a new message is version 1, no reactions yet');
select is((select version from public.edit_message((select id from target), 'edited once')), 2::bigint, 'an edit raises the version');
select is((select version from public.edit_message((select id from target), 'edited twice')), 3::bigint, 'every edit does');
select is((select row(version, counts)::text from public.toggle_reaction((select id from target), '👍')),
          row(1, '{"👍": 1}'::jsonb)::text, 'a toggle raises the reactions version and answers the counts at it');
select tests.authenticate_as('host');
select is((select row(version, counts)::text from public.toggle_reaction((select id from target), '👍')),
          row(2, '{"👍": 2}'::jsonb)::text, 'the next toggle by anyone is the next version');
select is((select row(version, reactions_version, reactions)::text from public.get_messages(tests.world_meeting_id())
            where id = (select id from target)), row(3, 2, '{"👍": 2}'::jsonb)::text,
          'get_messages answers both versions and the counts, for catching up');
select is((select row(version, content)::text from public.delete_message((select id from target))),
          row(4, null::text)::text, 'a delete raises the version and hides the content');
select is((select version from public.delete_message((select id from target))), 4::bigint,
          'deleting again changes nothing, version included');
reset role;

-- A participant's row and the meeting: any update raises the version.
select tests.authenticate_as('participant');
select is((select version from public.update_participant_state(tests.world_meeting_id(), '{"is_muted": true}')), 2::bigint,
          'a state change raises the participant''s version');
select is((select version from public.leave_meeting(tests.world_meeting_id())), 3::bigint, 'leaving does');
select is((select version from public.join_meeting(tests.world_meeting_id())), 4::bigint, 're-joining does');
select is((select version from public.list_participants(tests.world_meeting_id()) where user_id = auth.uid()), 4::bigint,
          'list_participants answers the version');
select tests.authenticate_as('host');
select is((select version from public.set_meeting_status(tests.world_meeting_id(), 'ended')), 2::bigint,
          'a status change raises the meeting''s version (meeting_status_changed carries the row)');
reset role;

-- At most max_present_meetings meetings at once.
select is(private.setting_int('max_present_meetings'), 3, 'the limit is a setting (3)');
insert into public.meetings (id, organization_id, host_id, title, status)
select ('00000000-0000-4000-9000-00000000000' || n)::uuid, tests.world_org_id(), tests.get_supabase_uid('host'), 'M' || n, 'live'
  from generate_series(1, 4) n;
select tests.authenticate_as('uninvited');
select lives_ok($$select public.join_meeting('00000000-0000-4000-9000-000000000001');
                  select public.join_meeting('00000000-0000-4000-9000-000000000002');
                  select public.join_meeting('00000000-0000-4000-9000-000000000003')$$, 'three meetings at once are fine');
select is(tests.error_of('uninvited', $$select public.join_meeting('00000000-0000-4000-9000-000000000004')$$)
            - 'message', '{"sqlstate": "PT409", "hint": "too_many_meetings", "detail": {"max_present_meetings": 3}}'::jsonb,
          'a fourth is refused: 409 too_many_meetings, with the limit');
select tests.authenticate_as('uninvited');
select lives_ok($$select public.join_meeting('00000000-0000-4000-9000-000000000003')$$,
                'joining one you are in again is not one more');
select lives_ok($$select public.leave_meeting('00000000-0000-4000-9000-000000000001');
                  select public.join_meeting('00000000-0000-4000-9000-000000000004')$$, 'after leaving one, another is fine');
reset role;

select ok(exists (select 1 from pg_catalog.pg_publication_tables
                   where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = 'meetings'),
          'public.meetings is in the supabase_realtime publication (Postgres Changes)');
select is((select relreplident from pg_catalog.pg_class where oid = 'public.meetings'::regclass), 'f'::"char",
          'with REPLICA IDENTITY FULL');

select * from finish();
rollback;
