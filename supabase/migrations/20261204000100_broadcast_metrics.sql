-- Broadcast outcomes that outlive the edge function worker that saw them. A worker adds each broadcast's outcome
-- (event, sent or failed, retries, seconds) to a batch in memory and records the batch here, with the service role,
-- at most about once a second (supabase/functions/_shared/broadcast-metrics.ts): workers are short-lived, so a count
-- kept only in their memory would vanish with them. An operator reads the sums in Prometheus text, rendered by one
-- function (public.broadcast_metrics): GET /metrics on the local gateway, the `metrics` function on hosted Supabase.
--
-- A batch is appended as new rows, so concurrent workers never wait on one another's rows; whichever recorder finds
-- the fold lock free moves the appended rows into one total per (event, outcome), so a read stays a handful of rows
-- however long the product runs. Neither table is reachable by clients (RLS on, no policies, no grants).

create table private.broadcast_outcomes (
  id bigint generated always as identity primary key,
  recorded_at timestamptz not null default now(),
  event text not null check (event ~ '^[a-z][a-z0-9_]*$' and char_length(event) <= 64),
  outcome text not null check (outcome in ('sent', 'failed')),
  broadcasts bigint not null check (broadcasts > 0),
  retries bigint not null check (retries >= 0),
  seconds double precision not null check (seconds >= 0)
);
alter table private.broadcast_outcomes enable row level security;
comment on table private.broadcast_outcomes is
  'Batches of broadcast outcomes recorded by edge function workers, until folded into broadcast_outcome_totals.';
comment on column private.broadcast_outcomes.broadcasts is 'Events broadcast with this outcome (one per message).';
comment on column private.broadcast_outcomes.retries is 'Attempts beyond the first that those events needed.';
comment on column private.broadcast_outcomes.seconds is 'Sum of the time from first attempt to outcome, in seconds.';

create table private.broadcast_outcome_totals (
  event text not null,
  outcome text not null check (outcome in ('sent', 'failed')),
  broadcasts bigint not null,
  retries bigint not null,
  seconds double precision not null,
  primary key (event, outcome)
);
alter table private.broadcast_outcome_totals enable row level security;
comment on table private.broadcast_outcome_totals is 'Folded broadcast outcomes: one running total per event and outcome.';

revoke all on private.broadcast_outcomes, private.broadcast_outcome_totals from public, anon, authenticated;

-- The counters: folded totals plus what was appended since. One statement, so a fold never counts twice or not at all.
create view private.broadcast_counters as
  select c.event, c.outcome, sum(c.broadcasts)::bigint as broadcasts, sum(c.retries)::bigint as retries,
         sum(c.seconds) as seconds
    from (
      select t.event, t.outcome, t.broadcasts, t.retries, t.seconds from private.broadcast_outcome_totals t
      union all
      select b.event, b.outcome, b.broadcasts, b.retries, b.seconds from private.broadcast_outcomes b
    ) c
   group by c.event, c.outcome;
revoke all on private.broadcast_counters from public, anon, authenticated;
comment on view private.broadcast_counters is 'Every broadcast outcome recorded so far, per event and outcome.';

-- Records one batch: a JSON array of {event, outcome, broadcasts, retries, seconds}. Then, if no other recorder is
-- folding, folds every appended row into the totals; a recorder that finds the lock taken does not wait for it.
create function public.record_broadcast_outcomes(outcomes jsonb) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  insert into private.broadcast_outcomes (event, outcome, broadcasts, retries, seconds)
  select o.event, o.outcome, o.broadcasts, o.retries, o.seconds
    from jsonb_to_recordset(outcomes) as o(event text, outcome text, broadcasts bigint, retries bigint,
                                           seconds double precision);
  if pg_try_advisory_xact_lock(hashtextextended('private.broadcast_outcomes', 0)) then
    with moved as (
      delete from private.broadcast_outcomes b
      returning b.event, b.outcome, b.broadcasts, b.retries, b.seconds
    )
    insert into private.broadcast_outcome_totals as t (event, outcome, broadcasts, retries, seconds)
    select m.event, m.outcome, sum(m.broadcasts), sum(m.retries), sum(m.seconds)
      from moved m
     group by m.event, m.outcome
    on conflict (event, outcome) do update
      set broadcasts = t.broadcasts + excluded.broadcasts,
          retries = t.retries + excluded.retries,
          seconds = t.seconds + excluded.seconds;
  end if;
