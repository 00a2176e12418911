-- The authorization matrix of docs/authorization.md, cell by cell: every identity around an invite-only live
-- meeting attempts every action. A cell is 'ok' (allowed) or the SQLSTATE of the refusal:
--   42501 no privilege at all (anon) / channel refused · P0002 allowed to ask but RLS shows nothing
--   PT401 no user (service_role calls RPCs without a user) · PT403 forbidden
-- Placeholders: {M} meeting, {own} the identity's own message, {others} someone else's message (host's; the
-- host's is the participant's), {other_user} participant (host for the participant), {me} the identity's id,
-- {org} its organization A.
begin;
select plan(272);

select tests.build_meeting_world();

create temporary table matrix (
  action text, statement text,
  anon text, other_org text, uninvited text, pending text, accepted text, participant text, "left" text, host text,
  service_role text
) on commit drop;
grant select on matrix to anon, authenticated, service_role;

insert into matrix values
  ('read the meeting', $$select tests.require_rows((select count(*) from public.meetings where id = '{M}'))$$,
    '42501', 'P0002', 'P0002', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'),
  ('read messages', $$select tests.require_rows((select count(*) from public.messages where meeting_id = '{M}'))$$,
    '42501', 'P0002', 'P0002', 'P0002', 'P0002', 'ok', 'P0002', 'ok', 'ok'),
  ('read messages through get_messages', $$select tests.require_rows((select count(*) from public.get_messages('{M}')))$$,
    '42501', 'PT403', 'PT403', 'PT403', 'PT403', 'ok', 'PT403', 'ok', 'PT401'),
  ('send a message', $$select public.send_message('{M}', 'hi', 'matrix-send')$$,
    '42501', 'PT403', 'PT403', 'PT403', 'PT403', 'ok', 'PT403', 'ok', 'PT401'),
  ('write messages directly', $$insert into public.messages (meeting_id, sender_id, client_id, content) select '{M}', host_id, 'direct', 'x' from public.meetings where id = '{M}'$$,
    '42501', '42501', '42501', '42501', '42501', '42501', '42501', '42501', 'ok'),
  ('edit own message', $$select public.edit_message('{own}', 'edited')$$,
    '42501', 'PT403', 'PT403', 'PT403', 'PT403', 'ok', 'PT403', 'ok', 'PT401'),
  ('edit another''s message', $$select public.edit_message('{others}', 'edited')$$,
    '42501', 'PT403', 'PT403', 'PT403', 'PT403', 'PT403', 'PT403', 'PT403', 'PT401'),
  ('delete own message', $$select public.delete_message('{own}')$$,
    '42501', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'PT401'),
  ('delete another''s message', $$select public.delete_message('{others}')$$,
    '42501', 'PT403', 'PT403', 'PT403', 'PT403', 'PT403', 'PT403', 'ok', 'PT401'),
  ('react', $$select public.toggle_reaction('{others}', '👍')$$,
    '42501', 'PT403', 'PT403', 'PT403', 'PT403', 'ok', 'PT403', 'ok', 'PT401'),
  ('join', $$select public.join_meeting('{M}')$$,
    '42501', 'PT403', 'PT403', 'PT403', 'ok', 'ok', 'ok', 'ok', 'PT401'),
  ('update own state', $$select public.update_participant_state('{M}', '{"is_muted": true}')$$,
    '42501', 'PT403', 'PT403', 'PT403', 'PT403', 'ok', 'PT403', 'ok', 'PT401'),
  ('update another''s state', $$select public.update_participant_state('{M}', '{"is_muted": true}', '{other_user}')$$,
    '42501', 'PT403', 'PT403', 'PT403', 'PT403', 'PT403', 'PT403', 'ok', 'PT401'),
  ('change the status', $$select public.set_meeting_status('{M}', 'ended')$$,
    '42501', 'PT403', 'PT403', 'PT403', 'PT403', 'PT403', 'PT403', 'ok', 'PT401'),
  ('receive on meeting:', $$select tests.require_access(tests.channel_can_read('meeting:{M}'))$$,
    '42501', '42501', '42501', '42501', '42501', 'ok', '42501', 'ok', 'ok'),
  ('send on meeting: (server events only)', $$select tests.require_access(tests.channel_can_write('meeting:{M}'))$$,
    '42501', '42501', '42501', '42501', '42501', '42501', '42501', '42501', 'ok'),
  ('track presence on meeting:', $$select tests.require_access(tests.channel_can_write('meeting:{M}', 'presence'))$$,
    '42501', '42501', '42501', '42501', '42501', '42501', '42501', '42501', 'ok'),
  ('see presence on meeting:', $$select tests.require_access(tests.channel_can_read('meeting:{M}', 'presence'))$$,
    '42501', '42501', '42501', '42501', '42501', '42501', '42501', '42501', 'ok'),
  ('receive on meeting:<id>:ephemeral', $$select tests.require_access(tests.channel_can_read('meeting:{M}:ephemeral'))$$,
    '42501', '42501', '42501', '42501', '42501', 'ok', '42501', 'ok', 'ok'),
  ('send on meeting:<id>:ephemeral', $$select tests.require_access(tests.channel_can_write('meeting:{M}:ephemeral'))$$,
    '42501', '42501', '42501', '42501', '42501', 'ok', '42501', 'ok', 'ok'),
  ('track presence on meeting:<id>:ephemeral', $$select tests.require_access(tests.channel_can_write('meeting:{M}:ephemeral', 'presence'))$$,
    '42501', '42501', '42501', '42501', '42501', 'ok', '42501', 'ok', 'ok'),
  ('see presence on meeting:<id>:ephemeral', $$select tests.require_access(tests.channel_can_read('meeting:{M}:ephemeral', 'presence'))$$,
    '42501', '42501', '42501', '42501', '42501', 'ok', '42501', 'ok', 'ok'),
  ('receive on org:', $$select tests.require_access(tests.channel_can_read('org:{org}'))$$,
    '42501', '42501', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'),
  ('send on org:', $$select tests.require_access(tests.channel_can_write('org:{org}'))$$,
    '42501', '42501', '42501', '42501', '42501', '42501', '42501', 'ok', 'ok'),
  ('receive on own user:', $$select tests.require_access(tests.channel_can_read('user:{me}'))$$,
    '42501', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'),
  ('send on own user:', $$select tests.require_access(tests.channel_can_write('user:{me}'))$$,
    '42501', '42501', '42501', '42501', '42501', '42501', '42501', '42501', 'ok'),
  ('track presence on own user:', $$select tests.require_access(tests.channel_can_write('user:{me}', 'presence'))$$,
    '42501', '42501', '42501', '42501', '42501', '42501', '42501', '42501', 'ok'),
  ('receive on another''s user:', $$select tests.require_access(tests.channel_can_read('user:{other_user}'))$$,
    '42501', '42501', '42501', '42501', '42501', '42501', '42501', '42501', 'ok'),
  ('receive on dm: with the participant', $$select tests.require_access(tests.channel_can_read('{dm}'))$$,
    '42501', '42501', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'),
  ('send on dm: with the participant', $$select tests.require_access(tests.channel_can_write('{dm}'))$$,
    '42501', '42501', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok');

-- One assertion per cell, in matrix order.
select is(
  tests.attempt(cell.identity, replace(replace(replace(replace(replace(replace(replace(m.statement,
    '{M}', tests.world_meeting_id()::text),
    '{own}', coalesce((select id::text from public.messages where client_id = 'own-' || cell.identity),
                      (select id::text from public.messages where client_id = 'own-host'))),
    '{others}', (select id::text from public.messages
                  where client_id = case cell.identity when 'host' then 'own-participant' else 'own-host' end)),
    '{other_user}', tests.get_supabase_uid(case cell.identity when 'participant' then 'host' else 'participant' end)::text),
    '{me}', coalesce(tests.get_supabase_uid(cell.identity), 'f0000000-0000-4000-8000-000000000000')::text),
    '{org}', tests.world_org_id()::text),
    '{dm}', (select 'dm:' || least(a, b) || ':' || greatest(a, b)
               from (select coalesce(tests.get_supabase_uid(cell.identity), 'f0000000-0000-4000-8000-000000000000')::text as a,
                            tests.get_supabase_uid(case cell.identity when 'participant' then 'host' else 'participant' end)::text as b) p))),
  cell.expected,
  format('%s: %s -> %s', cell.identity, m.action, cell.expected))
from matrix m
cross join lateral (values
  (1, 'anon', m.anon), (2, 'other_org', m.other_org), (3, 'uninvited', m.uninvited), (4, 'pending', m.pending),
  (5, 'accepted', m.accepted), (6, 'participant', m.participant), (7, 'left', m."left"), (8, 'host', m.host),
  (9, 'service_role', m.service_role)
) as cell(ord, identity, expected)
order by m.ctid, cell.ord;

-- The matrix above must cover every identity and no cell may be left out.
select is((select count(*) from matrix) * array_length(tests.meeting_world_identities(), 1), 270::bigint,
          'the matrix has 30 actions x 9 identities');
select is((select count(*) from matrix where num_nulls(anon, other_org, uninvited, pending, accepted, participant,
                                                       "left", host, service_role) > 0), 0::bigint, 'no empty cell');
select * from finish();
rollback;
