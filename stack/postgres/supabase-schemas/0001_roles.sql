-- Supabase's cluster roles, as the supabase/postgres image and `supabase start` leave them.
-- Roles are cluster-wide, so every statement here is idempotent: it runs for each database we bootstrap.
-- Local difference (README "Local differences"): `postgres` is SUPERUSER here. Hosted Supabase demotes it and
-- relies on the supautils extension to let it create policies on realtime.messages and privileged extensions
-- (pgtap, plpgsql_check); plain PostgreSQL has no supautils, so superuser is the only faithful-enough stand-in.

do $$
declare
  r record;
begin
  for r in
    select * from (values
      ('postgres',                   'superuser createdb createrole login replication bypassrls'),
      ('anon',                       'nologin inherit'),
      ('authenticated',              'nologin inherit'),
      ('service_role',               'nologin inherit bypassrls'),
      ('authenticator',              'login noinherit'),
      ('supabase_auth_admin',        'login noinherit createrole noreplication'),
      ('supabase_storage_admin',     'login noinherit createrole noreplication'),
      ('supabase_realtime_admin',    'nologin noinherit'),
      ('supabase_replication_admin', 'login replication'),
      ('supabase_read_only_user',    'login bypassrls'),
      ('supabase_functions_admin',   'login noinherit createrole noreplication'),
      ('dashboard_user',             'nologin createdb createrole replication'),
      ('pgbouncer',                  'login')
    ) as t(name, attrs)
  loop
    if not exists (select 1 from pg_catalog.pg_roles where rolname = r.name) then
      execute format('create role %I %s', r.name, r.attrs);
    else
      execute format('alter role %I %s', r.name, r.attrs);
    end if;
  end loop;
end
$$;

-- Local demo password for every login role (the `[db]` password of `supabase start`).
alter role supabase_admin password 'postgres';
alter role postgres password 'postgres';
alter role authenticator password 'postgres';
alter role supabase_auth_admin password 'postgres';
alter role supabase_storage_admin password 'postgres';
alter role supabase_replication_admin password 'postgres';
alter role supabase_read_only_user password 'postgres';
alter role supabase_functions_admin password 'postgres';
alter role pgbouncer password 'postgres';

-- Memberships that matter: authenticator switches to the API roles with SET ROLE (it is NOINHERIT, so it
-- holds none of their rights until it does); postgres may SET ROLE to them in tests and SQL editors.
grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;
grant anon, authenticated, service_role to supabase_realtime_admin;
grant authenticator to supabase_storage_admin;
grant pg_read_all_data to supabase_read_only_user;
grant pg_monitor, pg_read_all_data, pg_signal_backend to postgres;

-- Role settings as on the platform (the literal "\$user" is the platform's own quirk, kept so dumps match).
alter role postgres set search_path = "\$user", public, extensions;
alter role supabase_admin set search_path = "\$user", public, auth, extensions;
alter role supabase_auth_admin set search_path = auth;
alter role supabase_auth_admin set idle_in_transaction_session_timeout = 60000;
alter role supabase_storage_admin set search_path = storage;
alter role supabase_realtime_admin set search_path = public, extensions, realtime;
alter role supabase_functions_admin set search_path = supabase_functions;
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';
