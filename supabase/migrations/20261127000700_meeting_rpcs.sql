-- The API edge functions and clients call. Each RPC is SECURITY DEFINER with an empty search_path, asks the same
-- private.* helpers the policies use, and fails with SQLSTATE PT<status> (PostgREST answers with that HTTP status),
-- a stable reason in HINT and JSON details in DETAIL. EXECUTE is granted to authenticated and service_role only.

-- The caller, or 401.
create function private.require_user() returns uuid
language plpgsql stable set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
begin
  if me is null then
    perform private.raise_error(401, 'not_authenticated', 'sign in to do this');
  end if;
  return me;
end;
$$;

-- The meeting, or 404.
create function private.require_meeting(target_meeting_id uuid) returns public.meetings
language plpgsql stable security definer set search_path = ''
as $$
declare
  found_meeting public.meetings;
begin
  select * into found_meeting from public.meetings m where m.id = target_meeting_id;
  if not found then
    perform private.raise_error(404, 'meeting_not_found', 'no such meeting',
      jsonb_build_object('meeting_id', target_meeting_id));
  end if;
  return found_meeting;
end;
$$;

-- Trimmed message content within the configured length, or 400.
create function private.validated_content(content text) returns text
language plpgsql stable set search_path = ''
as $$
declare
  trimmed text := btrim(coalesce(content, ''), E' \t\r\n');
  max_length integer := private.setting_int('message_max_length');
