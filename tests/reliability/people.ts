// The people of a reliability run: Acme members created once in the stack's database (as GoTrue stores them, the
// password hashed with bcrypt cost 4 so sixty sign-ins take a moment, not seconds), each signed in through Auth with
// a meeting client of their own, as sixty browsers would be.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { demoKeys } from '../../stack/config.ts';
import { seedOrgs, seedUsers } from '../../stack/testing/seed.ts';
import type { TestStack } from '../../stack/testing/stack.ts';
import { createMeetingClient, type MeetingSupabase } from '../../client/src/index.ts';

const password = 'reliability-pass';

export interface Person {
  userId: string;
  email: string;
  /** Signs in on a new client; `url` points it at another address (the fault proxy) instead of the gateway. */
  client(url?: string): Promise<MeetingSupabase>;
}

export async function createPeople(stack: TestStack, prefix: string, count: number): Promise<Person[]> {
  const people = Array.from({ length: count }, (_, i) => ({
    userId: randomUUID(),
    email: `${prefix}-${i}@acme.test`,
  }));
  await stack.sql`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                            raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
                            confirmation_token, recovery_token, email_change_token_new, email_change)
    select '00000000-0000-0000-0000-000000000000', p.id::uuid, 'authenticated', 'authenticated', p.email,
           extensions.crypt(${password}, extensions.gen_salt('bf', 4)), now(),
           jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email'),
                              'organization_id', ${seedOrgs.acme}::text, 'org_role', 'member'),
           jsonb_build_object('full_name', p.email), now(), now(), '', '', '', ''
    from jsonb_to_recordset(${stack.sql.json(people.map((p) => ({ id: p.userId, email: p.email })))}) as p(id text, email text)`;
  return people.map((p) => ({
    ...p,
    async client(url = stack.url) {
      // The ws transport: Node's built-in WebSocket never reports a refused handshake (see client/README.md).
      const supabase = createMeetingClient(url, demoKeys.anonKey, {
        auth: { persistSession: false, autoRefreshToken: false },
        realtime: { transport: WebSocket as never },
      });
      const { error } = await supabase.auth.signInWithPassword({ email: p.email, password });
      if (error) throw new Error(`sign-in of ${p.email}: ${error.message}`);
      return supabase;
    },
  }));
}

/** A live Acme meeting hosted by Alice, with nobody in it yet. */
export async function liveMeeting(stack: TestStack, title: string): Promise<string> {
  const id = randomUUID();
  await stack.sql`insert into public.meetings (id, organization_id, host_id, title, status)
                  values (${id}, ${seedOrgs.acme}, ${seedUsers.alice.id}, ${title}, 'live')`;
  return id;
}
