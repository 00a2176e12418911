-- GoTrue's admin createUser inserts the user with provider-only app_metadata and writes the caller's app_metadata
-- in a second UPDATE (supabase/auth#1280), so the sign-up trigger alone never sees organization_id from
-- auth.admin.createUser / updateUserById. Follow app_metadata changes: organization and org role come from there.
create function private.sync_profile_from_app_metadata() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  org_id uuid;
begin
  select o.id into org_id from public.organizations o
  where o.id::text = new.raw_app_meta_data ->> 'organization_id';

  update public.profiles p
     set organization_id = org_id,
         org_role = case when org_id is not null and new.raw_app_meta_data ->> 'org_role' = 'admin'
                         then 'admin'::public.org_role else 'member'::public.org_role end
   where p.id = new.id;
  return new;
end;
$$;

create trigger on_auth_user_app_metadata_updated after update of raw_app_meta_data on auth.users
  for each row when (old.raw_app_meta_data is distinct from new.raw_app_meta_data)
  execute function private.sync_profile_from_app_metadata();
