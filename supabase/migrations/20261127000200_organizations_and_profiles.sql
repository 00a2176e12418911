-- Organizations and profiles. A profile is created for every new auth user: name and avatar come from the
-- user's own metadata, but the organization and org role come from app_metadata, which only the service role can
-- set, so nobody signs themselves into someone else's organization; later app_metadata changes move the profile.

create type public.org_role as enum ('admin', 'member');

create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(btrim(name)) between 1 and 200),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.organizations is 'Tenants: every meeting and member belongs to one.';

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  organization_id uuid references public.organizations (id) on delete set null,
  org_role public.org_role not null default 'member',
  full_name text check (full_name is null or char_length(full_name) <= 200),
  avatar_url text check (avatar_url is null or char_length(avatar_url) <= 2000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.profiles is 'One row per auth user: display data and organization membership.';
create index profiles_organization_id_idx on public.profiles (organization_id);

create trigger organizations_touch_updated_at before update on public.organizations
  for each row execute function private.touch_updated_at();
create trigger profiles_touch_updated_at before update on public.profiles
  for each row execute function private.touch_updated_at();

-- Organization and org role of a user, from app_metadata (trusted: only the service role sets it). An
-- organization_id naming no organization means none.
create function private.membership_from_app_metadata(app_metadata jsonb, out organization_id uuid, out org_role public.org_role)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  select o.id into organization_id from public.organizations o where o.id::text = app_metadata ->> 'organization_id';
  org_role := case when organization_id is not null and app_metadata ->> 'org_role' = 'admin'
                   then 'admin'::public.org_role else 'member'::public.org_role end;
end;
$$;

create function private.handle_new_user() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  membership record := private.membership_from_app_metadata(new.raw_app_meta_data);
begin
  insert into public.profiles (id, organization_id, org_role, full_name, avatar_url)
  values (
    new.id,
    membership.organization_id,
    membership.org_role,
    nullif(btrim(new.raw_user_meta_data ->> 'full_name'), ''),
    nullif(btrim(new.raw_user_meta_data ->> 'avatar_url'), '')
  );
  return new;
end;
$$;

create trigger on_auth_user_created after insert on auth.users
  for each row execute function private.handle_new_user();

-- GoTrue's admin createUser inserts the user with provider-only app_metadata and writes the caller's app_metadata
-- in a second UPDATE (supabase/auth#1280), so the profile follows app_metadata changes too.
create function private.sync_profile_from_app_metadata() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  membership record := private.membership_from_app_metadata(new.raw_app_meta_data);
begin
  update public.profiles p
     set organization_id = membership.organization_id, org_role = membership.org_role
   where p.id = new.id;
  return new;
end;
$$;

create trigger on_auth_user_app_metadata_updated after update of raw_app_meta_data on auth.users
  for each row when (old.raw_app_meta_data is distinct from new.raw_app_meta_data)
  execute function private.sync_profile_from_app_metadata();

------------------------------------------------------------------------------------------------------------------
-- Who may see what (docs/authorization.md): one small SECURITY DEFINER helper per question, reading auth.uid()
-- once; policies read as sentences over them. Helpers are PL/pgSQL rather than SQL: a SECURITY DEFINER SQL function
-- is never inlined and is re-planned for every statement that calls it, while PL/pgSQL keeps its plans for the
-- session (the channel check went 0.20 -> 0.08 ms).
------------------------------------------------------------------------------------------------------------------

create function private.is_org_member(org_id uuid) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return exists (
    select 1 from public.profiles p where p.id = (select auth.uid()) and p.organization_id = org_id);
end;
$$;

create function private.is_org_admin(org_id uuid) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return exists (
    select 1 from public.profiles p
    where p.id = (select auth.uid()) and p.organization_id = org_id and p.org_role = 'admin');
end;
$$;

-- Profiles of people who share an organization are visible to each other.
create function private.shares_organization(other_user_id uuid) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return exists (
    select 1 from public.profiles me join public.profiles other on other.organization_id = me.organization_id
    where me.id = (select auth.uid()) and other.id = other_user_id);
end;
$$;

grant execute on function private.is_org_member(uuid), private.is_org_admin(uuid), private.shares_organization(uuid)
  to authenticated, service_role;

-- Row level security: on, nothing allowed unless a policy says so. Organizations are written by the service role
-- only; users edit only their own name and avatar (membership comes from app_metadata, above).
alter table public.organizations enable row level security;
alter table public.profiles enable row level security;
revoke insert, update, delete, truncate on public.organizations from anon, authenticated;
revoke insert, update, delete, truncate on public.profiles from anon, authenticated;
grant update (full_name, avatar_url) on public.profiles to authenticated;
revoke all on public.organizations, public.profiles from anon;

create policy "Organizations are visible to their members" on public.organizations
  for select to authenticated using (private.is_org_member(id));

create policy "Profiles are visible to the same organization" on public.profiles
  for select to authenticated using (id = (select auth.uid()) or private.shares_organization(id));
create policy "Users update their own profile" on public.profiles
  for update to authenticated using (id = (select auth.uid())) with check (id = (select auth.uid()));
