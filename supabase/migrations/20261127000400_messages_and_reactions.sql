-- Chat messages and emoji reactions. `seq` is a server-assigned ordering key (one identity sequence) used for
-- keyset pagination and for catching up after a missed broadcast; `client_id` makes retries idempotent.

create type public.message_type as enum ('text', 'system');

-- Reactions are emoji: short sequences of pictographs, variation selectors, skin tones, ZWJ and keycaps.
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

create table public.messages (
  id uuid primary key default gen_random_uuid(),
  seq bigint generated always as identity unique,
  meeting_id uuid not null references public.meetings (id) on delete cascade,
  sender_id uuid not null references public.profiles (id) on delete cascade,
  client_id text not null check (char_length(client_id) between 1 and 64),
  content text not null check (char_length(content) between 1 and 4000 and btrim(content) <> ''),
  type public.message_type not null default 'text',
  created_at timestamptz not null default now(),
  edited_at timestamptz,
  deleted_at timestamptz,
  -- Two objects clients keep, each with its own version raised in the writing transaction: the message itself
  -- (content, edit, delete) and its reaction counts (every toggle; the toggle holds the row lock while it counts).
  version bigint not null default 1,
  reactions_version bigint not null default 0,
  -- A retry with the same client id finds the original instead of storing a duplicate.
  constraint messages_sender_client_id_key unique (sender_id, client_id)
);
comment on table public.messages is 'Meeting chat. Written only through the send/edit/delete RPCs.';
create index messages_meeting_id_seq_idx on public.messages (meeting_id, seq);
-- Serves the per-user, per-meeting rate-limit window.
create index messages_meeting_sender_created_idx on public.messages (meeting_id, sender_id, created_at);

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
