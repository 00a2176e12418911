-- Fixtures and probes for the domain tests, installed once (committed, like 00000-test-helpers) and proven here.
--   tests.build_meeting_world()   one invite-only live meeting with every kind of identity around it
--   tests.attempt(identity, sql)  runs sql as that identity in a subtransaction that is always rolled back, and
--                                 answers 'ok' or the SQLSTATE it failed with
--   tests.channel_can_read/write  Realtime's private-channel probes (see realtime-protocol.md §6.2/6.3)

-- The identities of the authorization matrix.
create or replace function tests.meeting_world_identities() returns text[]
language sql immutable as $$
  select array['anon', 'other_org', 'uninvited', 'pending', 'accepted', 'participant', 'left', 'host', 'service_role'];
$$;

create or replace function tests.world_meeting_id() returns uuid
language sql immutable as $$ select 'c0ffee00-0000-4000-8000-000000000001'::uuid $$;

create or replace function tests.world_org_id() returns uuid
language sql immutable as $$ select 'a0000000-0000-4000-8000-00000000000a'::uuid $$;

create or replace function tests.world_other_org_id() returns uuid
language sql immutable as $$ select 'a0000000-0000-4000-8000-00000000000b'::uuid $$;

-- Org A: host (org admin), participant, left (joined then left), accepted (invited, accepted, not joined),
-- pending (invited, not answered), uninvited. Org B: other_org. Meeting: invite-only, live, hosted by host.
-- Every user identity has sent one message (client_id own-<identity>) so "edit/delete own" is askable of all.
create or replace function tests.build_meeting_world() returns void
language plpgsql as $$
declare
  who text;
  m uuid := tests.world_meeting_id();
begin
  insert into public.organizations (id, name, slug) values
    (tests.world_org_id(), 'World A', 'world-a'), (tests.world_other_org_id(), 'World B', 'world-b');
  foreach who in array array['host', 'participant', 'left', 'accepted', 'pending', 'uninvited', 'other_org'] loop
    perform tests.create_supabase_user(who);
    update public.profiles
       set organization_id = case who when 'other_org' then tests.world_other_org_id() else tests.world_org_id() end,
           org_role = case who when 'host' then 'admin'::public.org_role else 'member'::public.org_role end
     where id = tests.get_supabase_uid(who);
  end loop;
  insert into public.meetings (id, organization_id, host_id, title, status, access)
  values (m, tests.world_org_id(), tests.get_supabase_uid('host'), 'World meeting', 'live', 'invite_only');
  insert into public.meeting_invitations (meeting_id, invitee_id, inviter_id, status)
  select m, tests.get_supabase_uid(i.who), tests.get_supabase_uid('host'), i.status::public.invitation_status
    from (values ('participant', 'accepted'), ('left', 'accepted'), ('accepted', 'accepted'), ('pending', 'pending')) i(who, status);
  insert into public.meeting_participants (meeting_id, user_id, role, left_at) values
    (m, tests.get_supabase_uid('host'), 'host', null),
    (m, tests.get_supabase_uid('participant'), 'participant', null),
    (m, tests.get_supabase_uid('left'), 'participant', now());
  insert into public.messages (meeting_id, sender_id, client_id, content)
  select m, tests.get_supabase_uid(w), 'own-' || w, 'hello from ' || w
    from unnest(array['host', 'participant', 'left', 'accepted', 'pending', 'uninvited', 'other_org']) w;
end;
$$;

create or replace function tests.become(identity text) returns void
language plpgsql as $$
begin
  perform set_config('role', 'none', true);
  case identity
    when 'anon' then perform tests.clear_authentication();
    when 'service_role' then perform tests.authenticate_as_service_role();
    else perform tests.authenticate_as(identity);
  end case;
end;
$$;

-- 'ok', or the SQLSTATE the statement failed with. Its effects never survive.
create or replace function tests.attempt(identity text, statement text) returns text
language plpgsql as $$
declare
  outcome text;
begin
  begin
    perform tests.become(identity);
    execute statement;
    outcome := 'ok';
    raise exception using errcode = 'TTRBK'; -- undo whatever the statement did
  exception
    when sqlstate 'TTRBK' then null;
    when others then outcome := sqlstate;
  end;
  perform set_config('role', 'none', true);
  perform set_config('request.jwt.claims', '', true);
  return outcome;
