-- Threat: signing yourself into an organization. A profile is created on sign-up from user_metadata (name,
-- avatar) and app_metadata (organization, role: service-role only); users edit only their name and avatar.
begin;
select plan(11);

insert into public.organizations (id, name, slug) values ('a0000000-0000-4000-8000-0000000000aa', 'Signup Org', 'signup-org');

insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
values
  ('00000000-0000-0000-0000-000000000000', 'e0000000-0000-4000-8000-000000000001', 'authenticated', 'authenticated',
   'invited@signup.test', '{"provider":"email","organization_id":"a0000000-0000-4000-8000-0000000000aa","org_role":"admin"}',
   '{"full_name":"  Ivy Invited ","avatar_url":"https://example.test/ivy.png"}', now(), now()),
  ('00000000-0000-0000-0000-000000000000', 'e0000000-0000-4000-8000-000000000002', 'authenticated', 'authenticated',
   'sneaky@signup.test', '{"provider":"email"}',
   '{"full_name":"Sam","organization_id":"a0000000-0000-4000-8000-0000000000aa","org_role":"admin"}', now(), now());

select is((select row(full_name, avatar_url)::text from public.profiles where id = 'e0000000-0000-4000-8000-000000000001'),
          row('Ivy Invited', 'https://example.test/ivy.png')::text, 'sign-up creates a profile from user_metadata, trimmed');
select is((select row(organization_id, org_role)::text from public.profiles where id = 'e0000000-0000-4000-8000-000000000001'),
          row('a0000000-0000-4000-8000-0000000000aa', 'admin')::text, 'organization and role come from app_metadata');
select is((select row(organization_id, org_role)::text from public.profiles where id = 'e0000000-0000-4000-8000-000000000002'),
          row(null, 'member')::text, 'user_metadata cannot put anyone in an organization or make them admin');

select set_config('role', 'authenticated', true);
select set_config('request.jwt.claims', '{"sub":"e0000000-0000-4000-8000-000000000002","role":"authenticated"}', true);
select lives_ok($$update public.profiles set full_name = 'Sam Smith' where id = 'e0000000-0000-4000-8000-000000000002'$$,
                'a user renames themselves');
select throws_ok($$update public.profiles set org_role = 'admin' where id = 'e0000000-0000-4000-8000-000000000002'$$,
                 '42501', null, 'but cannot change their own org role');
select throws_ok($$update public.profiles set organization_id = 'a0000000-0000-4000-8000-0000000000aa' where id = 'e0000000-0000-4000-8000-000000000002'$$,
                 '42501', null, 'or their organization');
update public.profiles set full_name = 'hacked' where id = 'e0000000-0000-4000-8000-000000000001';
select is((select count(*) from public.profiles where id = 'e0000000-0000-4000-8000-000000000001'), 0::bigint,
          'a user outside the organization cannot even see another''s profile');
reset role;
select is((select full_name from public.profiles where id = 'e0000000-0000-4000-8000-000000000001'), 'Ivy Invited',
          'nor change it');

-- As GoTrue's admin API does it: insert with provider-only app_metadata, then update it.
update auth.users set raw_app_meta_data = raw_app_meta_data || '{"organization_id":"a0000000-0000-4000-8000-0000000000aa","org_role":"admin"}'
 where id = 'e0000000-0000-4000-8000-000000000002';
select is((select row(organization_id, org_role)::text from public.profiles where id = 'e0000000-0000-4000-8000-000000000002'),
          row('a0000000-0000-4000-8000-0000000000aa', 'admin')::text, 'an app_metadata update (service role) moves the profile into the organization');
update auth.users set raw_user_meta_data = '{"full_name":"Sam"}' where id = 'e0000000-0000-4000-8000-000000000002';
select is((select org_role::text from public.profiles where id = 'e0000000-0000-4000-8000-000000000002'), 'admin',
          'a user_metadata update changes nothing of it');

delete from auth.users where id = 'e0000000-0000-4000-8000-000000000002';
select is((select count(*) from public.profiles where id = 'e0000000-0000-4000-8000-000000000002'), 0::bigint,
          'deleting the auth user deletes the profile');

select * from finish();
rollback;
