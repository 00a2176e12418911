-- A table a migration creates in `public` is fully granted to the API roles (RLS is the only gate), and
-- service_role bypasses RLS while anon and authenticated see only what policies allow.
begin;
select plan(11);

create table public.platform_probe (id int primary key, owner uuid);
insert into public.platform_probe values (1, null), (2, '8d0fd2b3-9ca7-4d9e-a95f-9e13dded323e');

select table_privs_are('public', 'platform_probe', 'anon',
  array['DELETE', 'INSERT', 'REFERENCES', 'SELECT', 'TRIGGER', 'TRUNCATE', 'UPDATE'], 'anon has every table privilege on a new public table');
select table_privs_are('public', 'platform_probe', 'authenticated',
  array['DELETE', 'INSERT', 'REFERENCES', 'SELECT', 'TRIGGER', 'TRUNCATE', 'UPDATE'], 'authenticated has every table privilege on a new public table');
select table_privs_are('public', 'platform_probe', 'service_role',
  array['DELETE', 'INSERT', 'REFERENCES', 'SELECT', 'TRIGGER', 'TRUNCATE', 'UPDATE'], 'service_role has every table privilege on a new public table');

create function public.platform_probe_fn() returns int language sql as 'select 1';
select function_privs_are('public', 'platform_probe_fn', array[]::text[], 'anon', array['EXECUTE'], 'anon may execute a new public function');

select ok(not has_table_privilege('anon', 'auth.users', 'select'), 'anon cannot read auth.users');
select ok(not has_table_privilege('authenticated', 'auth.users', 'select'), 'authenticated cannot read auth.users');

alter table public.platform_probe enable row level security;
create policy "owners read their rows" on public.platform_probe for select to authenticated
  using (owner = (select auth.uid()));

set local role anon;
select is((select count(*) from public.platform_probe), 0::bigint, 'RLS without a policy for anon hides every row');

set local role authenticated;
select set_config('request.jwt.claims', '{"sub":"8d0fd2b3-9ca7-4d9e-a95f-9e13dded323e","role":"authenticated"}', true);
select is((select count(*) from public.platform_probe), 1::bigint, 'authenticated sees only the rows its policy allows');

set local role service_role;
select is((select count(*) from public.platform_probe), 2::bigint, 'service_role bypasses RLS');
reset role;

select ok((select rolbypassrls from pg_roles where rolname = 'service_role'), 'service_role has BYPASSRLS');
select ok((select not rolinherit from pg_roles where rolname = 'authenticator'), 'authenticator is NOINHERIT');

select * from finish();
rollback;
