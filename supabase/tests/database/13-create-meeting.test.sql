-- Members create meetings they host in their own organization, scheduled, and see them at once (INSERT … RETURNING,
-- which is what supabase-js's .insert().select() sends, checks the SELECT policy against the new row).
begin;
select plan(5);
select tests.build_meeting_world();

select is(tests.attempt('participant', format($$insert into public.meetings (organization_id, host_id, title)
            values (%L, auth.uid(), 'Planning') returning id, status$$, tests.world_org_id())), 'ok',
          'a member creates a meeting they host and gets it back');
select is(tests.attempt('participant', format($$insert into public.meetings (organization_id, host_id, title, access)
            values (%L, auth.uid(), 'Secret', 'invite_only') returning id$$, tests.world_org_id())), 'ok',
          'an invite-only one too (the host sees their own meeting)');
select is(tests.attempt('participant', format($$insert into public.meetings (organization_id, host_id, title)
            values (%L, %L, 'Not mine') returning id$$, tests.world_org_id(), tests.get_supabase_uid('host'))), '42501',
          'nobody creates a meeting hosted by someone else');
select is(tests.attempt('participant', format($$insert into public.meetings (organization_id, host_id, title)
            values (%L, auth.uid(), 'Elsewhere') returning id$$, tests.world_other_org_id())), '42501',
          'nor in another organization');
select is(tests.attempt('participant', format($$insert into public.meetings (organization_id, host_id, title, status)
            values (%L, auth.uid(), 'Already live', 'live') returning id$$, tests.world_org_id())), '42501',
          'a meeting starts scheduled: going live is set_meeting_status''s job');

select * from finish();
rollback;