end;
$$;
comment on function public.record_broadcast_outcomes(jsonb) is
  'Service role only: adds a batch of broadcast outcomes [{event, outcome, broadcasts, retries, seconds}].';

-- The product's broadcast counters in Prometheus text (exposition format 0.0.4). Every event seen gets both
-- outcomes, zero included, so a rate over `failed` exists before the first failure.
create function public.broadcast_metrics() returns text
language sql stable security definer set search_path = ''
as $$
  with counters as (
    select e.event, o.outcome, coalesce(c.broadcasts, 0) as broadcasts, coalesce(c.retries, 0) as retries,
           coalesce(c.seconds, 0) as seconds
      from (select distinct bc.event from private.broadcast_counters bc) e
     cross join (values ('sent'), ('failed')) o(outcome)
      left join private.broadcast_counters c on c.event = e.event and c.outcome = o.outcome
  ),
  lines (family, kind, event, outcome, line) as (
    values
      (1, 0, '', '', '# HELP meeting_broadcasts_total Events the edge functions broadcast through Realtime, by outcome.'),
      (1, 1, '', '', '# TYPE meeting_broadcasts_total counter'),
      (2, 0, '', '', '# HELP meeting_broadcast_retries_total Attempts beyond the first (5xx, 429, timeout, network error).'),
      (2, 1, '', '', '# TYPE meeting_broadcast_retries_total counter'),
      (3, 0, '', '', '# HELP meeting_broadcast_success_ratio Broadcasts sent of all broadcasts (NaN before the first).'),
      (3, 1, '', '', '# TYPE meeting_broadcast_success_ratio gauge'),
      (4, 0, '', '', '# HELP meeting_broadcast_latency_seconds From first attempt to outcome; average = sum / count.'),
      (4, 1, '', '', '# TYPE meeting_broadcast_latency_seconds summary')
    union all
    select 1, 2, c.event, c.outcome,
           format('meeting_broadcasts_total{event="%s",outcome="%s"} %s', c.event, c.outcome, c.broadcasts)
      from counters c
    union all
    select 2, 2, c.event, '', format('meeting_broadcast_retries_total{event="%s"} %s', c.event, sum(c.retries))
      from counters c group by c.event
    union all
    select 3, 2, '', '', 'meeting_broadcast_success_ratio ' || coalesce(
             (sum(c.broadcasts) filter (where c.outcome = 'sent'))::double precision / nullif(sum(c.broadcasts), 0),
             'NaN'::double precision)::text
      from counters c
    union all
    select 4, 2, c.event, c.outcome,
           format('meeting_broadcast_latency_seconds_sum{event="%s",outcome="%s"} %s', c.event, c.outcome, c.seconds)
      from counters c
    union all
    select 4, 3, c.event, c.outcome,
           format('meeting_broadcast_latency_seconds_count{event="%s",outcome="%s"} %s', c.event, c.outcome,
                  c.broadcasts)
      from counters c
  )
  select string_agg(l.line, E'\n' order by l.family, l.kind, l.event, l.outcome desc) || E'\n' from lines l;
$$;
comment on function public.broadcast_metrics() is
  'Service role only: the broadcast counters in Prometheus text (meeting_broadcasts_total, retries, success ratio, latency).';

-- Deny by default, then grant on purpose: only the service role (edge functions, the gateway's /metrics).
revoke execute on function public.record_broadcast_outcomes(jsonb), public.broadcast_metrics()
  from public, anon, authenticated;
grant execute on function public.record_broadcast_outcomes(jsonb), public.broadcast_metrics() to service_role;
