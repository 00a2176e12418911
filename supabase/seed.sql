-- Demo data for local development (applied on a fresh cluster and by `npm run db:reset`).
-- Every user signs in with the password `password123`:
--   alice@acme.test  Alice Admin   Acme admin, hosts the live meeting and the invite-only one
--   bob@acme.test    Bob Builder   Acme member, cohost in the live meeting, invited (accepted) to the invite-only one
--   carol@acme.test  Carol Chen    Acme member, participant in the live meeting, invited (pending) to the invite-only one
--   dave@globex.test Dave Doe      member of the second organization, Globex

insert into public.organizations (id, name, slug) values
  ('00000000-0000-4000-a000-000000000001', 'Acme', 'acme'),
  ('00000000-0000-4000-a000-000000000002', 'Globex', 'globex');

-- Users as GoTrue stores them (token columns '' rather than NULL); profiles come from the sign-up trigger.
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, last_sign_in_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
  confirmation_token, recovery_token, email_change_token_new, email_change
)
select '00000000-0000-0000-0000-000000000000', u.id, 'authenticated', 'authenticated', u.email,
       extensions.crypt('password123', extensions.gen_salt('bf', 10)), now(), null,
       jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email'),
                          'organization_id', u.org, 'org_role', u.org_role),
       jsonb_build_object('full_name', u.full_name, 'email_verified', true), now(), now(), '', '', '', ''
from (values
  ('00000000-0000-4000-b000-00000000000a'::uuid, 'alice@acme.test', 'Alice Admin', '00000000-0000-4000-a000-000000000001', 'admin'),
  ('00000000-0000-4000-b000-00000000000b'::uuid, 'bob@acme.test', 'Bob Builder', '00000000-0000-4000-a000-000000000001', 'member'),
  ('00000000-0000-4000-b000-00000000000c'::uuid, 'carol@acme.test', 'Carol Chen', '00000000-0000-4000-a000-000000000001', 'member'),
  ('00000000-0000-4000-b000-00000000000d'::uuid, 'dave@globex.test', 'Dave Doe', '00000000-0000-4000-a000-000000000002', 'member')
) as u(id, email, full_name, org, org_role);

insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
select u.id::text, u.id,
       jsonb_build_object('sub', u.id::text, 'email', u.email, 'email_verified', true, 'phone_verified', false),
       'email', now(), now(), now()
from auth.users u;

insert into public.meetings (id, organization_id, host_id, title, status, access) values
  ('00000000-0000-4000-c000-000000000001', '00000000-0000-4000-a000-000000000001',
   '00000000-0000-4000-b000-00000000000a', 'Weekly sync', 'live', 'organization'),
  ('00000000-0000-4000-c000-000000000002', '00000000-0000-4000-a000-000000000001',
   '00000000-0000-4000-b000-00000000000a', 'Leadership review', 'scheduled', 'invite_only'),
  ('00000000-0000-4000-c000-000000000003', '00000000-0000-4000-a000-000000000002',
   '00000000-0000-4000-b000-00000000000d', 'Globex stand-up', 'live', 'organization');

insert into public.meeting_participants (meeting_id, user_id, role, is_muted, is_video_on) values
  ('00000000-0000-4000-c000-000000000001', '00000000-0000-4000-b000-00000000000a', 'host', false, true),
  ('00000000-0000-4000-c000-000000000001', '00000000-0000-4000-b000-00000000000b', 'cohost', false, true),
  ('00000000-0000-4000-c000-000000000001', '00000000-0000-4000-b000-00000000000c', 'participant', true, false),
  ('00000000-0000-4000-c000-000000000003', '00000000-0000-4000-b000-00000000000d', 'host', false, true);

insert into public.meeting_invitations (meeting_id, invitee_id, inviter_id, status) values
  ('00000000-0000-4000-c000-000000000002', '00000000-0000-4000-b000-00000000000b', '00000000-0000-4000-b000-00000000000a', 'accepted'),
  ('00000000-0000-4000-c000-000000000002', '00000000-0000-4000-b000-00000000000c', '00000000-0000-4000-b000-00000000000a', 'pending');

insert into public.messages (id, meeting_id, sender_id, client_id, content) values
  ('00000000-0000-4000-d000-000000000001', '00000000-0000-4000-c000-000000000001', '00000000-0000-4000-b000-00000000000a', 'seed-1', 'Welcome to the weekly sync!'),
  ('00000000-0000-4000-d000-000000000002', '00000000-0000-4000-c000-000000000001', '00000000-0000-4000-b000-00000000000b', 'seed-2', 'Morning all. Release notes are in the doc.'),
  ('00000000-0000-4000-d000-000000000003', '00000000-0000-4000-c000-000000000001', '00000000-0000-4000-b000-00000000000c', 'seed-3', 'On mute, my train is loud.'),
  ('00000000-0000-4000-d000-000000000004', '00000000-0000-4000-c000-000000000003', '00000000-0000-4000-b000-00000000000d', 'seed-4', 'Globex stand-up starting.');

insert into public.message_reactions (message_id, user_id, emoji) values
  ('00000000-0000-4000-d000-000000000001', '00000000-0000-4000-b000-00000000000b', '👋'),
  ('00000000-0000-4000-d000-000000000001', '00000000-0000-4000-b000-00000000000c', '👋'),
  ('00000000-0000-4000-d000-000000000002', '00000000-0000-4000-b000-00000000000a', '👍');
