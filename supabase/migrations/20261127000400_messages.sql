-- Messages: meeting chat. `seq` is a server-assigned ordering key (one identity sequence) for keyset pagination and
-- for catching up after a missed broadcast; `client_id` makes retries idempotent; `version` orders edits and the
-- delete. Written only through the RPCs below; the edge functions broadcast what they store.

create type public.message_type as enum ('text', 'system');

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

insert into private.error_reasons (reason, status, message, details) values
  ('content_empty', 400, 'a message needs some text', null),
  ('content_too_long', 400, 'the message is too long', 'max_length, length'),
  ('invalid_client_id', 400, 'client_id has the wrong length', null),
  ('invalid_page_size', 400, 'page_size is out of range', 'max'),
  ('message_not_found', 404, 'no such message', null),
  ('not_sender', 403, 'only the sender edits a message', null),
  ('message_deleted', 409, 'the message was deleted', null),
  ('client_id_conflict', 409, 'this client_id was already used in another meeting', null),
  ('rate_limited', 429, 'too many messages; retry later', 'retry_after_seconds, limit, window_seconds');

-- Reads a message: a member of its meeting.
create function private.can_read_message(target_message_id uuid) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return coalesce((select private.is_meeting_member(msg.meeting_id) from public.messages msg
                    where msg.id = target_message_id), false);
end;
$$;

grant execute on function private.can_read_message(uuid) to authenticated, service_role;

alter table public.messages enable row level security;
revoke insert, update, delete, truncate on public.messages from anon, authenticated;
revoke all on public.messages from anon;

create policy "Messages are visible to the meeting's members" on public.messages
  for select to authenticated using (private.is_meeting_member(meeting_id));

------------------------------------------------------------------------------------------------------------------
-- RPCs
------------------------------------------------------------------------------------------------------------------

-- Trimmed message content within the configured length, or 400.
create function private.validated_content(content text) returns text
language plpgsql stable set search_path = ''
as $$
declare
  trimmed text := btrim(coalesce(content, ''), E' \t\r\n');
  max_length integer := private.setting_int('message_max_length');
begin
  if trimmed = '' then
    perform private.raise_error('content_empty');
  end if;
  if char_length(trimmed) > max_length then
    perform private.raise_error('content_too_long', format('a message holds at most %s characters', max_length),
      jsonb_build_object('max_length', max_length, 'length', char_length(trimmed)));
  end if;
  return trimmed;
end;
$$;

-- What the message RPCs answer with (composite types, so parameter names stay free for the API).
create type public.chat_message as (
  id uuid, seq bigint, meeting_id uuid, sender_id uuid, client_id text, content text,
  type public.message_type, created_at timestamptz, edited_at timestamptz, deleted_at timestamptz,
  version bigint, reactions jsonb, reactions_version bigint
);
comment on type public.chat_message is
  'A message as clients see it: content is null once deleted; reactions are the counts per emoji at reactions_version.';

create type public.sent_message as (
  id uuid, seq bigint, meeting_id uuid, sender_id uuid, client_id text, content text,
  type public.message_type, created_at timestamptz, edited_at timestamptz, deleted_at timestamptz,
  version bigint, reactions jsonb, reactions_version bigint,
  duplicate boolean
);
comment on type public.sent_message is 'send_message''s answer: the stored message, and whether it was a retry.';

-- The message as clients see it. PL/pgSQL, so it may name the reactions feature's counts (next migration), which
-- are part of how a message looks.
create function private.as_chat_message(stored public.messages) returns public.chat_message
language plpgsql stable set search_path = ''
as $$
begin
  return row(stored.id, stored.seq, stored.meeting_id, stored.sender_id, stored.client_id,
             case when stored.deleted_at is null then stored.content end,
             stored.type, stored.created_at, stored.edited_at, stored.deleted_at, stored.version,
             private.reaction_counts(stored.id), stored.reactions_version)::public.chat_message;
end;
$$;

create function private.as_sent_message(stored public.messages, duplicate boolean) returns public.sent_message
language sql stable set search_path = ''
as $$
  select row(m.id, m.seq, m.meeting_id, m.sender_id, m.client_id, m.content, m.type, m.created_at, m.edited_at,
             m.deleted_at, m.version, m.reactions, m.reactions_version, duplicate)::public.sent_message
    from private.as_chat_message(stored) m;
$$;

grant execute on function private.validated_content(text), private.as_chat_message(public.messages),
  private.as_sent_message(public.messages, boolean)
  to authenticated, service_role;

create function public.send_message(meeting_id uuid, content text, client_id text)
returns public.sent_message
language plpgsql volatile security definer set search_path = ''
as $$
declare
  me uuid := private.require_user();
  body text;
  stored public.messages;
  target public.meetings;
  rate_limit integer := private.setting_int('message_rate_limit');
  rate_window integer := private.setting_int('message_rate_window_seconds');
  recent_count integer;
  oldest_recent timestamptz;
  retry_after integer;