begin
  if trimmed = '' then
    perform private.raise_error(400, 'content_empty', 'a message needs some text');
  end if;
  if char_length(trimmed) > max_length then
    perform private.raise_error(400, 'content_too_long', format('a message holds at most %s characters', max_length),
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

create type public.reaction_toggle as (
  action text, emoji text, counts jsonb, version bigint, message_id uuid, meeting_id uuid
);
comment on type public.reaction_toggle is
  'toggle_reaction''s answer: added or removed, the counts per emoji exact at version (the message''s reactions_version), and which message and meeting.';

-- Counts per emoji of one message, e.g. {"👍": 2}; exact when the caller holds the message's row lock.
create function private.reaction_counts(target_message_id uuid) returns jsonb
language sql stable set search_path = ''
as $$
  select coalesce(jsonb_object_agg(c.emoji, c.n), '{}'::jsonb)
    from (select r.emoji, count(*) as n from public.message_reactions r
           where r.message_id = target_message_id group by r.emoji) c;
$$;

create function private.as_chat_message(stored public.messages) returns public.chat_message
language sql stable set search_path = ''
as $$
  select row(stored.id, stored.seq, stored.meeting_id, stored.sender_id, stored.client_id,
             case when stored.deleted_at is null then stored.content end,
             stored.type, stored.created_at, stored.edited_at, stored.deleted_at, stored.version,
             case when stored.reactions_version = 0 then '{}'::jsonb else private.reaction_counts(stored.id) end,
             stored.reactions_version)::public.chat_message;
$$;

create function private.as_sent_message(stored public.messages, duplicate boolean) returns public.sent_message
language sql stable set search_path = ''
as $$
  select row(m.id, m.seq, m.meeting_id, m.sender_id, m.client_id, m.content, m.type, m.created_at, m.edited_at,
             m.deleted_at, m.version, m.reactions, m.reactions_version, duplicate)::public.sent_message
    from private.as_chat_message(stored) m;
$$;

grant execute on function private.require_user(), private.require_meeting(uuid), private.validated_content(text),
  private.reaction_counts(uuid), private.as_chat_message(public.messages),
  private.as_sent_message(public.messages, boolean)
  to authenticated, service_role;

------------------------------------------------------------------------------------------------------------------
-- Joining and leaving
------------------------------------------------------------------------------------------------------------------

create function public.join_meeting(meeting_id uuid) returns public.meeting_participants
language plpgsql volatile security definer set search_path = ''
as $$
declare
  me uuid := private.require_user();
  target public.meetings := private.require_meeting(join_meeting.meeting_id);
  max_present integer := private.setting_int('max_present_meetings');
  result public.meeting_participants;
begin
  if not private.can_view_meeting(target.id) then
    perform private.raise_error(403, 'not_allowed', 'you may not join this meeting');
  end if;
  if target.status = 'ended' then
    perform private.raise_error(409, 'meeting_ended', 'this meeting has ended');
  end if;
  if exists (select 1 from public.meeting_participants mp
             where mp.meeting_id = target.id and mp.user_id = me and mp.removed_at is not null) then
    perform private.raise_error(403, 'removed_from_meeting', 'you were removed from this meeting');
  end if;
  if not private.can_join_meeting(target.id) then
    perform private.raise_error(403, 'invitation_required', 'accept the invitation to join this meeting');
  end if;
  -- One user, a few meetings at a time (Realtime cannot count a user's channels; see docs/authorization.md).
  -- Re-joining a meeting you are present in is not one more.
  perform pg_advisory_xact_lock(hashtextextended(me::text, 2)); -- two joins at once cannot both take the last place
  if (select count(*) from public.meeting_participants mp
       where mp.user_id = me and mp.left_at is null and mp.meeting_id <> target.id) >= max_present then
    perform private.raise_error(409, 'too_many_meetings',
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
    perform private.raise_error(404, 'not_a_participant', 'you are not in this meeting');
  end if;
  return result; -- leaving twice is a no-op, so retries are safe
end;
$$;
comment on function public.leave_meeting(uuid) is 'Leave a meeting (idempotent).';

------------------------------------------------------------------------------------------------------------------
-- Messages
------------------------------------------------------------------------------------------------------------------

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
    perform private.raise_error(400, 'invalid_client_id',
      format('client_id must be 1 to %s characters', private.setting_int('client_id_max_length')));
  end if;

  -- A retry returns what the first attempt stored, whatever happened since (rate limit, leaving).
  select * into stored from public.messages m where m.sender_id = me and m.client_id = send_message.client_id;
  if found then
    if stored.meeting_id <> send_message.meeting_id then
      perform private.raise_error(409, 'client_id_conflict', 'this client_id was already used in another meeting');
    end if;
    return private.as_sent_message(stored, true);
  end if;

  body := private.validated_content(send_message.content);
  target := private.require_meeting(send_message.meeting_id);
  if not private.is_meeting_member(target.id) then
    perform private.raise_error(403, 'not_a_participant', 'join the meeting to send messages');
  end if;
  if target.status = 'ended' then
    perform private.raise_error(409, 'meeting_ended', 'this meeting has ended');
  end if;

  -- One sender at a time per meeting: the rate-limit count and the insert see each other.
  perform pg_advisory_xact_lock(hashtextextended(me::text || '/' || target.id::text, 0));

  select count(*), min(m.created_at) into recent_count, oldest_recent
    from public.messages m
   where m.meeting_id = target.id and m.sender_id = me
     and m.created_at > now() - make_interval(secs => rate_window);
  if recent_count >= rate_limit then
    retry_after := greatest(1, ceil(extract(epoch from (oldest_recent + make_interval(secs => rate_window) - now())))::integer);
    perform private.raise_error(429, 'rate_limited',
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
    perform private.raise_error(404, 'message_not_found', 'no such message');
  end if;
  if target.sender_id <> me then
    perform private.raise_error(403, 'not_sender', 'only the sender edits a message');
  end if;
  if not private.is_meeting_member(target.meeting_id) then
    perform private.raise_error(403, 'not_a_participant', 'join the meeting to edit messages');
  end if;
  if target.deleted_at is not null then
    perform private.raise_error(409, 'message_deleted', 'a deleted message cannot be edited');
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
    perform private.raise_error(404, 'message_not_found', 'no such message');
  end if;
  if target.sender_id <> me and not private.is_meeting_host(target.meeting_id) then
    perform private.raise_error(403, 'not_allowed', 'only the sender or the host deletes a message');
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
    perform private.raise_error(400, 'invalid_page_size', format('page_size must be 1 to %s', max_page),
      jsonb_build_object('max', max_page));
  end if;
  if not private.is_meeting_member(get_messages.meeting_id) then
    perform private.raise_error(403, 'not_a_participant', 'join the meeting to read its messages');
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

------------------------------------------------------------------------------------------------------------------
-- Reactions
------------------------------------------------------------------------------------------------------------------

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
    perform private.raise_error(400, 'invalid_emoji', 'a reaction is a single emoji');
  end if;
  -- The message's row lock orders every toggle on it (a double click is add-then-remove, never add-add) and makes
  -- the counts below exact at the version this toggle assigns: the next toggle waits until this one commits.
  select * into target from public.messages m where m.id = toggle_reaction.message_id for no key update;
  if not found then
    perform private.raise_error(404, 'message_not_found', 'no such message');
  end if;
  if not private.is_meeting_member(target.meeting_id) then
    perform private.raise_error(403, 'not_a_participant', 'join the meeting to react');
  end if;
  if target.deleted_at is not null then
    perform private.raise_error(409, 'message_deleted', 'a deleted message takes no reactions');
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

------------------------------------------------------------------------------------------------------------------
-- Participants
------------------------------------------------------------------------------------------------------------------

create function public.update_participant_state(meeting_id uuid, state jsonb, user_id uuid default null)
returns public.meeting_participants
language plpgsql volatile security definer set search_path = ''
as $$
declare
  me uuid := private.require_user();
  target_user uuid := coalesce(update_participant_state.user_id, me);
  allowed_keys constant text[] := array['is_muted', 'is_video_on', 'is_screen_sharing', 'is_hand_raised', 'status'];
  -- What a host or cohost may change for someone else: mute them, lower their hand.
  moderator_keys constant text[] := array['is_muted', 'is_hand_raised'];
  unknown text[];
  key text;
  result public.meeting_participants;
begin
  perform private.require_meeting(update_participant_state.meeting_id);
  if state is null or jsonb_typeof(state) <> 'object' or state = '{}'::jsonb then
    perform private.raise_error(400, 'invalid_state', 'state must be a non-empty JSON object',
      jsonb_build_object('allowed_keys', to_jsonb(allowed_keys)));
  end if;
  select array_agg(k order by k) into unknown from jsonb_object_keys(state) k where k <> all (allowed_keys);
  if unknown is not null then
    perform private.raise_error(400, 'unknown_state_keys',
      format('unknown state keys: %s', array_to_string(unknown, ', ')),
      jsonb_build_object('keys', to_jsonb(unknown), 'allowed_keys', to_jsonb(allowed_keys)));
  end if;
  for key in select jsonb_object_keys(state) loop
    if key = 'status' then
      if jsonb_typeof(state -> key) <> 'string' or (state ->> key) not in ('active', 'away', 'busy') then
        perform private.raise_error(400, 'invalid_state_value', 'status must be one of active, away, busy',
          jsonb_build_object('key', key, 'expected', 'active|away|busy'));
      end if;
    elsif jsonb_typeof(state -> key) <> 'boolean' then
      perform private.raise_error(400, 'invalid_state_value', format('%s must be true or false', key),
        jsonb_build_object('key', key, 'expected', 'boolean'));
    end if;
  end loop;

  if target_user <> me then
    if not private.is_meeting_moderator(update_participant_state.meeting_id) then
      perform private.raise_error(403, 'not_moderator', 'only the host or a cohost changes someone else''s state');
    end if;
    if exists (select 1 from jsonb_object_keys(state) k where k <> all (moderator_keys)) then
      perform private.raise_error(403, 'not_allowed_for_others', 'for someone else you may only change is_muted and is_hand_raised',
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
      perform private.raise_error(403, 'not_a_participant', 'join the meeting to change your state');
    end if;
    perform private.raise_error(404, 'participant_not_found', 'that person is not in this meeting');
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
    perform private.raise_error(403, 'not_a_participant', 'join the meeting to see who is in it');
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
    perform private.raise_error(403, 'not_moderator', 'only the host or a cohost removes participants');
  end if;
  if remove_participant.user_id = me then
    perform private.raise_error(400, 'cannot_remove_self', 'use leave_meeting to leave');
  end if;
  if remove_participant.user_id = target.host_id then
    perform private.raise_error(403, 'cannot_remove_host', 'the host cannot be removed');
  end if;
  if target.host_id <> me and exists (
       select 1 from public.meeting_participants mp
        where mp.meeting_id = target.id and mp.user_id = remove_participant.user_id and mp.role = 'cohost') then
    perform private.raise_error(403, 'cannot_remove_cohost', 'only the host removes a cohost');
  end if;

  update public.meeting_participants mp
     set left_at = coalesce(mp.left_at, now()), removed_at = now(), removed_by = me,
         is_hand_raised = false, is_screen_sharing = false
   where mp.meeting_id = target.id and mp.user_id = remove_participant.user_id and mp.removed_at is null
  returning * into removed;
  if not found then
    perform private.raise_error(404, 'not_a_participant', 'that person is not in this meeting');
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
    perform private.raise_error(403, 'not_host', 'only the host changes the meeting status');
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
  public.join_meeting(uuid), public.leave_meeting(uuid), public.send_message(uuid, text, text),
  public.edit_message(uuid, text), public.delete_message(uuid),
  public.get_messages(uuid, bigint, bigint, integer, boolean), public.toggle_reaction(uuid, text),
  public.update_participant_state(uuid, jsonb, uuid), public.list_participants(uuid, boolean),
  public.remove_participant(uuid, uuid), public.set_meeting_status(uuid, public.meeting_status)
  from public, anon;
grant execute on function
  public.join_meeting(uuid), public.leave_meeting(uuid), public.send_message(uuid, text, text),
  public.edit_message(uuid, text), public.delete_message(uuid),
  public.get_messages(uuid, bigint, bigint, integer, boolean), public.toggle_reaction(uuid, text),
  public.update_participant_state(uuid, jsonb, uuid), public.list_participants(uuid, boolean),
  public.remove_participant(uuid, uuid), public.set_meeting_status(uuid, public.meeting_status)
  to authenticated, service_role;
