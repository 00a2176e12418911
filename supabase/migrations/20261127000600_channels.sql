-- Private Realtime channels, authorized by RLS on realtime.messages. Realtime checks SELECT (may receive) when a
-- client joins and INSERT (may send / track presence) on its first send or track, with realtime.topic() set to the
-- channel and one probe row per extension ('broadcast', 'presence'). It checks write permission once per channel and
-- caches it, so a policy can never look at an event's name: who may forge which events is decided by the topic.
--
--   meeting:<uuid>            server events (messages, reactions, participants, status). Host and present
--                             participants receive broadcasts; no client sends or tracks presence there: only the
--                             service role (edge functions) and the database (realtime.send, broadcast_changes) write.
--   meeting:<uuid>:ephemeral  client events (typing, cursors, floating reactions) and Presence. The same members
--                             receive, send and track presence. Payloads there are claims a client makes.
--   org:<uuid>                members receive; admins send
--   user:<uuid>               only that user receives broadcasts; clients never send (server notices)
--   dm:<a>:<b>                a < b, a <> b, both in one organization: only a and b receive and send
-- A malformed or unknown topic is denied, never an error: the helpers parse before they cast.

create function private.topic_uuid(topic text, prefix text, suffix text default '') returns uuid
language sql immutable parallel safe set search_path = ''
as $$
  select case
    when topic ~ ('^' || prefix || ':[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' || suffix || '$')
    then substr(topic, char_length(prefix) + 2, 36)::uuid
  end;
$$;
comment on function private.topic_uuid(text, text, text) is
  'The uuid of a `<prefix>:<uuid><suffix>` topic (lower-case), else null.';

-- dm:<a>:<b> is allowed for a and b only when a < b (one canonical topic per pair) and they share an organization.
create function private.is_dm_party(topic text) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
declare
  parts text[];
  a uuid;
  b uuid;
  me uuid := (select auth.uid());
begin
  parts := regexp_match(topic,
    '^dm:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$');
  if parts is null or me is null then
    return false;
  end if;
  a := parts[1]::uuid;
  b := parts[2]::uuid;
  if not (a < b) or me not in (a, b) then
    return false;
  end if;
  return exists (
    select 1 from public.profiles pa join public.profiles pb on pb.organization_id = pa.organization_id
    where pa.id = a and pb.id = b and pa.organization_id is not null);
end;
$$;

-- May receive `extension` ('broadcast' or 'presence') on the topic.
create function private.can_receive_on_topic(topic text, extension text) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  if extension not in ('broadcast', 'presence') then
    return false;
  end if;
  return case split_part(coalesce(topic, ''), ':', 1)
    when 'meeting' then
      -- Presence lives on the ephemeral topic only, so the server topic carries nothing a client wrote.
      case
        when private.topic_uuid(topic, 'meeting') is not null then
          extension = 'broadcast' and coalesce(private.is_meeting_member(private.topic_uuid(topic, 'meeting')), false)
        else coalesce(private.is_meeting_member(private.topic_uuid(topic, 'meeting', ':ephemeral')), false)
      end
    when 'org' then coalesce(private.is_org_member(private.topic_uuid(topic, 'org')), false)
    when 'user' then extension = 'broadcast' and coalesce(private.topic_uuid(topic, 'user') = (select auth.uid()), false)
    when 'dm' then private.is_dm_party(topic)
    else false
  end;
end;
$$;

-- May send broadcasts (`broadcast`) or track presence (`presence`) on the topic.
create function private.can_send_on_topic(topic text, extension text) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  if extension not in ('broadcast', 'presence') then
    return false;
  end if;
  return case split_part(coalesce(topic, ''), ':', 1)
    -- meeting:<id> is server-only (null uuid for it here); meeting:<id>:ephemeral is the members' own.
    when 'meeting' then coalesce(private.is_meeting_member(private.topic_uuid(topic, 'meeting', ':ephemeral')), false)
    when 'org' then coalesce(private.is_org_admin(private.topic_uuid(topic, 'org')), false)
    when 'dm' then private.is_dm_party(topic)
    else false -- user:<id> is receive-only for clients
  end;
end;
$$;

grant execute on function private.topic_uuid(text, text, text), private.is_dm_party(text),
  private.can_receive_on_topic(text, text), private.can_send_on_topic(text, text) to authenticated, service_role;

-- One policy per operation and extension, so each helper call stays an initplan (once per statement, not per row).
create policy "Channel members receive broadcasts" on realtime.messages
  for select to authenticated
  using (extension = 'broadcast' and (select private.can_receive_on_topic((select realtime.topic()), 'broadcast')));

create policy "Channel members see presence" on realtime.messages
  for select to authenticated
  using (extension = 'presence' and (select private.can_receive_on_topic((select realtime.topic()), 'presence')));

create policy "Channel members send broadcasts on client topics" on realtime.messages
  for insert to authenticated
  with check (extension = 'broadcast' and (select private.can_send_on_topic((select realtime.topic()), 'broadcast')));

create policy "Channel members track presence on client topics" on realtime.messages
  for insert to authenticated
  with check (extension = 'presence' and (select private.can_send_on_topic((select realtime.topic()), 'presence')));