begin
  if send_message.client_id is null
     or char_length(send_message.client_id) not between 1 and private.setting_int('client_id_max_length') then
    perform private.raise_error('invalid_client_id',
      format('client_id must be 1 to %s characters', private.setting_int('client_id_max_length')));
  end if;

  -- A retry returns what the first attempt stored, whatever happened since (rate limit, leaving).
  select * into stored from public.messages m where m.sender_id = me and m.client_id = send_message.client_id;
  if found then
    if stored.meeting_id <> send_message.meeting_id then
      perform private.raise_error('client_id_conflict');
    end if;
    return private.as_sent_message(stored, true);
  end if;

  body := private.validated_content(send_message.content);
  target := private.require_meeting(send_message.meeting_id);
  if not private.is_meeting_member(target.id) then
    perform private.raise_error('not_a_participant', 'join the meeting to send messages');
  end if;
  if target.status = 'ended' then
    perform private.raise_error('meeting_ended');
  end if;

  -- One sender at a time per meeting: the rate-limit count and the insert see each other.
  perform pg_advisory_xact_lock(hashtextextended(me::text || '/' || target.id::text, 0));

  select count(*), min(m.created_at) into recent_count, oldest_recent
    from public.messages m
   where m.meeting_id = target.id and m.sender_id = me
     and m.created_at > now() - make_interval(secs => rate_window);
  if recent_count >= rate_limit then
    retry_after := greatest(1, ceil(extract(epoch from (oldest_recent + make_interval(secs => rate_window) - now())))::integer);
    perform private.raise_error('rate_limited',
      format('at most %s messages per %s seconds; retry in %s s', rate_limit, rate_window, retry_after),
      jsonb_build_object('retry_after_seconds', retry_after, 'limit', rate_limit, 'window_seconds', rate_window));
  end if;

  insert into public.messages as m (meeting_id, sender_id, client_id, content, type)
  values (target.id, me, send_message.client_id, body, 'text')
  on conflict on constraint messages_sender_client_id_key do nothing
  returning * into stored;
  if not found then
    -- A concurrent retry of the same message won the race: answer with its row.
    select * into stored from public.messages m where m.sender_id = me and m.client_id = send_message.client_id;
    return private.as_sent_message(stored, true);
  end if;
  return private.as_sent_message(stored, false);
end;
$$;
comment on function public.send_message(uuid, text, text) is
  'Store a chat message; a retry with the same client_id returns the original with duplicate = true.';

create function public.edit_message(message_id uuid, content text) returns public.chat_message
language plpgsql volatile security definer set search_path = ''
as $$
declare
  me uuid := private.require_user();
  target public.messages;
begin
  select * into target from public.messages m where m.id = edit_message.message_id for update;
  if not found then
    perform private.raise_error('message_not_found');
  end if;
  if target.sender_id <> me then
    perform private.raise_error('not_sender', 'only the sender edits a message');
  end if;
  if not private.is_meeting_member(target.meeting_id) then
    perform private.raise_error('not_a_participant', 'join the meeting to edit messages');
  end if;
  if target.deleted_at is not null then
    perform private.raise_error('message_deleted', 'a deleted message cannot be edited');
  end if;
  update public.messages m
     set content = private.validated_content(edit_message.content), edited_at = now(), version = m.version + 1
   where m.id = target.id
  returning * into target;
  return private.as_chat_message(target);
end;
$$;
comment on function public.edit_message(uuid, text) is 'Edit your own message.';

create function public.delete_message(message_id uuid) returns public.chat_message
language plpgsql volatile security definer set search_path = ''
as $$
declare
  me uuid := private.require_user();
  target public.messages;
begin
  select * into target from public.messages m where m.id = delete_message.message_id for update;
  if not found then
    perform private.raise_error('message_not_found');
  end if;
  if target.sender_id <> me and not private.is_meeting_host(target.meeting_id) then
    perform private.raise_error('not_allowed', 'only the sender or the host deletes a message');
  end if;
  update public.messages m
     set deleted_at = coalesce(m.deleted_at, now()), version = m.version + (m.deleted_at is null)::integer
   where m.id = target.id
  returning * into target;
  return private.as_chat_message(target); -- soft delete; deleting twice keeps the first time (and version)
end;
$$;
comment on function public.delete_message(uuid) is 'Soft-delete a message (sender or host); the answer has content null.';

create function public.get_messages(
  meeting_id uuid, before_seq bigint default null, after_seq bigint default null,
  page_size integer default 50, newest_first boolean default true
) returns setof public.chat_message
language plpgsql stable security definer set search_path = ''
as $$
declare
  max_page integer := private.setting_int('page_max_limit');
begin
  perform private.require_user();
  perform private.require_meeting(get_messages.meeting_id);
  if page_size is null or page_size < 1 or page_size > max_page then
    perform private.raise_error('invalid_page_size', format('page_size must be 1 to %s', max_page),
      jsonb_build_object('max', max_page));
  end if;
  if not private.is_meeting_member(get_messages.meeting_id) then
    perform private.raise_error('not_a_participant', 'join the meeting to read its messages');
  end if;
  -- Two branches so each walks messages_meeting_id_seq_idx in its own direction (keyset, no offset).
  if newest_first then
    return query
      select c.* from public.messages m cross join lateral private.as_chat_message(m) c
       where m.meeting_id = get_messages.meeting_id
         and (before_seq is null or m.seq < before_seq)
         and (after_seq is null or m.seq > after_seq)
       order by m.seq desc
       limit page_size;
  else
    return query
      select c.* from public.messages m cross join lateral private.as_chat_message(m) c
       where m.meeting_id = get_messages.meeting_id
         and (before_seq is null or m.seq < before_seq)
         and (after_seq is null or m.seq > after_seq)
       order by m.seq asc
       limit page_size;
  end if;
end;
$$;
comment on function public.get_messages(uuid, bigint, bigint, integer, boolean) is
  'A page of a meeting''s messages by seq (keyset): before_seq / after_seq, newest or oldest first; deleted content is null.';

-- Deny by default, then grant on purpose.
revoke execute on function
  public.send_message(uuid, text, text), public.edit_message(uuid, text), public.delete_message(uuid),
  public.get_messages(uuid, bigint, bigint, integer, boolean)
  from public, anon;
grant execute on function
  public.send_message(uuid, text, text), public.edit_message(uuid, text), public.delete_message(uuid),
  public.get_messages(uuid, bigint, bigint, integer, boolean)
  to authenticated, service_role;
