-- Meetings and participation: meetings, their participants and invitations; who may see, join and moderate them;
-- the RPCs that join, leave, change state, list, remove and start or end. Status moves scheduled -> live -> ended
-- only; every change of status is broadcast from the database to `meeting:<id>` (meeting_status_changed), and
-- meetings are published for Postgres Changes so meeting lists follow them.

create type public.meeting_status as enum ('scheduled', 'live', 'ended');
create type public.meeting_access as enum ('organization', 'invite_only');
create type public.participant_role as enum ('host', 'cohost', 'participant');
create type public.participant_status as enum ('active', 'away', 'busy');
create type public.invitation_status as enum ('pending', 'accepted', 'declined');

create table public.meetings (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  host_id uuid not null references public.profiles (id) on delete cascade,
  title text not null check (char_length(btrim(title)) between 1 and 200),
  status public.meeting_status not null default 'scheduled',
  access public.meeting_access not null default 'organization',
  started_at timestamptz,
  ended_at timestamptz,
  version bigint not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint meetings_started_when_live check (status = 'scheduled' or started_at is not null),
  constraint meetings_ended_when_ended check ((status = 'ended') = (ended_at is not null))
);
comment on table public.meetings is 'A meeting of one organization; its private Realtime channel is meeting:<id>.';
create index meetings_organization_id_idx on public.meetings (organization_id);
create index meetings_host_id_idx on public.meetings (host_id);

create table public.meeting_participants (
  id uuid primary key default gen_random_uuid(),
  meeting_id uuid not null references public.meetings (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  role public.participant_role not null default 'participant',
  joined_at timestamptz not null default now(),
  left_at timestamptz,
  removed_at timestamptz,
  removed_by uuid references public.profiles (id) on delete set null,
  is_muted boolean not null default false,
  is_video_on boolean not null default true,
  is_screen_sharing boolean not null default false,
  is_hand_raised boolean not null default false,
  status public.participant_status not null default 'active',
  version bigint not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- One row per meeting and user: re-joining updates it.
  constraint meeting_participants_meeting_user_key unique (meeting_id, user_id),
  constraint meeting_participants_removed_means_left check (removed_at is null or left_at is not null)
);
comment on table public.meeting_participants is 'Who is (or was) in a meeting; left_at null means present now.';
create index meeting_participants_user_id_idx on public.meeting_participants (user_id);

create table public.meeting_invitations (
  id uuid primary key default gen_random_uuid(),
  meeting_id uuid not null references public.meetings (id) on delete cascade,
  invitee_id uuid not null references public.profiles (id) on delete cascade,
  inviter_id uuid not null references public.profiles (id) on delete cascade,
  status public.invitation_status not null default 'pending',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint meeting_invitations_meeting_invitee_key unique (meeting_id, invitee_id)
);
comment on table public.meeting_invitations is 'Invitations to invite-only meetings; accepted ones may join.';
create index meeting_invitations_invitee_id_idx on public.meeting_invitations (invitee_id);
create index meeting_invitations_inviter_id_idx on public.meeting_invitations (inviter_id);

create trigger meetings_touch_updated_at before update on public.meetings
  for each row execute function private.touch_updated_at();
create trigger meeting_participants_touch_updated_at before update on public.meeting_participants
  for each row execute function private.touch_updated_at();
-- Meetings and participants are state clients keep: every change raises the row's version (events carry it).
create trigger meetings_bump_version before update on public.meetings
  for each row execute function private.bump_version();
create trigger meeting_participants_bump_version before update on public.meeting_participants
  for each row execute function private.bump_version();
create trigger meeting_invitations_touch_updated_at before update on public.meeting_invitations
  for each row execute function private.touch_updated_at();

-- scheduled -> live -> ended, nothing else; stamps started_at / ended_at.
create function private.enforce_meeting_status_transition() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    if new.status <> 'scheduled' and new.started_at is null then
      new.started_at := now();
    end if;
    if new.status = 'ended' and new.ended_at is null then
      new.ended_at := now();
    end if;
    return new;
  end if;
  if new.status is not distinct from old.status then
    return new;
  end if;
  if not ((old.status = 'scheduled' and new.status = 'live') or (old.status = 'live' and new.status = 'ended')) then
    perform private.raise_error('invalid_status_transition',
      format('a meeting cannot go from %s to %s', old.status, new.status),
      jsonb_build_object('from', old.status, 'to', new.status));
  end if;
  if new.status = 'live' then
    new.started_at := coalesce(new.started_at, now());
  elsif new.status = 'ended' then
    new.ended_at := now();
  end if;
  return new;
end;
$$;

create trigger meetings_enforce_status_transition before insert or update of status on public.meetings
  for each row execute function private.enforce_meeting_status_transition();

-- Clients on meeting:<id> learn status changes from the database itself. SECURITY DEFINER (owner postgres) so the
-- insert into realtime.messages is not subject to the caller's channel policies.
create function private.broadcast_meeting_status_change() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.broadcast_changes(
    'meeting:' || new.id::text, 'meeting_status_changed', tg_op, tg_table_name, tg_table_schema, new, old);
  return null;
end;
$$;

create trigger meetings_broadcast_status_change after update of status on public.meetings
  for each row when (old.status is distinct from new.status)
  execute function private.broadcast_meeting_status_change();

-- A meetings list follows its organization's meetings live with Postgres Changes (the seed's "critical data sync"):
-- Realtime evaluates the meetings SELECT policy per subscriber, so an org member sees their org's meetings and
-- nobody else sees any. FULL so updates carry the old row too. Inside a meeting, clients learn status changes from
-- meeting_status_changed on meeting:<id> instead (one event per change, versioned, no per-subscriber RLS query).
alter table public.meetings replica identity full;
alter publication supabase_realtime add table public.meetings;

