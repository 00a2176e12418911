-- send_message with fewer statements on its usual path: a new message from a member.
--
-- Each SQL statement a PL/pgSQL function runs costs about 5 µs before it does any work (measured here with
-- pg_stat_statements under pgbench), and the usual send ran twelve. It now runs seven:
-- * its four settings are read in one statement (private.setting_ints) instead of four, and validated_content takes
--   the length limit from its caller when the caller has it;
-- * the lookup of an earlier attempt with the same client_id runs only when the send cannot be stored as new: after
--   a refusal (not a member, meeting ended, rate limited) or when the insert meets the unique (sender, client_id)
--   key. A retry still answers with what the first attempt stored, whatever happened since; it now does so after
--   the checks instead of before them. Only invalid input (a bad client_id, empty or too long content) is refused
--   before that lookup: a retry carries the same client_id and content as the attempt that was stored;
-- * a message inserted in this transaction has no reactions yet (a reaction needs the committed row), so its answer
--   says so instead of counting them (as_chat_message / as_sent_message take counts the caller already knows).
-- The answers and refusals are the same but for two retries that carry different input than the attempt stored:
-- with invalid content it is refused (it used to answer the stored message), and to a meeting that does not exist it
-- is meeting_not_found (it used to be client_id_conflict). pgTAP 04, 05 and 17 hold the retry rules.

-- Integer settings read in one statement, in the order asked. An unknown key is our bug, not a client's: it raises.
create function private.setting_ints(variadic setting_keys text[]) returns integer[]
language plpgsql stable security definer set search_path = ''
as $$
declare
  found_values integer[];
begin
  select array_agg((s.value #>> '{}')::integer order by array_position(setting_keys, s.key))
    into found_values
    from private.settings s
   where s.key = any(setting_keys);
  if cardinality(found_values) is distinct from cardinality(setting_keys) then
    raise exception 'unknown setting among %', setting_keys;
  end if;
  return found_values;
end;
$$;
comment on function private.setting_ints(text[]) is
  'Several integer settings from private.settings in one read, in the order asked; raises on an unknown key.';
grant execute on function private.setting_ints(text[]) to authenticated, service_role;

drop function private.validated_content(text);
create function private.validated_content(content text, max_length integer default null) returns text
language plpgsql stable set search_path = ''
as $$
declare
  trimmed text := btrim(coalesce(content, ''), E' \t\r\n');
begin
  max_length := coalesce(max_length, private.setting_int('message_max_length'));
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
comment on function private.validated_content(text, integer) is
  'Trimmed message content within max_length (message_max_length when not given), or 400.';

drop function private.as_sent_message(public.messages, boolean);
drop function private.as_chat_message(public.messages);

-- The message as clients see it; `reactions` are the counts when the caller already knows them.
create function private.as_chat_message(stored public.messages, reactions jsonb default null)
returns public.chat_message
language plpgsql stable set search_path = ''
as $$
begin
  return row(stored.id, stored.seq, stored.meeting_id, stored.sender_id, stored.client_id,
             case when stored.deleted_at is null then stored.content end,
             stored.type, stored.created_at, stored.edited_at, stored.deleted_at, stored.version,
             coalesce(reactions, private.reaction_counts(stored.id)), stored.reactions_version)::public.chat_message;
end;
$$;

create function private.as_sent_message(stored public.messages, duplicate boolean, reactions jsonb default null)
returns public.sent_message
language plpgsql stable set search_path = ''
as $$
declare
  m public.chat_message := private.as_chat_message(stored, reactions);
begin
  return row(m.id, m.seq, m.meeting_id, m.sender_id, m.client_id, m.content, m.type, m.created_at, m.edited_at,
             m.deleted_at, m.version, m.reactions, m.reactions_version, duplicate)::public.sent_message;
end;
$$;

grant execute on function private.validated_content(text, integer), private.as_chat_message(public.messages, jsonb),
  private.as_sent_message(public.messages, boolean, jsonb)
  to authenticated, service_role;

create or replace function public.send_message(meeting_id uuid, content text, client_id text)
returns public.sent_message
language plpgsql volatile security definer set search_path = ''
as $$
declare
  me uuid := private.require_user();
  limits integer[] := private.setting_ints('client_id_max_length', 'message_max_length', 'message_rate_limit',
                                           'message_rate_window_seconds');
  client_id_max integer := limits[1];
  content_max integer := limits[2];
  rate_limit integer := limits[3];
  rate_window integer := limits[4];
  body text;
  stored public.messages;
  target public.meetings;
  refusal text;
  recent_count integer;
  oldest_recent timestamptz;
  retry_after integer;
begin
  if send_message.client_id is null or char_length(send_message.client_id) not between 1 and client_id_max then
    perform private.raise_error('invalid_client_id', format('client_id must be 1 to %s characters', client_id_max));
  end if;
  body := private.validated_content(send_message.content, content_max);
  -- A missing meeting has no messages (they go with it), so there is no earlier attempt to answer with.
  target := private.require_meeting(send_message.meeting_id);

  if not private.is_meeting_member(target.id) then
    refusal := 'not_a_participant';
  elsif target.status = 'ended' then
    refusal := 'meeting_ended';
  else
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
      refusal := 'rate_limited';
    end if;
  end if;

  if refusal is null then
    insert into public.messages as m (meeting_id, sender_id, client_id, content, type)
    values (target.id, me, send_message.client_id, body, 'text')
    on conflict on constraint messages_sender_client_id_key do nothing
    returning * into stored;
    if found then
      return private.as_sent_message(stored, false, '{}'::jsonb);
    end if;
  end if;

  -- Refused, or this client_id is stored already: a retry answers with what the first attempt stored.
  select * into stored from public.messages m where m.sender_id = me and m.client_id = send_message.client_id;
  if found then
    if stored.meeting_id <> send_message.meeting_id then
      perform private.raise_error('client_id_conflict');
    end if;
    return private.as_sent_message(stored, true);
  end if;

  if refusal = 'rate_limited' then
    retry_after := greatest(1, ceil(extract(epoch from (oldest_recent + make_interval(secs => rate_window) - now())))::integer);
    perform private.raise_error('rate_limited',
      format('at most %s messages per %s seconds; retry in %s s', rate_limit, rate_window, retry_after),
      jsonb_build_object('retry_after_seconds', retry_after, 'limit', rate_limit, 'window_seconds', rate_window));
  elsif refusal = 'not_a_participant' then
    perform private.raise_error('not_a_participant', 'join the meeting to send messages');
  elsif refusal = 'meeting_ended' then
    perform private.raise_error('meeting_ended');
  end if;
  -- Not refused, yet the row the insert met is gone (deleted with its meeting since): this is a new send again.
  return public.send_message(send_message.meeting_id, send_message.content, send_message.client_id);
end;
$$;
