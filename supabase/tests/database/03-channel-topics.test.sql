-- Threat: a topic crafted to slip past the channel policies. Malformed or unknown topics are denied, never an
-- error; non-canonical dm: pairs and cross-organization dm: pairs are denied; only broadcast/presence count.
begin;
select plan(21);
select tests.build_meeting_world();

select is(tests.attempt('participant', format($$select tests.require_access(tests.channel_can_read(%L))$$, t.topic)), '42501',
          format('participant is refused, without an error, on %s', t.label))
from (values
  ('', 'an empty topic'),
  ('meeting:', 'meeting: without an id'),
  ('meeting:not-a-uuid', 'meeting: with a malformed id'),
  ('meeting:' || tests.world_meeting_id() || ':extra', 'meeting: with a trailing part'),
  ('meeting:' || upper(tests.world_meeting_id()::text), 'meeting: with an upper-case id'),
  ('MEETING:' || tests.world_meeting_id(), 'an upper-case prefix'),
  ('meeting:' || tests.world_meeting_id() || ':EPHEMERAL', 'an upper-case ephemeral suffix'),
  ('meeting:' || tests.world_meeting_id() || ':ephemeral:x', 'an ephemeral topic with a trailing part'),
  ('meeting:' || gen_random_uuid() || ':ephemeral', 'the ephemeral topic of a meeting that does not exist'),
  ('room:' || tests.world_meeting_id(), 'an unknown prefix'),
  ('meeting:' || gen_random_uuid(), 'a meeting that does not exist'),
  ('org:garbage', 'org: with a malformed id'),
  ('dm:' || tests.get_supabase_uid('participant') || ':' || tests.get_supabase_uid('participant'), 'dm: with oneself'),
  ('dm:' || greatest(tests.get_supabase_uid('participant'), tests.get_supabase_uid('host')) || ':'
          || least(tests.get_supabase_uid('participant'), tests.get_supabase_uid('host')), 'a non-canonical dm: (b:a)'),
  ('dm:' || least(tests.get_supabase_uid('participant'), tests.get_supabase_uid('other_org')) || ':'
          || greatest(tests.get_supabase_uid('participant'), tests.get_supabase_uid('other_org')), 'a dm: across organizations')
) t(topic, label);

select is(tests.attempt('participant', format($$select set_config('realtime.topic', '', true);
          select tests.require_access(exists (select 1 from realtime.messages
                                               where id = tests.insert_channel_probe(%L, 'broadcast')))$$,
          'meeting:' || tests.world_meeting_id())), '42501', 'a probe without realtime.topic set is refused');
select is(tests.attempt('participant', format($$select tests.require_access(tests.channel_can_read(%L, 'postgres_changes'))$$,
          'meeting:' || tests.world_meeting_id())), '42501', 'an extension other than broadcast/presence is refused');
select is(tests.attempt('participant', format($$select tests.require_access(tests.channel_can_read(%L))$$,
          'meeting:' || tests.world_meeting_id())), 'ok', 'the well-formed meeting topic is allowed (control)');

-- The checks must not depend on the row's own topic column: Realtime sets realtime.topic and probes.
select is(tests.attempt('participant', format($$select tests.require_access(tests.channel_can_write(%L))$$,
          'dm:' || least(tests.get_supabase_uid('participant'), tests.get_supabase_uid('host')) || ':'
                || greatest(tests.get_supabase_uid('participant'), tests.get_supabase_uid('host')))), 'ok',
          'the canonical dm: between two members of one organization is allowed (control)');
select is(tests.attempt('participant', $$select tests.require_access(tests.channel_can_write('user:' || auth.uid()))$$),
          '42501', 'a user never sends on their own user: channel');

select is(tests.attempt('participant', format($$select tests.require_access(tests.channel_can_write(%L))$$,
          'meeting:' || tests.world_meeting_id())), '42501',
          'a member never broadcasts on meeting:<id>, whatever the event: server events cannot be forged');

select * from finish();
rollback;