------------------------------------------------------------------------------------------------------------------
-- Refusals
------------------------------------------------------------------------------------------------------------------

insert into private.error_reasons (reason, status, message, details) values
  ('meeting_not_found', 404, 'no such meeting', 'meeting_id'),
  ('participant_not_found', 404, 'that person is not in this meeting', null),
  ('not_allowed', 403, 'you may not do this', null),
  ('not_a_participant', 403, 'join the meeting to do this', null),
  ('invitation_required', 403, 'accept the invitation to join this meeting', null),
  ('removed_from_meeting', 403, 'you were removed from this meeting', null),
  ('not_host', 403, 'only the host changes the meeting status', null),
  ('not_moderator', 403, 'only the host or a cohost does this', null),
  ('not_allowed_for_others', 403, 'for someone else you may only change what a moderator may', 'allowed_keys'),
  ('cannot_remove_host', 403, 'the host cannot be removed', null),
  ('cannot_remove_cohost', 403, 'only the host removes a cohost', null),
  ('cannot_remove_self', 400, 'use leave_meeting to leave', null),
  ('invalid_state', 400, 'state must be a non-empty JSON object', 'allowed_keys'),
  ('unknown_state_keys', 400, 'unknown state keys', 'keys, allowed_keys'),
  ('invalid_state_value', 400, 'a state value has the wrong type', 'key, expected'),
  ('meeting_ended', 409, 'this meeting has ended', null),
  ('invalid_status_transition', 409, 'a meeting moves scheduled -> live -> ended only', 'from, to'),
  ('too_many_meetings', 409, 'leave a meeting to join another', 'max_present_meetings');

------------------------------------------------------------------------------------------------------------------
-- Who may see, join and moderate (docs/authorization.md)
------------------------------------------------------------------------------------------------------------------

create function private.is_meeting_host(target_meeting_id uuid) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return exists (select 1 from public.meetings m where m.id = target_meeting_id and m.host_id = (select auth.uid()));
end;
$$;

-- The meeting's inner circle: the host and everyone present (joined, not left; a removed participant has left).
-- Reads messages, uses the meeting channel.
create function private.is_meeting_member(target_meeting_id uuid) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return exists (select 1 from public.meetings m where m.id = target_meeting_id and m.host_id = (select auth.uid()))
      or exists (
        select 1 from public.meeting_participants mp
        where mp.meeting_id = target_meeting_id and mp.user_id = (select auth.uid()) and mp.left_at is null);
end;
$$;

