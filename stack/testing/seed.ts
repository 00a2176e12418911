// The demo data of supabase/seed.sql that tests and benches name (users, organizations, meetings), defined once;
// seed.test.ts holds every value here against seed.sql. Plus a fresh meeting on top of it, as tests arrange one.
import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';

/** Every seeded user's password. */
export const seedPassword = 'password123';

export const seedOrgs = {
  acme: '00000000-0000-4000-a000-000000000001',
  globex: '00000000-0000-4000-a000-000000000002',
} as const;

export const seedUsers = {
  /** Acme's admin, host of Weekly sync and Leadership review. */
  alice: { id: '00000000-0000-4000-b000-00000000000a', email: 'alice@acme.test', org: seedOrgs.acme },
  /** Cohost in Weekly sync. */
  bob: { id: '00000000-0000-4000-b000-00000000000b', email: 'bob@acme.test', org: seedOrgs.acme },
  /** Participant in Weekly sync. */
  carol: { id: '00000000-0000-4000-b000-00000000000c', email: 'carol@acme.test', org: seedOrgs.acme },
  /** Globex: host of Globex stand-up, an outsider to Acme. */
  dave: { id: '00000000-0000-4000-b000-00000000000d', email: 'dave@globex.test', org: seedOrgs.globex },
} as const;

export type SeedUser = keyof typeof seedUsers;

export const seedMeetings = {
  /** Acme, live, hosted by Alice; Bob cohost, Carol participant. */
  weeklySync: '00000000-0000-4000-c000-000000000001',
  /** Acme, scheduled, invite-only. */
  leadership: '00000000-0000-4000-c000-000000000002',
  /** Globex, live, hosted by Dave. */
  globexStandup: '00000000-0000-4000-c000-000000000003',
} as const;

/**
 * Inserts a live Acme meeting titled `title`, hosted by Alice; with `participants`, Alice (as host) and those users
 * are in it already. Returns its id.
 */
export async function insertMeeting(
  sql: postgres.Sql,
  title: string,
  opts: { participants?: string[] } = {},
): Promise<string> {
  const id = randomUUID();
  await sql`insert into public.meetings (id, organization_id, host_id, title, status)
            values (${id}, ${seedOrgs.acme}, ${seedUsers.alice.id}, ${title}, 'live')`;
  if (opts.participants) {
    for (const userId of [seedUsers.alice.id, ...opts.participants]) {
      await sql`insert into public.meeting_participants (meeting_id, user_id, role)
                values (${id}, ${userId}, ${userId === seedUsers.alice.id ? 'host' : 'participant'})`;
    }
  }
  return id;
}
