-- Helpers that every send, join and reaction runs, rewritten so their plans are kept for the session.
--
-- A SQL-language function with a SET clause (our `set search_path = ''`) is never inlined, and PostgreSQL parses
-- and plans a non-inlined SQL function's body again in every transaction that calls it; PL/pgSQL keeps its plans
-- for the life of the connection. Measured with track_functions under pgbench (send_message as an authenticated
-- user, 4 clients, a busy machine):
-- reaction_counts took 194 µs per call and setting_int 56 µs (four calls per send), against 25 µs and 10 µs as
-- PL/pgSQL. Same signatures, same answers (pgTAP 15 keeps helpers from going back to SQL with a SET clause).
--
-- is_meeting_member asks the participant question first (the usual answer), the host's only when it finds nothing.
-- send_message's rate-limit count also stops at the limit: it reads at most `message_rate_limit` of the sender's
-- newest messages in the window instead of all of them, so its cost is bounded by the limit whatever was sent.

create or replace function private.setting_int(setting_key text) returns integer
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select (s.value #>> '{}')::integer from private.settings s where s.key = setting_key);
end;
$$;

create or replace function private.setting_text_array(setting_key text) returns text[]
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select array(select jsonb_array_elements_text(s.value)) from private.settings s where s.key = setting_key);
end;
$$;

create or replace function private.reaction_counts(target_message_id uuid) returns jsonb
language plpgsql stable set search_path = ''
as $$
begin
  return (select coalesce(jsonb_object_agg(c.emoji, c.n), '{}'::jsonb)
            from (select r.emoji, count(*) as n from public.message_reactions r
                   where r.message_id = target_message_id group by r.emoji) c);
end;
$$;

create or replace function private.as_sent_message(stored public.messages, duplicate boolean)
returns public.sent_message
language plpgsql stable set search_path = ''
as $$
declare
  m public.chat_message := private.as_chat_message(stored);
begin
  return row(m.id, m.seq, m.meeting_id, m.sender_id, m.client_id, m.content, m.type, m.created_at, m.edited_at,
             m.deleted_at, m.version, m.reactions, m.reactions_version, duplicate)::public.sent_message;
end;
$$;

create or replace function private.is_emoji(value text) returns boolean
language plpgsql immutable parallel safe set search_path = ''
as $$
begin
  return value is not null
     and char_length(value) between 1 and 16
     and value ~ '^[\u00a9\u00ae\u203c-\u3299\U0001f000-\U0001faff\ufe0f\u200d\u20e3]+$'
     -- at least one pictograph: joiners and selectors alone are not an emoji
     and value ~ '[\u00a9\u00ae\u203c-\u3299\U0001f000-\U0001faff]';
end;
$$;

create or replace function private.topic_uuid(topic text, prefix text, suffix text default '') returns uuid
language plpgsql immutable parallel safe set search_path = ''
as $$
begin
  if topic ~ ('^' || prefix || ':[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' || suffix || '$') then
    return substr(topic, char_length(prefix) + 2, 36)::uuid;
  end if;
  return null;
end;
$$;

-- A member is a present participant or the host. Senders and subscribers are nearly always participants (the host
-- too, once joined), so that probe comes first and the host's is made only when it finds nothing.
create or replace function private.is_meeting_member(target_meeting_id uuid) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return exists (
        select 1 from public.meeting_participants mp
        where mp.meeting_id = target_meeting_id and mp.user_id = (select auth.uid()) and mp.left_at is null)
      or exists (select 1 from public.meetings m where m.id = target_meeting_id and m.host_id = (select auth.uid()));
end;
$$;

create or replace function public.send_message(meeting_id uuid, content text, client_id text)
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

  -- At most rate_limit of the newest: when the limit is reached, the oldest of them says when a place frees up.
  select count(*), min(r.created_at) into recent_count, oldest_recent
    from (select m.created_at from public.messages m
           where m.meeting_id = target.id and m.sender_id = me
             and m.created_at > now() - make_interval(secs => rate_window)
           order by m.created_at desc
           limit rate_limit) r;
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
