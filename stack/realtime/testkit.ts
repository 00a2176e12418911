// Test fixtures for stack/realtime: an isolated Postgres (own folder, own port, a temporary supabase workdir whose
// migration defines meeting tables and RLS policies on realtime.messages), users' JWTs signed with the stack's
// secret, and small promise helpers that wait on events instead of sleeping.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { dbUrl, demoKeys, loadConfig, projectRoot, type StackConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { down, up } from '../postgres/index.ts';
import { signJwt } from '../shared/jwt.ts';

export const meetingA = '0a0a0a0a-0000-4000-8000-00000000000a';
export const meetingB = '0b0b0b0b-0000-4000-8000-00000000000b';
export const users = {
  alice: '11111111-1111-4111-8111-111111111111',
  bob: '22222222-2222-4222-8222-222222222222',
  carol: '33333333-3333-4333-8333-333333333333',
} as const;

/** Meetings, memberships, notes; who may read/write which realtime topic is decided by these policies only. */
export const fixtureMigration = `
create table public.rt_meetings (id uuid primary key, title text not null);
create table public.rt_members (
  meeting_id uuid not null references public.rt_meetings (id) on delete cascade,
  user_id uuid not null,
  primary key (meeting_id, user_id)
);
alter table public.rt_meetings enable row level security;
alter table public.rt_members enable row level security;

-- One question, one SECURITY DEFINER helper: is the caller a member of the meeting this topic names?
create function public.rt_is_member_of_topic(topic text, prefix text) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.rt_members m
    where topic = prefix || m.meeting_id::text and m.user_id = (select auth.uid()))
$$;

create policy "members receive room:<meeting> messages" on realtime.messages for select to authenticated
  using (realtime.messages.extension in ('broadcast', 'presence')
         and ((select public.rt_is_member_of_topic(realtime.topic(), 'room:'))
              or (select public.rt_is_member_of_topic(realtime.topic(), 'announce:'))));
create policy "members send on room:<meeting>" on realtime.messages for insert to authenticated
  with check (realtime.messages.extension in ('broadcast', 'presence')
              and (select public.rt_is_member_of_topic(realtime.topic(), 'room:')));

create table public.rt_notes (
  id bigint generated always as identity primary key,
  meeting_id uuid not null references public.rt_meetings (id),
  body text not null,
  tags text[] not null default '{}',
  meta jsonb,
  done boolean not null default false,
  created_at timestamptz not null default now()
);
alter table public.rt_notes enable row level security;
create function public.rt_is_member(meeting uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.rt_members m where m.meeting_id = meeting and m.user_id = (select auth.uid()))
$$;
create policy "members read their meetings' notes" on public.rt_notes for select to authenticated
  using ((select public.rt_is_member(meeting_id)));
alter publication supabase_realtime add table public.rt_notes;

create table public.rt_scores (id int primary key, player text not null, points int not null);
alter publication supabase_realtime add table public.rt_scores;

-- Notes are also broadcast to the meeting's private topic, as upstream documents broadcast_changes.
create function public.rt_notes_broadcast() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform realtime.broadcast_changes('room:' || coalesce(new.meeting_id, old.meeting_id)::text,
    tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
  return null;
end;
$$;
create trigger rt_notes_broadcast after insert or update or delete on public.rt_notes
  for each row execute function public.rt_notes_broadcast();
`;

export const fixtureSeed = `
insert into public.rt_meetings (id, title) values ('${meetingA}', 'Standup'), ('${meetingB}', 'Board');
insert into public.rt_members (meeting_id, user_id) values
  ('${meetingA}', '${users.alice}'), ('${meetingA}', '${users.bob}'), ('${meetingB}', '${users.carol}');
`;

export interface Fixture {
  cfg: StackConfig;
  adminUrl: string;
  cleanup(): Promise<void>;
}

