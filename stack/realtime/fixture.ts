// The schema realtime.test.ts runs against, applied as a migration of a throwaway project (stack/testing/cluster.ts):
// meetings, memberships and RLS policies on realtime.messages that decide who may read/write which topic, tables
// published for Postgres Changes, and a trigger broadcasting notes with realtime.broadcast_changes.
export const meetingA = '0a0a0a0a-0000-4000-8000-00000000000a';
export const meetingB = '0b0b0b0b-0000-4000-8000-00000000000b';
export const users = {
  alice: '11111111-1111-4111-8111-111111111111',
  bob: '22222222-2222-4222-8222-222222222222',
  carol: '33333333-3333-4333-8333-333333333333',
} as const;

/** Meetings, memberships, notes; who may read/write which realtime topic is decided by these policies only. */
export const fixtureMigration = `
create table public.rt_meetings (id uuid primary key, title text not null);
create table public.rt_members (
  meeting_id uuid not null references public.rt_meetings (id) on delete cascade,
  user_id uuid not null,
  primary key (meeting_id, user_id)
);
alter table public.rt_meetings enable row level security;
alter table public.rt_members enable row level security;

-- One question, one SECURITY DEFINER helper: is the caller a member of the meeting this topic names?
create function public.rt_is_member_of_topic(topic text, prefix text) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.rt_members m
    where topic = prefix || m.meeting_id::text and m.user_id = (select auth.uid()))
$$;

create policy "members receive room:<meeting> messages" on realtime.messages for select to authenticated
  using (realtime.messages.extension in ('broadcast', 'presence')
         and ((select public.rt_is_member_of_topic(realtime.topic(), 'room:'))
              or (select public.rt_is_member_of_topic(realtime.topic(), 'announce:'))));
create policy "members send on room:<meeting>" on realtime.messages for insert to authenticated
  with check (realtime.messages.extension in ('broadcast', 'presence')
              and (select public.rt_is_member_of_topic(realtime.topic(), 'room:')));

create table public.rt_notes (
  id bigint generated always as identity primary key,
  meeting_id uuid not null references public.rt_meetings (id),
  body text not null,
  tags text[] not null default '{}',
  meta jsonb,
  done boolean not null default false,
  created_at timestamptz not null default now()
);
alter table public.rt_notes enable row level security;
create function public.rt_is_member(meeting uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.rt_members m where m.meeting_id = meeting and m.user_id = (select auth.uid()))
$$;
create policy "members read their meetings' notes" on public.rt_notes for select to authenticated
  using ((select public.rt_is_member(meeting_id)));
alter publication supabase_realtime add table public.rt_notes;

create table public.rt_scores (id int primary key, player text not null, points int not null);
alter publication supabase_realtime add table public.rt_scores;

-- Notes are also broadcast to the meeting's private topic, as upstream documents broadcast_changes.
create function public.rt_notes_broadcast() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform realtime.broadcast_changes('room:' || coalesce(new.meeting_id, old.meeting_id)::text,
    tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
  return null;
end;
$$;
create trigger rt_notes_broadcast after insert or update or delete on public.rt_notes
  for each row execute function public.rt_notes_broadcast();
`;

export const fixtureSeed = `
insert into public.rt_meetings (id, title) values ('${meetingA}', 'Standup'), ('${meetingB}', 'Board');
insert into public.rt_members (meeting_id, user_id) values
  ('${meetingA}', '${users.alice}'), ('${meetingA}', '${users.bob}'), ('${meetingB}', '${users.carol}');
`;

/** The fixture as the project of a throwaway cluster (`startTestCluster({ project: fixtureProject, … })`). */
export const fixtureProject = {
  migrations: { '20260101000000_realtime_fixture.sql': fixtureMigration },
  seed: fixtureSeed,
};
