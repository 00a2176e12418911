-- Test helpers in the spirit of supabase-test-helpers, written for this project. pg_prove runs files in sorted
-- order, so this file installs them first (committed: later files each run in their own transaction) and then
-- proves they work. `npm run test:db` runs against a throwaway database, so nothing here reaches dev data; with
-- the real `supabase test db` they stay in the local database as dbdev's package would.

create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

-- Creates a confirmed email user and returns its id; `identifier` names it for the other helpers.
create or replace function tests.create_supabase_user(
  identifier text, email text default null, phone text default null, metadata jsonb default null
) returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  user_id uuid := gen_random_uuid();
begin
  insert into auth.users (
    instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, phone,
    raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
    confirmation_token, recovery_token, email_change_token_new, email_change
  ) values (
    '00000000-0000-0000-0000-000000000000', user_id, 'authenticated', 'authenticated',
    coalesce(email, identifier || '@test.local'), extensions.crypt('password', extensions.gen_salt('bf', 4)), now(), phone,
    jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email')),
    coalesce(metadata, '{}'::jsonb) || jsonb_build_object('test_identifier', identifier), now(), now(),
    '', '', '', ''
  );
  return user_id;
end;
$$;

create or replace function tests.get_supabase_uid(identifier text) returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select u.id from auth.users u where u.raw_user_meta_data ->> 'test_identifier' = identifier limit 1;
$$;

create or replace function tests.get_supabase_user(identifier text) returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object('id', u.id, 'email', u.email, 'phone', u.phone,
                            'app_metadata', u.raw_app_meta_data, 'user_metadata', u.raw_user_meta_data)
  from auth.users u where u.raw_user_meta_data ->> 'test_identifier' = identifier limit 1;
$$;

-- Acts as a signed-in user for the rest of the transaction: role `authenticated` and the claims PostgREST sets.
create or replace function tests.authenticate_as(identifier text) returns void
language plpgsql
as $$
declare
  u jsonb := tests.get_supabase_user(identifier);
begin
  if u is null then
    raise exception 'tests.authenticate_as: no test user named %', identifier;
  end if;
  perform set_config('role', 'authenticated', true);
  perform set_config('request.jwt.claims', jsonb_build_object(
    'sub', u ->> 'id', 'role', 'authenticated', 'aud', 'authenticated', 'email', u ->> 'email',
    'app_metadata', u -> 'app_metadata', 'user_metadata', u -> 'user_metadata',
    'aal', 'aal1', 'is_anonymous', false,
    'exp', extract(epoch from now() + interval '1 hour')::bigint)::text, true);
end;
$$;

create or replace function tests.authenticate_as_service_role() returns void
language plpgsql
as $$
begin
  perform set_config('role', 'service_role', true);
  perform set_config('request.jwt.claims', '{"role":"service_role"}', true);
end;
$$;

-- Back to an anonymous request (role anon, no claims).
create or replace function tests.clear_authentication() returns void
language plpgsql
as $$
begin
  perform set_config('role', 'anon', true);
  perform set_config('request.jwt.claims', '', true);
end;
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;

begin;
select plan(7);

select tests.create_supabase_user('helper_alice');

select isnt(tests.get_supabase_uid('helper_alice'), null, 'create_supabase_user stores a user found by its identifier');

select tests.authenticate_as('helper_alice');
select is(current_user::text, 'authenticated', 'authenticate_as switches to the authenticated role');
select is(auth.uid(), tests.get_supabase_uid('helper_alice'), 'authenticate_as sets the user''s sub claim');
select is(auth.jwt() ->> 'email', 'helper_alice@test.local', 'authenticate_as sets the email claim');

select tests.authenticate_as_service_role();
select is(auth.role(), 'service_role', 'authenticate_as_service_role sets the service_role claims');

select tests.clear_authentication();
select is(current_user::text, 'anon', 'clear_authentication returns to anon');
select is(auth.uid(), null, 'clear_authentication leaves no user');

select * from finish();
rollback;
