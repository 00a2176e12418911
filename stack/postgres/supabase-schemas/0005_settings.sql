-- Database-level settings `supabase start` writes (read by old-style triggers and pg_net webhooks).
do $$
begin
  execute format('alter database %I set "app.settings.jwt_secret" = %L', current_database(),
                 'super-secret-jwt-token-with-at-least-32-characters-long');
  execute format('alter database %I set "app.settings.jwt_exp" = %L', current_database(), '3600');
end
$$;

-- Realtime's own bookkeeping schema (owned by postgres, as the CLI creates it).
create schema if not exists _realtime authorization postgres;
