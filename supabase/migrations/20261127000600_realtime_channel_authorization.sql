-- Private Realtime channels, authorized by RLS on realtime.messages: Realtime checks SELECT (may receive) when a
-- client joins and INSERT (may send / track presence) on its first send, with realtime.topic() set to the channel.
--   meeting:<uuid>  host and present participants receive, send and track presence
--   org:<uuid>      members receive; admins send
--   user:<uuid>     only that user receives; clients never send (server notices go with the service role)
--   dm:<a>:<b>      a < b, a <> b, both in one organization: only a and b receive and send
-- A malformed or unknown topic is denied, never an error: the helpers parse before they cast.

create function private.topic_uuid(topic text, prefix text) returns uuid
language sql immutable parallel safe set search_path = ''
as $$
  select case
    when topic ~ ('^' || prefix || ':[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
    then substr(topic, char_length(prefix) + 2)::uuid
  end;
$$;
comment on function private.topic_uuid(text, text) is 'The uuid of a `<prefix>:<uuid>` topic (lower-case), else null.';

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

create function private.can_receive_on_topic(topic text) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return case split_part(coalesce(topic, ''), ':', 1)
    when 'meeting' then coalesce(private.is_meeting_member(private.topic_uuid(topic, 'meeting')), false)
    when 'org' then coalesce(private.is_org_member(private.topic_uuid(topic, 'org')), false)
    when 'user' then coalesce(private.topic_uuid(topic, 'user') = (select auth.uid()), false)
    when 'dm' then private.is_dm_party(topic)
    else false
  end;
end;
$$;

create function private.can_send_on_topic(topic text) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return case split_part(coalesce(topic, ''), ':', 1)
    when 'meeting' then coalesce(private.is_meeting_member(private.topic_uuid(topic, 'meeting')), false)
    when 'org' then coalesce(private.is_org_admin(private.topic_uuid(topic, 'org')), false)
    when 'dm' then private.is_dm_party(topic)
    else false -- user:<id> is receive-only for clients
  end;
end;
$$;

grant execute on function private.topic_uuid(text, text), private.is_dm_party(text),
  private.can_receive_on_topic(text), private.can_send_on_topic(text) to authenticated, service_role;

-- The helpers run once per statement (initplans), not once per row.
create policy "Channel members receive broadcasts and presence" on realtime.messages
  for select to authenticated
  using (
    extension in ('broadcast', 'presence')
    and (select private.can_receive_on_topic((select realtime.topic())))
  );

create policy "Channel members send broadcasts and track presence" on realtime.messages
  for insert to authenticated
  with check (
    extension in ('broadcast', 'presence')
    and (select private.can_send_on_topic((select realtime.topic())))
  );
