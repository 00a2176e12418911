-- send_message: retries with the same client id never duplicate; content is validated before anything is stored.
begin;
select plan(14);
select tests.build_meeting_world();
select tests.authenticate_as('participant');

create temporary table first_send on commit drop as
  select * from public.send_message(tests.world_meeting_id(), '  hello world  ', 'client-1');
select is((select duplicate from first_send), false, 'the first send is not a duplicate');
select is((select content from first_send), 'hello world', 'content is stored trimmed');
select ok((select seq from first_send) is not null, 'the server assigns seq');

create temporary table retry on commit drop as
  select * from public.send_message(tests.world_meeting_id(), 'hello world', 'client-1');
select is((select duplicate from retry), true, 'a retry with the same client id says it is a duplicate');
select is((select id from retry), (select id from first_send), 'and returns the original id');
select is((select seq from retry), (select seq from first_send), 'and the original seq');
select is((select count(*) from public.messages where client_id = 'client-1'), 1::bigint, 'one row is stored');

select is((select content from public.send_message(tests.world_meeting_id(), 'retry with other text', 'client-1')),
          'hello world', 'a retry never rewrites the stored content');

reset role;
select is(tests.error_of('participant', $$select public.send_message(tests.world_meeting_id(), '   ', 'client-2')$$) ->> 'hint',
          'content_empty', 'blank content is refused (400 content_empty)');
select is(tests.error_of('participant', format($$select public.send_message(tests.world_meeting_id(), %L, 'client-3')$$, repeat('x', 4001))),
          jsonb_build_object('sqlstate', 'PT400', 'message', 'a message holds at most 4000 characters', 'hint', 'content_too_long',
                             'detail', jsonb_build_object('length', 4001, 'max_length', 4000)),
          '4,001 characters are refused with the limit in the details');
select lives_ok(format($$select tests.authenticate_as('participant'); select public.send_message(tests.world_meeting_id(), %L, 'client-4')$$,
          repeat('x', 4000)), '4,000 characters are accepted');
reset role;
select is(tests.error_of('participant', $$select public.send_message(tests.world_meeting_id(), 'x', '')$$) ->> 'sqlstate',
          'PT400', 'an empty client id is refused');
select tests.authenticate_as('host');
select is((select duplicate from public.send_message(tests.world_meeting_id(), 'other text', 'own-host')), true,
          'a client id already stored by the same sender finds that message');
reset role;
select is((select count(*) from public.messages where content = repeat('x', 4000)), 1::bigint, 'nothing else was stored');

select * from finish();
rollback;
