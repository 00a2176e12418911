-- Meetings, their participants and invitations. Status moves scheduled -> live -> ended only; every change of
-- status is broadcast from the database to the private channel `meeting:<id>` (event meeting_status_changed).

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
    perform private.raise_error(409, 'invalid_status_transition',
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
