-- toggle_reaction: add then remove, counts per emoji, one row per (message, user, emoji), emoji only.
begin;
select plan(15);
select tests.build_meeting_world();

create temporary table target on commit drop as select id from public.messages where client_id = 'own-host';
grant select on target to authenticated;

select tests.authenticate_as('participant');
select is((select row(action, counts)::text from public.toggle_reaction((select id from target), '👍')),
          row('added', '{"👍": 1}'::jsonb)::text, 'the first toggle adds, with the counts');
select is((select row(action, counts)::text from public.toggle_reaction((select id from target), '👍')),
          row('removed', '{}'::jsonb)::text, 'the second toggle removes it again');
select is((select action from public.toggle_reaction((select id from target), '👍')), 'added', 'and a third adds it back');
select tests.authenticate_as('host');
select is((select counts from public.toggle_reaction((select id from target), '👍')), '{"👍": 2}'::jsonb,
          'another user''s reaction counts separately');
select is((select counts from public.toggle_reaction((select id from target), '🎉')), '{"👍": 2, "🎉": 1}'::jsonb,
          'counts are per emoji');
select is((select row(message_id, meeting_id)::text from public.toggle_reaction((select id from target), '🎉')),
          row((select id from target), tests.world_meeting_id())::text, 'the answer names the message and its meeting');
select public.toggle_reaction((select id from target), '🎉');
reset role;

select throws_ok(format($$insert into public.message_reactions (message_id, user_id, emoji) values (%L, %L, '👍')$$,
                        (select id from target), tests.get_supabase_uid('host')),
                 '23505', null, 'a second identical reaction row is impossible (unique key)');
select throws_ok(format($$insert into public.message_reactions (message_id, user_id, emoji) values (%L, %L, 'lol')$$,
                        (select id from target), tests.get_supabase_uid('host')),
                 '23514', null, 'the table itself refuses text that is not an emoji');

select is(tests.error_of('participant', format($$select public.toggle_reaction(%L, %L)$$, (select id from target), e.emoji)) ->> 'hint',
          'invalid_emoji', format('%s is refused (400 invalid_emoji)', e.label))
from (values ('lol', 'plain text'), ('', 'an empty string'), ('👍 nice', 'an emoji with text'),
             (repeat('👍', 17), 'seventeen emoji'), (E'\u200d', 'a lone zero-width joiner')) e(emoji, label);

select is(tests.error_of('participant', format($$select public.toggle_reaction(%L, %L)$$, (select id from target), e.emoji)), null,
          format('%s is accepted', e.label))
from (values ('👨‍👩‍👧‍👦', 'a ZWJ family sequence'), ('👍🏽', 'an emoji with a skin tone')) e(emoji, label);

select * from finish();
rollback;