end;
$$;

-- The error a statement fails with, as {sqlstate, message, hint, detail} (detail parsed when it is JSON); null
-- when it succeeds. Effects never survive.
create or replace function tests.error_of(identity text, statement text) returns jsonb
language plpgsql as $$
declare
  result jsonb;
  err_state text;
  err_message text;
  err_hint text;
  err_detail text;
begin
  begin
    perform tests.become(identity);
    execute statement;
    raise exception using errcode = 'TTRBK';
  exception
    when sqlstate 'TTRBK' then result := null;
    when others then
      get stacked diagnostics err_state = returned_sqlstate, err_message = message_text,
                              err_hint = pg_exception_hint, err_detail = pg_exception_detail;
      result := jsonb_build_object('sqlstate', err_state, 'message', err_message, 'hint', err_hint,
                                   'detail', case when err_detail ~ '^\{' then err_detail::jsonb else to_jsonb(err_detail) end);
  end;
  perform set_config('role', 'none', true);
  perform set_config('request.jwt.claims', '', true);
  return result;
end;
$$;

-- Raise P0002 when a read sees nothing (so reads answer ok / P0002 / 42501 like the other cells).
create or replace function tests.require_rows(n bigint) returns void
language plpgsql as $$
begin
  if n = 0 then
    raise exception using errcode = 'P0002', message = 'no rows visible';
  end if;
end;
$$;

-- Raise 42501 when a channel probe is refused.
create or replace function tests.require_access(allowed boolean) returns void
language plpgsql as $$
begin
  if not allowed then
    raise exception using errcode = '42501', message = 'channel access refused';
  end if;
end;
$$;

-- As Realtime's join check: a probe row inserted by the connection user, then read back as the client's role.
create or replace function tests.insert_channel_probe(topic text, extension text) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  probe uuid := gen_random_uuid();
begin
  insert into realtime.messages (id, topic, extension) values (probe, topic, extension);
  return probe;
end;
$$;

create or replace function tests.channel_can_read(topic text, extension text default 'broadcast') returns boolean
language plpgsql as $$
declare
  probe uuid := tests.insert_channel_probe(topic, extension);
begin
  perform set_config('realtime.topic', topic, true);
  return exists (select 1 from realtime.messages m where m.id = probe);
end;
$$;

-- As Realtime's write check: an insert as the client's role; an RLS refusal (42501) means no.
create or replace function tests.channel_can_write(topic text, extension text default 'broadcast') returns boolean
language plpgsql as $$
begin
  perform set_config('realtime.topic', topic, true);
  begin
    insert into realtime.messages (topic, extension) values (topic, extension);
    raise exception using errcode = 'TTRBK';
  exception
    when sqlstate 'TTRBK' then return true;
    when insufficient_privilege then return false;
  end;
end;
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;

begin;
select plan(10);

select lives_ok('select tests.build_meeting_world()', 'the meeting world builds');
select is((select count(*) from public.meeting_participants where meeting_id = tests.world_meeting_id() and left_at is null),
          2::bigint, 'two people are present: host and participant');
select is(tests.attempt('host', 'select 1'), 'ok', 'attempt answers ok for a statement that works');
select is(tests.attempt('host', 'select 1/0'), '22012', 'attempt answers the SQLSTATE of a failure');
select is(tests.attempt('host', $$update public.meetings set title = 'changed' where id = tests.world_meeting_id()$$), 'ok',
          'attempt runs a write');
select is((select title from public.meetings where id = tests.world_meeting_id()), 'World meeting', 'and rolls it back');
select is(current_user::text, 'postgres', 'attempt returns to the session role');
select is(tests.attempt('anon', 'select tests.require_access(tests.channel_can_read(''meeting:x''))'), '42501',
          'a refused channel probe answers 42501');

select is(tests.error_of('host', 'select 1'), null, 'error_of is null for a statement that works');
select is(tests.error_of('participant', $$select public.set_meeting_status(tests.world_meeting_id(), 'ended')$$) -> 'hint',
          '"not_host"', 'error_of reports the stable reason in hint');

select * from finish();
rollback;