/** A fresh cluster on `port` with a migration and seed (the test fixture by default) applied by the real CLI. */
export async function startFixtureDb(port: number, migration = fixtureMigration, seed = fixtureSeed): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'mr-rt-'));
  chmodSync(dir, 0o755); // the postgres OS user must reach the cluster folder inside it
  mkdirSync(join(dir, 'supabase', 'migrations'), { recursive: true });
  copyFileSync(join(projectRoot, 'supabase', 'config.toml'), join(dir, 'supabase', 'config.toml'));
  writeFileSync(join(dir, 'supabase', 'migrations', '20260101000000_realtime_fixture.sql'), migration);
  writeFileSync(join(dir, 'supabase', 'seed.sql'), seed);
  const cfg = loadConfig({ STACK_STATE_DIR: join(dir, '.stack'), STACK_DB_PORT: String(port), STACK_WORKDIR: dir });
  const log = createLogger('realtime-test-db');
  await up(cfg, log);
  return {
    cfg,
    adminUrl: dbUrl(cfg, { user: 'supabase_admin', sslmode: false }),
    async cleanup() {
      await down(cfg, log).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A user's access token as GoTrue would mint it (HS256 with the stack's secret). */
export function userToken(sub: string, opts: { expiresIn?: number; role?: string; extra?: Record<string, unknown> } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({
    iss: 'http://127.0.0.1:54321/auth/v1', sub, aud: 'authenticated', role: opts.role ?? 'authenticated',
    email: `${sub.slice(0, 4)}@example.com`, session_id: `s-${sub.slice(0, 8)}`, iat: now,
    exp: now + (opts.expiresIn ?? 3600), ...opts.extra,
  }, demoKeys.jwtSecret);
}

/**
 * The official client pointed at our server. `token` is what supabase-js' `accessToken` option returns: the way a
 * project signed in elsewhere hands its JWT to supabase-js (realtime-js refreshes from it on every heartbeat).
 */
export function client(port: number, token?: () => string | null, realtime: Record<string, unknown> = {}): SupabaseClient {
  return createClient(`http://127.0.0.1:${port}`, demoKeys.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    ...(token ? { accessToken: async () => token() } : {}),
    realtime: { ...realtime },
  });
}

/** Resolves with the first value `register` delivers, or rejects after `ms`. */
export function waitFor<T>(what: string, register: (resolve: (v: T) => void) => void, ms = 5000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    register((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

/** Collects every value pushed to it; `next(n)` waits until n values have arrived. */
export class Inbox<T> {
  items: T[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];
  push = (v: T): void => {
    this.items.push(v);
    this.waiters = this.waiters.filter((w) => (this.items.length >= w.n ? (w.resolve(), false) : true));
  };
  async next(n: number, what = 'messages', ms = 5000): Promise<T[]> {
    if (this.items.length < n) {
      await waitFor<void>(`${n} ${what}`, (resolve) => {
        this.waiters.push({ n, resolve: () => resolve() });
      }, ms);
    }
    return this.items.slice(0, n);
  }
}

/** A bare WebSocket speaking the wire protocol directly, for what the official client never sends. */
export class RawSocket {
  inbox = new Inbox<{ text?: unknown; binary?: Buffer }>();
  closed: Promise<{ code: number; reason: string }>;
  constructor(readonly ws: import('ws').WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) =>
      this.inbox.push(isBinary ? { binary: data } : { text: JSON.parse(data.toString('utf8')) }));
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async open(port: number, query = `apikey=${demoKeys.anonKey}&vsn=2.0.0`, path = '/realtime/v1/websocket'): Promise<RawSocket> {
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}?${query}`);
    const raw = new RawSocket(ws);
    await waitFor<void>('socket open', (resolve) => ws.once('open', () => resolve()));
    return raw;
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' || Buffer.isBuffer(msg) ? msg : JSON.stringify(msg));
  }

  private cursor = 0;

  /** Consumes frames until a text frame matches `match`; returns it. */
  async expect(match: (m: unknown[]) => boolean, what: string, ms = 3000): Promise<unknown[]> {
    for (;;) {
      const items = await this.inbox.next(this.cursor + 1, what, ms);
      const m = items[this.cursor++].text;
      if (Array.isArray(m) && match(m)) return m;
    }
  }
}

/** Status and body of a refused WebSocket upgrade. */
export async function upgradeAttempt(port: number, query: string): Promise<{ status: number; body: string }> {
  const { WebSocket } = await import('ws');
  return waitFor(`upgrade ${query}`, (resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/realtime/v1/websocket?${query}`);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.on('error', () => {});
  });
}

/**
 * The first of `ports` that can be bound now. Our fixed ports lie inside Linux's ephemeral range, so a client
 * socket in TIME_WAIT (after a benchmark, say) can hold one for a minute; probing avoids a spurious failure.
 */
export async function freePort(ports: number[]): Promise<number> {
  const { createServer } = await import('node:net');
  for (const port of ports) {
    const ok = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error(`none of the ports ${ports.join(', ')} is free`);
}