-- Host, or a cohost who is present: may remove participants and moderate others' state.
create function private.is_meeting_moderator(target_meeting_id uuid) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return exists (select 1 from public.meetings m where m.id = target_meeting_id and m.host_id = (select auth.uid()))
      or exists (
        select 1 from public.meeting_participants mp
        where mp.meeting_id = target_meeting_id and mp.user_id = (select auth.uid())
          and mp.left_at is null and mp.role in ('host', 'cohost'));
end;
$$;

-- Sees the meeting: org members for organization meetings; for invite-only ones the host, invitees (pending or
-- accepted) and anyone who has been a participant.
create function private.can_view_meeting(target_meeting_id uuid) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return exists (
    select 1
    from public.meetings m
    join public.profiles p on p.id = (select auth.uid()) and p.organization_id = m.organization_id
    where m.id = target_meeting_id
      and (
        m.access = 'organization'
        or m.host_id = p.id
        or exists (select 1 from public.meeting_invitations i
                   where i.meeting_id = m.id and i.invitee_id = p.id and i.status <> 'declined')
        or exists (select 1 from public.meeting_participants mp where mp.meeting_id = m.id and mp.user_id = p.id)
      ));
end;
$$;

-- Why the caller may not join (or re-join) the meeting, or null when they may: it exists, they see it, it has not
-- ended, they were not removed, and it is an organization meeting, theirs, or they accepted an invitation.
create function private.join_refusal(target_meeting_id uuid) returns text
language plpgsql stable security definer set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
  target public.meetings;
begin
  select * into target from public.meetings m where m.id = target_meeting_id;
  if not found then
    return 'meeting_not_found';
  end if;
  if not private.can_view_meeting(target.id) then
    return 'not_allowed';
  end if;
  if target.status = 'ended' then
    return 'meeting_ended';
  end if;
  if exists (select 1 from public.meeting_participants mp
             where mp.meeting_id = target.id and mp.user_id = me and mp.removed_at is not null) then
    return 'removed_from_meeting';
  end if;
  if not (target.access = 'organization' or target.host_id = me
          or exists (select 1 from public.meeting_invitations i
                     where i.meeting_id = target.id and i.invitee_id = me and i.status = 'accepted')) then
    return 'invitation_required';
  end if;
  return null;
end;
$$;

grant execute on function
  private.is_meeting_host(uuid), private.is_meeting_member(uuid), private.is_meeting_moderator(uuid),
  private.can_view_meeting(uuid), private.join_refusal(uuid)
  to authenticated, service_role;

-- Row level security: on, nothing allowed unless a policy says so. Participants are written only by the RPCs;
-- members create meetings, hosts edit title and access, status changes only through set_meeting_status;
-- moderators invite, invitees answer.
alter table public.meetings enable row level security;
alter table public.meeting_participants enable row level security;
alter table public.meeting_invitations enable row level security;
revoke insert, update, delete, truncate on public.meeting_participants from anon, authenticated;
revoke update, delete, truncate on public.meetings from anon, authenticated;
grant update (title, access) on public.meetings to authenticated;
revoke update, truncate on public.meeting_invitations from anon, authenticated;
grant update (status) on public.meeting_invitations to authenticated;
revoke all on public.meetings, public.meeting_participants, public.meeting_invitations from anon;

-- The row's own columns first: an INSERT … RETURNING (supabase-js .insert().select()) checks this policy against the
-- new row, which a lookup by id inside the helper cannot see yet.
create policy "Meetings are visible to those who may see them" on public.meetings
  for select to authenticated
  using (
    host_id = (select auth.uid())
    or (access = 'organization' and private.is_org_member(organization_id))
    or private.can_view_meeting(id)
  );
create policy "Members create meetings they host in their organization" on public.meetings
  for insert to authenticated
  with check (host_id = (select auth.uid()) and status = 'scheduled' and private.is_org_member(organization_id));
create policy "Hosts edit their meetings" on public.meetings
  for update to authenticated using (host_id = (select auth.uid())) with check (host_id = (select auth.uid()));

create policy "Participants are visible to the meeting's members" on public.meeting_participants
  for select to authenticated
  using (user_id = (select auth.uid()) or private.is_meeting_member(meeting_id));

