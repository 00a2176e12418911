-- send_message rate limit: 30 messages per 60 s per user per meeting by default, read from private.settings; the
-- refusal is 429 with the seconds to wait; old messages leave the window.
begin;
select plan(9);
select tests.build_meeting_world();

-- 29 recent messages (plus the fixture's own-participant message) fill the window.
insert into public.messages (meeting_id, sender_id, client_id, content, created_at)
select tests.world_meeting_id(), tests.get_supabase_uid('participant'), 'burst-' || i, 'm' || i, now() - interval '50 seconds'
  from generate_series(1, 28) i;
select is(tests.error_of('participant', $$select public.send_message(tests.world_meeting_id(), 'number 30', 'n30')$$), null,
          'the 30th message in the window is accepted');

select tests.authenticate_as('participant');
select public.send_message(tests.world_meeting_id(), 'number 30', 'n30');
reset role;

select is(tests.error_of('participant', $$select public.send_message(tests.world_meeting_id(), 'number 31', 'n31')$$) - 'message',
          jsonb_build_object('sqlstate', 'PT429', 'hint', 'rate_limited',
                             'detail', jsonb_build_object('retry_after_seconds', 10, 'limit', 30, 'window_seconds', 60)),
          'the 31st is refused with 429 and the seconds until the oldest leaves the window');
select is(tests.error_of('participant', $$select public.send_message(tests.world_meeting_id(), 'number 30', 'n30')$$), null,
          'a retry of an already stored message still answers (idempotency beats the limit)');
select is(tests.error_of('host', $$select public.send_message(tests.world_meeting_id(), 'host is separate', 'h1')$$), null,
          'the limit is per user: the host may still send');

update public.messages set created_at = now() - interval '61 seconds' where client_id like 'burst-%';
select is(tests.error_of('participant', $$select public.send_message(tests.world_meeting_id(), 'after window', 'n32')$$), null,
          'messages older than the window no longer count');

-- Over the limit (it was lowered): the wait is until the limit-th newest leaves the window, not the oldest, since
-- only then does the count fall below the limit.
update private.settings set value = '2' where key = 'message_rate_limit';
update public.messages set created_at = now() - interval '50 seconds'
 where client_id = 'own-participant' and meeting_id = tests.world_meeting_id();
update public.messages set created_at = now() - interval '20 seconds' where client_id = 'n30';
insert into public.messages (meeting_id, sender_id, client_id, content, created_at)
values (tests.world_meeting_id(), tests.get_supabase_uid('participant'), 'recent', 'recent', now() - interval '5 seconds');
select is(tests.error_of('participant', $$select public.send_message(tests.world_meeting_id(), 'one more', 'n33')$$)
            -> 'detail' -> 'retry_after_seconds',
          '40'::jsonb, 'three in the window over a limit of two: retry when the second newest (20 s old) leaves it');

update private.settings set value = '1' where key = 'message_rate_limit';
select is(tests.error_of('host', $$select public.send_message(tests.world_meeting_id(), 'second', 'h2')$$) -> 'detail' -> 'limit',
          '1'::jsonb, 'the limit comes from private.settings');
update public.messages set created_at = now() - interval '2 seconds' where client_id = 'own-host';
select is(tests.error_of('host', $$select public.send_message(tests.world_meeting_id(), 'second', 'h2')$$) ->> 'sqlstate',
          'PT429', 'a message 2 s old still counts in a 60 s window');
update private.settings set value = '1' where key = 'message_rate_window_seconds';
select is(tests.error_of('host', $$select public.send_message(tests.world_meeting_id(), 'second', 'h2')$$), null,
          'and not in a 1 s window: the window comes from private.settings too');

select * from finish();
rollback;
