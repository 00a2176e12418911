-- Reactions: emoji on messages, toggled through one RPC that holds the message's row lock, so every toggle gets the
-- next reactions_version of the message and the counts it answers are exact at that version.

-- Reactions are emoji: short sequences of pictographs, variation selectors, skin tones, ZWJ and keycaps. Immutable
-- for the CHECK below, so the length is a literal: pgTAP (15-rules-defined-once) checks it equals emoji_max_length.
create function private.is_emoji(value text) returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select value is not null
     and char_length(value) between 1 and 16
     and value ~ '^[\u00a9\u00ae\u203c-\u3299\U0001f000-\U0001faff\ufe0f\u200d\u20e3]+$'
     -- at least one pictograph: joiners and selectors alone are not an emoji
     and value ~ '[\u00a9\u00ae\u203c-\u3299\U0001f000-\U0001faff]';
$$;
grant execute on function private.is_emoji(text) to authenticated, service_role;

create table public.message_reactions (
  id uuid primary key default gen_random_uuid(),
  message_id uuid not null references public.messages (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  emoji text not null check (private.is_emoji(emoji)),
  created_at timestamptz not null default now(),
  -- Toggling is race-free: the unique key decides whether an insert adds or finds the reaction.
  constraint message_reactions_message_user_emoji_key unique (message_id, user_id, emoji)
);
comment on table public.message_reactions is 'One row per (message, user, emoji); written only through toggle_reaction.';
create index message_reactions_user_id_idx on public.message_reactions (user_id);

insert into private.error_reasons (reason, status, message, details) values
  ('invalid_emoji', 400, 'a reaction is a single emoji', null);

alter table public.message_reactions enable row level security;
revoke insert, update, delete, truncate on public.message_reactions from anon, authenticated;
revoke all on public.message_reactions from anon;

create policy "Reactions are visible to the meeting's members" on public.message_reactions
  for select to authenticated
  using (private.can_read_message(message_id));

-- Counts per emoji of one message, e.g. {"👍": 2}; exact when the caller holds the message's row lock.
create function private.reaction_counts(target_message_id uuid) returns jsonb
language sql stable set search_path = ''
as $$
  select coalesce(jsonb_object_agg(c.emoji, c.n), '{}'::jsonb)
    from (select r.emoji, count(*) as n from public.message_reactions r
           where r.message_id = target_message_id group by r.emoji) c;
$$;

grant execute on function private.reaction_counts(uuid) to authenticated, service_role;

create type public.reaction_toggle as (
  action text, emoji text, counts jsonb, version bigint, message_id uuid, meeting_id uuid
);
comment on type public.reaction_toggle is
  'toggle_reaction''s answer: added or removed, the counts per emoji exact at version (the message''s reactions_version), and which message and meeting.';

create function public.toggle_reaction(message_id uuid, emoji text)
returns public.reaction_toggle
language plpgsql volatile security definer set search_path = ''
as $$
declare
  me uuid := private.require_user();
  target public.messages;
  outcome text;
begin
  if not private.is_emoji(toggle_reaction.emoji) then
    perform private.raise_error('invalid_emoji', 'a reaction is a single emoji');
  end if;
  -- The message's row lock orders every toggle on it (a double click is add-then-remove, never add-add) and makes
  -- the counts below exact at the version this toggle assigns: the next toggle waits until this one commits.
  select * into target from public.messages m where m.id = toggle_reaction.message_id for no key update;
  if not found then
    perform private.raise_error('message_not_found');
  end if;
  if not private.is_meeting_member(target.meeting_id) then
    perform private.raise_error('not_a_participant', 'join the meeting to react');
  end if;
  if target.deleted_at is not null then
    perform private.raise_error('message_deleted', 'a deleted message takes no reactions');
  end if;
  update public.messages m set reactions_version = m.reactions_version + 1 where m.id = target.id
  returning * into target;

  delete from public.message_reactions r
   where r.message_id = target.id and r.user_id = me and r.emoji = toggle_reaction.emoji;
  if found then
    outcome := 'removed';
  else
    insert into public.message_reactions (message_id, user_id, emoji)
    values (target.id, me, toggle_reaction.emoji)
    on conflict on constraint message_reactions_message_user_emoji_key do nothing;
    outcome := 'added';
  end if;

  return row(outcome, toggle_reaction.emoji, private.reaction_counts(target.id), target.reactions_version,
             target.id, target.meeting_id)::public.reaction_toggle;
end;
$$;
comment on function public.toggle_reaction(uuid, text) is
  'Add or remove your reaction; returns which, and the message''s counts per emoji at their version.';

revoke execute on function public.toggle_reaction(uuid, text) from public, anon;
grant execute on function public.toggle_reaction(uuid, text) to authenticated, service_role;