create policy "Invitations are visible to invitee, inviter and host" on public.meeting_invitations
  for select to authenticated
  using (invitee_id = (select auth.uid()) or inviter_id = (select auth.uid()) or private.is_meeting_host(meeting_id));
create policy "Moderators invite members of the organization" on public.meeting_invitations
  for insert to authenticated
  with check (inviter_id = (select auth.uid()) and private.is_meeting_moderator(meeting_id)
              and private.shares_organization(invitee_id));
create policy "Invitees answer their invitations" on public.meeting_invitations
  for update to authenticated
  using (invitee_id = (select auth.uid()))
  with check (invitee_id = (select auth.uid()) and status in ('accepted', 'declined'));
create policy "Moderators withdraw invitations" on public.meeting_invitations
  for delete to authenticated using (private.is_meeting_moderator(meeting_id));

------------------------------------------------------------------------------------------------------------------
-- RPCs: SECURITY DEFINER, empty search_path, the helpers above; refusals from private.error_reasons.
------------------------------------------------------------------------------------------------------------------

-- The meeting, or 404.
create function private.require_meeting(target_meeting_id uuid) returns public.meetings
language plpgsql stable security definer set search_path = ''
as $$
declare
  found_meeting public.meetings;
begin
  select * into found_meeting from public.meetings m where m.id = target_meeting_id;
  if not found then
    perform private.raise_error('meeting_not_found', null, jsonb_build_object('meeting_id', target_meeting_id));
  end if;
  return found_meeting;
end;
$$;

grant execute on function private.require_meeting(uuid) to authenticated, service_role;

create function public.join_meeting(meeting_id uuid) returns public.meeting_participants
language plpgsql volatile security definer set search_path = ''
as $$
declare
  me uuid := private.require_user();
  target public.meetings := private.require_meeting(join_meeting.meeting_id);
  max_present integer := private.setting_int('max_present_meetings');
  result public.meeting_participants;
