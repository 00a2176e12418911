-- Threat: broadcast counters that lie, or that clients can read or forge.
--   M1 only the service role records outcomes or reads the counters (anon and users are refused);
--   M2 the outcome tables and the counters view are not readable by clients;
--   M3 recorded batches add up per event and outcome, whether folded into the totals or still appended;
--   M4 the Prometheus text says what the rows say (counts, zero failures, retries, ratio, latency sum and count);
--   M5 a malformed outcome is refused, and nothing of its batch is kept.
begin;
select plan(17);
select tests.build_meeting_world();

-- M1
select is(tests.attempt('anon', $$select public.record_broadcast_outcomes('[]')$$), '42501',
          'M1 anon cannot record broadcast outcomes');
select is(tests.attempt('participant', $$select public.record_broadcast_outcomes('[]')$$), '42501',
          'M1 a signed-in user cannot record them either (no forged counters)');
select is(tests.attempt('anon', 'select public.broadcast_metrics()'), '42501', 'M1 anon cannot read the counters');
select is(tests.attempt('participant', 'select public.broadcast_metrics()'), '42501',
          'M1 a signed-in user cannot read them');
select is(tests.attempt('service_role', $$select public.record_broadcast_outcomes(
            '[{"event":"message","outcome":"sent","broadcasts":1,"retries":0,"seconds":0.01}]')$$), 'ok',
          'M1 the service role records outcomes');
select is(tests.attempt('service_role', 'select public.broadcast_metrics()'), 'ok', 'M1 and reads the counters');

-- M2
select is(tests.attempt('participant', 'select * from private.broadcast_outcomes'), '42501',
          'M2 a user cannot read the appended outcomes');
select is(tests.attempt('participant', 'select * from private.broadcast_outcome_totals'), '42501',
          'M2 nor the totals');
select is(tests.attempt('participant', 'select * from private.broadcast_counters'), '42501',
          'M2 nor the counters view');
select is(tests.attempt('anon', 'select * from private.broadcast_counters'), '42501', 'M2 anon reaches none of it');

-- M3: two batches from two workers, then one row appended while another recorder held the fold lock.
select tests.become('service_role');
select public.record_broadcast_outcomes('[{"event":"message","outcome":"sent","broadcasts":2,"retries":1,"seconds":0.25},
                                          {"event":"message","outcome":"failed","broadcasts":1,"retries":2,"seconds":1.5}]');
select public.record_broadcast_outcomes('[{"event":"message","outcome":"sent","broadcasts":1,"retries":0,"seconds":0.25},
                                          {"event":"reaction","outcome":"sent","broadcasts":4,"retries":0,"seconds":0.5}]');
reset role;
select is((select count(*) from private.broadcast_outcomes), 0::bigint,
          'M3 a recorder that gets the fold lock moves every appended row into the totals');
insert into private.broadcast_outcomes (event, outcome, broadcasts, retries, seconds)
values ('reaction', 'sent', 2, 1, 0.5);
select results_eq(
  $$select event, outcome, broadcasts, retries, seconds from private.broadcast_counters order by event, outcome$$,
  $$values ('message', 'failed', 1::bigint, 2::bigint, 1.5::double precision),
           ('message', 'sent', 3::bigint, 1::bigint, 0.5::double precision),
           ('reaction', 'sent', 6::bigint, 1::bigint, 1::double precision)$$,
  'M3 the counters are the sums of every batch, folded or still appended');

-- M4
create temporary table exposition on commit drop as
  select regexp_split_to_array(public.broadcast_metrics(), E'\n') as lines;
select ok((select lines from exposition) @> array[
            'meeting_broadcasts_total{event="message",outcome="sent"} 3',
            'meeting_broadcasts_total{event="message",outcome="failed"} 1',
            'meeting_broadcasts_total{event="reaction",outcome="sent"} 6',
            'meeting_broadcasts_total{event="reaction",outcome="failed"} 0'],
          'M4 meeting_broadcasts_total per event and outcome, a zero for an outcome not seen yet');
select ok((select lines from exposition) @> array[
            'meeting_broadcast_retries_total{event="message"} 3',
            'meeting_broadcast_retries_total{event="reaction"} 1'],
          'M4 retries per event, whatever the outcome');
select ok((select lines from exposition) @> array['meeting_broadcast_success_ratio 0.9'],
          'M4 the success ratio is sent of all broadcasts (9 of 10)');
select ok((select lines from exposition) @> array[
            'meeting_broadcast_latency_seconds_sum{event="message",outcome="sent"} 0.5',
            'meeting_broadcast_latency_seconds_count{event="message",outcome="sent"} 3',
            '# TYPE meeting_broadcast_latency_seconds summary'],
          'M4 latency as a summary: sum and count, so average = sum / count');

-- M5
select is(tests.attempt('service_role', $$select public.record_broadcast_outcomes(
            '[{"event":"message","outcome":"sent","broadcasts":1,"retries":0,"seconds":0.1},
              {"event":"message","outcome":"lost","broadcasts":1,"retries":0,"seconds":0.1}]')$$), '23514',
          'M5 an unknown outcome is refused with its whole batch');

select * from finish();
rollback;
