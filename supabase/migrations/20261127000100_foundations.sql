-- Foundations for the domain: a `private` schema for helpers clients cannot call through the Data API,
-- deny-by-default EXECUTE on new functions, settings in a table, and the shared updated_at trigger.

create schema if not exists private;
comment on schema private is 'Helpers and settings of meeting-realtime; not exposed through the Data API.';
-- RLS policies run as the requesting role, so it must be able to reach the helpers they call.
grant usage on schema private to authenticated, service_role;

-- Functions are not executable by anyone until a migration grants them on purpose.
alter default privileges for role postgres revoke execute on functions from public;
alter default privileges for role postgres in schema public revoke execute on functions from anon, authenticated, service_role;

-- Tunables read by the SQL functions that enforce them (edge functions never hard-code these).
create table private.settings (
  key text primary key,
  value jsonb not null,
  description text not null
);
alter table private.settings enable row level security;

insert into private.settings (key, value, description) values
  ('message_rate_limit', '30', 'messages one user may send to one meeting per window'),
  ('message_rate_window_seconds', '60', 'length of the send_message rate-limit window, in seconds'),
  ('message_max_length', '4000', 'maximum message length in characters, after trimming'),
  ('client_id_max_length', '64', 'maximum length of a client-generated message id'),
  ('page_max_limit', '100', 'maximum page size of get_messages'),
  ('max_present_meetings', '3', 'meetings one user may be present in at once (join_meeting refuses one more)'),
  ('emoji_max_length', '16', 'maximum reaction length in characters (ZWJ sequences are long)');

create function private.setting_int(setting_key text) returns integer
language sql
stable
security definer
set search_path = ''
as $$
  select (s.value #>> '{}')::integer from private.settings s where s.key = setting_key;
$$;
comment on function private.setting_int(text) is 'An integer setting from private.settings (null when absent).';

create function private.touch_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

-- Stateful rows carry `version`, raised by one on every update in the writing transaction (the row lock orders
-- concurrent writers), so events that carry a row can be applied in any arrival order: the highest version wins.
create function private.bump_version() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.version := old.version + 1;
  return new;
end;
$$;

-- Raises a domain error with an HTTP status PostgREST understands (SQLSTATE PTxxx -> status xxx), a stable
-- machine-readable reason in HINT and optional JSON details in DETAIL, so callers never parse prose.
create function private.raise_error(status integer, reason text, message text, details jsonb default null)
returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception using
    errcode = 'PT' || status::text,
    message = message,
    hint = reason,
    detail = coalesce(details, '{}'::jsonb)::text;
end;
$$;

grant execute on function private.setting_int(text), private.raise_error(integer, text, text, jsonb) to authenticated, service_role;