begin
  perform private.refuse_if(private.join_refusal(target.id));
  -- One user, a few meetings at a time (Realtime cannot count a user's channels; see docs/authorization.md).
  -- Re-joining a meeting you are present in is not one more.
  perform pg_advisory_xact_lock(hashtextextended(me::text, 2)); -- two joins at once cannot both take the last place
  if (select count(*) from public.meeting_participants mp
       where mp.user_id = me and mp.left_at is null and mp.meeting_id <> target.id) >= max_present then
    perform private.raise_error('too_many_meetings',
      format('you are already in %s meetings; leave one to join another', max_present),
      jsonb_build_object('max_present_meetings', max_present));
  end if;

  insert into public.meeting_participants as mp (meeting_id, user_id, role)
  values (target.id, me, case when target.host_id = me then 'host'::public.participant_role
                              else 'participant'::public.participant_role end)
  on conflict on constraint meeting_participants_meeting_user_key do update
    set left_at = null,
        -- Joining while present changes nothing; coming back starts a new stay.
        joined_at = case when mp.left_at is null then mp.joined_at else now() end,
        status = case when mp.left_at is null then mp.status else 'active'::public.participant_status end,
        is_hand_raised = mp.is_hand_raised and mp.left_at is null,
        is_screen_sharing = mp.is_screen_sharing and mp.left_at is null
  returning * into result;
  return result;
end;
$$;
comment on function public.join_meeting(uuid) is 'Join or re-join a meeting; one participant row per user and meeting.';

create function public.leave_meeting(meeting_id uuid) returns public.meeting_participants
language plpgsql volatile security definer set search_path = ''
as $$
declare
  me uuid := private.require_user();
  target public.meetings := private.require_meeting(leave_meeting.meeting_id);
  result public.meeting_participants;
begin
  update public.meeting_participants mp
     set left_at = coalesce(mp.left_at, now()), is_hand_raised = false, is_screen_sharing = false
   where mp.meeting_id = target.id and mp.user_id = me
  returning * into result;
  if not found then
    perform private.raise_error('participant_not_found', 'you are not in this meeting');
  end if;
  return result; -- leaving twice is a no-op, so retries are safe
end;
$$;
comment on function public.leave_meeting(uuid) is 'Leave a meeting (idempotent).';

create function public.update_participant_state(meeting_id uuid, state jsonb, user_id uuid default null)
returns public.meeting_participants
language plpgsql volatile security definer set search_path = ''
as $$
declare
  me uuid := private.require_user();
  target_user uuid := coalesce(update_participant_state.user_id, me);
  allowed_keys constant text[] := private.setting_text_array('participant_state_keys');
  -- What a host or cohost may change for someone else: mute them, lower their hand.
  moderator_keys constant text[] := private.setting_text_array('moderator_state_keys');
  unknown text[];
  key text;
  result public.meeting_participants;
begin
  perform private.require_meeting(update_participant_state.meeting_id);
  if state is null or jsonb_typeof(state) <> 'object' or state = '{}'::jsonb then
    perform private.raise_error('invalid_state', null,
      jsonb_build_object('allowed_keys', to_jsonb(allowed_keys)));
  end if;
  select array_agg(k order by k) into unknown from jsonb_object_keys(state) k where k <> all (allowed_keys);
  if unknown is not null then
    perform private.raise_error('unknown_state_keys',
      format('unknown state keys: %s', array_to_string(unknown, ', ')),
      jsonb_build_object('keys', to_jsonb(unknown), 'allowed_keys', to_jsonb(allowed_keys)));
  end if;
  for key in select jsonb_object_keys(state) loop
    if key = 'status' then
      if jsonb_typeof(state -> key) <> 'string'
         or (state ->> key) <> all (enum_range(null::public.participant_status)::text[]) then
        perform private.raise_error('invalid_state_value',
          format('status must be one of %s', array_to_string(enum_range(null::public.participant_status)::text[], ', ')),
          jsonb_build_object('key', key, 'expected', array_to_string(enum_range(null::public.participant_status)::text[], '|')));
      end if;
    elsif jsonb_typeof(state -> key) <> 'boolean' then
      perform private.raise_error('invalid_state_value', format('%s must be true or false', key),
        jsonb_build_object('key', key, 'expected', 'boolean'));
    end if;
  end loop;

  if target_user <> me then
    if not private.is_meeting_moderator(update_participant_state.meeting_id) then
      perform private.raise_error('not_moderator', 'only the host or a cohost changes someone else''s state');
    end if;
    if exists (select 1 from jsonb_object_keys(state) k where k <> all (moderator_keys)) then
      perform private.raise_error('not_allowed_for_others',
        format('for someone else you may only change %s', array_to_string(moderator_keys, ' and ')),
        jsonb_build_object('allowed_keys', to_jsonb(moderator_keys)));
    end if;
  end if;

  update public.meeting_participants mp
     set is_muted = coalesce((state ->> 'is_muted')::boolean, mp.is_muted),
         is_video_on = coalesce((state ->> 'is_video_on')::boolean, mp.is_video_on),
         is_screen_sharing = coalesce((state ->> 'is_screen_sharing')::boolean, mp.is_screen_sharing),
         is_hand_raised = coalesce((state ->> 'is_hand_raised')::boolean, mp.is_hand_raised),
         status = coalesce((state ->> 'status')::public.participant_status, mp.status)
   where mp.meeting_id = update_participant_state.meeting_id and mp.user_id = target_user and mp.left_at is null
  returning * into result;
  if not found then
    if target_user = me then
      perform private.raise_error('not_a_participant', 'join the meeting to change your state');
    end if;
    perform private.raise_error('participant_not_found');
  end if;
  return result;
end;
$$;
comment on function public.update_participant_state(uuid, jsonb, uuid) is
  'Change your mute/video/screen/hand/status (moderators: mute or lower the hand of others). Unknown keys are an error.';

create function public.list_participants(meeting_id uuid, include_left boolean default false)
returns table (
  user_id uuid, role public.participant_role, full_name text, avatar_url text, joined_at timestamptz,
  left_at timestamptz, is_muted boolean, is_video_on boolean, is_screen_sharing boolean, is_hand_raised boolean,
  status public.participant_status, updated_at timestamptz, version bigint
)
language plpgsql stable security definer set search_path = ''
as $$
begin
  perform private.require_user();
  perform private.require_meeting(list_participants.meeting_id);
  if not private.is_meeting_member(list_participants.meeting_id) then
    perform private.raise_error('not_a_participant', 'join the meeting to see who is in it');
  end if;
  return query
    select mp.user_id, mp.role, p.full_name, p.avatar_url, mp.joined_at, mp.left_at, mp.is_muted, mp.is_video_on,
           mp.is_screen_sharing, mp.is_hand_raised, mp.status, mp.updated_at, mp.version
      from public.meeting_participants mp
      join public.profiles p on p.id = mp.user_id
     where mp.meeting_id = list_participants.meeting_id and (include_left or mp.left_at is null)
     order by mp.joined_at, mp.user_id;
end;
$$;
comment on function public.list_participants(uuid, boolean) is 'Who is in the meeting, with their state.';

create function public.remove_participant(meeting_id uuid, user_id uuid) returns public.meeting_participants
language plpgsql volatile security definer set search_path = ''
as $$
declare
  me uuid := private.require_user();
  target public.meetings := private.require_meeting(remove_participant.meeting_id);
  removed public.meeting_participants;
begin
  if not private.is_meeting_moderator(target.id) then
    perform private.raise_error('not_moderator', 'only the host or a cohost removes participants');
  end if;
  if remove_participant.user_id = me then
    perform private.raise_error('cannot_remove_self');
  end if;
  if remove_participant.user_id = target.host_id then
    perform private.raise_error('cannot_remove_host');
  end if;
  if target.host_id <> me and exists (
       select 1 from public.meeting_participants mp
        where mp.meeting_id = target.id and mp.user_id = remove_participant.user_id and mp.role = 'cohost') then
    perform private.raise_error('cannot_remove_cohost');
  end if;

  update public.meeting_participants mp
     set left_at = coalesce(mp.left_at, now()), removed_at = now(), removed_by = me,
         is_hand_raised = false, is_screen_sharing = false
   where mp.meeting_id = target.id and mp.user_id = remove_participant.user_id and mp.removed_at is null
  returning * into removed;
  if not found then
    perform private.raise_error('participant_not_found');
  end if;

  -- Tell the removed user on their own channel, in the same transaction as the removal.
  perform realtime.send(
    jsonb_build_object('meeting_id', target.id, 'removed_by', me, 'removed_at', removed.removed_at),
    'participant_removed', 'user:' || remove_participant.user_id::text, true);
  return removed;
end;
$$;
comment on function public.remove_participant(uuid, uuid) is
  'Remove someone from a meeting (host or cohost); they lose channel access and cannot re-join.';

create function public.set_meeting_status(meeting_id uuid, status public.meeting_status) returns public.meetings
language plpgsql volatile security definer set search_path = ''
as $$
declare
  me uuid := private.require_user();
  target public.meetings := private.require_meeting(set_meeting_status.meeting_id);
begin
  if target.host_id <> me then
    perform private.raise_error('not_host');
  end if;
  if target.status = set_meeting_status.status then
    return target; -- a retry of the same change is a no-op
  end if;
  -- The status trigger enforces scheduled -> live -> ended (409 otherwise) and broadcasts the change.
  update public.meetings m set status = set_meeting_status.status where m.id = target.id returning * into target;
  return target;
end;
$$;
comment on function public.set_meeting_status(uuid, public.meeting_status) is
  'Start or end a meeting (host only); clients learn it from meeting_status_changed on meeting:<id>.';

-- Deny by default, then grant on purpose.
revoke execute on function
  public.join_meeting(uuid), public.leave_meeting(uuid), public.update_participant_state(uuid, jsonb, uuid),
  public.list_participants(uuid, boolean), public.remove_participant(uuid, uuid),
  public.set_meeting_status(uuid, public.meeting_status)
  from public, anon;
grant execute on function
  public.join_meeting(uuid), public.leave_meeting(uuid), public.update_participant_state(uuid, jsonb, uuid),
  public.list_participants(uuid, boolean), public.remove_participant(uuid, uuid),
  public.set_meeting_status(uuid, public.meeting_status)
  to authenticated, service_role;
