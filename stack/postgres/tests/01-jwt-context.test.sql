-- The auth.* helpers read the request's JWT settings exactly as PostgREST and Realtime set them.
begin;
select plan(8);

select is(auth.uid(), null, 'auth.uid() is null without a request context');
select is(auth.jwt(), null, 'auth.jwt() is null without a request context');

select set_config('request.jwt.claims',
  '{"sub":"8d0fd2b3-9ca7-4d9e-a95f-9e13dded323e","role":"authenticated","email":"ada@example.com","app_metadata":{"provider":"email"}}', true);
select is(auth.uid(), '8d0fd2b3-9ca7-4d9e-a95f-9e13dded323e'::uuid, 'auth.uid() is the sub claim');
select is(auth.role(), 'authenticated', 'auth.role() is the role claim');
select is(auth.email(), 'ada@example.com', 'auth.email() is the email claim');
select is(auth.jwt() -> 'app_metadata' ->> 'provider', 'email', 'auth.jwt() returns every claim');

select set_config('request.jwt.claim.sub', 'f2b7a1d4-7c41-4a3e-9a5e-000000000001', true);
select is(auth.uid(), 'f2b7a1d4-7c41-4a3e-9a5e-000000000001'::uuid, 'the legacy per-claim setting wins, as upstream');

select set_config('request.jwt.claim.sub', '', true);
select set_config('request.jwt.claims', '', true);
select is(auth.uid(), null, 'empty settings mean no user');

select * from finish();
rollback;
