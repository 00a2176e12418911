-- get_messages: keyset pages by seq, newest or oldest first, with no gaps and no duplicates, only this meeting's
-- messages, deleted content hidden, page size 1..100.
begin;
select plan(11);
select tests.build_meeting_world();

insert into public.meetings (id, organization_id, host_id, title, status)
values ('c0ffee00-0000-4000-8000-000000000009', tests.world_org_id(), tests.get_supabase_uid('host'), 'Noise', 'live');
-- 250 more messages in the world meeting, interleaved with 100 in another meeting.
insert into public.messages (meeting_id, sender_id, client_id, content)
select case when i % 7 = 0 then 'c0ffee00-0000-4000-8000-000000000009'::uuid else tests.world_meeting_id() end,
       tests.get_supabase_uid('participant'), 'page-' || i, 'message ' || i
  from generate_series(1, 291) i;

create temporary table expected on commit drop as
  select seq from public.messages where meeting_id = tests.world_meeting_id();
create temporary table seen (page int, seq bigint) on commit drop;
grant select on expected to authenticated;
grant select, insert on seen to authenticated;

-- Reads the whole meeting page by page as a client would, keyset on the last page's edge: newest first walks
-- before_seq down, oldest first walks after_seq up. Every row lands in `seen` with its page number.
create function pg_temp.read_every_page(size int, newest_first boolean) returns void language plpgsql as $$
declare
  cursor_seq bigint := null;
  page_no int := 0;
  got int;
begin
  loop
    page_no := page_no + 1;
    insert into seen
    select page_no, m.seq
      from public.get_messages(tests.world_meeting_id(),
                               before_seq => case when newest_first then cursor_seq end,
                               after_seq => case when not newest_first then cursor_seq end,
                               page_size => size, newest_first => newest_first) m;
    get diagnostics got = row_count;
    exit when got < size;
    select case when newest_first then min(seq) else max(seq) end into cursor_seq from seen where page = page_no;
  end loop;
end
$$;
grant execute on function pg_temp.read_every_page(int, boolean) to authenticated;

select tests.authenticate_as('participant');
select pg_temp.read_every_page(100, true);
reset role;

select is((select count(*) from seen), (select count(*) from expected), 'newest-first pages cover every message');
select is((select count(distinct seq) from seen), (select count(*) from seen), 'with no duplicates');
select set_eq('select seq from seen', 'select seq from expected', 'and exactly this meeting''s messages');
select is((select max(page) from seen), 3, 'in pages of at most 100');
select ok((select bool_and(s.seq > n.seq) from seen s join seen n on n.page = s.page + 1), 'each page is older than the one before');

truncate seen;
select tests.authenticate_as('participant');
select pg_temp.read_every_page(40, false);
reset role;
select set_eq('select seq from seen', 'select seq from expected', 'oldest-first catch-up with after_seq covers every message once');
select is((select count(*) from seen), (select count(*) from expected), 'and counts each once');

select is(tests.error_of('participant', $$select public.get_messages(tests.world_meeting_id(), page_size => 101)$$) ->> 'hint',
          'invalid_page_size', 'a page of 101 is refused');
select is(tests.error_of('participant', $$select public.get_messages(tests.world_meeting_id(), page_size => 0)$$) ->> 'sqlstate',
          'PT400', 'a page of 0 is refused');

update public.messages set deleted_at = now() where client_id = 'own-host';
select tests.authenticate_as('participant');
select is((select content from public.get_messages(tests.world_meeting_id(), page_size => 100, newest_first => false) where client_id = 'own-host'),
          null, 'a deleted message keeps its place but not its content');
select is((select count(*) from public.get_messages(tests.world_meeting_id(), after_seq => (select max(seq) from expected))), 0::bigint,
          'nothing after the newest seq');
reset role;

select * from finish();
rollback;
