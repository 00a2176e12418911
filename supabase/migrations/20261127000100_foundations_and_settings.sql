-- Foundations every feature builds on: a `private` schema for helpers clients cannot call through the Data API,
-- deny-by-default EXECUTE on new functions, the rules in tables (settings and error reasons, each defined once and
-- read by the SQL that enforces them; `npm run types` writes them into types/rules.ts for the functions and clients),
-- and the shared triggers. The schema is one migration per feature from here on; changes are new migrations.

create schema if not exists private;
comment on schema private is 'Helpers and settings of meeting-realtime; not exposed through the Data API.';
-- RLS policies run as the requesting role, so it must be able to reach the helpers they call.
grant usage on schema private to authenticated, service_role;

-- Functions are not executable by anyone until a migration grants them on purpose.
alter default privileges for role postgres revoke execute on functions from public;
alter default privileges for role postgres in schema public revoke execute on functions from anon, authenticated, service_role;

------------------------------------------------------------------------------------------------------------------
-- Settings: every tunable and limit, once. SQL reads them here; CHECK constraints that repeat a number are checked
-- against them by pgTAP (15-rules-defined-once); the functions and clients get them generated (types/rules.ts).
------------------------------------------------------------------------------------------------------------------

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
  ('emoji_max_length', '16', 'maximum reaction length in characters (ZWJ sequences are long)'),
  ('page_max_limit', '100', 'maximum page size of get_messages'),
  ('max_present_meetings', '3', 'meetings one user may be present in at once (join_meeting refuses one more)'),
  ('participant_state_keys', '["is_muted", "is_video_on", "is_screen_sharing", "is_hand_raised", "status"]',
   'the participant state a participant changes for themselves (update_participant_state)'),
  ('moderator_state_keys', '["is_muted", "is_hand_raised"]',
   'the participant state a host or cohost may change for someone else (mute them, lower their hand)');

create function private.setting_int(setting_key text) returns integer
language sql stable security definer set search_path = ''
as $$
  select (s.value #>> '{}')::integer from private.settings s where s.key = setting_key;
$$;
comment on function private.setting_int(text) is 'An integer setting from private.settings (null when absent).';

create function private.setting_text_array(setting_key text) returns text[]
language sql stable security definer set search_path = ''
as $$
  select array(select jsonb_array_elements_text(s.value)) from private.settings s where s.key = setting_key;
$$;
comment on function private.setting_text_array(text) is 'A list setting (JSON array of strings) from private.settings.';

------------------------------------------------------------------------------------------------------------------
-- Error reasons: every refusal an RPC can answer, with its HTTP status and default message, once. Each feature's
-- migration adds its own. RPCs raise SQLSTATE PT<status> (PostgREST answers with that HTTP status), the reason in
-- HINT and JSON details in DETAIL, so callers never parse prose; types/rules.ts and the docs table are generated
-- from this table.
------------------------------------------------------------------------------------------------------------------

create table private.error_reasons (
  reason text primary key check (reason ~ '^[a-z][a-z_]*$'),
  status integer not null check (status between 400 and 499),
  message text not null,
  details text -- the keys of the JSON details it carries, if any (documentation)
);
alter table private.error_reasons enable row level security;
comment on table private.error_reasons is 'Every refusal reason of the RPCs: HTTP status and default message.';

insert into private.error_reasons (reason, status, message, details) values
  ('not_authenticated', 401, 'sign in to do this', null);

-- Raises a reason from private.error_reasons; an unknown reason is a bug in our SQL, not the client's mistake.
create function private.raise_error(reason text, message text default null, details jsonb default null)
returns void
language plpgsql stable security definer set search_path = ''
as $$
declare
  known private.error_reasons;
begin
  select * into known from private.error_reasons e where e.reason = raise_error.reason;
  if not found then
    raise exception 'unknown error reason %', reason using errcode = 'XX000';
  end if;
  raise exception using
    errcode = 'PT' || known.status::text,
    message = coalesce(raise_error.message, known.message),
    hint = known.reason,
    detail = coalesce(details, '{}'::jsonb)::text;
end;
$$;

-- Access questions answer *why not* (a reason, or null when allowed), so a policy asks `… is null` and an RPC
-- refuses with the reason, and neither restates the other's conditions.
create function private.refuse_if(reason text, details jsonb default null) returns void
language plpgsql stable set search_path = ''
as $$
begin
  if reason is not null then
    perform private.raise_error(reason, null, details);
  end if;
end;
$$;

-- The caller, or 401.
create function private.require_user() returns uuid
language plpgsql stable set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
begin
  if me is null then
    perform private.raise_error('not_authenticated');
  end if;
  return me;
end;
$$;

------------------------------------------------------------------------------------------------------------------
-- Shared triggers
------------------------------------------------------------------------------------------------------------------

create function private.touch_updated_at() returns trigger
language plpgsql set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

-- Stateful rows carry `version`, raised by one on every update in the writing transaction (the row lock orders
-- concurrent writers), so events that carry a row can be applied in any arrival order: the highest version wins.
create function private.bump_version() returns trigger
language plpgsql set search_path = ''
as $$
begin
  new.version := old.version + 1;
  return new;
end;
$$;

grant execute on function private.setting_int(text), private.setting_text_array(text),
  private.raise_error(text, text, jsonb), private.refuse_if(text, jsonb), private.require_user()
  to authenticated, service_role;
